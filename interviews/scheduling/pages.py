"""Shaping slots for the booking page: days in the viewer's zone, labels, zone choices. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from interviews import dates
from interviews.errors import InvalidInput
from interviews.scheduling.slots import Interval, group_by_day

DAYS_SHOWN = 7


@dataclass(frozen=True)
class SlotChoice:
    value: str  # the slot's start, ISO 8601 in UTC: what the form posts back
    label: str  # "09:30" on the viewer's clock


@dataclass(frozen=True)
class DayChoices:
    day: date
    label: str  # "Tuesday 24 November"
    slots: list[SlotChoice]


def day_choices(slots: list[Interval], timezone: str) -> list[DayChoices]:
    zone = ZoneInfo(timezone)
    return [
        DayChoices(
            day=group.day,
            label=f"{group.day:%A %-d %B}",
            slots=[
                SlotChoice(s.start.isoformat(), f"{s.start.astimezone(zone):%H:%M}")
                for s in group.slots
            ],
        )
        for group in group_by_day(slots, timezone)
    ]


def week_window(requested: str | None, today: date) -> dict[str, date | None]:
    """The days shown (from the requested day, never before today, for a week) and where
    the earlier / later links lead; no earlier link at today. A day that cannot be read,
    or one outside the dates window, shows this week: it is a link's ?from=, not a field."""
    try:
        first = dates.parse_day(requested, "`from`", "from") if requested else today
    except InvalidInput:
        first = today
    first = min(max(first, today), dates.LATEST_DAY - timedelta(days=DAYS_SHOWN - 1))
    last = first + timedelta(days=DAYS_SHOWN - 1)
    return {
        "first": first,
        "last": last,
        "earlier": first - timedelta(days=DAYS_SHOWN) if first > today else None,
        "later": last + timedelta(days=1),
    }


def local_when(start: datetime, end: datetime, timezone: str) -> str:
    zone = ZoneInfo(timezone)
    return f"{start.astimezone(zone):%A %-d %B %Y, %H:%M}–{end.astimezone(zone):%H:%M}"


@cache
def timezone_choices() -> list[str]:
    """Zones a person would pick: Area/City names, sorted, plus UTC."""
    areas = (
        "Africa/",
        "America/",
        "Antarctica/",
        "Asia/",
        "Atlantic/",
        "Australia/",
        "Europe/",
        "Indian/",
        "Pacific/",
    )
    return ["UTC", *sorted(z for z in available_timezones() if z.startswith(areas))]
