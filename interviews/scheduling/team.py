"""Team-side scheduling: the agenda, one interview and its history, attendance numbers.

The host's calendar subscription is calendar_feed.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from interviews.accounts import service as accounts
from interviews.accounts.models import User
from interviews.clock import utc_now
from interviews.db import db, within
from interviews.errors import Forbidden, NotFound
from interviews.scheduling import free_times, hours, lifecycle, links
from interviews.scheduling.attendance import AttendanceNumbers, count_attendance
from interviews.scheduling.models import (
    Interview,
    InterviewStatus,
)
from interviews.scheduling.slots import Interval
from interviews.studies import service as studies


@dataclass(frozen=True)
class InterviewSummary:
    id: int
    study_id: int
    study_title: str
    participant_id: int
    participant_name: str
    participant_email: str
    participant_phone: str
    host_id: int
    host_name: str
    start: datetime
    end: datetime
    status: InterviewStatus
    timezone: str  # the participant's
    join_url: str = ""  # where the call is joined (links.join_link), "" for none


@dataclass(frozen=True)
class InterviewDetail:
    summary: InterviewSummary
    study: studies.StudyView
    answers: list[dict[str, str]]
    cancel_reason: str | None
    # The participant's other interviews in this workspace, newest first.
    history: list[InterviewSummary]

    @property
    def upcoming(self) -> bool:
        return self.summary.status is InterviewStatus.BOOKED


def _summary(interview: Interview, host: User) -> InterviewSummary:
    return InterviewSummary(
        id=interview.id,
        study_id=interview.study_id,
        study_title=interview.study.title,
        participant_id=interview.participant_id,
        participant_name=interview.participant.name,
        participant_email=interview.participant.email,
        participant_phone=interview.participant.phone,
        host_id=interview.host_id,
        host_name=host.name,
        start=interview.start_at,
        end=interview.end_at,
        status=interview.status,
        timezone=interview.participant_timezone,
        join_url=links.join_link(interview.study, interview),
    )


def viewer_timezone(user_id: int) -> str:
    """The zone a team member reads times in: their own hours' zone, else UTC."""
    return hours.timezone_of(user_id)


def list_interviews(
    workspace_id: int,
    *,
    status: InterviewStatus | None = None,
    study_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 500,
) -> list[InterviewSummary]:
    """The workspace's interviews, soonest first, filtered as asked."""
    query = (
        select(Interview, User)
        .join(User, User.id == Interview.host_id)
        .options(joinedload(Interview.study), joinedload(Interview.participant))
        .where(Interview.workspace_id == workspace_id)
        .order_by(Interview.start_at, Interview.id)
        .limit(limit)
    )
    if status is not None:
        query = query.where(Interview.status == status)
    if study_id is not None:
        query = query.where(Interview.study_id == study_id)
    if start is not None:
        query = query.where(Interview.end_at > start)
    if end is not None:
        query = query.where(Interview.start_at < end)
    return [_summary(interview, host) for interview, host in db.session.execute(query)]


def interview_ids_of_study(workspace_id: int, study_id: int) -> list[int]:
    """Ids of every interview of the study (none for another workspace's study): what a
    filter by study needs, without building a summary of each."""
    return list(
        db.session.scalars(
            select(Interview.id).where(
                Interview.workspace_id == workspace_id, Interview.study_id == study_id
            )
        )
    )


def interview_studies(workspace_id: int):
    """A subquery of the workspace's interviews, (interview_id, study_id), for other
    areas' queries to join: the library counts its takeaways by study with it."""
    return (
        select(Interview.id.label("interview_id"), Interview.study_id.label("study_id"))
        .where(Interview.workspace_id == workspace_id)
        .subquery("interview_study")
    )


def agenda(workspace_id: int, timezone: str) -> list[tuple[date, list[InterviewSummary]]]:
    """Upcoming interviews from the start of today (in ``timezone``), grouped by local day."""
    zone = ZoneInfo(timezone)
    now = utc_now()
    today_start = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), tzinfo=zone)
    days: dict[date, list[InterviewSummary]] = {}
    for item in list_interviews(workspace_id, status=InterviewStatus.BOOKED, start=today_start):
        days.setdefault(item.start.astimezone(zone).date(), []).append(item)
    return sorted(days.items())


def interview_detail(workspace_id: int, interview_id: int) -> InterviewDetail:
    """One interview of this workspace. Raises NotFound for another workspace's id."""
    interview = db.session.get(Interview, interview_id)
    if interview is None or interview.workspace_id != workspace_id:
        raise NotFound("No such interview in this workspace.")
    host = db.session.get(User, interview.host_id)
    return InterviewDetail(
        summary=_summary(interview, host),
        study=studies.interview_study(workspace_id, interview.study_id, interview.host_id),
        answers=list(interview.answers or []),
        cancel_reason=interview.cancel_reason,
        history=[
            other
            for other in interviews_of_participant(workspace_id, interview.participant_id)
            if other.id != interview.id
        ],
    )


def interviews_of_participant(workspace_id: int, participant_id: int) -> list[InterviewSummary]:
    """Every interview of one participant in this workspace, newest first."""
    rows = db.session.execute(
        select(Interview, User)
        .join(User, User.id == Interview.host_id)
        .options(joinedload(Interview.study), joinedload(Interview.participant))
        .where(Interview.workspace_id == workspace_id, Interview.participant_id == participant_id)
        .order_by(Interview.start_at.desc(), Interview.id.desc())
    )
    return [_summary(interview, host) for interview, host in rows]


def interviews_of_participants(
    workspace_id: int, participant_ids: list[int]
) -> dict[int, list[InterviewSummary]]:
    """Every interview of several participants at once, each person's newest first
    (one query, for pages that list many people)."""
    found: dict[int, list[InterviewSummary]] = {i: [] for i in participant_ids}
    if not participant_ids:
        return found
    rows = db.session.execute(
        select(Interview, User)
        .join(User, User.id == Interview.host_id)
        .options(joinedload(Interview.study), joinedload(Interview.participant))
        .where(
            Interview.workspace_id == workspace_id,
            Interview.participant_id.in_(participant_ids),
        )
        .order_by(Interview.start_at.desc(), Interview.id.desc())
    )
    for interview, host in rows:
        found[interview.participant_id].append(_summary(interview, host))
    return found


def editable_interview(actor: accounts.Member, interview_id: int) -> Interview:
    """An interview of the actor's workspace that they may change. Raises Forbidden (a
    viewer), NotFound (another workspace's id or none)."""
    if not actor.can_edit:
        raise Forbidden("Viewers cannot change interviews.")
    interview = db.session.get(Interview, interview_id)
    if interview is None or interview.workspace_id != actor.workspace_id:
        raise NotFound("No such interview in this workspace.")
    return interview


def attendance_link_interview(token: str) -> InterviewSummary:
    """The interview an attendance link is about. Raises NotFound for a bad or old link."""
    interview_id, _ = lifecycle.attendance_link_subject(token)
    return summary_of(interview_id)


def summary_of(interview_id: int) -> InterviewSummary:
    """One interview as the team sees it, whichever workspace. Raises NotFound."""
    interview = db.session.get(Interview, interview_id)
    if interview is None:
        raise NotFound("No such interview.")
    return _summary(interview, db.session.get(User, interview.host_id))


def interview_summary(workspace_id: int, interview_id: int) -> InterviewSummary:
    """One interview of this workspace, without its history. Raises NotFound."""
    interview = db.session.get(Interview, interview_id)
    if interview is None or interview.workspace_id != workspace_id:
        raise NotFound("No such interview in this workspace.")
    return _summary(interview, db.session.get(User, interview.host_id))


def interviews_by_id(workspace_id: int, ids: list[int]) -> dict[int, InterviewSummary]:
    """Several of this workspace's interviews at once (ids of others are left out)."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(Interview, User)
        .join(User, User.id == Interview.host_id)
        .options(joinedload(Interview.study), joinedload(Interview.participant))
        .where(Interview.workspace_id == workspace_id, Interview.id.in_(ids))
    )
    return {interview.id: _summary(interview, host) for interview, host in rows}


def attendance_of_study(workspace_id: int, study_id: int) -> AttendanceNumbers:
    """How a study's interviews went. Raises NotFound for another workspace's study."""
    studies.get_study(workspace_id, study_id)
    statuses = db.session.scalars(select(Interview.status).where(Interview.study_id == study_id))
    rebooking = aliased(Interview)
    recovered = db.session.scalar(
        select(func.count(func.distinct(Interview.id)))
        .join(rebooking, rebooking.rebooked_from_id == Interview.id)
        .where(
            Interview.study_id == study_id,
            Interview.status == InterviewStatus.NO_SHOW,
            rebooking.status == InterviewStatus.COMPLETED,
        )
    )
    return count_attendance(list(statuses), recovered or 0)


def attendance_by_study(
    workspace_id: int, starts_from: datetime | None, starts_before: datetime | None
) -> dict[int, AttendanceNumbers]:
    """How each study's interviews went, counting those that start in [from, before):
    {study id: numbers}, every study of the workspace (an empty one has zeros). A no-show
    in the range counts as recovered when its rebooking completed, whenever that was."""
    window = [
        Interview.workspace_id == workspace_id,
        *within(Interview.start_at, starts_from, starts_before),
    ]
    statuses: dict[int, list[InterviewStatus]] = {
        s.id: [] for s in studies.list_studies(workspace_id)
    }
    for study_id, status, count in db.session.execute(
        select(Interview.study_id, Interview.status, func.count())
        .where(*window)
        .group_by(Interview.study_id, Interview.status)
    ):
        statuses.setdefault(study_id, []).extend([status] * count)
    rebooking = aliased(Interview)
    recovered = dict(
        db.session.execute(
            select(Interview.study_id, func.count(func.distinct(Interview.id)))
            .join(rebooking, rebooking.rebooked_from_id == Interview.id)
            .where(
                *window,
                Interview.status == InterviewStatus.NO_SHOW,
                rebooking.status == InterviewStatus.COMPLETED,
            )
            .group_by(Interview.study_id)
        ).all()
    )
    return {
        study_id: count_attendance(found, recovered.get(study_id, 0))
        for study_id, found in statuses.items()
    }


class InterviewFact(NamedTuple):
    """What the reports dashboard needs of one interview. A named tuple: a year's
    dashboard reads thousands of them, and a frozen dataclass took four times as long
    to make."""

    id: int
    study_id: int
    host_id: int
    start: datetime
    status: InterviewStatus
    rebooked: bool  # booked from a no-show's "sorry we missed you" link
    end: datetime | None = None


def first_interview_start(workspace_id: int) -> datetime | None:
    """When the workspace's earliest interview starts (booked or not); None without any."""
    return db.session.scalar(
        select(func.min(Interview.start_at)).where(Interview.workspace_id == workspace_id)
    )


def interview_facts(
    workspace_id: int,
    starts_from: datetime | None,
    starts_before: datetime | None,
    study_id: int | None = None,
) -> list[InterviewFact]:
    """The workspace's interviews that start in [from, before), of one study if given,
    in one light query (no participant or host is loaded)."""
    query = select(
        Interview.id,
        Interview.study_id,
        Interview.host_id,
        Interview.start_at,
        Interview.status,
        Interview.rebooked_from_id,
        Interview.end_at,
    ).where(
        Interview.workspace_id == workspace_id,
        *within(Interview.start_at, starts_from, starts_before),
    )
    if study_id is not None:
        query = query.where(Interview.study_id == study_id)
    return [
        InterviewFact(id_, study, host, start, status, rebooked_from is not None, end)
        for id_, study, host, start, status, rebooked_from, end in db.session.execute(query)
    ]


def held_interviews(
    workspace_id: int,
    starts_from: datetime | None,
    starts_before: datetime | None,
    study_id: int | None = None,
):
    """A subquery (interview_id, host_id) of the workspace's interviews that start in
    [from, before), of one study if given, cancelled ones left out: for other areas to
    count by (the note-taker rotation) without bringing each interview back."""
    query = select(Interview.id.label("interview_id"), Interview.host_id.label("host_id")).where(
        Interview.workspace_id == workspace_id,
        Interview.status != InterviewStatus.CANCELLED,
        *within(Interview.start_at, starts_from, starts_before),
    )
    if study_id is not None:
        query = query.where(Interview.study_id == study_id)
    return query.subquery("held")


def statuses_of(workspace_id: int, ids: list[int]) -> dict[int, InterviewStatus]:
    """The status of each of these interviews (another workspace's are left out)."""
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(Interview.id, Interview.status).where(
                Interview.workspace_id == workspace_id, Interview.id.in_(ids)
            )
        ).all()
    )


def slots_for_move(
    actor: accounts.Member, interview_id: int, first: date, last: date, timezone: str
) -> list[Interval]:
    interview = editable_interview(actor, interview_id)
    return free_times.slots_around(interview, first, last, timezone)
