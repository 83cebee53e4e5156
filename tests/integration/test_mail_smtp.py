"""Email through a real SMTP server on loopback: headers, parts, TLS, login, refusals."""

from __future__ import annotations

from datetime import timedelta
from email.utils import getaddresses, parseaddr

import pytest

from interviews.accounts import invites as member_invites
from interviews.accounts.rules import Role
from interviews.config import ConfigError
from interviews.mail import delivery
from interviews.mail.backends import DeliveryError
from interviews.mail.models import MailStatus
from tests.conftest import log_in
from tests.integration.conftest import free_port

SMTP_USER, SMTP_PASSWORD = "desk-mailer", "s3cret-relay-password"
SECOND, HOUR = timedelta(seconds=1), timedelta(hours=1)


def invite_by_service(app, owner, email="sam@example.com"):
    with app.app_context():
        return member_invites.invite_member(owner, email=email, role=Role.RESEARCHER)


def test_invite_email_comes_from_the_inviter_with_reply_to_them(
    make_app, make_workspace, mail_server, sent_mail
):
    owner = make_workspace(name="Northwind", owner_name="Dana Reyes")
    app = make_app(**mail_server.settings())
    client = app.test_client()
    log_in(client, owner.email)

    response = client.post("/team/invites", data={"email": "Sam@Example.com", "role": "viewer"})

    assert response.status_code == 302
    [received] = mail_server.received
    email = received.email
    assert getaddresses([email["From"]]) == [("Dana Reyes via Interview Desk", "desk@desk.test")]
    assert parseaddr(email["Reply-To"]) == ("Dana Reyes", owner.email)
    assert parseaddr(email["To"])[1] == "sam@example.com"
    assert received.mail_from == "desk@desk.test"
    assert received.rcpt_tos == ["sam@example.com"]
    assert email["Subject"] == "Dana Reyes invited you to Northwind on Interview Desk"

    [row] = sent_mail()
    assert email["Message-ID"] == f"<{row.key}@desk.test>"
    assert row.status is MailStatus.SENT and row.sent_at is not None and row.attempts == 1
    assert row.error is None

    assert email.get_content_type() == "multipart/alternative"
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    link = next(word for word in text.split() if word.startswith("http://desk.test/invite/"))
    assert f'href="{link}"' in html
    # The link in the email is the one that works.
    page = make_app().test_client().get(link.removeprefix("http://desk.test"))
    assert page.status_code == 200 and "Join Northwind" in page.get_data(as_text=True)


def test_a_name_with_accents_reaches_the_recipient_intact(make_app, make_workspace, mail_server):
    owner = make_workspace(name="Zürich Labs", owner_name="Zoë Ångström")
    invite_by_service(make_app(**mail_server.settings()), owner)

    email = mail_server.received[0].email
    assert parseaddr(email["From"])[0] == "Zoë Ångström via Interview Desk"
    assert email["Subject"] == "Zoë Ångström invited you to Zürich Labs on Interview Desk"
    assert (
        "Zoë Ångström invited you to join Zürich Labs" in email.get_body(("plain",)).get_content()
    )


def test_starttls_with_login_delivers_over_an_encrypted_authenticated_session(
    make_app, make_workspace, start_mail_server, tls_ca_file, sent_mail
):
    server = start_mail_server(tls="starttls", users={SMTP_USER: SMTP_PASSWORD})
    app = make_app(
        **server.settings(),
        MAIL_USE_TLS=True,
        MAIL_USERNAME=SMTP_USER,
        MAIL_PASSWORD=SMTP_PASSWORD,
        MAIL_TLS_CA_FILE=tls_ca_file,
    )
    owner = make_workspace()

    invite_by_service(app, owner)

    # The server offers AUTH only after STARTTLS, so a login proves the session was encrypted.
    [received] = server.received
    assert received.login == SMTP_USER
    assert received.rcpt_tos == ["sam@example.com"]
    assert sent_mail()[0].status is MailStatus.SENT


# aiosmtpd counts only STARTTLS as TLS; with implicit TLS the whole session is encrypted.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_delivers_with_login(
    make_app, make_workspace, start_mail_server, tls_ca_file, sent_mail
):
    server = start_mail_server(tls="ssl", users={SMTP_USER: SMTP_PASSWORD})
    app = make_app(
        **server.settings(),
        MAIL_USE_SSL=True,
        MAIL_USERNAME=SMTP_USER,
        MAIL_PASSWORD=SMTP_PASSWORD,
        MAIL_TLS_CA_FILE=tls_ca_file,
    )
    owner = make_workspace()

    invite_by_service(app, owner)

    [received] = server.received
    assert received.login == SMTP_USER
    assert sent_mail()[0].status is MailStatus.SENT


def test_a_mail_server_whose_certificate_we_do_not_trust_gets_nothing(
    make_app, make_workspace, start_mail_server, sent_mail
):
    server = start_mail_server(tls="ssl")
    app = make_app(**server.settings(), MAIL_USE_SSL=True)  # no MAIL_TLS_CA_FILE: system CAs only
    owner = make_workspace()

    invite_by_service(app, owner)

    assert server.received == []
    [row] = sent_mail()
    assert row.status is MailStatus.QUEUED
    assert "CERTIFICATE_VERIFY_FAILED" in row.error


def test_a_wrong_smtp_password_keeps_the_invite_queued_with_the_servers_answer(
    make_app, make_workspace, start_mail_server, tls_ca_file, sent_mail
):
    server = start_mail_server(tls="starttls", users={SMTP_USER: SMTP_PASSWORD})
    app = make_app(
        **server.settings(),
        MAIL_USE_TLS=True,
        MAIL_USERNAME=SMTP_USER,
        MAIL_PASSWORD="not-the-password",
        MAIL_TLS_CA_FILE=tls_ca_file,
    )
    owner = make_workspace(name="Northwind")
    client = app.test_client()
    log_in(client, owner.email)

    response = client.post("/team/invites", data={"email": "sam@example.com", "role": "viewer"})

    # The owner is not shown a 500: the invite exists, with the link to pass on by hand.
    assert response.status_code == 302
    team_page = client.get("/team").get_data(as_text=True)
    assert "the email to sam@example.com could not be sent" in team_page
    assert "535 5.7.8 Authentication credentials invalid" in team_page
    assert "Invite sent" not in team_page
    assert "If the email does not arrive, send this link yourself" in team_page
    assert server.received == []
    [row] = sent_mail()
    assert row.status is MailStatus.QUEUED
    assert row.attempts == 1
    assert row.sent_at is None
    assert "535 5.7.8 Authentication credentials invalid" in row.error


def test_a_message_fails_for_good_after_its_last_retry(
    make_app, make_workspace, start_mail_server, tls_ca_file, sent_mail
):
    server = start_mail_server(tls="starttls", users={SMTP_USER: SMTP_PASSWORD})
    app = make_app(
        **server.settings(),
        MAIL_USE_TLS=True,
        MAIL_USERNAME=SMTP_USER,
        MAIL_PASSWORD="not-the-password",
        MAIL_TLS_CA_FILE=tls_ca_file,
        MESSAGE_MAX_ATTEMPTS=4,
    )
    invite_by_service(app, make_workspace())  # the first attempt, made at once
    [row] = sent_mail()

    # Each retry is due after a longer wait (30 s, doubling); trying early sends nothing.
    with app.app_context():
        waits = []
        for _ in range(2):
            [row] = sent_mail()
            waits.append(row.due_at - row.attempted_at)
            assert delivery.deliver(row.id, row.due_at - SECOND) is MailStatus.QUEUED
            with pytest.raises(DeliveryError):
                delivery.deliver(row.id, row.due_at)
        [row] = sent_mail()
        assert row.status is MailStatus.QUEUED and row.attempts == 3
        with pytest.raises(DeliveryError):
            delivery.deliver(row.id, row.due_at)
        # Nothing is tried after the last attempt.
        assert delivery.deliver(row.id, row.due_at + HOUR) is MailStatus.FAILED

    assert waits == [timedelta(seconds=30), timedelta(seconds=60)]
    [row] = sent_mail()
    assert row.status is MailStatus.FAILED
    assert row.attempts == 4
    assert "535" in row.error
    assert server.received == []


def test_with_no_mail_server_listening_the_invite_still_succeeds_and_the_error_is_kept(
    make_app, make_workspace, sent_mail
):
    port = free_port()
    app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    owner = make_workspace()
    client = app.test_client()
    log_in(client, owner.email)

    response = client.post("/team/invites", data={"email": "sam@example.com", "role": "viewer"})

    assert response.status_code == 302
    [row] = sent_mail()
    assert row.status is MailStatus.QUEUED
    assert row.sent_at is None
    assert f"127.0.0.1:{port}" in row.error and "refused" in row.error.lower()


def test_a_ca_file_that_is_not_there_stops_the_app_from_starting_and_says_which_setting(
    make_app, tmp_path
):
    missing = tmp_path / "no-such-ca.pem"

    with pytest.raises(ConfigError, match=f"MAIL_TLS_CA_FILE .*{missing.name}"):
        make_app(MAIL_BACKEND="smtp", MAIL_USE_TLS=True, MAIL_TLS_CA_FILE=str(missing))
