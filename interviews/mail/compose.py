"""Turning a stored message into the bytes of a MIME email. Pure: no Flask, no database.

Built with the standard library's compat32 MIME classes rather than ``EmailMessage``:
the modern header registry parses and refolds every header it is given, which cost
more than everything else in sending a reminder (1.8 ms against 0.4 ms a message).
Whatever the modern API would have refused (a line break in a name or a subject) is
flattened to spaces here instead, so no text a person wrote can add a header. The
common message (two text parts, short headers, no attachment) skips even those classes:
its bytes are written directly, the same bytes (a unit test compares the two).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email import base64mime
from email.charset import BASE64, Charset
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import format_datetime, formataddr

UTF8 = Charset("utf-8")
UTF8.header_encoding = UTF8.body_encoding = BASE64


class _WirePolicy(Compat32):
    """compat32 with SMTP's line ends, and no folding work for a header that needs none.

    compat32 runs every header through ``email.header.Header`` to fold it, even a short
    ASCII one; that was a third of the cost of composing a reminder.
    """

    def fold_binary(self, name: str, value) -> bytes:
        if (
            isinstance(value, str)
            and value.isascii()
            and "\r" not in value
            and "\n" not in value
            and len(name) + len(value) + 2 <= self.max_line_length
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


WIRE = _WirePolicy(linesep="\r\n")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar; method=REQUEST"
    content: str


@dataclass(frozen=True)
class Outgoing:
    """One message ready for a backend: who the server hands it to, and its bytes."""

    sender: str  # the envelope sender (MAIL FROM): the server's own address
    recipient: str
    subject: str
    text_body: str  # for the development mailbox's log line
    data: bytes


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


def one_line(text: str) -> str:
    """Header text on one line: line breaks and runs of whitespace become one space."""
    return " ".join(text.split())


def from_header(sender_name: str, product_name: str, sender_address: str) -> str:
    """Mail comes from a person: "Dana Reyes via Interview Desk" <desk@host>.

    The address stays the server's own (so SPF/DKIM pass); replies go to the
    person through Reply-To.
    """
    name = one_line(sender_name)
    display = f"{name} via {product_name}" if name else product_name
    return formataddr((display, sender_address), charset=UTF8)


def _text(body: str, subtype: str) -> MIMEText:
    if _is_7bit(body):
        return MIMEText(body, subtype, "us-ascii")  # 7bit: readable as it travels
    return MIMEText(body, subtype, UTF8)


def _boundary(kind: str, key: str, parts: list[str]) -> str | None:
    """A boundary made from the message's key, so the generator need not invent one
    (it compiles a fresh regular expression for every random boundary it tries). None,
    to let it invent one, in the unlikely case that the text contains ours."""
    boundary = f"=_{kind}_{hashlib.blake2b(key.encode(), digest_size=12).hexdigest()}"
    return None if any(boundary in part for part in parts) else boundary


def build_email(
    envelope: Envelope, *, product_name: str, sender_address: str, now: datetime
) -> bytes:
    """The message as it goes over the wire: text and HTML parts (multipart/alternative),
    plus any attachments (then multipart/mixed)."""
    return _common_email(envelope, product_name, sender_address, now) or _mime_email(
        envelope, product_name=product_name, sender_address=sender_address, now=now
    )


def _mime_email(
    envelope: Envelope, *, product_name: str, sender_address: str, now: datetime
) -> bytes:
    texts = [envelope.text_body, envelope.html_body] + [a.content for a in envelope.attachments]
    body = MIMEMultipart("alternative", boundary=_boundary("alt", envelope.key, texts))
    body.attach(_text(envelope.text_body, "plain"))
    body.attach(_text(envelope.html_body, "html"))
    if envelope.attachments:
        message: MIMEBase = MIMEMultipart("mixed", boundary=_boundary("mix", envelope.key, texts))
        message.attach(body)
        for attachment in envelope.attachments:
            maintype, _, rest = attachment.content_type.partition("/")
            subtype, *params = [part.strip() for part in rest.split(";")]
            part = MIMEText(attachment.content, subtype, UTF8) if maintype == "text" else None
            if part is None:
                raise ValueError(f"cannot attach {attachment.content_type}: text only")
            for name, _, value in (param.partition("=") for param in params):
                part.set_param(name, value)
            part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
            message.attach(part)
    else:
        message = body
    subject = one_line(envelope.subject)
    message["Subject"] = subject if subject.isascii() else Header(subject, UTF8)
    for header, value in _sender_headers(envelope, product_name, sender_address):
        message[header] = value
    message["Date"] = format_datetime(now)
    domain = sender_address.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<{envelope.key}@{domain}>"
    message["X-Interviews-Key"] = envelope.key
    return message.as_bytes(policy=WIRE)


# What the generator does to a part's body as it writes it: every line end becomes CRLF.
_LINE_END = re.compile(r"\r\n|\r|\n")


def _common_email(
    envelope: Envelope, product_name: str, sender_address: str, now: datetime
) -> bytes | None:
    """The bytes ``_mime_email`` writes for the common message (a text and an HTML part,
    short ASCII headers, no attachment), written directly: the MIME classes and their
    generator cost more than everything else in sending a reminder. None for any other
    message. A unit test holds the two to the same bytes."""
    if envelope.attachments:
        return None
    boundary = _boundary("alt", envelope.key, [envelope.text_body, envelope.html_body])
    if boundary is None:
        return None
    headers = [
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
        ("MIME-Version", "1.0"),
        ("Subject", one_line(envelope.subject)),
        *_sender_headers(envelope, product_name, sender_address),
        ("Date", format_datetime(now)),
        ("Message-ID", f"<{envelope.key}@{sender_address.rpartition('@')[2] or 'localhost'}>"),
        ("X-Interviews-Key", envelope.key),
    ]
    if not all(_fits_one_line(name, value) for name, value in headers):
        return None
    separator = f"--{boundary}\r\n"
    return "".join(
        [
            *(f"{name}: {value}\r\n" for name, value in headers),
            "\r\n",
            separator,
            _part("plain", envelope.text_body),
            f"\r\n{separator}",
            _part("html", envelope.html_body),
            f"\r\n--{boundary}--\r\n",
        ]
    ).encode("ascii")


def _part(subtype: str, body: str) -> str:
    """A text part as ``_text`` makes it and the generator writes it: 7bit when it can
    travel as it is, else UTF-8 in base64 lines."""
    if _is_7bit(body):
        charset, encoding, payload = "us-ascii", "7bit", body
    else:
        charset, encoding = "utf-8", "base64"
        payload = base64mime.body_encode(body.encode("utf-8"))
    return (
        f'Content-Type: text/{subtype}; charset="{charset}"\r\nMIME-Version: 1.0\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n" + _LINE_END.sub("\r\n", payload)
    )


def _is_7bit(body: str) -> bool:
    # The test _text makes for a part sent as 7bit us-ascii.
    return body.isascii() and all(len(line) < 990 for line in body.splitlines())


def _sender_headers(
    envelope: Envelope, product_name: str, sender_address: str
) -> list[tuple[str, str]]:
    name = one_line(envelope.sender_name)
    if envelope.from_address:
        # From the person themself; Sender says which system sent it on their behalf.
        headers = [
            ("From", formataddr((name, envelope.from_address), charset=UTF8)),
            ("Sender", formataddr((product_name, sender_address), charset=UTF8)),
        ]
    else:
        headers = [("From", from_header(name, product_name, sender_address))]
    headers.append(("To", one_line(envelope.recipient)))
    if envelope.reply_to:
        headers.append(("Reply-To", formataddr((name, one_line(envelope.reply_to)), charset=UTF8)))
    return headers


def _fits_one_line(name: str, value: str) -> bool:
    # What _WirePolicy writes without folding.
    return (
        value.isascii()
        and "\r" not in value
        and "\n" not in value
        and len(name) + len(value) + 2 <= WIRE.max_line_length
    )
