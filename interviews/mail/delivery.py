"""Delivering stored email: the one outbox every message goes through.

Every email is a ``mail_message`` row, written in the transaction that decided to send
it. Mail the app writes for itself (password resets, team and panel invites, loop notes,
digests, budget alerts) is due when written: ``hand_off`` claims it under a lease and
gives it to an RQ worker, or sends it here without Redis, and the dispatcher's sweep
(``dispatch_due``) finds whatever is due and not held: never handed off (the process
died after its commit), handed off and lost (Redis flushed, a worker killed), or due for
a retry. Retries are the sweep's, never RQ's scheduler's, so a plain `rq worker` with
`rq cron` is all production runs. Interview messages own their mail rows (``due_at``
None) and schedule their tries themselves (messaging.service), on the same rules.

A send claims its row (queued -> sending) and records the attempt, committed, before it
speaks to the mail server. A row still *sending* once its lease ran out had an attempt
whose outcome is unknown (its worker died, or the server stopped, around the moment the
message was accepted); it is sent again under the same Message-ID, so the recipient's
mail client folds the copy. Mail is never lost, and is sent twice only if a worker dies
between the server accepting a message and our commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, case, literal, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from interviews.clock import utc_now
from interviews.db import db
from interviews.mail.backends import BACKENDS, DeliveryError, kept_connection
from interviews.mail.compose import Attachment, Envelope, Outgoing, build_email
from interviews.mail.models import MailMessage, MailStatus
from interviews.mail.rules import gives_up, retry_wait
from workers.queue import QueueUnavailable, enqueue

log = logging.getLogger(__name__)

BATCH = 100  # messages per worker job: one SMTP connection and one job's overhead shared

# Written on a row sent again after an attempt whose outcome was never recorded.
UNCERTAIN = (
    "an earlier attempt may have reached the mail server (it stopped before the answer "
    "was recorded); sent again with the same Message-ID"
)


class MailNotFound(LookupError):
    pass


_mailbox_only: ContextVar[bool] = ContextVar("mailbox_only", default=False)


@contextmanager
def mailbox_only() -> Iterator[None]:
    """Mail written in this block goes to the development mailbox and is delivered in
    this process, whatever MAIL_BACKEND says: the demo's people are made up, and its
    past must not reach a real mail server later."""
    token = _mailbox_only.set(True)
    try:
        yield
    finally:
        _mailbox_only.reset(token)


def backend_for_new_mail() -> str:
    """The backend a message written now is stored with (and later delivered through)."""
    return "mailbox" if _mailbox_only.get() else current_app.config["MAIL_BACKEND"]


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=current_app.config[name])


def _due(now: datetime):
    """Swept rows that may be claimed now: queued, due and not held by a live lease; or
    left *sending* by an attempt whose lease ran out."""
    return and_(
        MailMessage.due_at.is_not(None),
        or_(
            and_(
                MailMessage.status == MailStatus.QUEUED,
                MailMessage.due_at <= now,
                or_(MailMessage.lease_expires_at.is_(None), MailMessage.lease_expires_at <= now),
            ),
            and_(MailMessage.status == MailStatus.SENDING, MailMessage.lease_expires_at <= now),
        ),
    )


def claim(ids: list[int] | None, now: datetime, limit: int = 20_000) -> list[int]:
    """Claim due rows for a hand-off (queued, under a lease), atomically: the ids this
    call won, oldest due first. ``ids`` None: whatever is due. Commits."""
    if ids is None:
        ids = list(
            db.session.scalars(
                select(MailMessage.id)
                .where(_due(now))
                .order_by(MailMessage.due_at, MailMessage.id)
                .limit(limit)
            )
        )
    claimed: list[int] = []
    lease = now + _seconds("MESSAGE_QUEUE_LEASE_SECONDS")
    for start in range(0, len(ids), 500):
        claimed.extend(
            db.session.scalars(
                update(MailMessage)
                .where(MailMessage.id.in_(ids[start : start + 500]), _due(now))
                .values(
                    # A row left sending says so: its next send is a possible copy.
                    error=case(
                        (MailMessage.status == MailStatus.SENDING, literal(UNCERTAIN)),
                        else_=MailMessage.error,
                    ),
                    status=MailStatus.QUEUED,
                    lease_expires_at=lease,
                )
                .returning(MailMessage.id)
                .execution_options(synchronize_session=False)
            )
        )
    db.session.commit()
    return sorted(claimed)


def workers_take_mail() -> bool:
    """Whether mail is sent by RQ workers (REDIS_URL set), not in this process; never
    inside ``mailbox_only``, whose mail is delivered before the block ends."""
    return bool(current_app.config.get("REDIS_URL")) and not _mailbox_only.get()


def to_workers(ids: list[int]) -> bool:
    """Enqueue claimed rows for RQ workers; False when there are none to give them to
    (no REDIS_URL, Redis down, or the demo's mailbox-only block): send them here then."""
    if not workers_take_mail():
        return False
    try:
        for start in range(0, len(ids), BATCH):
            enqueue("workers.mail.deliver_emails", ids[start : start + BATCH])
        return True
    except QueueUnavailable:
        # Sent here instead; a job that did get through finds its rows taken.
        log.warning("queue unavailable, sending %s emails in this process", len(ids))
        return False


def hand_off(ids: list[int], now: datetime) -> None:
    """Give claimed rows to workers (REDIS_URL set), or send them in this process."""
    if ids and not to_workers(ids):
        send_batch(ids, now)


def dispatch_due(now: datetime | None = None) -> int:
    """The sweep's half: claim every due email and hand it off. Returns how many."""
    now = now or utc_now()
    claimed = claim(None, now)
    hand_off(claimed, now)
    return len(claimed)


def send_batch(ids: list[int], now: datetime | None = None) -> int:
    """Deliver each of these rows over one mail connection; a failure is recorded on its
    row and the batch goes on. Returns how many this call sent: rows another worker
    has, or that are done, are skipped, so it is safe to run twice. ``now``: the
    sweep's clock when it sends in this process (a worker reads the wall clock)."""
    sent = 0
    given = now
    with one_connection():
        for message_id in ids:
            now = given or utc_now()
            message = _claim_one(message_id, now)
            if message is None:
                continue
            try:
                _attempt(message, now)
                sent += 1
            except DeliveryError:
                log.warning("delivery of mail %s failed; the sweep retries it", message_id)
    return sent


@contextmanager
def one_connection() -> Iterator[None]:
    """Deliveries in this block share one SMTP connection (a worker's batch of messages)."""
    config = current_app.config
    if config["MAIL_BACKEND"] == "smtp":
        with kept_connection(config):
            yield
    else:
        yield


def deliver(message_id: int, now: datetime | None = None) -> MailStatus:
    """Claim a due email, send it through its backend, record the result.

    Returns its status afterwards: SENT, or whatever it already was when another worker
    has it or it is not due. Raises DeliveryError when the backend fails (the row is
    then due again after a wait, or failed for good), MailNotFound for no such row.
    """
    now = now or utc_now()
    message = _claim_one(message_id, now)
    if message is None:
        found = db.session.get(MailMessage, message_id)
        if found is None:
            raise MailNotFound(message_id)
        return found.status
    _attempt(message, now)
    return MailStatus.SENT


def _claim_one(message_id: int, now: datetime) -> MailMessage | None:
    """Queued and due -> sending, with the attempt on record (committed) before the
    mail server hears of it; None when this call did not win the row."""
    claimed = db.session.execute(
        update(MailMessage)
        .where(
            MailMessage.id == message_id,
            MailMessage.status == MailStatus.QUEUED,
            MailMessage.due_at.is_not(None),
            MailMessage.due_at <= now,
        )
        .values(
            status=MailStatus.SENDING,
            attempts=MailMessage.attempts + 1,
            attempted_at=now,
            lease_expires_at=now + _seconds("MESSAGE_SEND_LEASE_SECONDS"),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return db.session.get(MailMessage, message_id) if claimed else None


def _attempt(message: MailMessage, now: datetime) -> None:
    """Send a row this worker claimed and commit the outcome: sent, or due again after a
    wait, or failed for good. Raises DeliveryError after recording it."""
    try:
        send(message, now)
    except DeliveryError as error:
        config = current_app.config
        if gives_up(message.attempts, config["MESSAGE_MAX_ATTEMPTS"], error.permanent):
            message.status = MailStatus.FAILED
        else:
            message.status = MailStatus.QUEUED
            message.due_at = now + retry_wait(
                message.attempts,
                config["MESSAGE_RETRY_SECONDS"],
                config["MESSAGE_RETRY_MAX_SECONDS"],
            )
        message.lease_expires_at = None
        raise
    finally:
        db.session.commit()


def mark_sending(message: MailMessage, now: datetime) -> None:
    """Record an attempt about to be made on a row its caller owns (an interview message
    claims its own); the caller commits it before sending. A row already *sending* had
    an attempt whose outcome is unknown, and says so."""
    if message.status is MailStatus.SENDING:
        message.error = UNCERTAIN
    message.status = MailStatus.SENDING
    message.attempts = (message.attempts or 0) + 1
    message.attempted_at = now


def send(message: MailMessage, now: datetime) -> None:
    """Speak to the mail server for a claimed row, then write the outcome on the row:
    sent, or the error (its caller decides what comes next). The caller commits.
    Raises DeliveryError."""
    try:
        transmit(message, now)
    except DeliveryError as exc:
        message.error = str(exc)
        raise
    message.status = MailStatus.SENT
    message.error = None
    message.sent_at = now
    message.lease_expires_at = None


def wire_bytes(message: MailMessage, now: datetime) -> bytes:
    """The email of a stored row as it goes over the wire, dated ``now``."""
    config = current_app.config
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
    return build_email(
        envelope,
        product_name=config["PRODUCT_NAME"],
        sender_address=config["MAIL_DEFAULT_SENDER"],
        now=now,
    )


def transmit(message: MailMessage, now: datetime) -> None:
    """Speak to the mail server for a claimed row and write nothing: for a caller that
    records the outcome itself (``record_sent``). Raises DeliveryError."""
    config = current_app.config
    data = wire_bytes(message, now)
    outgoing = Outgoing(
        sender=config["MAIL_DEFAULT_SENDER"],
        recipient=message.recipient,
        subject=message.subject,
        text_body=message.text_body,
        data=data,
    )
    BACKENDS[message.backend](outgoing, config)


# Bound per message: ``mail_id`` and ``mail_sent_at``. Built once: it runs for every email.
SENT_MARK = (
    update(MailMessage)
    .where(MailMessage.id == bindparam("mail_id"))
    .values(
        status=MailStatus.SENT,
        error=None,
        sent_at=bindparam("mail_sent_at"),
        lease_expires_at=None,
    )
)


def record_sent(message: MailMessage, sent_at: datetime) -> None:
    """Show a row ``transmit`` sent as sent in this session, where the caller wrote it to
    the database itself (with ``SENT_MARK``): nothing is left for the session to flush."""
    for name, value in (
        ("status", MailStatus.SENT),
        ("error", None),
        ("sent_at", sent_at),
        ("lease_expires_at", None),
    ):
        set_committed_value(message, name, value)
