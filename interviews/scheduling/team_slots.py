"""Slots of a team: several hosts taking turns (round robin), and people who must be free
too (required note-takers). Pure functions over plain data, like slots.py, which they
build on: no Flask, no database, the clock inside each SlotQuery.

A person is described by a SlotQuery: their hours on their own wall clock, their busy
time, their interviews (with the study's buffer around each) and the study's day cap.
A round-robin study offers every time at least one host is free and every required
person is free too; the booking then goes to the free host with the lightest load.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from interviews.scheduling.slots import (
    Interval,
    SlotQuery,
    Span,
    _blocked,
    free_slots,
    merge_spans,
    windows_between,
)


@dataclass(frozen=True)
class TeamSlot:
    """A time the study can offer, and the hosts free for it (ascending ids, never none)."""

    slot: Interval
    host_ids: tuple[int, ...]


class _Calendar:
    """One person's week over a stretch of days, ready to answer "free for this span?"
    many times: their windows and blockers are worked out once."""

    def __init__(self, query: SlotQuery, first: datetime, last: datetime) -> None:
        self.zone = ZoneInfo(query.availability.timezone)
        self.cap = query.limits.max_per_day
        # A day either side: a span near midnight UTC may fall on another local day.
        first_day = first.astimezone(self.zone).date()
        last_day = last.astimezone(self.zone).date()
        self.windows: list[Span] = [
            (w.start, w.end) for w in windows_between(query.availability, first_day, last_day)
        ]
        self.window_starts = [start for start, _ in self.windows]
        booked = [b for b in query.booked if b != query.ignore]
        self.per_day: Counter[date] = Counter(b.start.astimezone(self.zone).date() for b in booked)
        buffer = query.limits.buffer
        self.blockers = merge_spans(
            sorted(
                [(b.start, b.end) for b in query.busy]
                + [(b.start - buffer, b.end + buffer) for b in booked]
            )
        )
        self.blocker_starts = [start for start, _ in self.blockers]

    def free(self, span: Interval) -> bool:
        # Inside one window: windows are merged, so the one starting last before it.
        index = bisect_right(self.window_starts, span.start) - 1
        if index < 0 or self.windows[index][1] < span.end:
            return False
        if self.per_day[span.start.astimezone(self.zone).date()] >= self.cap:
            return False
        return not _blocked(span.start, span.end, self.blockers, self.blocker_starts)


def free_for(query: SlotQuery, span: Interval) -> bool:
    """Whether the person ``query`` describes is free for ``span``: inside one of their
    windows on their own wall clock, clear of their busy time and of their interviews plus
    the buffer, on a day (theirs) under the cap. Notice and horizon are the study's, not
    the person's: the host's slots already keep them."""
    return _Calendar(query, span.start, span.end).free(span)


def collective(slots: Sequence[Interval], required: Sequence[SlotQuery]) -> list[Interval]:
    """The slots every required person is free for, in the order given."""
    if not slots or not required:
        return list(slots)
    first = min(s.start for s in slots)
    last = max(s.end for s in slots)
    calendars = [_Calendar(query, first, last) for query in required]
    return [slot for slot in slots if all(c.free(slot) for c in calendars)]


def team_slots(
    hosts: Mapping[int, SlotQuery], required: Sequence[SlotQuery] = ()
) -> list[TeamSlot]:
    """Round robin with required people: every slot at least one host offers (each on
    their own hours and grid), kept when every required person is free for it, with the
    hosts free then. One host is the plain case. Sorted by start, then end."""
    free: dict[Interval, list[int]] = {}
    for host_id in sorted(hosts):
        for slot in free_slots(hosts[host_id]):
            free.setdefault(slot, []).append(host_id)
    kept = collective(sorted(free), required)
    return [TeamSlot(slot, tuple(free[slot])) for slot in kept]


def choose_host(
    free_host_ids: Collection[int], upcoming: Mapping[int, int], names: Mapping[int, str]
) -> int:
    """The host a booking goes to: of the free ones, the one with the fewest interviews
    coming up (``upcoming``: the next 14 days), ties by name (case-blind), then id, so
    the same facts always give the same host whatever their order.

    Raises ValueError when no host is free."""
    if not free_host_ids:
        raise ValueError("no free host to choose from")

    def load(host_id: int) -> tuple[int, str, str, int]:
        name = names.get(host_id, "")
        return (upcoming.get(host_id, 0), name.casefold(), name, host_id)

    return min(free_host_ids, key=load)
