"""Password reset by an emailed, single-use, expiring link."""

import re
from datetime import timedelta

from sqlalchemy import update

from interviews.accounts.models import PasswordReset
from interviews.clock import utc_now
from interviews.db import db
from tests.conftest import PASSWORD, log_in

NEW_PASSWORD = "a brand new passphrase"


def reset_link(mail):
    return re.search(r"http://desk\.test(/password/reset/\S+)", mail.text_body).group(1)


def test_reset_link_is_emailed_and_sets_a_new_password(client, make_workspace, sent_mail):
    owner = make_workspace()
    before = len(sent_mail())
    response = client.post("/password/forgot", data={"email": owner.email})

    assert response.status_code == 302
    mails = sent_mail()[before:]
    assert [m.recipient for m in mails] == [owner.email]
    assert mails[0].subject == "Reset your Interview Desk password"
    assert (mails[0].sender_name, mails[0].reply_to) == ("", None)  # from the product, not a person
    path = reset_link(mails[0])

    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW_PASSWORD})
    assert response.status_code == 302
    client.post("/logout")

    assert (
        client.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code == 422
    )
    log_in(client, owner.email, NEW_PASSWORD)


def test_a_reset_link_works_once(client, make_workspace, sent_mail):
    owner = make_workspace()
    client.post("/password/forgot", data={"email": owner.email})
    path = reset_link(sent_mail()[-1])
    client.post(path, data={"password": NEW_PASSWORD})
    client.post("/logout")

    response = client.post(path, data={"password": "yet another passphrase"})
    assert response.status_code == 410
    assert "expired or was already used" in response.get_data(as_text=True)
    log_in(client, owner.email, NEW_PASSWORD)


def test_an_expired_reset_link_is_refused(app, client, make_workspace, sent_mail):
    owner = make_workspace()
    client.post("/password/forgot", data={"email": owner.email})
    path = reset_link(sent_mail()[-1])
    with app.app_context():
        db.session.execute(
            update(PasswordReset).values(expires_at=utc_now() - timedelta(seconds=1))
        )
        db.session.commit()

    assert client.get(path).status_code == 410


def test_reset_signs_out_other_sessions(app, make_workspace, sent_mail):
    owner = make_workspace()
    other_browser = app.test_client()
    log_in(other_browser, owner.email)
    assert other_browser.get("/").status_code == 200

    client = app.test_client()
    client.post("/password/forgot", data={"email": owner.email})
    client.post(reset_link(sent_mail()[-1]), data={"password": NEW_PASSWORD})

    assert other_browser.get("/").status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_mail(client, sent_mail):
    response = client.post(
        "/password/forgot", data={"email": "nobody@example.com"}, follow_redirects=True
    )

    assert "If nobody@example.com has an account, a reset link is on its way." in response.get_data(
        as_text=True
    )
    assert sent_mail() == []
