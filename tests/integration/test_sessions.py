"""Signed-in sessions: a log-out ends that session on the server, a password change or
reset ends the others, the profile lists and ends them, and they expire."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import flask_migrate
import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from interviews.accounts import api_tokens
from interviews.accounts import sessions as sessions_service
from interviews.accounts.models import UserSession
from interviews.app import create_app
from interviews.clock import utc_now
from interviews.db import db
from interviews.participants import service as participants
from tests.conftest import PASSWORD, log_in
from tests.integration.test_password_reset import NEW_PASSWORD, reset_link

CHROME_ON_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
SIGNED_OUT = "You were signed out. Log in again."


class Clock:
    """The sessions service's clock, moved by the test (everything else keeps real time)."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moving = Clock()
    monkeypatch.setattr(sessions_service, "utc_now", moving)
    return moving


def browser(app, user_agent: str = CHROME_ON_MAC, ip: str = "203.0.113.7"):
    """A browser of its own (its own cookies), announcing itself like a real one."""
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    return client


def signed_in(client, path: str = "/") -> bool:
    response = client.get(path)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login"), response.headers["Location"]
        return False
    assert response.status_code == 200, (path, response.status_code)
    return True


def login_page_says(client) -> str:
    return client.get("/login").get_data(as_text=True)


def session_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(UserSession))


def end_links(page: str) -> list[str]:
    return re.findall(r'action="(/profile/sessions/\d+/end)"', page)


def test_a_cookie_copied_before_log_out_is_refused_after_it(app, make_workspace):
    owner = make_workspace(name="Northwind")
    with app.app_context():
        participants.create_participant(
            owner, participants.ParticipantDraft(name="Priya Patel", email="priya@acme.example")
        )
    mine = browser(app)
    log_in(mine, owner.email)
    copied = mine.get_cookie("session").value
    thief = browser(app, FIREFOX_ON_WINDOWS, ip="198.51.100.9")
    thief.set_cookie("session", copied)
    assert "Priya Patel" in thief.get("/participants").get_data(as_text=True)

    mine.post("/logout")

    for path, secret in (("/", "Northwind"), ("/profile", owner.email), ("/participants", "Priya")):
        thief.set_cookie("session", copied)  # the same copy every time, as a thief would
        response = thief.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path
        assert secret not in response.get_data(as_text=True)
        landing = thief.get(response.headers["Location"]).get_data(as_text=True)
        assert SIGNED_OUT in landing
        assert secret not in landing
    assert not signed_in(mine)


def test_logging_out_in_one_browser_leaves_the_other_signed_in(app, make_workspace):
    owner = make_workspace()
    laptop, phone = browser(app), browser(app, SAFARI_ON_IPHONE)
    log_in(laptop, owner.email)
    log_in(phone, owner.email)

    laptop.post("/logout")

    assert not signed_in(laptop)
    assert signed_in(phone, "/profile")
    assert session_rows(app) == 1


def test_logging_in_again_in_the_same_browser_replaces_its_session(app, make_workspace):
    owner = make_workspace()
    laptop = browser(app)
    log_in(laptop, owner.email)
    log_in(laptop, owner.email)

    assert session_rows(app) == 1
    page = laptop.get("/profile").get_data(as_text=True)
    assert page.count("<strong>this browser</strong>") == 1
    assert not end_links(page)


def test_a_password_change_keeps_this_browser_and_ends_the_other(app, make_workspace):
    owner = make_workspace()
    laptop, phone = browser(app), browser(app, SAFARI_ON_IPHONE)
    log_in(laptop, owner.email)
    log_in(phone, owner.email)

    response = laptop.post(
        "/profile/password",
        data={"password-current_password": PASSWORD, "password-new_password": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert signed_in(laptop, "/profile")
    assert not signed_in(phone)
    assert SIGNED_OUT in login_page_says(phone)
    log_in(phone, owner.email, NEW_PASSWORD)


def test_a_refused_password_change_ends_nothing(app, make_workspace):
    owner = make_workspace()
    laptop, phone = browser(app), browser(app, SAFARI_ON_IPHONE)
    log_in(laptop, owner.email)
    log_in(phone, owner.email)

    response = laptop.post(
        "/profile/password",
        data={"password-current_password": "not it at all", "password-new_password": NEW_PASSWORD},
    )

    assert response.status_code == 422
    assert signed_in(phone)


def test_a_password_reset_ends_every_session(app, make_workspace, sent_mail):
    owner = make_workspace()
    laptop, phone = browser(app), browser(app, SAFARI_ON_IPHONE)
    log_in(laptop, owner.email)
    log_in(phone, owner.email)

    desk = browser(app, FIREFOX_ON_WINDOWS)
    desk.post("/password/forgot", data={"email": owner.email})
    desk.post(reset_link(sent_mail()[-1]), data={"password": NEW_PASSWORD})

    assert not signed_in(laptop)
    assert not signed_in(phone)
    # The browser that chose the new password is signed in, with a session of its own.
    page = desk.get("/profile").get_data(as_text=True)
    assert "Firefox on Windows" in page
    assert "Chrome on macOS" not in page
    assert session_rows(app) == 1


def test_a_reset_from_a_signed_in_browser_gives_it_a_new_session(app, make_workspace, sent_mail):
    owner = make_workspace()
    laptop = browser(app)
    log_in(laptop, owner.email)
    copied = laptop.get_cookie("session").value

    laptop.post("/password/forgot", data={"email": owner.email})
    laptop.post(reset_link(sent_mail()[-1]), data={"password": NEW_PASSWORD})

    assert signed_in(laptop)
    thief = browser(app)
    thief.set_cookie("session", copied)
    assert not signed_in(thief)


def test_the_profile_lists_each_session_and_ends_the_one_chosen(app, make_workspace):
    owner = make_workspace()
    laptop = browser(app, CHROME_ON_MAC, ip="203.0.113.7")
    phone = browser(app, SAFARI_ON_IPHONE, ip="198.51.100.23")
    log_in(laptop, owner.email)
    log_in(phone, owner.email)

    page = laptop.get("/profile").get_data(as_text=True)
    assert "Where you are signed in" in page
    assert "Chrome on macOS" in page
    assert "from 203.0.113.7" in page
    assert "Safari on iOS" in page
    assert "from 198.51.100.23" in page
    assert "this browser" in page
    # This browser is not offered an "end" button: the other one is.
    [end_phone] = end_links(page)
    assert "End session on Safari on iOS" in page
    assert "Sign out everywhere else" in page

    response = laptop.post(end_phone)

    assert response.status_code == 302
    assert "That session is ended" in laptop.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert not signed_in(phone)
    assert SIGNED_OUT in login_page_says(phone)
    page = laptop.get("/profile").get_data(as_text=True)
    assert "Safari on iOS" not in page
    assert "You are signed in in this browser only." in page
    assert laptop.post(end_phone).status_code == 404  # already ended


def test_sign_out_everywhere_else_keeps_only_this_browser(app, make_workspace):
    owner = make_workspace()
    laptop, phone = browser(app), browser(app, SAFARI_ON_IPHONE)
    tablet = browser(app, FIREFOX_ON_WINDOWS)
    for each in (laptop, phone, tablet):
        log_in(each, owner.email)

    response = laptop.post("/profile/sessions/end-others")

    assert "2 other sessions ended" in laptop.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert not signed_in(tablet)


def test_ending_this_browsers_own_session_from_the_profile_logs_it_out(app, make_workspace):
    owner = make_workspace()
    laptop = browser(app)
    log_in(laptop, owner.email)
    with app.app_context():
        [mine] = db.session.scalars(select(UserSession.id)).all()

    response = laptop.post(f"/profile/sessions/{mine}/end")

    assert response.headers["Location"] == "/login"
    assert not signed_in(laptop)


def test_nobody_can_end_another_persons_session(app, make_workspace):
    owner = make_workspace(name="Northwind")
    stranger = make_workspace(name="Elsewhere")
    theirs, mine = browser(app), browser(app, FIREFOX_ON_WINDOWS)
    log_in(theirs, owner.email)
    log_in(mine, stranger.email)
    with app.app_context():
        their_session = db.session.scalar(
            select(UserSession.id).where(UserSession.user_id == owner.user_id)
        )

    assert mine.post(f"/profile/sessions/{their_session}/end").status_code == 404
    mine.post("/profile/sessions/end-others")

    assert signed_in(theirs)


def test_ending_a_session_needs_the_forms_csrf_token(make_app, make_workspace):
    app = make_app(WTF_CSRF_ENABLED=True)
    owner = make_workspace()

    def log_in_for_real(client):
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = {"email": owner.email, "password": PASSWORD, "csrf_token": token}
        assert client.post("/login", data=form).status_code == 302

    laptop, phone = browser(app), browser(app, SAFARI_ON_IPHONE)
    log_in_for_real(laptop)
    log_in_for_real(phone)

    forged = laptop.post("/profile/sessions/end-others")
    assert forged.status_code == 400
    assert signed_in(phone)

    page = laptop.get("/profile").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    laptop.post("/profile/sessions/end-others", data={"csrf_token": token})
    assert not signed_in(phone)
    assert signed_in(laptop)


def test_an_idle_session_is_refused_and_says_it_was_inactivity(make_app, make_workspace, clock):
    app = make_app(SESSION_IDLE_HOURS=2)
    owner = make_workspace()
    laptop = browser(app)
    log_in(laptop, owner.email)

    clock.advance(hours=1, minutes=59)
    assert signed_in(laptop)  # activity: the two hours start again from here
    clock.advance(hours=1, minutes=59)
    assert signed_in(laptop)
    clock.advance(hours=2)

    response = laptop.get("/profile")

    assert response.headers["Location"].startswith("/login?next=")
    assert "You were signed out after 2 hours without activity." in login_page_says(laptop)
    assert session_rows(app) == 0


def test_a_session_ends_after_its_lifetime_however_active(make_app, make_workspace, clock):
    app = make_app(SESSION_IDLE_HOURS=2, SESSION_LIFETIME_DAYS=1)
    owner = make_workspace()
    laptop = browser(app)
    log_in(laptop, owner.email)

    for _ in range(23):
        clock.advance(hours=1)
        assert signed_in(laptop)
    clock.advance(minutes=59)
    assert signed_in(laptop)
    clock.advance(minutes=1)

    assert not signed_in(laptop)
    assert "Your session expired: a sign-in lasts at most 1 day." in login_page_says(laptop)


def test_last_active_is_written_at_most_once_a_minute(app, make_workspace, clock):
    owner = make_workspace()
    laptop = browser(app)
    log_in(laptop, owner.email)
    signed_in_at = clock.now

    def last_seen() -> datetime:
        with app.app_context():
            return db.session.scalar(select(UserSession.last_seen_at))

    clock.advance(seconds=20)
    signed_in(laptop)
    clock.advance(seconds=30)
    signed_in(laptop)
    assert last_seen() == signed_in_at

    clock.advance(seconds=15)
    signed_in(laptop)
    assert last_seen() == clock.now


def test_expired_sessions_are_deleted_when_someone_signs_in(app, make_workspace, clock):
    owner = make_workspace()
    teammate = make_workspace(name="Elsewhere")
    forgotten = browser(app, FIREFOX_ON_WINDOWS)
    log_in(forgotten, owner.email)
    recent = browser(app)
    log_in(recent, teammate.email)

    # The forgotten one is idle after a week (the default), then kept two weeks to say
    # why; the other is used every few days all along.
    for _ in range(4):
        clock.advance(days=6)
        assert signed_in(recent)
    assert session_rows(app) == 2
    log_in(browser(app), teammate.email)

    with app.app_context():
        users = db.session.scalars(select(UserSession.user_id)).all()
    assert owner.user_id not in users
    assert sorted(users) == [teammate.user_id, teammate.user_id]


def test_a_remember_me_cookie_of_an_ended_session_is_refused(app, make_workspace):
    owner = make_workspace(name="Northwind")
    laptop = browser(app)
    log_in(laptop, owner.email)
    # The app sets no remember-me cookie, but Flask-Login would read one: it names the
    # session (not the user), so it obeys log-out like the session cookie does.
    stored = app.session_interface.get_signing_serializer(app).loads(
        laptop.get_cookie("session").value
    )
    with app.test_request_context():
        remembered = encode_cookie(stored["_user_id"])
    other = browser(app)
    other.set_cookie("remember_token", remembered)
    assert signed_in(other)
    other.delete_cookie("session")

    laptop.post("/logout")

    other.set_cookie("remember_token", remembered)
    assert not signed_in(other)
    assert other.get_cookie("remember_token") is None  # the dead cookie is deleted too


def test_api_tokens_do_not_depend_on_browser_sessions(app, client, make_workspace):
    owner = make_workspace()
    laptop = browser(app)
    log_in(laptop, owner.email)
    with app.app_context():
        _, secret = api_tokens.create_api_token(owner.user_id, owner.workspace_id, "CRM")

    laptop.post("/profile/sessions/end-others")
    laptop.post("/logout")

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json["user"]["email"] == owner.email


def test_production_responses_carry_hsts_and_secure_cookies(make_app, make_workspace):
    app = make_app(
        INTERVIEWS_ENV="production", SECRET_KEY="p" * 48, BASE_URL="https://desk.example.com"
    )
    owner = make_workspace()
    client = app.test_client()

    response = client.post(
        "/login",
        data={"email": owner.email, "password": PASSWORD},
        base_url="https://desk.example.com",
    )

    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "; Secure" in cookie
    assert "; HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_behind_a_tls_proxy_an_http_base_url_still_gets_secure_cookies(make_app, make_workspace):
    app = make_app(
        INTERVIEWS_ENV="production",
        SECRET_KEY="p" * 48,
        BASE_URL="http://desk.internal",
        PROXY_TERMINATES_TLS=True,
        HSTS_SECONDS=600,
    )
    owner = make_workspace()

    response = app.test_client().post("/login", data={"email": owner.email, "password": PASSWORD})

    assert response.headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"
    assert "; Secure" in response.headers["Set-Cookie"]


def test_development_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A database of its own on the test server (or a new SQLite file), dropped after."""
    server = make_url(database_url)
    if server.drivername.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    name = f"interviews_upgrade_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_upgrade_to_sessions_keeps_every_account_and_membership(base_config, empty_database):
    app = create_app({**base_config, "DATABASE_URL": empty_database})
    with app.app_context():
        flask_migrate.upgrade(revision="0015")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO workspace (id, name, pattern_threshold, created_at) "
                    "VALUES (1, 'Northwind', 3, '2026-11-01 09:00:00')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO user_account (id, email, name, password_hash, session_token, "
                    "created_at) VALUES (1, 'dana@northwind.example', 'Dana', 'x', 'old-token', "
                    "'2026-11-01 09:00:00')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO membership (workspace_id, user_id, role, weekly_digest, "
                    "created_at) VALUES (1, 1, 'owner', true, '2026-11-01 09:00:00')"
                )
            )

        # SQLite rebuilds user_account to drop the column: the rows that point at it
        # (ON DELETE CASCADE) must not go with the old table.
        flask_migrate.upgrade()

        columns = {c["name"] for c in inspect(db.engine).get_columns("user_account")}
        assert "session_token" not in columns
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT email FROM user_account")).scalars().all() == [
                "dana@northwind.example"
            ]
            assert connection.execute(
                text("SELECT user_id, role, weekly_digest FROM membership")
            ).all() == [(1, "owner", True)]

        flask_migrate.downgrade(revision="0015")
        with db.engine.connect() as connection:
            [token] = connection.execute(text("SELECT session_token FROM user_account")).scalars()
            assert len(token) >= 40
            assert connection.execute(text("SELECT count(*) FROM membership")).scalar() == 1
        flask_migrate.upgrade()
        db.engine.dispose()
