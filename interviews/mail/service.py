"""Use cases for outgoing email.

``queue_email`` writes the message in the caller's transaction; after the
caller commits, ``dispatch`` hands it to a worker (Redis configured) or
delivers it at once (embedded mode). ``deliver`` claims the row first, so a
message is never sent twice by two workers.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from icalendar.parser import Contentline, Contentlines
from sqlalchemy import func, or_, select, update

from interviews.clock import utc_now
from interviews.db import db
from interviews.mail.backends import BACKENDS, DeliveryError, kept_connection
from interviews.mail.compose import Attachment, Envelope, Outgoing, build_email
from interviews.mail.models import MailAttachment, MailMessage, MailStatus
from workers import defaults
from workers.queue import QueueUnavailable, enqueue

log = logging.getLogger(__name__)


class MailNotFound(LookupError):
    pass


@dataclass(frozen=True)
class MailboxEntry:
    id: int
    kind: str
    recipient: str
    sender_name: str
    reply_to: str | None
    from_address: str | None
    subject: str
    text_body: str
    html_body: str
    status: str
    error: str | None
    created_at: Any
    sent_at: Any
    attachments: tuple[Attachment, ...] = ()


def may_send_as(address: str | None) -> bool:
    """Whether the mail server may send as this address (its domain is configured)."""
    if not address or "@" not in address:
        return False
    domains = current_app.config["MAIL_SENDER_DOMAINS"]
    return address.rpartition("@")[2].lower() in domains


def queue_email(
    *,
    kind: str,
    recipient: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    sender_name: str,
    reply_to: str | None,
    workspace_id: int | None,
    attachments: tuple[Attachment, ...] = (),
    key: str | None = None,
    bodies: tuple[str, str] | None = None,
    from_person: bool = False,
) -> MailMessage:
    """Render ``emails/<template>.txt`` and ``.html`` and add the message to the session.

    The caller commits; then it calls ``dispatch`` (or ``deliver``). ``key`` becomes the
    Message-ID: the outbox passes its own, the same on every attempt. ``bodies``
    (text, HTML) are used as given instead of rendering a template. With ``from_person``
    the message comes from ``reply_to`` itself when that address is at one of
    MAIL_SENDER_DOMAINS (the mail server may send as it), else as usual.
    """
    context = {"product_name": current_app.config["PRODUCT_NAME"], **context}
    message = MailMessage(
        workspace_id=workspace_id,
        key=key or uuid.uuid4().hex,
        kind=kind,
        recipient=recipient,
        sender_name=sender_name,
        reply_to=reply_to,
        from_address=reply_to if from_person and may_send_as(reply_to) else None,
        subject=subject,
        text_body=bodies[0] if bodies else render_template(f"emails/{template}.txt", **context),
        html_body=bodies[1]
        if bodies
        else render_template(f"emails/{template}.html", subject=subject, **context),
        backend=current_app.config["MAIL_BACKEND"],
        status=MailStatus.QUEUED,
        attempts=0,
        created_at=utc_now(),
        # Given even when empty: the collection is then known, not lazily loaded at send.
        attachments=[
            MailAttachment(
                filename=attachment.filename,
                content_type=attachment.content_type,
                content=attachment.content,
            )
            for attachment in attachments
        ],
    )
    db.session.add(message)
    return message


@dataclass(frozen=True)
class Dispatched:
    """What became of a message handed to ``dispatch``, to tell the person who sent it."""

    status: MailStatus  # SENT, QUEUED (a worker will send it) or, after a refusal, QUEUED/FAILED
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def dispatch(message_id: int) -> Dispatched:
    """Deliver now (embedded mode) or enqueue for an RQ worker (REDIS_URL set).

    When Redis is down the message is delivered now instead: it is already stored,
    and the claim in ``deliver`` keeps a later retry from sending it again.
    """
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        try:
            enqueue(
                "workers.mail.deliver_email",
                message_id,
                retry_intervals=defaults.MAIL_RETRY_INTERVALS_SECONDS,
            )
            return Dispatched(MailStatus.QUEUED)
        except QueueUnavailable:
            log.warning("queue unavailable, delivering mail %s now", message_id, exc_info=True)
    try:
        return Dispatched(deliver(message_id))
    except DeliveryError as error:
        # Recorded on the row and told to whoever sent it; the request goes on.
        log.exception("delivery of mail %s failed", message_id)
        message = db.session.get(MailMessage, message_id)
        return Dispatched(message.status if message else MailStatus.FAILED, str(error))


@contextmanager
def one_connection() -> Iterator[None]:
    """Deliveries in this block share one SMTP connection (a worker's batch of messages)."""
    config = current_app.config
    if config["MAIL_BACKEND"] == "smtp":
        with kept_connection(config):
            yield
    else:
        yield


def message_row(message_id: int) -> MailMessage:
    """A stored message, for the outbox that made it. Raises MailNotFound."""
    message = db.session.get(MailMessage, message_id)
    if message is None:
        raise MailNotFound(message_id)
    return message


def deliver(message_id: int, final: bool | None = None) -> MailStatus:
    """Claim a queued message, send it through the configured backend, record the result.

    Returns the final status. Raises DeliveryError when the backend fails (the
    row is put back to queued so a retry can claim it, or failed on the last try;
    ``final`` says whether this is the last try, else the mail retry count decides).
    """
    claimed = db.session.execute(
        update(MailMessage)
        .where(MailMessage.id == message_id, MailMessage.status == MailStatus.QUEUED)
        .values(status=MailStatus.SENDING, attempts=MailMessage.attempts + 1)
    ).rowcount
    db.session.commit()
    message = db.session.get(MailMessage, message_id)
    if message is None:
        raise MailNotFound(message_id)
    if not claimed:
        return message.status  # someone else has it, or it is done already

    try:
        _send(message, final)
    finally:
        db.session.commit()
    return MailStatus.SENT


def mark_sending(message: MailMessage) -> None:
    """Record an attempt about to be made (the caller commits it before sending)."""
    message.status = MailStatus.SENDING
    message.attempts = (message.attempts or 0) + 1


def send_claimed(message: MailMessage, final: bool) -> None:
    """Send a message its caller has claimed and marked sending (the outbox claims its own
    rows), then record the outcome on the row. Writes nothing before the mail server has
    answered. The caller commits. Raises DeliveryError."""
    _send(message, final)


def _send(message: MailMessage, final: bool | None) -> None:
    config = current_app.config
    now = utc_now()
    envelope = Envelope(
        key=message.key,
        recipient=message.recipient,
        sender_name=message.sender_name,
        reply_to=message.reply_to,
        from_address=message.from_address,
        subject=message.subject,
        text_body=message.text_body,
        html_body=message.html_body,
        attachments=tuple(
            Attachment(a.filename, a.content_type, a.content) for a in message.attachments
        ),
    )
    data = build_email(
        envelope,
        product_name=config["PRODUCT_NAME"],
        sender_address=config["MAIL_DEFAULT_SENDER"],
        now=now,
    )
    outgoing = Outgoing(
        sender=config["MAIL_DEFAULT_SENDER"],
        recipient=message.recipient,
        subject=message.subject,
        text_body=message.text_body,
        data=data,
    )
    try:
        BACKENDS[message.backend](outgoing, config)
    except DeliveryError as exc:
        last_try = message.attempts >= defaults.MAIL_MAX_ATTEMPTS if final is None else final
        message.status = MailStatus.FAILED if last_try else MailStatus.QUEUED
        message.error = str(exc)
        raise
    message.status = MailStatus.SENT
    message.error = None
    message.sent_at = now


def mailbox(workspace_id: int | None, own_email: str) -> list[MailboxEntry]:
    """Messages kept by the mailbox backend, newest first: to this person, and when
    ``workspace_id`` is given (owners), everything the workspace sent."""
    rows = db.session.scalars(
        select(MailMessage)
        .where(MailMessage.backend == "mailbox")
        .where((MailMessage.workspace_id == workspace_id) | (MailMessage.recipient == own_email))
        .order_by(MailMessage.id.desc())
        .limit(200)
    )
    return [_entry(row) for row in rows]


def mailbox_message(workspace_id: int | None, own_email: str, message_id: int) -> MailboxEntry:
    """One mailbox message, if this workspace or this person may see it; MailNotFound otherwise."""
    row = db.session.get(MailMessage, message_id)
    if (
        row is None
        or row.backend != "mailbox"
        or (
            (workspace_id is None or row.workspace_id != workspace_id)
            and row.recipient != own_email
        )
    ):
        raise MailNotFound(message_id)
    return _entry(row)


def _entry(row: MailMessage) -> MailboxEntry:
    return MailboxEntry(
        id=row.id,
        kind=row.kind,
        recipient=row.recipient,
        sender_name=row.sender_name,
        reply_to=row.reply_to,
        from_address=row.from_address,
        subject=row.subject,
        text_body=row.text_body,
        html_body=row.html_body,
        status=row.status.value,
        error=row.error,
        created_at=row.created_at,
        sent_at=row.sent_at,
        attachments=tuple(
            Attachment(a.filename, a.content_type, a.content) for a in row.attachments
        ),
    )


# --- privacy requests ------------------------------------------------------------------------


def _to(workspace_id: int, address: str):
    return select(MailMessage).where(
        MailMessage.workspace_id == workspace_id,
        func.lower(MailMessage.recipient) == address.strip().lower(),
    )


def messages_to(workspace_id: int, address: str) -> list[MailboxEntry]:
    """Every email the workspace has stored for this address, oldest first (whatever the
    backend): a person's data export."""
    rows = db.session.scalars(_to(workspace_id, address).order_by(MailMessage.id))
    return [_entry(row) for row in rows]


def delete_messages_to(workspace_id: int, address: str) -> int:
    """Part of erasing a person, inside the caller's transaction (no commit): the stored
    emails the workspace sent them go, attachments included. Returns how many."""
    rows = db.session.scalars(_to(workspace_id, address)).all()
    for row in rows:
        db.session.delete(row)
    return len(rows)


def _mentions(column, word: str):
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def scrub_messages(
    workspace_id: int,
    words: list[str],
    scrub: Callable[[str], str],
    message_ids: Sequence[int] = (),
) -> int:
    """Part of erasing a person, inside the caller's transaction (no commit): the
    workspace's stored emails that name them (any of ``words``), and ``message_ids``
    (the ones made about their interviews), are rewritten through ``scrub``: subject,
    bodies, sender name, attached calendar invites. A reply-to that was their address
    is dropped. Returns how many emails changed."""
    columns = (MailMessage.subject, MailMessage.text_body, MailMessage.html_body)
    naming = [_mentions(c, w) for c in (*columns, MailMessage.sender_name) for w in words]
    rows = db.session.scalars(
        select(MailMessage).where(
            MailMessage.workspace_id == workspace_id,
            or_(MailMessage.id.in_(list(message_ids)), *naming),
        )
    ).all()
    changed = 0
    for row in rows:
        before = _texts(row)
        row.subject = scrub(row.subject)[:255]
        row.text_body, row.html_body = scrub(row.text_body), scrub(row.html_body)
        row.sender_name = scrub(row.sender_name)[:120]
        if row.error:
            row.error = scrub(row.error)
        # An address cannot be half erased: one that named them goes altogether.
        if row.reply_to and scrub(row.reply_to) != row.reply_to:
            row.reply_to = None
        if row.from_address and scrub(row.from_address) != row.from_address:
            row.from_address = None
        for attachment in row.attachments:
            attachment.content = _scrub_attachment(attachment, scrub)
        changed += _texts(row) != before
    return changed


def _texts(row: MailMessage) -> tuple[str | None, ...]:
    fields = (row.subject, row.text_body, row.html_body, row.sender_name, row.reply_to)
    return (*fields, row.from_address, row.error, *(a.content for a in row.attachments))


def _scrub_attachment(attachment: MailAttachment, scrub: Callable[[str], str]) -> str:
    if not attachment.content_type.startswith("text/calendar"):
        return scrub(attachment.content)
    # Calendar lines are folded every 75 octets, which can split a name in two:
    # unfold, scrub each line, fold again.
    lines = Contentlines.from_ical(attachment.content)
    return Contentlines(Contentline(scrub(line)) for line in lines).to_ical().decode()
