"""Mail is composed to come from a person, with text and HTML parts."""

from datetime import UTC, datetime
from email.utils import parseaddr

from interviews.mail.compose import Attachment, Envelope, build_email, from_header

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def envelope(**changes):
    fields = dict(
        key="abc123",
        recipient="sam@example.com",
        sender_name="Dana Reyes",
        reply_to="dana@northwind.example",
        subject="Dana invited you",
        text_body="Accept: http://desk.test/invite/t0k3n\n",
        html_body='<p><a href="http://desk.test/invite/t0k3n">Accept</a></p>',
    )
    fields.update(changes)
    return Envelope(**fields)


def test_mail_comes_from_the_person_via_the_product_and_replies_reach_them():
    message = build_email(
        envelope(), product_name="Interview Desk", sender_address="desk@desk.test", now=NOW
    )

    assert parseaddr(message["From"]) == ("Dana Reyes via Interview Desk", "desk@desk.test")
    assert parseaddr(message["Reply-To"]) == ("Dana Reyes", "dana@northwind.example")
    assert message["To"] == "sam@example.com"
    assert message["Message-ID"] == "<abc123@desk.test>"


def test_mail_has_a_text_part_and_an_html_part_with_the_same_link():
    message = build_email(
        envelope(), product_name="Interview Desk", sender_address="desk@desk.test", now=NOW
    )

    assert message.get_content_type() == "multipart/alternative"
    assert "http://desk.test/invite/t0k3n" in message.get_body(("plain",)).get_content()
    assert 'href="http://desk.test/invite/t0k3n"' in message.get_body(("html",)).get_content()


def test_account_mail_without_a_person_has_no_reply_to():
    message = build_email(
        envelope(sender_name="", reply_to=None),
        product_name="Interview Desk",
        sender_address="desk@desk.test",
        now=NOW,
    )
    assert message["Reply-To"] is None
    assert parseaddr(from_header("", "Interview Desk", "desk@desk.test")) == (
        "Interview Desk",
        "desk@desk.test",
    )


def test_a_calendar_invite_travels_as_a_text_calendar_part_with_its_method():
    ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    message = build_email(
        envelope(attachments=(Attachment("interview.ics", "text/calendar; method=REQUEST", ics),)),
        product_name="Interview Desk",
        sender_address="desk@desk.test",
        now=NOW,
    )

    assert message.get_content_type() == "multipart/mixed"
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "interview.ics"
    assert part.get_content().splitlines() == ics.splitlines()  # SMTP puts the CRLFs back
    assert "http://desk.test/invite/t0k3n" in message.get_body(("plain",)).get_content()
