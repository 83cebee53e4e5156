"""Writing an interview's message plan into the outbox, inside the caller's transaction.

Scheduling calls these while it books, moves, cancels or records attendance, before it
commits: the plan changes in the same transaction as the interview, or not at all.
Each returns the ids of rows due now, for the caller to dispatch after committing.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update

from interviews.db import db
from interviews.message_plan import (
    BEFORE_THE_CALL,
    FOLLOW_UPS,
    Audience,
    MessageKind,
    PlannedMessage,
    plan_before_and_after,
)
from interviews.messaging.models import OPEN_STATUSES, OutboxMessage, OutboxStatus
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies.service import StudyView


def _add(
    interview: Interview,
    planned: PlannedMessage,
    now: datetime,
    recipient_user_id: int | None = None,
) -> OutboxMessage:
    row = OutboxMessage(
        workspace_id=interview.workspace_id,
        interview_id=interview.id,
        kind=planned.kind,
        audience=planned.audience,
        recipient_user_id=recipient_user_id,
        offset_minutes=planned.offset_minutes,
        due_at=planned.due_at,
        status=OutboxStatus.PENDING,
        attempts=0,
        idempotency_key=uuid.uuid4().hex,
        created_at=now,
        updated_at=now,
    )
    db.session.add(row)
    return row


def _to_everyone(
    interview: Interview, study: StudyView, kind: MessageKind, now: datetime, *, team_kind=None
) -> list[OutboxMessage]:
    """One message to the participant, and one to the host and each colleague."""
    rows = [_add(interview, PlannedMessage(now, kind, Audience.PARTICIPANT), now)]
    team = team_kind or kind
    rows.append(_add(interview, PlannedMessage(now, team, Audience.HOST), now, study.host.user_id))
    rows.extend(
        _add(interview, PlannedMessage(now, team, Audience.COLLEAGUE), now, colleague.user_id)
        for colleague in study.colleagues
        if colleague.user_id != study.host.user_id
    )
    return rows


def _plan_ahead(interview: Interview, study: StudyView, now: datetime) -> None:
    for planned in plan_before_and_after(interview.start_at, now, study.messages):
        recipient = study.host.user_id if planned.audience is Audience.HOST else None
        _add(interview, planned, now, recipient)


def _void(interview_id: int, kinds: frozenset[MessageKind] | None, now: datetime) -> None:
    """Void the interview's messages still open (of these kinds): they will not be sent."""
    query = update(OutboxMessage).where(
        OutboxMessage.interview_id == interview_id,
        OutboxMessage.status.in_(OPEN_STATUSES),
    )
    if kinds is not None:
        query = query.where(OutboxMessage.kind.in_(kinds))
    db.session.execute(
        query.values(status=OutboxStatus.VOID, updated_at=now, lease_expires_at=None)
    )


def _ids(rows: list[OutboxMessage]) -> list[int]:
    db.session.flush()
    return [row.id for row in rows]


def plan_booking(interview: Interview, study: StudyView, now: datetime) -> list[int]:
    """A new booking: confirmation and invites now, reminders and follow-ups ahead."""
    rows = _to_everyone(
        interview, study, MessageKind.CONFIRMATION, now, team_kind=MessageKind.INVITE
    )
    _plan_ahead(interview, study, now)
    return _ids(rows)


def plan_reschedule(interview: Interview, study: StudyView, now: datetime) -> list[int]:
    """A new time: everyone hears now; pending reminders and follow-ups move with it."""
    _void(interview.id, BEFORE_THE_CALL | FOLLOW_UPS, now)
    rows = _to_everyone(interview, study, MessageKind.RESCHEDULED, now)
    _plan_ahead(interview, study, now)
    return _ids(rows)


def plan_cancel(interview: Interview, study: StudyView, now: datetime) -> list[int]:
    """Cancelled: nothing more is sent about it except the cancellation itself."""
    _void(interview.id, None, now)
    return _ids(_to_everyone(interview, study, MessageKind.CANCELLED, now))


def plan_attendance(
    interview: Interview, study: StudyView, status: InterviewStatus, now: datetime
) -> list[int]:
    """The host said how it went: follow-ups stop, or the missed message goes now."""
    if status in (InterviewStatus.JOINED, InterviewStatus.COMPLETED):
        _void(interview.id, FOLLOW_UPS, now)
    rows: list[OutboxMessage] = []
    if status is InterviewStatus.COMPLETED and not _has(interview.id, MessageKind.THANK_YOU):
        rows.append(
            _add(interview, PlannedMessage(now, MessageKind.THANK_YOU, Audience.PARTICIPANT), now)
        )
    if status is InterviewStatus.NO_SHOW:
        _void(interview.id, frozenset({MessageKind.FOLLOWUP_NUDGE}), now)
        missed = db.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.interview_id == interview.id,
                OutboxMessage.kind == MessageKind.FOLLOWUP_MISSED,
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        )
        if missed is not None and missed.due_at > now:
            missed.due_at, missed.updated_at = now, now
            rows.append(missed)
    return _ids(rows)


def plan_reward_sent(interviews: list[Interview], now: datetime) -> list[int]:
    """These interviews' rewards went out: each interviewee hears theirs is on its way,
    now. One flush for the batch."""
    planned = PlannedMessage(now, MessageKind.REWARD_SENT, Audience.PARTICIPANT)
    return _ids([_add(interview, planned, now) for interview in interviews])


def _has(interview_id: int, kind: MessageKind) -> bool:
    return (
        db.session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.interview_id == interview_id,
                OutboxMessage.kind == kind,
                OutboxMessage.status != OutboxStatus.VOID,
            )
        )
        is not None
    )
