"""Turning a stored message into a MIME email. Pure: no Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar; method=REQUEST"
    content: str


@dataclass(frozen=True)
class Envelope:
    """What a backend needs to deliver one message."""

    key: str
    recipient: str
    sender_name: str
    reply_to: str | None
    subject: str
    text_body: str
    html_body: str
    attachments: tuple[Attachment, ...] = ()
    from_address: str | None = None  # the person's own address, when the server may use it


def from_header(sender_name: str, product_name: str, sender_address: str) -> str:
    """Mail comes from a person: "Dana Reyes via Interview Desk" <desk@host>.

    The address stays the server's own (so SPF/DKIM pass); replies go to the
    person through Reply-To.
    """
    display = f"{sender_name} via {product_name}" if sender_name else product_name
    return formataddr((display, sender_address))


def build_email(
    envelope: Envelope, *, product_name: str, sender_address: str, now: datetime
) -> EmailMessage:
    """Text and HTML parts (multipart/alternative), plus any attachments (then multipart/mixed)."""
    message = EmailMessage()
    message["Subject"] = envelope.subject
    if envelope.from_address:
        # From the person themself; Sender says which system sent it on their behalf.
        message["From"] = formataddr((envelope.sender_name, envelope.from_address))
        message["Sender"] = formataddr((product_name, sender_address))
    else:
        message["From"] = from_header(envelope.sender_name, product_name, sender_address)
    message["To"] = envelope.recipient
    if envelope.reply_to:
        message["Reply-To"] = formataddr((envelope.sender_name, envelope.reply_to))
    message["Date"] = format_datetime(now)
    domain = sender_address.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<{envelope.key}@{domain}>"
    message["X-Interviews-Key"] = envelope.key
    message.set_content(envelope.text_body)
    message.add_alternative(envelope.html_body, subtype="html")
    for attachment in envelope.attachments:
        maintype, _, rest = attachment.content_type.partition("/")
        subtype, *params = [part.strip() for part in rest.split(";")]
        message.add_attachment(
            attachment.content,
            subtype=subtype,
            filename=attachment.filename,
            params=dict(param.split("=", 1) for param in params),
        )
    return message
