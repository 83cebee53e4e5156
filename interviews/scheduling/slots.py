"""Free-slot computation: pure functions over plain data. No Flask, no database.

Everything that goes in or out is an aware datetime; availability is written in
the host's own zone and expanded day by day, so a window of 09:00-17:00 stays
09:00-17:00 on the host's wall clock across daylight-saving changes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import WEEKLY, rrule, weekday

from interviews.studies.rules import Limits

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open span of time [start, end) between two aware instants."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Interval needs aware datetimes")
        if self.end <= self.start:
            raise ValueError(f"Interval ends ({self.end}) before it starts ({self.start})")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class WeeklyWindow:
    """Every <weekday> from <start> to <end> on the host's wall clock (0 = Monday)."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday is 0 (Monday) to 6 (Sunday)")
        if self.end <= self.start:
            raise ValueError("a window ends after it starts, on the same day")


@dataclass(frozen=True)
class DateOverride:
    """One day that differs from the weekly pattern: no windows means a day off."""

    day: date
    windows: tuple[tuple[time, time], ...] = ()


@dataclass(frozen=True)
class Availability:
    timezone: str
    weekly: tuple[WeeklyWindow, ...]
    overrides: tuple[DateOverride, ...] = ()


@dataclass(frozen=True)
class SlotQuery:
    """Everything the computation needs. ``booked`` are the host's interviews in every study."""

    availability: Availability
    limits: Limits
    now: datetime
    busy: Sequence[Interval] = ()
    booked: Sequence[Interval] = ()
    range_start: datetime | None = None
    range_end: datetime | None = None
    ignore: Interval | None = None  # the interview being rescheduled does not block itself


@dataclass(frozen=True)
class DaySlots:
    day: date
    slots: list[Interval] = field(default_factory=list)


def windows_between(availability: Availability, first: date, last: date) -> list[Interval]:
    """The host's open windows on local days first..last, as UTC intervals, in order."""
    zone = ZoneInfo(availability.timezone)
    overrides = {o.day: o.windows for o in availability.overrides}
    local: list[tuple[datetime, time]] = []
    for window in availability.weekly:
        # dateutil's rrule walks the host's calendar; the wall time stays put over DST.
        days = rrule(
            WEEKLY,
            byweekday=weekday(window.weekday),
            dtstart=datetime.combine(first, window.start),
            until=datetime.combine(last, window.start),
        )
        local.extend((start, window.end) for start in days if start.date() not in overrides)
    for day, windows in overrides.items():
        if first <= day <= last:
            local.extend((datetime.combine(day, start), end) for start, end in windows)

    result: list[tuple[datetime, datetime]] = []
    for start, end_time in local:
        begin = _to_utc(start, zone)
        finish = _to_utc(datetime.combine(start.date(), end_time), zone)
        if finish > begin:
            result.append((begin, finish))
    return [Interval(start, end) for start, end in merge_spans(sorted(result))]


def free_slots(query: SlotQuery) -> list[Interval]:
    """Slots a participant may book now: inside the host's windows, clear of busy time and
    of other interviews plus the buffer, after the notice, within the horizon, on days
    under the daily cap. Sorted by start."""
    limits, now = query.limits, query.now
    earliest = now + limits.notice
    latest_start = now + limits.horizon
    if query.range_start is not None:
        earliest = max(earliest, query.range_start)
    if query.range_end is not None:
        latest_start = min(latest_start, query.range_end - limits.duration)
    if latest_start < earliest:
        return []

    zone = ZoneInfo(query.availability.timezone)
    first_day = earliest.astimezone(zone).date()
    last_day = (latest_start + limits.duration).astimezone(zone).date()

    booked = [b for b in query.booked if b != query.ignore]
    per_day = Counter(b.start.astimezone(zone).date() for b in booked)
    # Plain (start, end) tuples: sorting thousands of them compares in C, not in Python.
    buffer = limits.buffer
    blockers = merge_spans(
        sorted(
            [(b.start, b.end) for b in query.busy]
            + [(b.start - buffer, b.end + buffer) for b in booked]
        )
    )
    starts = [start for start, _ in blockers]

    slots: list[Interval] = []
    for window in windows_between(query.availability, first_day, last_day):
        start = window.start
        if start < earliest:
            # Keep slots on the window's grid: jump to the first step at or after `earliest`.
            steps = -((start - earliest) // limits.step)
            start = start + steps * limits.step
        while start + limits.duration <= window.end and start <= latest_start:
            end = start + limits.duration
            if per_day[start.astimezone(zone).date()] < limits.max_per_day and not _blocked(
                start, end, blockers, starts
            ):
                slots.append(Interval(start, end))
            start += limits.step
    return slots


def group_by_day(slots: Iterable[Interval], timezone: str) -> list[DaySlots]:
    """Slots grouped by the viewer's local day (what the booking page lists)."""
    zone = ZoneInfo(timezone)
    days: dict[date, list[Interval]] = {}
    for slot in slots:
        days.setdefault(slot.start.astimezone(zone).date(), []).append(slot)
    return [DaySlots(day, found) for day, found in sorted(days.items())]


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in ``zone`` as UTC. A time skipped by a DST jump moves forward
    with the clock (02:30 on the spring-forward night counts as 03:30)."""
    return local.replace(tzinfo=zone).astimezone(UTC)


Span = tuple[datetime, datetime]


def merge_spans(spans: Sequence[Span]) -> list[Span]:
    """Sorted (start, end) spans with overlaps and touching ends joined."""
    merged: list[Span] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _blocked(start: datetime, end: datetime, blockers: list[Span], starts: list[datetime]) -> bool:
    """Whether [start, end) overlaps any of the merged, sorted blockers (binary search)."""
    index = bisect_right(starts, start) - 1
    if index >= 0 and blockers[index][1] > start:
        return True
    return index + 1 < len(blockers) and blockers[index + 1][0] < end
