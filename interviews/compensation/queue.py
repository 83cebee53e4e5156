"""Reading rewards: the payout queue, one reward with its history, the finance CSV.

The use cases that change rewards are in service.py, which also re-exports these.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from interviews.clock import utc_now
from interviews.compensation import rules
from interviews.compensation.models import Reward
from interviews.compensation.rules import RewardStatus
from interviews.db import db
from interviews.errors import InvalidInput, NotFound
from interviews.money import KIND_LABELS, Money, RewardKind
from interviews.participants.models import Participant
from interviews.scheduling.models import Interview
from interviews.spreadsheet import csv_cell
from interviews.studies.models import Study

QUEUE_PAGE = 200


@dataclass(frozen=True)
class RewardEventView:
    at: datetime
    actor_name: str  # "" for the desk itself
    from_status: RewardStatus | None
    to_status: RewardStatus
    method_masked: str
    note: str


@dataclass(frozen=True)
class RewardView:
    """A reward as the payout queue, the API and the interview page show it."""

    id: int
    interview_id: int
    interview_start: datetime
    study_id: int
    study_title: str
    participant_id: int | None
    participant_name: str
    participant_email: str
    kind: RewardKind
    money: Money
    status: RewardStatus
    granted: bool
    method_masked: str
    note: str
    owed_at: datetime
    settled_at: datetime | None
    overdue: bool
    history: tuple[RewardEventView, ...] = ()

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.status]


def _overdue_days() -> int:
    return current_app.config["REWARD_OVERDUE_DAYS"]


def _view(
    row: Reward,
    start: datetime,
    title: str,
    person: Participant | None,
    now: datetime,
    *,
    full=False,
) -> RewardView:
    name, email = _who(person and person.name, person and person.email, person and person.erased_at)
    return RewardView(
        id=row.id,
        interview_id=row.interview_id,
        interview_start=start,
        study_id=row.study_id,
        study_title=title,
        participant_id=row.participant_id,
        participant_name=name,
        participant_email=email,
        kind=row.kind,
        money=Money.from_minor(row.amount_minor, row.currency),
        status=row.status,
        granted=row.granted,
        method_masked=rules.mask(row.method),
        note=row.note,
        owed_at=row.owed_at,
        settled_at=row.settled_at,
        overdue=row.status is RewardStatus.OWED
        and rules.is_overdue(row.owed_at, now, _overdue_days()),
        history=tuple(
            RewardEventView(e.at, e.actor_name, e.from_status, e.to_status, e.method_masked, e.note)
            for e in row.events
        )
        if full
        else (),
    )


def _who(name: str | None, email: str | None, erased_at: datetime | None) -> tuple[str, str]:
    """The name and email a reward shows of its participant: none once they are erased
    (or gone)."""
    if name is None or erased_at is not None:
        return "Erased participant", ""
    return name, email or ""


def _rows(query, now: datetime, *, full=False) -> list[RewardView]:
    if full:  # every history in one more query, not one per reward
        query = query.options(selectinload(Reward.events))
    rows = db.session.execute(
        query.join(Interview, Interview.id == Reward.interview_id)
        .join(Study, Study.id == Reward.study_id)
        .outerjoin(Participant, Participant.id == Reward.participant_id)
        .add_columns(Interview.start_at, Study.title, Participant)
    ).all()
    return [_view(r, start, title, person, now, full=full) for r, start, title, person in rows]


def reward(workspace_id: int, reward_id: int, now: datetime | None = None) -> RewardView:
    """One reward with its whole history. Raises NotFound."""
    found = _rows(
        select(Reward).where(Reward.id == reward_id, Reward.workspace_id == workspace_id),
        now or utc_now(),
        full=True,
    )
    if not found:
        raise NotFound("No such reward in this workspace.")
    return found[0]


def rewards_by_id(
    workspace_id: int, ids: list[int], now: datetime | None = None
) -> list[RewardView]:
    """These rewards of the workspace with their histories, in id order."""
    return _rows(
        select(Reward)
        .where(Reward.id.in_(ids), Reward.workspace_id == workspace_id)
        .order_by(Reward.id),
        now or utc_now(),
        full=True,
    )


def reward_of_interview(workspace_id: int, interview_id: int) -> RewardView | None:
    """The interview's reward with its history, or None."""
    row = db.session.scalar(select(Reward).where(Reward.interview_id == interview_id))
    if row is None or row.workspace_id != workspace_id:
        return None
    return reward(workspace_id, row.id)


def owed_counts(workspace_id: int, now: datetime | None = None) -> tuple[int, int]:
    """(owed, overdue): rewards still to deliver, and those owed for longer than the
    team's promise (REWARD_OVERDUE_DAYS, see rules.is_overdue), counted in SQL rather
    than read row by row."""
    now = now or utc_now()
    overdue_before = now - timedelta(days=_overdue_days())
    owed, overdue = db.session.execute(
        select(func.count(), func.count().filter(Reward.owed_at < overdue_before)).where(
            Reward.workspace_id == workspace_id, Reward.status == RewardStatus.OWED
        )
    ).one()
    return owed, overdue


def parse_status(value: str | None) -> RewardStatus | None:
    """A status filter: None for all. Raises InvalidInput."""
    if not value:
        return None
    try:
        return RewardStatus(value)
    except ValueError:
        names = ", ".join(s.value for s in RewardStatus)
        raise InvalidInput(f"`status` is one of {names}.", field="status") from None


@dataclass(frozen=True)
class RewardPage:
    items: list[RewardView]
    total: int
    counts: dict[str, int]  # by status, for the queue's tabs


def rewards(
    workspace_id: int,
    *,
    status: RewardStatus | None = None,
    study_id: int | None = None,
    limit: int = QUEUE_PAGE,
    offset: int = 0,
    now: datetime | None = None,
) -> RewardPage:
    """Rewards of the workspace: owed ones oldest first (the payout queue), others most
    recently settled first."""
    where = [Reward.workspace_id == workspace_id]
    if study_id is not None:
        where.append(Reward.study_id == study_id)
    counts = dict(
        db.session.execute(
            select(Reward.status, func.count()).where(*where).group_by(Reward.status)
        ).all()
    )
    if status is not None:
        where.append(Reward.status == status)
    items = _rows(
        select(Reward).where(*where).order_by(*_order(status)).limit(limit).offset(offset),
        now or utc_now(),
    )
    total = counts.get(status, 0) if status is not None else sum(counts.values())
    return RewardPage(items, total, {s.value: counts.get(s, 0) for s in RewardStatus})


def _order(status: RewardStatus | None) -> tuple:
    """Owed ones oldest first (the payout queue), others most recently settled first."""
    if status is RewardStatus.OWED:
        return (Reward.owed_at, Reward.id)
    return (Reward.settled_at.desc(), Reward.owed_at.desc(), Reward.id.desc())


def payout_csv(workspace_id: int, status: RewardStatus | None, now: datetime | None = None) -> str:
    """The rewards as CSV for a finance team: one row each, amounts as exact decimal
    strings beside their currency (never summed across currencies), methods masked."""
    now = now or utc_now()
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(
        [
            "reward_id",
            "status",
            "owed_at",
            "settled_at",
            "study",
            "interview_id",
            "interview_date",
            "participant",
            "email",
            "kind",
            "amount",
            "currency",
            "method",
            "note",
            "overdue",
        ]
    )
    # One query of plain columns, read as it streams: a finance export is every reward,
    # and building a reward object and a view for each cost 1 s for 5,000.
    where = [Reward.workspace_id == workspace_id]
    if status is not None:
        where.append(Reward.status == status)
    rows = db.session.execute(
        select(
            Reward.id,
            Reward.status,
            Reward.owed_at,
            Reward.settled_at,
            Study.title,
            Reward.interview_id,
            Interview.start_at,
            Participant.name,
            Participant.email,
            Participant.erased_at,
            Reward.kind,
            Reward.amount_minor,
            Reward.currency,
            Reward.method,
            Reward.note,
        )
        .join(Interview, Interview.id == Reward.interview_id)
        .join(Study, Study.id == Reward.study_id)
        .outerjoin(Participant, Participant.id == Reward.participant_id)
        .where(*where)
        .order_by(*_order(status))
        .execution_options(yield_per=1000)
    )
    overdue_days = _overdue_days()
    for r in rows:
        name, email = _who(r.name, r.email, r.erased_at)
        money = Money.from_minor(r.amount_minor, r.currency)
        overdue = r.status is RewardStatus.OWED and rules.is_overdue(r.owed_at, now, overdue_days)
        # Names, titles and notes are typed by people, interviewees too: never a formula
        # (csv_cell). Ids, statuses, times and amounts are ours and cannot start one.
        out.writerow(
            (
                r.id,
                r.status.value,
                r.owed_at.isoformat(),
                r.settled_at.isoformat() if r.settled_at else "",
                csv_cell(r.title),
                r.interview_id,
                f"{r.start_at:%Y-%m-%d}",
                csv_cell(name),
                csv_cell(email),
                r.kind.value,
                str(money),
                money.currency,
                csv_cell(rules.mask(r.method)),
                csv_cell(r.note),
                "yes" if overdue else "",
            )
        )
    return buffer.getvalue()


def rewards_of_participant(workspace_id: int, participant_id: int) -> list[RewardView]:
    """Every reward this person was owed or given, with history, for a data export."""
    return _rows(
        select(Reward)
        .where(Reward.workspace_id == workspace_id, Reward.participant_id == participant_id)
        .order_by(Reward.owed_at, Reward.id),
        utc_now(),
        full=True,
    )
