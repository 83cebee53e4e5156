"""Which times a study can offer: its hosts' hours, less their interviews in every study
and their busy calendars, under the study's limits, with every required note-taker free
too (the engines are slots.py and team_slots.py, pure).

A study with several hosts takes turns (round robin): a time is offered when at least one
host is free, and the booking goes to the free host with the fewest interviews coming up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select

from interviews import dates
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import InvalidInput
from interviews.scheduling import busy_calendars, hours, live_busy, team_slots
from interviews.scheduling.models import ACTIVE_STATUSES, HostSchedule, Interview
from interviews.scheduling.slots import Interval, SlotQuery
from interviews.studies import service as studies

MAX_RANGE_DAYS = 62
# Days outside these cannot hold a slot, and far ones overflow datetime arithmetic.
EARLIEST_DAY, LATEST_DAY = dates.EARLIEST_DAY, dates.LATEST_DAY
# A day's cap and the buffer reach past the range asked about: interviews are read with
# this margin either side.
MARGIN = timedelta(days=2)
# A round-robin booking goes to the free host with the fewest interviews this far ahead.
LOAD_AHEAD = timedelta(days=14)


def _host_ids(study: studies.StudyView, host_id: int | None) -> list[int]:
    """The hosts a time may go to: one given (a move keeps its host), else the rotation."""
    if host_id is not None:
        return [host_id]
    return [p.user_id for p in study.hosts] or [study.host.user_id]


def _note_taker_ids(study: studies.StudyView, hosts: Iterable[int]) -> list[int]:
    """The note-takers who must be free too (none unless the study requires it)."""
    if not study.note_takers_required:
        return []
    return [c.user_id for c in study.colleagues if c.user_id not in set(hosts)]


def people(study: studies.StudyView, host_id: int | None = None) -> list[int]:
    """Everyone whose week decides the study's times: its hosts (or the one given) and its
    required note-takers, ascending (the order bookings lock them in)."""
    hosts = _host_ids(study, host_id)
    return sorted({*hosts, *_note_taker_ids(study, hosts)})


def to_lock(study: studies.StudyView, host_id: int | None = None) -> list[int]:
    """Whose booking locks a booking takes, ascending: every required note-taker (one
    without hours makes locking fail: nothing is open) and the hosts who have set hours
    (one without cannot be booked, and has no row to lock). The booking may only go to
    a host in this list: one setting hours meanwhile was not locked."""
    hosts = _host_ids(study, host_id)
    scheduled = db.session.scalars(
        select(HostSchedule.user_id).where(HostSchedule.user_id.in_(hosts))
    )
    return sorted({*scheduled, *_note_taker_ids(study, hosts)})


def _booked(user_ids: list[int], start: datetime, end: datetime) -> dict[int, list[Interval]]:
    """Each person's interviews (every study, every workspace) that hold time in
    [start, end): those they host, and those of studies they take notes on."""
    taking_notes: dict[int, set[int]] = {
        uid: set(studies.studies_with_colleague(uid)) for uid in user_ids
    }
    noted = set().union(*taking_notes.values()) if taking_notes else set()
    rows = db.session.execute(
        select(
            Interview.id,
            Interview.study_id,
            Interview.host_id,
            Interview.start_at,
            Interview.end_at,
        ).where(
            or_(Interview.host_id.in_(user_ids), Interview.study_id.in_(noted)),
            Interview.status.in_(ACTIVE_STATUSES),
            Interview.end_at > start,
            Interview.start_at < end,
        )
    ).all()
    found: dict[int, list[Interval]] = {}
    for uid in user_ids:
        # One interview once, even for a person who hosts it and is on its study's team.
        found[uid] = [
            Interval(row.start_at, row.end_at)
            for row in rows
            if row.host_id == uid or row.study_id in taking_notes[uid]
        ]
    return found


def _team(
    study: studies.StudyView,
    start: datetime,
    end: datetime,
    now: datetime,
    ignore: Interval | None,
    host_id: int | None,
) -> list[team_slots.TeamSlot]:
    """The study's slots in [start, end) with the hosts free for each."""
    hosts = _host_ids(study, host_id)
    note_takers = _note_taker_ids(study, hosts)
    everyone = sorted({*hosts, *note_takers})
    booked = _booked(everyone, start - MARGIN, end + MARGIN)

    def week_of(user_id: int) -> SlotQuery | None:
        availability = hours.availability_of(user_id)
        if availability is None:
            return None
        return SlotQuery(
            availability=availability,
            limits=study.limits,
            now=now,
            booked=booked[user_id],
            busy=busy_calendars.busy_between(user_id, start, end),
            range_start=start,
            range_end=end,
            ignore=ignore,
        )

    required = [week_of(uid) for uid in note_takers]
    if any(week is None for week in required):
        return []  # a note-taker who must be there has set no hours: never free
    weeks = {uid: week for uid in hosts if (week := week_of(uid)) is not None}
    return team_slots.team_slots(weeks, [w for w in required if w is not None])


def refresh_calendars(
    study: studies.StudyView,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    host_id: int | None = None,
    max_age: timedelta | None = None,
) -> None:
    """Read the calendars of everyone whose week decides these times, live when stored
    copies are too old (``max_age``; None: the usual freshness). It commits its own short
    transaction: never call it once a booking lock is held."""
    live_busy.ensure_fresh(people(study, host_id), start, end, now=now, max_age=max_age)


def open_slots(
    study: studies.StudyView,
    start: datetime,
    end: datetime,
    now: datetime,
    ignore: Interval | None = None,
    *,
    refresh: bool = True,
    host_id: int | None = None,
) -> list[Interval]:
    """The study's free slots in [start, end) as of ``now``: every time at least one host
    (of the rotation, or ``host_id`` alone: a move keeps its host) is free and every
    required note-taker is free too; free means inside their hours, clear of their
    interviews in every study and their busy calendars, under the study's limits.
    ``ignore`` is an interview being moved, which does not block the times around it.
    ``refresh`` reads live calendars first; a re-check under a booking lock passes False."""
    if refresh:
        refresh_calendars(study, start, end, now=now, host_id=host_id)
    return [found.slot for found in _team(study, start, end, now, ignore, host_id)]


def free_hosts_at(
    study: studies.StudyView,
    span: Interval,
    now: datetime,
    ignore: Interval | None = None,
    *,
    host_id: int | None = None,
) -> list[int]:
    """The hosts free for exactly this slot of the study (ascending), none when it is not
    one of its slots or a required note-taker is busy. Reads stored data only: this is
    the re-check under a booking lock."""
    for found in _team(study, span.start, span.end, now, ignore, host_id):
        if found.slot == span:
            return list(found.host_ids)
    return []


def upcoming_load(user_ids: Iterable[int], now: datetime) -> dict[int, int]:
    """How many interviews each person hosts (every study) in the next 14 days."""
    ids = sorted(set(user_ids))
    rows = db.session.execute(
        select(Interview.host_id, func.count())
        .where(
            Interview.host_id.in_(ids),
            Interview.status.in_(ACTIVE_STATUSES),
            Interview.start_at >= now,
            Interview.start_at < now + LOAD_AHEAD,
        )
        .group_by(Interview.host_id)
    )
    return {host: count for host, count in rows}


def choose_host(study: studies.StudyView, free_host_ids: Iterable[int], now: datetime) -> int:
    """The free host a booking goes to: fewest interviews in the next 14 days, ties by
    name. Raises ValueError when none is free."""
    free = list(free_host_ids)
    names = {p.user_id: p.name for p in (*study.hosts, study.host)}
    return team_slots.choose_host(free, upcoming_load(free, now), names)


def day_range(first: date, last: date, timezone: str) -> tuple[datetime, datetime]:
    """Local days first..last in ``timezone`` as a UTC [start, end) range."""
    if not (first >= EARLIEST_DAY and last <= LATEST_DAY):
        raise InvalidInput(f"Ask for days {dates.WINDOW}.", field="from")
    if last < first:
        raise InvalidInput("`to` is before `from`.", field="to")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidInput(f"Ask for at most {MAX_RANGE_DAYS} days at a time.", field="to")
    zone = dates.zone_of(timezone)
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def slots_around(interview: Interview, first: date, last: date, timezone: str) -> list[Interval]:
    """Times an interview could move to, with its own host (and required note-takers):
    its own time does not block the ones overlapping it, and is not offered itself."""
    study = studies.interview_study(interview.workspace_id, interview.study_id, interview.host_id)
    current = Interval(interview.start_at, interview.end_at)
    return times_to_move_to(study, current, first, last, timezone)


def times_to_move_to(
    study: studies.StudyView, current: Interval, first: date, last: date, timezone: str
) -> list[Interval]:
    """slots_around for an interview whose study (with the interview's host as its
    ``host``: studies.interview_study) the caller has already read."""
    start, end = day_range(first, last, dates.parse_timezone(timezone))
    found = open_slots(study, start, end, utc_now(), ignore=current, host_id=study.host.user_id)
    return [slot for slot in found if slot.start != current.start]
