"""Signing up a workspace, logging in and out."""

from sqlalchemy import func, select

from interviews.accounts.models import Membership, User, Workspace
from interviews.db import db
from tests.conftest import PASSWORD, log_in


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def signup(client, **changes):
    form = {
        "workspace_name": "Northwind",
        "name": "Dana Reyes",
        "email": "dana@northwind.example",
        "password": PASSWORD,
    }
    form.update(changes)
    return client.post("/signup", data=form)


def test_signing_up_creates_a_workspace_owned_by_the_new_user_and_logs_them_in(app, client):
    response = signup(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/team"
    page = client.get("/team").get_data(as_text=True)
    assert "Welcome, Dana Reyes" in page
    assert "Northwind" in page
    with app.app_context():
        user = db.session.scalar(select(User))
        membership = db.session.scalar(select(Membership))
        assert user.email == "dana@northwind.example"
        assert user.password_hash.startswith("$argon2id$")
        assert membership.role.value == "owner"


def test_signing_up_twice_with_one_email_is_refused_next_to_the_field_and_writes_nothing(
    app, client
):
    signup(client)
    client.post("/logout")
    response = signup(client, email="DANA@northwind.example", workspace_name="Second")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "An account with this email already exists" in page
    assert 'aria-invalid="true"' in page
    assert count(app, Workspace) == 1


def test_a_weak_password_is_refused_with_the_reason(app, client):
    response = signup(client, password="short")

    assert response.status_code == 422
    assert "Password must be at least 10 characters" in response.get_data(as_text=True)
    assert count(app, User) == 0


def test_wrong_password_does_not_log_in_and_does_not_say_which_part_was_wrong(
    client, make_workspace
):
    owner = make_workspace()
    response = client.post("/login", data={"email": owner.email, "password": "not the password"})

    assert response.status_code == 422
    assert "That email and password do not match an account." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_logging_in_then_out(client, make_workspace):
    owner = make_workspace(name="Northwind")
    log_in(client, owner.email.upper())

    overview = client.get("/")
    assert overview.status_code == 200
    assert "Northwind" in overview.get_data(as_text=True)

    client.post("/logout")
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_after_login_next_only_leads_to_this_site(client, make_workspace):
    owner = make_workspace()
    response = client.post(
        "/login",
        data={"email": owner.email, "password": PASSWORD, "next": "https://evil.example/steal"},
    )
    assert response.headers["Location"] == "/"

    client.post("/logout")
    response = client.post(
        "/login", data={"email": owner.email, "password": PASSWORD, "next": "/profile"}
    )
    assert response.headers["Location"] == "/profile"


def test_pages_need_a_login(client):
    for path in ("/", "/team", "/profile", "/dev/mailbox"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path


def test_behind_a_trusted_proxy_log_in_limits_count_each_visitor_not_the_proxy(
    make_app, make_workspace
):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute", TRUSTED_PROXIES=1)
    client = app.test_client()

    def attempt(visitor):
        return client.post(
            "/login",
            data={"email": "x@example.com", "password": "wrong password"},
            headers={"X-Forwarded-For": visitor},
        ).status_code

    assert [attempt("203.0.113.7") for _ in range(3)] == [422, 422, 429]
    assert attempt("198.51.100.4") == 422  # another visitor behind the same proxy is not locked out
