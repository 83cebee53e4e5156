"""Sending what the outbox says is due: the dispatcher's half (the worker's half,
``send_batch``, is sending.py, and is reached from here).

The dispatcher claims due rows (pending, or handed off or being sent under a lease that
ran out) by moving them to *queued* with a lease, then hands them to RQ workers, or,
without Redis, sends them itself. A worker claims each row again, *queued* to
*sending*, before it sends; the send carries the row's idempotency key as Message-ID.
Redis can be flushed and a worker killed: the lease runs out, the next sweep finds the
row, and it is sent once. A failed send is retried with backoff, then marked failed.

What each message says is render.py; reading the plan back is planned.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, false, or_, select, update

from interviews.clock import utc_now
from interviews.db import db
from interviews.mail import delivery
from interviews.message_plan import (
    BEFORE_THE_CALL,
    Audience,
    may_go_out,
)
from interviews.messaging import planned
from interviews.messaging.models import OPEN_STATUSES, OutboxMessage, OutboxStatus
from interviews.messaging.sending import send_batch
from workers.queue import QueueUnavailable, enqueue

log = logging.getLogger(__name__)

BATCH = 100  # messages per worker job: one job's overhead (a mail connection, the study, 5 queries) is shared


# --- the dispatcher ------------------------------------------------------------------------


def _due_condition(now: datetime, lead: timedelta = timedelta(0)):
    """Rows a sweep may claim: pending and due (reminders up to ``lead`` early: which of
    those may really go is ``plan.may_go_out``), or held under a lease that ran out."""
    return or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.due_at <= now),
        and_(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.kind.in_(BEFORE_THE_CALL),
            OutboxMessage.due_at <= now + lead,
        ),
        and_(
            OutboxMessage.status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING)),
            OutboxMessage.lease_expires_at <= now,
        ),
    )


def _early_enough(now: datetime, lead: timedelta):
    """Pending reminders ``may_go_out`` lets go now, before their time, as SQL: one term
    for each reminder offset waiting within the lead (a tenth of that offset, at most the
    lead). So a sweep does not read back, every time, the thousands of reminders due soon
    that may not go yet (a 10-minute reminder waits until a minute before)."""
    offsets = db.session.scalars(
        select(OutboxMessage.offset_minutes)
        .distinct()
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.kind.in_(BEFORE_THE_CALL),
            OutboxMessage.due_at > now,
            OutboxMessage.due_at <= now + lead,
        )
    ).all()
    return or_(
        false(),
        *(
            and_(
                OutboxMessage.offset_minutes == offset,
                OutboxMessage.due_at <= now + min(lead, timedelta(minutes=offset) / 10),
            )
            for offset in offsets
            if offset
        ),
    )


def _claim_for_hand_off(ids: list[int] | None, now: datetime, limit: int) -> list[int]:
    """Move due rows to queued under a lease, atomically; the ids this call won."""
    lease = timedelta(seconds=current_app.config["MESSAGE_QUEUE_LEASE_SECONDS"])
    early = timedelta(seconds=current_app.config["REMINDER_LEAD_SECONDS"])
    if ids is None:
        ids = [
            row.id
            for row in db.session.execute(
                select(
                    OutboxMessage.id,
                    OutboxMessage.kind,
                    OutboxMessage.status,
                    OutboxMessage.due_at,
                    OutboxMessage.offset_minutes,
                )
                .where(
                    _due_condition(now, early),
                    or_(
                        OutboxMessage.status != OutboxStatus.PENDING,
                        OutboxMessage.due_at <= now,
                        _early_enough(now, early),
                    ),
                )
                .order_by(OutboxMessage.due_at, OutboxMessage.id)
                .limit(limit)
            )
            if row.status is not OutboxStatus.PENDING
            or may_go_out(row.kind, row.due_at, row.offset_minutes, now, early)
        ]
    claimed: list[int] = []
    for start in range(0, len(ids), 500):
        claimed.extend(
            db.session.scalars(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids[start : start + 500]), _due_condition(now, early))
                .values(status=OutboxStatus.QUEUED, lease_expires_at=now + lease, updated_at=now)
                .returning(OutboxMessage.id)
            )
        )
    db.session.commit()
    return sorted(claimed)


def dispatch_due(now: datetime | None = None, limit: int = 20_000) -> int:
    """One sweep: hand every due message to a worker (or send it here). Returns how many."""
    now = now or utc_now()
    claimed = _claim_for_hand_off(None, now, limit)
    _hand_off(claimed, now)
    return len(claimed)


def send_soon(ids: list[int]) -> None:
    """After a booking change commits: send the messages it made due now."""
    if ids:
        now = utc_now()
        _hand_off(_claim_for_hand_off(ids, now, len(ids)), now)


def _hand_off(ids: list[int], now: datetime) -> None:
    if not ids:
        return
    if delivery.workers_take_mail():
        try:
            for start in range(0, len(ids), BATCH):
                enqueue("workers.messaging.send_messages", ids[start : start + BATCH])
            return
        except QueueUnavailable:
            # Sent here instead; rows a job already took are skipped by their claim.
            log.warning("queue unavailable, sending %s messages in this process", len(ids))
    send_batch(ids, now)


# --- privacy requests ------------------------------------------------------------------------


def messages_to_participant(interview_ids: list[int]) -> list[planned.PlannedView]:
    """What was planned for and sent to the interviewee of these interviews (not the
    team's copies), in due order: their data export."""
    if not interview_ids:
        return []
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.interview_id.in_(interview_ids),
            OutboxMessage.audience == Audience.PARTICIPANT,
        )
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    ).all()
    return planned.views_of(list(rows))


def erase_interview_messages(
    interview_ids: list[int], email: str, scrub: Callable[[str], str], now: datetime
) -> tuple[int, list[int]]:
    """Part of erasing a person, inside the caller's transaction (no commit): every
    message of their interviews not sent yet is voided, so no sweep sends it later; the
    address they were sent to is forgotten and errors are passed through ``scrub``.
    Returns how many were voided and the ids of the emails these messages made (the
    mail area deletes or scrubs those)."""
    if not interview_ids:
        return 0, []
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.interview_id.in_(interview_ids))
    ).all()
    voided = 0
    for row in rows:
        if row.status in OPEN_STATUSES:
            row.status, row.lease_expires_at = OutboxStatus.VOID, None
            row.error = "not sent: the participant was erased on request"
            row.updated_at = now
            voided += 1
        elif row.error:
            row.error = scrub(row.error)
        if row.recipient and row.recipient.lower() == email.lower():
            row.recipient = None
    return voided, sorted({row.mail_message_id for row in rows if row.mail_message_id})
