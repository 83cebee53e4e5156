"""Host hours use cases: weekly windows in the host's own zone, and days unlike the others.

A host has one schedule shared by every study they host. A date override replaces the
weekly pattern for that day: its windows are the day's hours, and an override without
windows is a day off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select, union

from interviews import dates
from interviews.db import db
from interviews.errors import InvalidInput, NotFound
from interviews.scheduling.models import AvailabilityOverride, AvailabilityWindow, HostSchedule
from interviews.scheduling.slots import Availability, DateOverride, WeeklyWindow

Span = tuple[time, time]


def _schedule(user_id: int) -> HostSchedule | None:
    return db.session.scalar(select(HostSchedule).where(HostSchedule.user_id == user_id))


def timezone_of(user_id: int) -> str:
    """The zone a person keeps their hours in (and reads times in); UTC when they have
    set none (pages then say so: see saved_timezone)."""
    return saved_timezone(user_id) or "UTC"


def saved_timezone(user_id: int) -> str | None:
    """The person's own zone, set on their profile, when they joined or with their hours
    (one zone per person, for both); None when they have set none."""
    return db.session.scalar(select(HostSchedule.timezone).where(HostSchedule.user_id == user_id))


def set_timezone(user_id: int, timezone: str) -> None:
    """Set the person's zone: the times they read, and the zone their hours are kept in
    (9:00-17:00 stays 9:00-17:00 on their new clock). Raises InvalidInput for a name
    that is not a zone."""
    dates.parse_timezone(timezone)
    schedule = _schedule(user_id)
    if schedule is None:
        # A zone and no windows: nobody can book them until they set hours.
        db.session.add(HostSchedule(user_id=user_id, timezone=timezone, booking_version=0))
    else:
        schedule.timezone = timezone
    db.session.commit()


def propose_timezone(user_id: int, timezone: str | None) -> bool:
    """Take the browser's zone for someone who has none yet (they just joined); a zone
    they already chose stays, and a name that is not a zone is ignored (they can pick one
    on their profile). Returns whether it was saved."""
    if not timezone or saved_timezone(user_id) is not None:
        return False
    try:
        set_timezone(user_id, timezone)
    except InvalidInput:
        return False
    return True


def _weekly_windows(weekly: list[tuple[int, time, time]]) -> list[WeeklyWindow]:
    try:
        return [WeeklyWindow(day, start, end) for day, start, end in weekly]
    except ValueError as error:
        raise InvalidInput(f"A weekly window is not valid: {error}.", field="weekly") from None


def _replace_weekly(
    user_id: int, timezone: str, weekly: list[tuple[int, time, time]]
) -> HostSchedule:
    """The host's schedule (made if new) with this zone and these weekly windows."""
    dates.parse_timezone(timezone)
    windows = _weekly_windows(weekly)
    schedule = _schedule(user_id)
    if schedule is None:
        schedule = HostSchedule(user_id=user_id, timezone=timezone, booking_version=0)
        db.session.add(schedule)
    schedule.timezone = timezone
    schedule.windows = [
        AvailabilityWindow(weekday=w.weekday, start_time=w.start, end_time=w.end) for w in windows
    ]
    return schedule


def set_availability(
    user_id: int,
    *,
    timezone: str,
    weekly: list[tuple[int, time, time]],
    overrides: list[tuple[date, time | None, time | None]] = (),
) -> None:
    """Replace a host's weekly windows and date overrides (a day off is (day, None, None))."""
    schedule = _replace_weekly(user_id, timezone, weekly)
    schedule.overrides = [
        AvailabilityOverride(day=day, start_time=start, end_time=end)
        for day, start, end in overrides
    ]
    db.session.commit()


def set_weekly_hours(user_id: int, *, timezone: str, weekly: list[tuple[int, time, time]]) -> None:
    """Replace a host's zone and weekly windows; their special days stay as they are."""
    _replace_weekly(user_id, timezone, weekly)
    db.session.commit()


def set_day(user_id: int, day: date, windows: list[Span]) -> None:
    """Make one day unlike the weekly pattern: these windows only, or none (a day off).

    Raises InvalidInput when a window ends before it starts or the host has no hours yet.
    """
    for start, end in windows:
        if end <= start:
            raise InvalidInput(
                f"{start:%H:%M} to {end:%H:%M}: the end comes after the start, on the same day.",
                field="end",
            )
    schedule = _schedule(user_id)
    if schedule is None:
        raise InvalidInput("Set your weekly hours first.", field="day")
    schedule.overrides = [o for o in schedule.overrides if o.day != day] + (
        [AvailabilityOverride(day=day, start_time=s, end_time=e) for s, e in sorted(windows)]
        or [AvailabilityOverride(day=day, start_time=None, end_time=None)]
    )
    db.session.commit()


def add_day_window(user_id: int, day: date, start: time, end: time) -> None:
    """Open extra hours on one day (a Saturday, an evening). On a day already special,
    they join its windows; a day off becomes a day with just these hours."""
    current = hours_of(user_id)
    if current is None:
        raise InvalidInput("Set your weekly hours first.", field="day")
    set_day(user_id, day, [*current.special_days.get(day, []), (start, end)])


def clear_day(user_id: int, day: date) -> None:
    """Back to the weekly pattern for that day. Raises NotFound when it was not special."""
    schedule = _schedule(user_id)
    if schedule is None or not any(o.day == day for o in schedule.overrides):
        raise NotFound("That day already follows your weekly hours.")
    schedule.overrides = [o for o in schedule.overrides if o.day != day]
    db.session.commit()


@dataclass(frozen=True)
class HostHours:
    """A host's hours as their settings page shows them."""

    timezone: str
    weekly: list[tuple[int, time, time]]
    # Each special day's windows, in day order; an empty list is a day off.
    special_days: dict[date, list[Span]]

    @property
    def days_off(self) -> list[date]:
        return [day for day, windows in self.special_days.items() if not windows]


def hours_of(user_id: int) -> HostHours | None:
    """A host's zone, weekly windows and special days; None when they have set none."""
    schedule = _schedule(user_id)
    if schedule is None:
        return None
    special: dict[date, list[Span]] = {}
    for override in sorted(schedule.overrides, key=lambda o: (o.day, o.start_time or time(0))):
        windows = special.setdefault(override.day, [])
        if override.start_time is not None and override.end_time is not None:
            windows.append((override.start_time, override.end_time))
    return HostHours(
        timezone=schedule.timezone,
        weekly=[(w.weekday, w.start_time, w.end_time) for w in schedule.windows],
        special_days=special,
    )


def offering_hours(user_ids: set[int]) -> set[int]:
    """Which of these people have saved hours that offer some time: a weekly window, or
    a special day with one (a zone alone, or only days off, offers none). Two lookups
    for them all, where hours_of reads each person's hours whole."""
    if not user_ids:
        return set()
    weekly = (
        select(HostSchedule.user_id)
        .join(AvailabilityWindow, AvailabilityWindow.schedule_id == HostSchedule.id)
        .where(HostSchedule.user_id.in_(user_ids))
    )
    special = (
        select(HostSchedule.user_id)
        .join(AvailabilityOverride, AvailabilityOverride.schedule_id == HostSchedule.id)
        .where(
            HostSchedule.user_id.in_(user_ids),
            AvailabilityOverride.start_time.is_not(None),
            AvailabilityOverride.end_time.is_not(None),
        )
    )
    return set(db.session.scalars(union(weekly, special)))


def availability_of(user_id: int) -> Availability | None:
    """A host's hours as the slot computation takes them; None when they have set none."""
    hours = hours_of(user_id)
    if hours is None:
        return None
    return Availability(
        timezone=hours.timezone,
        weekly=tuple(WeeklyWindow(day, start, end) for day, start, end in hours.weekly),
        overrides=tuple(DateOverride(day, tuple(w)) for day, w in hours.special_days.items()),
    )
