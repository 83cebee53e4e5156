"""Sending what the outbox says is due: the dispatcher's half and the worker's half.

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
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import joinedload

from interviews.clock import utc_now
from interviews.compensation import offers
from interviews.compensation.rules import PAID
from interviews.db import db
from interviews.mail import delivery
from interviews.mail import service as mail_service
from interviews.mail.backends import DeliveryError
from interviews.mail.models import MailStatus
from interviews.mail.rules import gives_up, retry_wait
from interviews.message_plan import (
    BEFORE_THE_CALL,
    Audience,
    MessageKind,
    may_go_out,
)
from interviews.messaging import planned, render
from interviews.messaging.models import OPEN_STATUSES, OutboxMessage, OutboxStatus
from interviews.scheduling.lifecycle import record_no_show
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies
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
                .where(_due_condition(now, early))
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


def send_batch(ids: list[int], now: datetime | None = None) -> int:
    """Claim these queued messages (queued -> sending, in one statement), then send each
    over one shared mail connection. Returns how many this call claimed; ids another
    worker has, or that are done, are skipped. Safe to run twice with the same ids."""
    now = now or utc_now()
    config = current_app.config
    lease = timedelta(seconds=config["MESSAGE_SEND_LEASE_SECONDS"])
    claimed = list(
        db.session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.QUEUED)
            .values(
                status=OutboxStatus.SENDING,
                lease_expires_at=now + lease,
                attempts=OutboxMessage.attempts + 1,
                updated_at=now,
            )
            .returning(OutboxMessage.id)
        )
    )
    db.session.commit()
    if not claimed:
        return 0
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(claimed))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    ).all()
    # Each message's interview and participant, loaded once for the whole batch.
    interviews = {
        interview.id: interview
        for interview in db.session.scalars(
            select(Interview)
            .options(joinedload(Interview.participant))
            .where(Interview.id.in_({row.interview_id for row in rows}))
        )
    }
    cache: dict[int, studies.StudyView] = {}
    session = db.session()
    # Two commits a message: keep what was loaded instead of reloading the whole batch
    # after each one. The claimed rows are this worker's alone while it holds them.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        prepared = [(row, _prepare(row, interviews[row.interview_id], cache, now)) for row in rows]
        db.session.flush()  # the new mail rows, in one statement: their ids, for the links
        for row, mail in prepared:
            if mail is not None:
                row.mail_message_id = mail.id
        # The batch's mail rows are on record before the mail server is spoken to; nothing
        # is written while it talks, so no write lock is held across the network.
        db.session.commit()
        # A slow mail server must not keep this batch past its lease, or another worker
        # would take the rest and both would send them: stop starting sends a third of
        # the way in and give the rest back (one send may still take MAIL_TIMEOUT).
        stop_at = time.monotonic() + lease.total_seconds() / 3
        to_send = [(row, mail) for row, mail in prepared if mail is not None]
        with delivery.one_connection():
            for index, (row, mail) in enumerate(to_send):
                if time.monotonic() > stop_at:
                    _give_back(to_send[index:], now)
                    break
                _deliver(row, mail, now)
    finally:
        session.expire_on_commit = expire
    return len(claimed)


def _give_back(prepared: list, now: datetime) -> None:
    """Claimed messages this worker will not get to: due again at once, for the next
    sweep, with the attempt they did not have taken back (on their mail rows too, which
    would otherwise look like an attempt whose outcome is unknown)."""
    ids = [row.id for row, _ in prepared]
    for _, mail in prepared:
        mail.status, mail.attempts = MailStatus.QUEUED, max(mail.attempts - 1, 0)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.SENDING)
        .values(
            status=OutboxStatus.PENDING,
            lease_expires_at=None,
            attempts=OutboxMessage.attempts - 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    log.info("gave back %s messages the mail server was too slow to take", len(ids))


def _prepare(
    row: OutboxMessage,
    interview: Interview,
    cache: dict[int, studies.StudyView],
    now: datetime,
):
    """Ready a claimed message to send: its mail row (rendered now, from current data),
    or None when it is void or already went out. Writes to the session; no commit."""
    if interview.study_id not in cache:
        cache[interview.study_id] = studies.get_study(interview.workspace_id, interview.study_id)
    # As this interview sees it: its own host (round robin) signs and receives.
    study = studies.with_host(cache[interview.study_id], interview.host_id)
    if row.mail_message_id is not None:
        mail = mail_service.message_row(row.mail_message_id)
        if mail.status is MailStatus.SENT:
            # The email went out but a worker died before saying so here: done, not resent.
            _finish(row, OutboxStatus.SENT, now, commit=False)
            return None
        delivery.mark_sending(mail, now)
        return mail
    reason = _pointless(row, interview, now)
    if reason:
        _finish(row, OutboxStatus.VOID, now, error=reason, commit=False)
        return None
    if row.kind is MessageKind.FOLLOWUP_MISSED and interview.status is InterviewStatus.BOOKED:
        record_no_show(interview, now)  # 30 minutes in and no sign of them
    rendered = render.message(row, interview, study, now)
    mail = mail_service.queue_email(
        kind=_mail_kind(row),
        recipient=rendered.recipient,
        subject=rendered.subject,
        template=rendered.template,
        context=rendered.context,
        sender_name=rendered.sender_name,
        reply_to=rendered.reply_to,
        workspace_id=interview.workspace_id,
        attachments=rendered.attachments,
        key=row.idempotency_key,
        bodies=rendered.bodies,
        from_person=row.audience is Audience.PARTICIPANT,
        owned=True,
    )
    delivery.mark_sending(mail, now)
    row.recipient = rendered.recipient  # its mail row's id once the batch is flushed
    return mail


def _deliver(row: OutboxMessage, mail, now: datetime) -> OutboxStatus:
    """Speak to the mail server for one prepared message, then record the outcome: one
    commit per message, so a worker that dies can have sent at most this one unrecorded."""
    config = current_app.config
    try:
        # Its own clock: sent when it went out, not when the batch began.
        delivery.send(mail, utc_now())
    except DeliveryError as error:
        if gives_up(row.attempts, config["MESSAGE_MAX_ATTEMPTS"], error.permanent):
            mail.status = MailStatus.FAILED
            return _finish(row, OutboxStatus.FAILED, now, error=str(error))
        mail.status = MailStatus.QUEUED
        row.due_at = now + retry_wait(
            row.attempts, config["MESSAGE_RETRY_SECONDS"], config["MESSAGE_RETRY_MAX_SECONDS"]
        )
        return _finish(row, OutboxStatus.PENDING, now, error=str(error))
    # Sent when it went out, not when the batch began: lateness is measured from this.
    return _finish(row, OutboxStatus.SENT, mail.sent_at or now)


def _finish(
    row: OutboxMessage,
    status: OutboxStatus,
    now: datetime,
    error: str | None = None,
    commit: bool = True,
) -> OutboxStatus:
    row.status, row.error, row.lease_expires_at, row.updated_at = status, error, None, now
    if status is OutboxStatus.SENT:
        row.sent_at = now
    if commit:
        db.session.commit()
    return status


def _pointless(row: OutboxMessage, interview: Interview, now: datetime) -> str | None:
    """Why this message should no longer go out, judged when it is due; None to send it."""
    if row.audience is Audience.PARTICIPANT and interview.participant.erased_at is not None:
        # Erasure voids what was planned; this catches what the team plans afterwards.
        return "not sent: the participant was erased on request"
    status = interview.status
    if row.kind in (MessageKind.REMINDER, MessageKind.HOST_REMINDER):
        if status is not InterviewStatus.BOOKED:
            return f"not sent: the interview is {status.value.replace('_', ' ')}"
        if now >= interview.start_at:
            return "not sent: the call had already started"
    if row.kind is MessageKind.FOLLOWUP_NUDGE and status is not InterviewStatus.BOOKED:
        return f"not sent: the interview is {status.value.replace('_', ' ')}"
    if row.kind is MessageKind.FOLLOWUP_MISSED and status not in (
        InterviewStatus.BOOKED,
        InterviewStatus.NO_SHOW,
    ):
        return f"not sent: the interview is {status.value.replace('_', ' ')}"
    if row.kind is MessageKind.THANK_YOU and status is not InterviewStatus.COMPLETED:
        return "not sent: the interview is not completed"
    if row.kind is MessageKind.REWARD_SENT:
        given = offers.given_for_interview(interview.id)
        if given is None or given.status not in PAID:
            return "not sent: the reward was not sent"
    if (
        row.kind in (MessageKind.CONFIRMATION, MessageKind.INVITE)
        and status is InterviewStatus.CANCELLED
    ):
        return "not sent: the interview was cancelled first"
    return None


def _mail_kind(row: OutboxMessage) -> str:
    # The team's copy of a booking change: "invite_team" (a workspace invite is "invite").
    if row.audience is not Audience.PARTICIPANT and row.kind in render.EVENTS:
        return f"{row.kind.value}_team"
    return row.kind.value


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
