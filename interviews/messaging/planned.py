"""Reading the outbox: an interview's planned messages as its page, the API and the CLI
show them, and the counts the reports and the CLI need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from interviews.db import db, within
from interviews.errors import NotFound
from interviews.message_plan import Audience, MessageKind
from interviews.messaging.models import OPEN_STATUSES, OutboxMessage, OutboxStatus
from interviews.scheduling.models import Interview
from interviews.studies import service as studies


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


def views_of(rows: list[OutboxMessage]) -> list[PlannedView]:
    """Outbox rows as people read them; a message not sent yet names who it will go to."""
    addresses: dict[int, tuple[str, dict[int, str]]] = {}  # interview: participant, team
    views = []
    for row in rows:
        if row.interview_id not in addresses:
            interview = db.session.get(Interview, row.interview_id)
            study = studies.interview_study(
                interview.workspace_id, interview.study_id, interview.host_id
            )
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
    return views_of(list(rows))


def messages_of(workspace_id: int, interview_id: int) -> list[PlannedView]:
    """The interview's message plan. Raises NotFound for another workspace's id."""
    interview = db.session.get(Interview, interview_id)
    if interview is None or interview.workspace_id != workspace_id:
        raise NotFound("No such interview in this workspace.")
    return plan_of(interview_id)


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
    return list(zip(views_of(list(rows)), (row.interview_id for row in rows), strict=True))


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


def reminders_sent_per_day(
    workspace_id: int,
    sent_from: datetime | None,
    sent_before: datetime | None,
    study_id: int | None = None,
) -> list[tuple[date, int]]:
    """How many reminders to interviewees went out on each UTC day, for reminders sent
    in [from, before) (of one study, if given): what the reports dashboard counts. Team
    members' own reminders are not counted. Counted by the database: a year is a few
    hundred days, not ten thousand rows to bring back one by one."""
    if db.session.get_bind().dialect.name == "postgresql":
        day = func.date(func.timezone("UTC", OutboxMessage.sent_at))
    else:
        day = func.date(OutboxMessage.sent_at)  # SQLite keeps instants as UTC text
    query = (
        select(day, func.count())
        .where(
            OutboxMessage.workspace_id == workspace_id,
            OutboxMessage.kind == MessageKind.REMINDER,
            OutboxMessage.status == OutboxStatus.SENT,
            OutboxMessage.sent_at.is_not(None),
            *within(OutboxMessage.sent_at, sent_from, sent_before),
        )
        .group_by(day)
    )
    if study_id is not None:
        query = query.join(Interview, Interview.id == OutboxMessage.interview_id).where(
            Interview.study_id == study_id
        )
    return [
        (on if isinstance(on, date) else date.fromisoformat(on), count)
        for on, count in db.session.execute(query)
    ]
