"""Every form is protected against cross-site posts."""

from sqlalchemy import func, select

from interviews.accounts.models import Workspace
from interviews.db import db
from tests.conftest import PASSWORD


def test_a_form_post_without_the_csrf_token_is_refused_and_writes_nothing(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    form = {
        "workspace_name": "Forged",
        "name": "Eve",
        "email": "eve@example.com",
        "password": PASSWORD,
    }

    response = client.post("/signup", data=form)

    assert response.status_code == 400
    assert "This form expired or was sent from somewhere else" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Workspace)) == 0


def test_a_form_post_with_the_token_from_the_page_works(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/signup").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    form = {
        "workspace_name": "Real",
        "name": "Ann",
        "email": "ann@example.com",
        "password": PASSWORD,
        "csrf_token": token,
    }

    assert client.post("/signup", data=form).status_code == 302


def test_the_api_takes_bearer_tokens_not_csrf_tokens(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/api/v1/me")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
