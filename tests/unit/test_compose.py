"""Mail is composed to come from a person, with text and HTML parts."""

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import parseaddr

from hypothesis import given
from hypothesis import strategies as st

from interviews.mail import compose
from interviews.mail.compose import Attachment, Envelope, build_email, from_header, one_line

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


def built(envelope: Envelope):
    """The message as a mail client reads it back from the wire."""
    data = build_email(
        envelope, product_name="Interview Desk", sender_address="desk@desk.test", now=NOW
    )
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # SMTP line ends
    return message_from_bytes(data, policy=policy.default)


def test_mail_comes_from_the_person_via_the_product_and_replies_reach_them():
    message = built(envelope())

    assert parseaddr(message["From"]) == ("Dana Reyes via Interview Desk", "desk@desk.test")
    assert parseaddr(message["Reply-To"]) == ("Dana Reyes", "dana@northwind.example")
    assert message["To"] == "sam@example.com"
    assert message["Message-ID"] == "<abc123@desk.test>"


def test_mail_has_a_text_part_and_an_html_part_with_the_same_link():
    message = built(envelope())

    assert message.get_content_type() == "multipart/alternative"
    assert "http://desk.test/invite/t0k3n" in message.get_body(("plain",)).get_content()
    assert 'href="http://desk.test/invite/t0k3n"' in message.get_body(("html",)).get_content()


def test_account_mail_without_a_person_has_no_reply_to():
    message = built(envelope(sender_name="", reply_to=None))
    assert message["Reply-To"] is None
    assert parseaddr(from_header("", "Interview Desk", "desk@desk.test")) == (
        "Interview Desk",
        "desk@desk.test",
    )


def test_a_calendar_invite_travels_as_a_text_calendar_part_with_its_method():
    ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    message = built(
        envelope(attachments=(Attachment("interview.ics", "text/calendar; method=REQUEST", ics),))
    )

    assert message.get_content_type() == "multipart/mixed"
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "interview.ics"
    assert part.get_content().splitlines() == ics.splitlines()  # SMTP puts the CRLFs back
    assert "http://desk.test/invite/t0k3n" in message.get_body(("plain",)).get_content()


def test_names_subjects_and_bodies_outside_ascii_arrive_intact():
    message = built(
        envelope(
            sender_name="Zoë Ångström",
            subject="Erinnerung: Gespräch mit Zoë in 1 Stunde",
            text_body="Grüße aus Zürich\n",
            html_body="<p>Grüße aus Zürich</p>",
        )
    )

    assert parseaddr(str(message["From"]))[0] == "Zoë Ångström via Interview Desk"
    assert str(message["Subject"]) == "Erinnerung: Gespräch mit Zoë in 1 Stunde"
    assert message.get_body(("plain",)).get_content() == "Grüße aus Zürich\n"


def test_a_line_break_in_a_name_or_subject_cannot_add_a_header():
    message = built(
        envelope(
            sender_name="Dana\r\nBcc: everyone@example.com",
            subject="Hello\nBcc: everyone@example.com",
        )
    )

    assert message["Bcc"] is None
    assert message["Subject"] == "Hello Bcc: everyone@example.com"
    assert parseaddr(message["From"])[1] == "desk@desk.test"


def test_a_body_that_quotes_the_boundary_keeps_its_parts_apart():
    first = build_email(envelope(), product_name="Desk", sender_address="d@desk.test", now=NOW)
    boundary = message_from_bytes(first, policy=policy.default).get_boundary()
    text = f"--{boundary}\nContent-Type: text/html\n\n<b>forged</b>\n--{boundary}--\n"

    message = built(envelope(text_body=text))

    assert message.get_boundary() != boundary
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == text


def test_a_long_subject_is_folded_and_reads_back_whole():
    subject = "Northwind product interview about " + "onboarding and invoicing " * 6
    data = build_email(
        envelope(subject=subject), product_name="Desk", sender_address="d@desk.test", now=NOW
    )

    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert message_from_bytes(data, policy=policy.default)["Subject"] == one_line(subject)


_texts = st.lists(
    st.sampled_from(["a", "Z", " ", "\n", "\r", "\r\n", "\x0c", "From ", "é", '"', ",", "-", "<"]),
    max_size=60,
).map("".join)


@given(
    text_body=_texts,
    html_body=_texts,
    sender_name=_texts,
    subject=_texts,
    reply_to=st.sampled_from([None, "dana@northwind.example"]),
    from_address=st.sampled_from([None, "dana@northwind.example"]),
    long_line=st.booleans(),
)
def test_a_plain_message_is_written_byte_for_byte_as_the_mime_classes_write_it(
    text_body, html_body, sender_name, subject, reply_to, from_address, long_line
):
    # The direct writer of the common message must never change what goes over the wire.
    if long_line:
        text_body += "x" * 995
    mail = envelope(
        text_body=text_body,
        html_body=html_body,
        sender_name=sender_name,
        subject=subject,
        reply_to=reply_to,
        from_address=from_address,
    )
    settings = dict(product_name="Interview Desk", sender_address="desk@desk.test", now=NOW)

    assert build_email(mail, **settings) == compose._mime_email(mail, **settings)


def test_the_common_reminder_is_written_directly():
    mail = envelope(text_body="Thursday 10:00\u201310:45, Grüße\n")
    assert compose._common_email(mail, "Interview Desk", "desk@desk.test", NOW)
