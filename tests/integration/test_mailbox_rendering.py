"""The development mailbox shows an HTML email rendered, in a locked-down frame."""

import re

from interviews.accounts.rules import Role
from interviews.mail import service as mail
from interviews.web.mail.views import MESSAGE_HTML_POLICY
from tests.conftest import book_interview, log_in, next_weekday_slot


def confirmation_id(app, email: str) -> int:
    with app.app_context():
        kept = mail.mailbox(None, email)
    return next(m.id for m in kept if m.subject.startswith("Confirmed:"))


def test_a_message_page_frames_the_html_part_in_a_sandbox_with_text_and_source_a_click_away(
    app, client, study
):
    book_interview(client, next_weekday_slot(10))
    log_in(client, study["dana"].email)
    message_id = confirmation_id(app, "pat@customer.example")

    page = client.get(f"/dev/mailbox/{message_id}").get_data(as_text=True)

    frame = re.search(r"<iframe[^>]*>", page, re.S).group(0)
    assert f'src="/dev/mailbox/{message_id}/html"' in frame
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in frame  # no scripts
    assert 'title="The message as the recipient sees it"' in frame
    assert "<summary>Text part</summary>" in page and "<summary>HTML source</summary>" in page
    assert "Reschedule or cancel here:" in page  # the text part, as text
    assert "&lt;a href=" in page  # the source, escaped


def test_the_html_part_is_served_as_html_under_a_strict_policy(app, client, study):
    book_interview(client, next_weekday_slot(10))
    log_in(client, study["dana"].email)
    message_id = confirmation_id(app, "pat@customer.example")

    response = client.get(f"/dev/mailbox/{message_id}/html")

    assert response.status_code == 200 and response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert policy == MESSAGE_HTML_POLICY
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    assert "sandbox" in policy and "allow-scripts" not in policy
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    body = response.get_data(as_text=True)
    assert body.startswith('<base target="_blank">')
    assert re.search(r'<a href="http[^"]+/manage/', body)  # markup, not source


def test_the_message_page_itself_keeps_the_apps_policy_and_may_frame_only_its_own_pages(
    app, client, study
):
    book_interview(client, next_weekday_slot(10))
    log_in(client, study["dana"].email)
    message_id = confirmation_id(app, "pat@customer.example")

    policy = client.get(f"/dev/mailbox/{message_id}").headers["Content-Security-Policy"]

    # No frame-src: it falls back to default-src 'self', so the frame loads from here only.
    assert "default-src 'self'" in policy and "script-src 'self'" in policy


def test_someone_elses_message_html_is_not_found(app, client, study, add_member):
    book_interview(client, next_weekday_slot(10))
    message_id = confirmation_id(app, "pat@customer.example")
    viewer = add_member(study["dana"], role=Role.VIEWER, name="Vic Viewer")
    log_in(client, viewer.email)

    assert client.get(f"/dev/mailbox/{message_id}/html").status_code == 404
