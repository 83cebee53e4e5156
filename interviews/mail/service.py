"""Use cases for outgoing email.

``queue_email`` writes the message in the caller's transaction, due at once; after the
caller commits, ``dispatch`` claims it and hands it to a worker (Redis configured) or
delivers it at once (embedded mode). If that hand-off is lost, the dispatcher's sweep
finds the row (mail.delivery), so a message written is a message sent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from icalendar.parser import Contentline, Contentlines
from sqlalchemy import func, or_, select

from interviews.clock import utc_now
from interviews.db import db
from interviews.mail import delivery
from interviews.mail.backends import DeliveryError
from interviews.mail.compose import Attachment
from interviews.mail.delivery import MailNotFound
from interviews.mail.models import MailAttachment, MailMessage, MailStatus

log = logging.getLogger(__name__)

__all__ = ["MailNotFound", "MailStatus", "queue_email", "dispatch"]


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
    owned: bool = False,
) -> MailMessage:
    """Render ``emails/<template>.txt`` and ``.html`` and add the message to the session.

    The caller commits; then it calls ``dispatch``. ``key`` becomes the Message-ID: the
    outbox passes its own, the same on every attempt. ``bodies`` (text, HTML) are used
    as given instead of rendering a template. With ``from_person`` the message comes
    from ``reply_to`` itself when that address is at one of MAIL_SENDER_DOMAINS (the
    mail server may send as it), else as usual. ``owned``: an interview message owns the
    row and schedules its tries (the sweep leaves it alone); otherwise it is due now.
    """
    context = {"product_name": current_app.config["PRODUCT_NAME"], **context}
    now = utc_now()
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
        backend=delivery.backend_for_new_mail(),
        status=MailStatus.QUEUED,
        attempts=0,
        created_at=now,
        due_at=None if owned else now,
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

    status: MailStatus  # SENT, QUEUED (a worker, or the sweep's retry, will send it) or FAILED
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def dispatch(message_id: int) -> Dispatched:
    """After the caller committed ``queue_email``: hand the message to an RQ worker
    (REDIS_URL set) or deliver it now (embedded mode, or Redis down).

    A delivery that fails here is kept and retried by the sweep; the error is returned
    so the person who sent it hears of it.
    """
    now = utc_now()
    claimed = delivery.claim([message_id], now)
    if not claimed:
        message = db.session.get(MailMessage, message_id)
        return Dispatched(message.status if message else MailStatus.FAILED)
    if delivery.to_workers(claimed):
        return Dispatched(MailStatus.QUEUED)
    try:
        return Dispatched(delivery.deliver(message_id, now))
    except DeliveryError as error:
        # Recorded on the row and told to whoever sent it; the request goes on.
        log.warning("delivery of mail %s failed: %s", message_id, error)
        message = db.session.get(MailMessage, message_id)
        return Dispatched(message.status if message else MailStatus.FAILED, str(error))


@dataclass(frozen=True)
class QueuedMail:
    """An email the sweep looks after (not an interview message), as the CLI lists it."""

    id: int
    kind: str
    recipient: str
    due_at: Any
    status: str  # pending (queued, or being sent) or failed
    attempts: int
    error: str | None


_LISTED = (MailStatus.QUEUED, MailStatus.SENDING, MailStatus.FAILED)


def waiting_mail(limit: int = 500, offset: int = 0) -> list[QueuedMail]:
    """Emails still to send, or failed for good, soonest due first: a page of them."""
    rows = db.session.execute(
        select(
            MailMessage.id,
            MailMessage.kind,
            MailMessage.recipient,
            MailMessage.due_at,
            MailMessage.status,
            MailMessage.attempts,
            MailMessage.error,
        )
        .where(MailMessage.due_at.is_not(None), MailMessage.status.in_(_LISTED))
        .order_by(MailMessage.due_at, MailMessage.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        QueuedMail(
            id=row.id,
            kind=row.kind,
            recipient=row.recipient,
            due_at=row.due_at,
            status="failed" if row.status is MailStatus.FAILED else "pending",
            attempts=row.attempts,
            error=row.error,
        )
        for row in rows
    ]


def status_counts() -> dict[str, int]:
    """How many emails the sweep looks after are in each status (queued and sending
    count as pending), server-wide."""
    counts: dict[str, int] = {}
    for status, count in db.session.execute(
        select(MailMessage.status, func.count())
        .where(MailMessage.due_at.is_not(None))
        .group_by(MailMessage.status)
    ):
        shown = "failed" if status is MailStatus.FAILED else status.value
        if status in (MailStatus.QUEUED, MailStatus.SENDING):
            shown = "pending"
        counts[shown] = counts.get(shown, 0) + count
    return counts


def message_row(message_id: int) -> MailMessage:
    """A stored message, for the outbox that made it. Raises MailNotFound."""
    message = db.session.get(MailMessage, message_id)
    if message is None:
        raise MailNotFound(message_id)
    return message


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
