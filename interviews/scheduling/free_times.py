"""Which times a study can offer: the host's hours, less their interviews in every study
and their busy calendars, under the study's limits (the engine is slots.py, pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from interviews import dates
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import InvalidInput
from interviews.scheduling import busy_calendars, hours
from interviews.scheduling.models import ACTIVE_STATUSES, Interview
from interviews.scheduling.slots import Interval, SlotQuery, free_slots
from interviews.studies import service as studies

MAX_RANGE_DAYS = 62
# Days outside these cannot hold a slot, and far ones overflow datetime arithmetic.
EARLIEST_DAY, LATEST_DAY = dates.EARLIEST_DAY, dates.LATEST_DAY


def _booked(host_id: int, start: datetime, end: datetime) -> list[Interval]:
    """The host's interviews (every study, every workspace) that hold time in [start, end)."""
    rows = db.session.execute(
        select(Interview.start_at, Interview.end_at).where(
            Interview.host_id == host_id,
            Interview.status.in_(ACTIVE_STATUSES),
            Interview.end_at > start,
            Interview.start_at < end,
        )
    )
    return [Interval(row.start_at, row.end_at) for row in rows]


def open_slots(
    study: studies.StudyView,
    start: datetime,
    end: datetime,
    now: datetime,
    ignore: Interval | None = None,
) -> list[Interval]:
    """The study's free slots in [start, end) as of ``now``: the host's hours less their
    interviews in every study, their busy calendars and the study's limits. ``ignore`` is
    an interview being moved, which does not block the times around it."""
    availability = hours.availability_of(study.host.user_id)
    if availability is None:
        return []
    # A day's cap and the buffer reach past the range: read a margin either side.
    margin = timedelta(days=2)
    return free_slots(
        SlotQuery(
            availability=availability,
            limits=study.limits,
            now=now,
            booked=_booked(study.host.user_id, start - margin, end + margin),
            busy=busy_calendars.busy_between(study.host.user_id, start, end),
            range_start=start,
            range_end=end,
            ignore=ignore,
        )
    )


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
    """Times an interview could move to: its own time does not block the ones overlapping
    it, and is not offered itself."""
    study = studies.get_study(interview.workspace_id, interview.study_id)
    start, end = day_range(first, last, dates.parse_timezone(timezone))
    current = Interval(interview.start_at, interview.end_at)
    found = open_slots(study, start, end, utc_now(), ignore=current)
    return [slot for slot in found if slot.start != interview.start_at]
