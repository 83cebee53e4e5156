"""The worker's half of sending the outbox: a batch of queued messages claimed in one
statement, each rendered from current data into its mail row, then sent over one mail
connection and marked sent as the server takes it (outcomes.py). A failed send is
retried with backoff, then marked failed; a batch the mail server is too slow for gives
back what it cannot start in time. The dispatcher's half is service.py.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
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
from interviews.message_plan import Audience, MessageKind
from interviews.messaging import outcomes, render
from interviews.messaging.models import OutboxMessage, OutboxStatus
from interviews.money import Offer
from interviews.scheduling.lifecycle import record_no_show
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies

log = logging.getLogger(__name__)


def send_batch(ids: list[int], now: datetime | None = None) -> int:
    """Claim these queued messages (queued -> sending, in one statement), then send each
    over one shared mail connection. Returns how many this call claimed; ids another
    worker has, or that are done, are skipped. Safe to run twice with the same ids."""
    now = now or utc_now()
    rows = _claim_for_sending(ids, now)
    if not rows:
        return 0
    session = db.session()
    # Keep what was loaded across this batch's commits instead of reloading it after each
    # one: the claimed rows are this worker's alone while it holds them.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        prepared = _prepare_batch(rows, now)
        # A slow mail server must not keep this batch past its lease, or another worker
        # would take the rest and both would send them: stop starting sends a third of
        # the way in and give the rest back (one send may still take MAIL_TIMEOUT).
        lease = current_app.config["MESSAGE_SEND_LEASE_SECONDS"]
        stop_at = time.monotonic() + lease / 3
        with delivery.one_connection(), outcomes.sent_marks() as mark_sent:
            for index, (row, mail) in enumerate(prepared):
                if time.monotonic() > stop_at:
                    _give_back(prepared[index:], now)
                    break
                _deliver(row, mail, now, mark_sent)
    finally:
        session.expire_on_commit = expire
    return len(rows)


def _claim_for_sending(ids: list[int], now: datetime) -> list[OutboxMessage]:
    """Queued -> sending for the ids still queued, the attempt counted, in one statement
    and committed; then the rows this call won, in due order."""
    lease = timedelta(seconds=current_app.config["MESSAGE_SEND_LEASE_SECONDS"])
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
        return []
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(claimed))
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
        )
    )


def _prepare_batch(rows: list[OutboxMessage], now: datetime) -> list:
    """Each claimed message's mail row, rendered from current data and committed before
    the mail server is spoken to (nothing is written while it talks, so no write lock is
    held across the network): (row, mail) for those to send now."""
    # Each message's interview and participant, loaded once for the whole batch.
    interviews = {
        interview.id: interview
        for interview in db.session.scalars(
            select(Interview)
            .options(joinedload(Interview.participant))
            .where(Interview.id.in_({row.interview_id for row in rows}))
        )
    }
    batch = _Batch()
    # Nothing queried while rendering needs this batch's own writes: without autoflush the
    # new mail rows go in one INSERT below, not one (and an UPDATE) per message.
    with db.session.no_autoflush:
        prepared = [(row, _prepare(row, interviews[row.interview_id], batch, now)) for row in rows]
    db.session.flush()  # the new mail rows, in one statement: their ids, for the links
    for row, mail in prepared:
        if mail is not None:
            row.mail_message_id = mail.id
    db.session.commit()
    return [(row, mail) for row, mail in prepared if mail is not None]


class _Batch:
    """What the messages of one batch share, looked up once: their studies, and the offer
    each interviewee is promised (a participant's reminders often share a batch)."""

    def __init__(self) -> None:
        self.studies: dict[int, studies.StudyView] = {}
        self.offers: dict[tuple[int, int], Offer] = {}

    def study_of(self, interview: Interview) -> studies.StudyView:
        if interview.study_id not in self.studies:
            self.studies[interview.study_id] = studies.get_study(
                interview.workspace_id, interview.study_id
            )
        # As this interview sees it: its own host (round robin) signs and receives.
        return studies.with_host(self.studies[interview.study_id], interview.host_id)

    def offer_for(self, study: studies.StudyView, participant_id: int) -> Offer:
        key = (study.id, participant_id)
        if key not in self.offers:
            self.offers[key] = offers.offer_for(study, participant_id)
        return self.offers[key]


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


def _prepare(row: OutboxMessage, interview: Interview, batch: _Batch, now: datetime):
    """Ready a claimed message to send: its mail row (rendered now, from current data),
    or None when it is void or already went out. Writes to the session; no commit."""
    study = batch.study_of(interview)
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
    offer = batch.offer_for(study, interview.participant_id)
    rendered = render.message(row, interview, study, now, offer=offer)
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


def _deliver(row: OutboxMessage, mail, now: datetime, mark_sent: outcomes.MarkSent) -> OutboxStatus:
    """Speak to the mail server for one prepared message, then record the outcome: one
    commit per message, so a worker that dies can have sent at most this one unrecorded."""
    config = current_app.config
    # Its own clock: sent when it went out, not when the batch began; lateness is
    # measured from this.
    sent_at = utc_now()
    try:
        delivery.transmit(mail, sent_at)
    except DeliveryError as error:
        mail.error = str(error)
        if gives_up(row.attempts, config["MESSAGE_MAX_ATTEMPTS"], error.permanent):
            mail.status = MailStatus.FAILED
            return _finish(row, OutboxStatus.FAILED, now, error=str(error))
        mail.status = MailStatus.QUEUED
        row.due_at = now + retry_wait(
            row.attempts, config["MESSAGE_RETRY_SECONDS"], config["MESSAGE_RETRY_MAX_SECONDS"]
        )
        return _finish(row, OutboxStatus.PENDING, now, error=str(error))
    mark_sent(row, mail, sent_at)
    return OutboxStatus.SENT


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
