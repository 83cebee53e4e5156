"""The home page's one use case: gather what needs a member now from every area.

It sits above the areas (no area imports it) and only reads them, through each area's
service or query functions; the one thing it writes is its own table, what a
workspace's first-run checklist remembers (models.py). What it decides is in rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from interviews.accounts import service as accounts
from interviews.compensation import budgets as reward_budgets
from interviews.compensation import service as compensation
from interviews.db import db
from interviews.errors import Forbidden, NotFound
from interviews.home import rules
from interviews.home.models import FirstRunChecklist
from interviews.notes import links as takeaway_links
from interviews.notes import service as notes
from interviews.notes.takeaways import TakeawayView
from interviews.scheduling import busy_calendars, hours, team
from interviews.scheduling.attendance import (
    CONSUMER_FLAKE_RATE,
    ENGAGED_B2B_FLAKE_RATE,
    count_attendance,
)
from interviews.scheduling.models import InterviewStatus
from interviews.studies import service as studies

NEXT_CALLS = 5
# Calls older than this no longer wait on the home page (the agenda's window too).
WAITING_DAYS = 30
UNLINKED_SHOWN = 5
WAITING_SHOWN = 6  # the newest; the rest are counted
HELD = (InterviewStatus.COMPLETED, InterviewStatus.JOINED)


@dataclass(frozen=True)
class Call:
    """One interview as the home page lists it."""

    id: int
    participant_name: str
    study_title: str
    host_name: str
    mine: bool  # the member hosts it
    start: datetime
    end: datetime
    status: InterviewStatus
    join_url: str | None  # where the call is joined (scheduling.links.join_link), if anywhere


@dataclass(frozen=True)
class WaitingCall:
    """A call that happened (or should have) and still asks for something."""

    call: Call
    unmarked: bool  # its time is past and nobody said how it went
    notes_written: bool
    checklist_open: int  # after-call items not done


@dataclass(frozen=True)
class Home:
    timezone: str  # the member's own: every time on the page is in it
    today: list[Call]
    upcoming: list[Call]  # after today, soonest first
    waiting: list[WaitingCall]  # the newest WAITING_SHOWN
    waiting_total: int
    unlinked_total: int
    unlinked: list[TakeawayView]
    rewards_owed: int
    rewards_overdue: int
    studies_total: int
    not_booking: list[rules.NotBooking]
    no_shows: rules.NoShowRate
    checklist: list[rules.ChecklistItem]
    show_checklist: bool
    # A published study whose link the checklist offers to share, if any.
    share_study: studies.StudyView | None
    # A draft the checklist's "publish it" leads to, if any.
    draft_study: studies.StudyView | None


def _call(item: team.InterviewSummary, member: accounts.Member) -> Call:
    return Call(
        id=item.id,
        participant_name=item.participant_name,
        study_title=item.study_title,
        host_name=item.host_name,
        mine=item.host_id == member.user_id,
        start=item.start,
        end=item.end,
        status=item.status,
        join_url=item.join_url or None,
    )


def _waiting(member: accounts.Member, now: datetime) -> tuple[int, list[WaitingCall]]:
    """How many calls of the last WAITING_DAYS still ask for something, and the newest
    of them. Which ones wait is decided on light rows (a busy team holds hundreds of
    calls a month); only the ones shown are read whole."""
    recent = team.interview_facts(member.workspace_id, now - timedelta(days=WAITING_DAYS), now)
    held = [i.id for i in recent if i.status in HELD]
    written = notes.written_notes(member.workspace_id, held)
    open_items = notes.open_checklists(member.workspace_id, held)
    waiting = []
    for call in recent:
        unmarked = call.status is InterviewStatus.BOOKED and call.end <= now
        if unmarked or (call.status in HELD and (call.id not in written or open_items[call.id])):
            waiting.append((call.start, call.id, unmarked))
    waiting.sort(reverse=True)
    shown = waiting[:WAITING_SHOWN]
    calls = team.interviews_by_id(member.workspace_id, [i for _, i, _ in shown])
    return len(waiting), [
        WaitingCall(
            _call(calls[i], member),
            unmarked,
            notes_written=not unmarked and i in written,
            checklist_open=0 if unmarked else open_items[i],
        )
        for _, i, unmarked in shown
    ]


def _not_booking(study_list: list[studies.StudyView], offering: set[int]) -> list[rules.NotBooking]:
    """``offering``: the hosts whose hours offer some time (hours.offering_hours)."""
    facts = []
    # Only a published study's budget matters (and only it costs the sums).
    blocks = reward_budgets.booking_blocks(
        [s for s in study_list if s.status.value == rules.StudyState.PUBLISHED]
    )
    for study in study_list:
        facts.append(
            rules.StudyFacts(
                id=study.id,
                title=study.title,
                state=rules.StudyState(study.status.value),
                host_name=study.host.name,
                # Hosts taking turns: one with hours is enough for times to be offered.
                host_has_hours=any(p.user_id in offering for p in study.hosts or (study.host,)),
                budget_block=blocks.get(study.id),
            )
        )
    return rules.studies_not_booking(facts)


def _no_shows(workspace_id: int, now: datetime, timezone: str) -> rules.NoShowRate:
    start, end = rules.month_of(now, timezone)
    facts = team.interview_facts(workspace_id, start, end)
    numbers = count_attendance((f.status for f in facts), 0)
    return rules.NoShowRate(
        completed=numbers.completed,
        no_show=numbers.no_show,
        good_line=ENGAGED_B2B_FLAKE_RATE,
        high_line=CONSUMER_FLAKE_RATE,
    )


def home(member: accounts.Member, now: datetime) -> Home:
    """What needs this member now, in their own zone, and the workspace's first-run
    checklist unless it is done or put away (viewers, who can do none of its steps,
    never see it)."""
    workspace_id = member.workspace_id
    remembered = db.session.get(FirstRunChecklist, workspace_id)
    timezone = team.viewer_timezone(member.user_id)
    study_list = studies.list_studies(workspace_id)

    today = now.astimezone(ZoneInfo(timezone)).date()
    today_start = rules.day_start(today, timezone)
    tomorrow_start = rules.day_start(today + timedelta(days=1), timezone)
    todays = [
        _call(i, member)
        for i in team.list_interviews(workspace_id, start=today_start, end=tomorrow_start)
        if i.status in (InterviewStatus.BOOKED, InterviewStatus.JOINED) and i.start >= today_start
    ]
    upcoming = [
        _call(i, member)
        for i in team.list_interviews(
            workspace_id, status=InterviewStatus.BOOKED, start=tomorrow_start, limit=NEXT_CALLS
        )
        if i.start >= tomorrow_start
    ]
    unlinked_total, unlinked = takeaway_links.unlinked(workspace_id, UNLINKED_SHOWN)
    owed, overdue = compensation.owed_counts(workspace_id, now)
    waiting_total, waiting = _waiting(member, now)

    published = [s for s in study_list if s.status.value == rules.StudyState.PUBLISHED]
    hosts = {p.user_id for s in study_list for p in (*s.hosts, s.host)}
    offering = hours.offering_hours(hosts | {member.user_id})
    state = rules.SetupState(
        hours_saved=member.user_id in offering,
        studies=len(study_list),
        published=len(published),
        link_shared=remembered is not None and remembered.link_shared_at is not None,
        booked=bool(team.list_interviews(workspace_id, limit=1)),
        calendar_connected=bool(busy_calendars.busy_calendars_of(member.user_id)),
    )
    items = rules.checklist(state)
    return Home(
        timezone=timezone,
        today=todays,
        upcoming=upcoming,
        waiting=waiting,
        waiting_total=waiting_total,
        unlinked_total=unlinked_total,
        unlinked=unlinked,
        rewards_owed=owed,
        rewards_overdue=overdue,
        studies_total=len(study_list),
        not_booking=_not_booking(study_list, offering),
        no_shows=_no_shows(workspace_id, now, timezone),
        checklist=items,
        show_checklist=member.can_edit
        and rules.show_checklist(
            items, dismissed=remembered is not None and remembered.dismissed_at is not None
        ),
        share_study=published[-1] if published else None,
        draft_study=next((s for s in study_list if s.status.value == rules.StudyState.DRAFT), None),
    )


def share_link(member: accounts.Member, study_id: int, now: datetime) -> studies.StudyView:
    """A published study of the member's workspace whose booking link they open or copy
    from the home page: the checklist's "share" step is done for the whole workspace.
    Raises NotFound (another workspace's, or not published)."""
    study = studies.get_study(member.workspace_id, study_id)
    if study.status.value != rules.StudyState.PUBLISHED:
        raise NotFound("That study is not published: its booking link is not open yet.")
    _remember(member.workspace_id, "link_shared_at", now)
    return study


def dismiss_checklist(member: accounts.Member, now: datetime) -> None:
    """Put the first-run checklist away for the whole workspace: a teammate's home, any
    browser, any later sign-in, no longer shows it. Raises Forbidden for a viewer."""
    if not member.can_edit:
        raise Forbidden(
            "Viewers can read but not change anything. Ask an owner for the researcher role."
        )
    _remember(member.workspace_id, "dismissed_at", now)


def _remember(workspace_id: int, fact: str, now: datetime) -> None:
    """Set one fact of the workspace's checklist (the first time is the one kept), and
    commit. Two teammates at once may both make the row: the loser updates it instead."""
    for attempt in range(2):
        row = db.session.get(FirstRunChecklist, workspace_id)
        if row is None:
            row = FirstRunChecklist(workspace_id=workspace_id)
            db.session.add(row)
        if getattr(row, fact) is None:
            setattr(row, fact, now)
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
            if attempt:
                raise
