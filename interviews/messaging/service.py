"""Sending what the outbox says is due: the dispatcher's half and the worker's half.

The dispatcher claims due rows (pending, or handed off or being sent under a lease that
ran out) by moving them to *queued* with a lease, then hands them to RQ workers, or,
without Redis, sends them itself. A worker claims each row again, *queued* to
*sending*, before it sends; the send carries the row's idempotency key as Message-ID.
Redis can be flushed and a worker killed: the lease runs out, the next sweep finds the
row, and it is sent once. A failed send is retried with backoff, then marked failed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import joinedload

from interviews.clock import utc_now
from interviews.compensation import offers
from interviews.compensation.rules import PAID
from interviews.db import db, within
from interviews.errors import NotFound
from interviews.mail import delivery
from interviews.mail import service as mail_service
from interviews.mail.backends import DeliveryError
from interviews.mail.compose import Attachment
from interviews.mail.models import MailStatus
from interviews.mail.rules import gives_up, retry_wait
from interviews.messaging import texts
from interviews.messaging.models import OPEN_STATUSES, OutboxMessage, OutboxStatus
from interviews.messaging.plan import (
    BEFORE_THE_CALL,
    Audience,
    MessageKind,
    describe_offset,
    may_go_out,
)
from interviews.scheduling import hours, links
from interviews.scheduling.invites import build_invite
from interviews.scheduling.lifecycle import attendance_url, record_no_show
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
    study = cache[interview.study_id]
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
    rendered = _render(row, interview, study, now)
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
    if row.audience is not Audience.PARTICIPANT and row.kind in _EVENTS:
        return f"{row.kind.value}_team"
    return row.kind.value


_TEAM_SUBJECTS = {
    MessageKind.INVITE: "New interview: {participant}, {when}",
    MessageKind.RESCHEDULED: "Moved: interview with {participant}, now {when}",
    MessageKind.CANCELLED: "Cancelled: interview with {participant}",
    MessageKind.HOST_REMINDER: "In {offset}: interview with {participant}",
}
_EVENTS = {
    MessageKind.CONFIRMATION: "booked",
    MessageKind.INVITE: "booked",
    MessageKind.RESCHEDULED: "rescheduled",
    MessageKind.CANCELLED: "cancelled",
}


@dataclass(frozen=True)
class Rendered:
    recipient: str
    subject: str
    template: str
    context: dict
    sender_name: str
    reply_to: str | None
    attachments: tuple[Attachment, ...] = ()
    bodies: tuple[str, str] | None = None  # a study's own text, rendered: (text, HTML)


def _render(
    row: OutboxMessage, interview: Interview, study: studies.StudyView, now: datetime
) -> Rendered:
    participant = interview.participant
    cancelled = interview.status is InterviewStatus.CANCELLED
    token = None if cancelled else links.manage_token(interview)
    context = {
        "event": _EVENTS.get(row.kind, row.kind.value),
        "kind": row.kind.value,
        "study": study,
        "participant": participant,
        "answers": interview.answers,
        "reason": interview.cancel_reason,
        "manage_url": links.manage_url(token) if token else None,
        "rebook_url": links.rebook_url(interview, study.slug),
        "interview_url": links.link(f"/interviews/{interview.id}"),
        "in_time": describe_offset(row.offset_minutes) if row.offset_minutes else "",
        # The thank-you this person is promised: their own offer, or the study's.
        "reward": offers.offer_for(study, interview.participant_id).describe(),
    }
    if row.kind is MessageKind.REWARD_SENT:
        context["given"] = offers.given_for_interview(interview.id)
    attachments: tuple[Attachment, ...] = ()
    if row.kind in _EVENTS:
        method = "CANCEL" if row.kind is MessageKind.CANCELLED else "REQUEST"
        ics = build_invite(links.invite_details(study, interview, token, now), method=method)
        attachments = (Attachment("interview.ics", f"text/calendar; method={method}", ics),)

    if row.audience is Audience.PARTICIPANT:
        when = links.when_text(interview.start_at, interview.end_at, interview.participant_timezone)
        context = {**context, "when": when}
        own = study.message_texts.get(row.kind.value)
        if own:
            return _render_own(row, study, participant.email, context, own)
        rendered = _render_default_participant(row, study, participant.email, context)
        if row.kind in _EVENTS:  # the booking's own notices: the invite goes with them
            rendered = replace(rendered, template="interview_participant", attachments=attachments)
        return rendered

    reader = next(
        (p for p in (study.host, *study.colleagues) if p.user_id == row.recipient_user_id), None
    )
    if reader is None:
        raise NotFound("The team member this message was for is no longer on the study.")
    when = links.when_text(interview.start_at, interview.end_at, hours.timezone_of(reader.user_id))
    if row.kind is MessageKind.HOST_REMINDER:
        context["attendance"] = {
            status.value: attendance_url(interview, reader.user_id, status)
            for status in (
                InterviewStatus.JOINED,
                InterviewStatus.NO_SHOW,
                InterviewStatus.COMPLETED,
            )
        }
    return Rendered(
        recipient=reader.email,
        subject=_TEAM_SUBJECTS[row.kind].format(
            participant=participant.name, when=when, offset=context["in_time"]
        ),
        template="interview_team" if row.kind in _EVENTS else f"messages/{row.kind.value}",
        context={**context, "when": when, "reader": reader},
        sender_name=participant.name,
        reply_to=participant.email,
        attachments=attachments,
    )


def _render_own(
    row: OutboxMessage, study: studies.StudyView, recipient: str, context: dict, own: dict
) -> Rendered:
    """A message in the study's own words (checked when saved; a text that fails now,
    say after a study field it used was emptied, falls back to the default)."""
    try:
        subject, body = texts.render(texts.Text(own["subject"], own["body"]), context)
    except texts.TextProblem:
        log.warning("study %s: own %s text failed, sending the default", study.id, row.kind)
        return _render_default_participant(row, study, recipient, context)
    html = render_template(
        "emails/own_words.html", subject=subject, body_html=texts.html_of(body), **context
    )
    return Rendered(
        recipient=recipient,
        subject=subject,
        template="own_words",
        context=context,
        sender_name=study.host.name,
        reply_to=study.host.email,
        bodies=(body, html),
    )


def _render_default_participant(
    row: OutboxMessage, study: studies.StudyView, recipient: str, context: dict
) -> Rendered:
    subject_source = texts.DEFAULT_SUBJECTS[row.kind]
    return Rendered(
        recipient=recipient,
        subject=texts.render(texts.Text(subject_source, ""), context)[0],
        template=f"messages/{row.kind.value}",
        context=context,
        sender_name=study.host.name,
        reply_to=study.host.email,
    )


def sample_context(study: studies.StudyView, kind: str) -> dict:
    """What a study's text is previewed and checked with: a made-up interviewee next week."""
    start = datetime.combine(
        (utc_now() + timedelta(days=7)).date(), datetime.min.time(), tzinfo=UTC
    ) + timedelta(hours=15)
    return {
        "kind": kind,
        "study": study,
        "participant": SampleParticipant("Pat Example", "pat@example.com", "+1 415 555 0100"),
        "when": links.when_text(start, start + study.duration, "America/New_York"),
        "in_time": describe_offset(min(study.messages.reminder_offsets or (60,))),
        "manage_url": links.link("/manage/sample-link"),
        "rebook_url": links.link(f"/book/{study.slug}?rebook=sample"),
        "answers": [],
        "reason": None,
        "event": kind,
        "interview_url": links.link("/interviews/0"),
        "reward": study.offer.describe(),
    }


@dataclass(frozen=True)
class SampleParticipant:
    name: str
    email: str
    phone: str


def default_text(kind: str) -> texts.Text:
    """The words a study starts from: our default subject and the default text's source."""
    env = current_app.jinja_env
    source, _, _ = env.loader.get_source(env, f"emails/messages/{kind}.txt")
    return texts.Text(texts.DEFAULT_SUBJECTS[MessageKind(kind)], source)


def preview(study: studies.StudyView, kind: str, text: texts.Text) -> tuple[str, str]:
    """(subject, body) of a text for the sample interviewee. Raises texts.TextProblem."""
    return texts.render(text, sample_context(study, kind))


# --- reading the plan ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedView:
    """One row of an interview's message plan, as the API and the interview page show it."""

    id: int
    kind: str
    audience: str
    recipient: str
    offset_minutes: int | None
    due_at: datetime
    status: str
    sent_at: datetime | None
    attempts: int
    error: str | None

    @property
    def shown_status(self) -> str:
        """Queued and sending are a worker's business: to people they are still pending."""
        return "pending" if self.status in ("queued", "sending") else self.status


def _views(rows: list[OutboxMessage]) -> list[PlannedView]:
    """Rows as people read them; a message not sent yet names who it will go to."""
    addresses: dict[int, tuple[str, dict[int, str]]] = {}  # interview: participant, team
    views = []
    for row in rows:
        if row.interview_id not in addresses:
            interview = db.session.get(Interview, row.interview_id)
            study = studies.get_study(interview.workspace_id, interview.study_id)
            addresses[row.interview_id] = (
                interview.participant.email,
                {p.user_id: p.email for p in (study.host, *study.colleagues)},
            )
        participant, team = addresses[row.interview_id]
        views.append(
            PlannedView(
                id=row.id,
                kind=row.kind.value,
                audience=row.audience.value,
                recipient=row.recipient
                or (
                    participant
                    if row.audience is Audience.PARTICIPANT
                    else team.get(row.recipient_user_id, "")
                ),
                offset_minutes=row.offset_minutes,
                due_at=row.due_at,
                status=row.status.value,
                sent_at=row.sent_at,
                attempts=row.attempts,
                error=row.error,
            )
        )
    return views


def plan_of(interview_id: int) -> list[PlannedView]:
    """An interview's outbox in due order: what was and will be sent, to whom, when."""
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.interview_id == interview_id)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    ).all()
    return _views(list(rows))


_LISTED = (OutboxStatus.PENDING, OutboxStatus.QUEUED, OutboxStatus.SENDING, OutboxStatus.FAILED)


def open_messages(limit: int = 500, offset: int = 0) -> list[tuple[PlannedView, int]]:
    """Planned, pending and failed messages across the server, soonest first, a page of
    them (the CLI), each with its interview's id."""
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status.in_(_LISTED))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(zip(_views(list(rows)), (row.interview_id for row in rows), strict=True))


def status_counts() -> dict[str, int]:
    """How many interview messages are in each status, server-wide (as people read it:
    queued and sending count as pending)."""
    counts: dict[str, int] = {}
    for status, count in db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ):
        shown = "pending" if status in OPEN_STATUSES else status.value
        counts[shown] = counts.get(shown, 0) + count
    return counts


def reminder_sent_times(
    workspace_id: int,
    sent_from: datetime | None,
    sent_before: datetime | None,
    study_id: int | None = None,
) -> list[datetime]:
    """When each reminder to an interviewee went out, for reminders sent in
    [from, before) (of one study, if given): what the reports dashboard counts. Team
    members' own reminders are not counted."""
    query = select(OutboxMessage.sent_at).where(
        OutboxMessage.workspace_id == workspace_id,
        OutboxMessage.kind == MessageKind.REMINDER,
        OutboxMessage.status == OutboxStatus.SENT,
        OutboxMessage.sent_at.is_not(None),
        *within(OutboxMessage.sent_at, sent_from, sent_before),
    )
    if study_id is not None:
        query = query.join(Interview, Interview.id == OutboxMessage.interview_id).where(
            Interview.study_id == study_id
        )
    return list(db.session.scalars(query))


# --- privacy requests ------------------------------------------------------------------------


def messages_to_participant(interview_ids: list[int]) -> list[PlannedView]:
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
    return _views(list(rows))


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
