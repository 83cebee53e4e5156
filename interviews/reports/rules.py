"""The research-operations dashboard's maths: day ranges, weekly buckets, the funnel,
and rates. Pure: plain data in and out, no Flask, no database.

Days are UTC days and a range ``first..last`` includes both ends, as in the API. A
range that ends before it starts is not an error: it holds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from interviews import dates
from interviews.errors import InvalidInput

DEFAULT_WEEKS = 12
# Weekly buckets are built one per week: a longer range would make a page nobody reads.
MAX_DAYS = 2 * 366
COMPLETED, NO_SHOW, CANCELLED = "completed", "no_show", "cancelled"


class ReportInputError(ValueError):
    """A filter that cannot be read; ``field`` names it."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message, self.field = message, field


def ratio(part: int, whole: int) -> float | None:
    """part / whole; None when there is nothing to divide by ("no data", never 0%)."""
    return part / whole if whole else None


def show_rate(completed: int, no_show: int) -> float | None:
    """completed / (completed + no-show): the flake rate's complement."""
    return ratio(completed, completed + no_show)


def percent(rate: float | None) -> str:
    """For people: "12.5%", or "no data" when there was nothing to count."""
    return "no data" if rate is None else f"{rate * 100:.1f}%"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class DayRange:
    """UTC days ``first``..``last``, both included."""

    first: date
    last: date

    @property
    def empty(self) -> bool:
        return self.first > self.last

    def bounds(self) -> tuple[datetime, datetime | None]:
        """[start, end) as aware UTC instants; end is None when ``last`` is date.max."""
        return day_bounds(self.first, self.last)  # type: ignore[return-value]

    def weeks(self) -> list[date]:
        """The Mondays of the weeks the range touches, oldest first; none when empty."""
        if self.empty:
            return []
        out, week = [], monday(self.first)
        while week <= self.last:
            out.append(week)
            week += timedelta(days=7)
        return out

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last


def day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """The instants [start, end) of UTC days first..last; None for an open end."""
    start = datetime.combine(first, time(0), tzinfo=UTC) if first else None
    # date.max has no next day: a range that ends there has no end.
    end = (
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC)
        if last and last < date.max
        else None
    )
    return start, end


def default_range(today: date, weeks: int = DEFAULT_WEEKS) -> DayRange:
    """The last ``weeks`` weeks up to today: from the Monday ``weeks - 1`` weeks before
    this week's, to today (this week so far is the last bucket)."""
    return DayRange(monday(today) - timedelta(weeks=weeks - 1), today)


def _day(raw: str, field: str) -> date:
    try:
        return dates.parse_day(raw, f"The {'first' if field == 'from' else 'last'} day", field)
    except InvalidInput as error:
        raise ReportInputError(f"{error.message[:-1]} (got “{raw[:40]}”).", field) from None


def parse_range(raw_from: str | None, raw_to: str | None, today: date) -> DayRange:
    """The range a user asked for: a missing ``to`` is today, a missing ``from`` the
    start of the default span of weeks before ``to``. Raises ReportInputError for a day
    that cannot be read, a range that ends before it starts or one over MAX_DAYS."""
    last = _day(raw_to, "to") if raw_to else today
    first = _day(raw_from, "from") if raw_from else default_range(last).first
    if first > last:
        # An empty range would show zeros that look like real numbers.
        raise ReportInputError(
            f"From must be on or before To: {first.isoformat()} is after {last.isoformat()}.",
            "from",
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise ReportInputError(
            f"A report covers at most {MAX_DAYS} days; choose a shorter range.", "to"
        )
    return DayRange(first, last)


def no_data_before(span: DayRange, first_activity: date | None) -> date | None:
    """The workspace's first day of activity when the range starts before it (the
    numbers of the days before are zeros for want of data, which the page must say);
    None when the whole range is after it, or nothing has happened yet."""
    if first_activity is None or span.first >= first_activity:
        return None
    return first_activity


def parse_study_id(raw: str | None) -> int | None:
    """A study id from the query, None for "all studies". Raises ReportInputError."""
    if raw is None or raw.strip() in ("", "all"):
        return None
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 11:
        raise ReportInputError("Choose a study from the list.", "study")
    return int(raw)


# --- at a glance -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Glance:
    """The headline numbers of a dashboard, summed from its tables: every study's
    completed calls, no-shows and recoveries, and the reminders sent."""

    completed: int
    no_show: int
    recovered: int
    reminders: int

    @property
    def flake_rate(self) -> float | None:
        return ratio(self.no_show, self.completed + self.no_show)

    @property
    def show_rate(self) -> float | None:
        return show_rate(self.completed, self.no_show)

    @property
    def recovery_rate(self) -> float | None:
        return ratio(self.recovered, self.no_show)


# --- weekly buckets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekCounts:
    week: date  # its Monday
    booked: int  # every interview starting this week, cancelled ones too
    completed: int
    no_show: int
    cancelled: int
    reminders: int  # reminders sent this week (by the day they went out)

    @property
    def flake_rate(self) -> float | None:
        return ratio(self.no_show, self.completed + self.no_show)


def weekly(
    span: DayRange,
    interviews: Iterable[tuple[date, str]],
    reminders: Iterable[tuple[date, int]],
) -> list[WeekCounts]:
    """One line per week the range touches, weeks with nothing included, from
    (start day, status) of interviews and (day, how many) of reminders sent. Days
    outside the range are left out, so a first or last week may be partial."""
    weeks = span.weeks()
    counts: dict[date, dict[str, int]] = {w: {} for w in weeks}
    for day, status in interviews:
        if day in span:
            bucket = counts[monday(day)]
            bucket["booked"] = bucket.get("booked", 0) + 1
            bucket[str(status)] = bucket.get(str(status), 0) + 1
    for day, sent in reminders:
        if day in span:
            bucket = counts[monday(day)]
            bucket["reminders"] = bucket.get("reminders", 0) + sent
    return [
        WeekCounts(
            week=w,
            booked=counts[w].get("booked", 0),
            completed=counts[w].get(COMPLETED, 0),
            no_show=counts[w].get(NO_SHOW, 0),
            cancelled=counts[w].get(CANCELLED, 0),
            reminders=counts[w].get("reminders", 0),
        )
        for w in weeks
    ]


# --- the funnel --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    label: str
    count: int
    of: str  # what the conversion is a share of ("" for the first step)
    rate: float | None


@dataclass(frozen=True)
class Funnel:
    """Personal invites sent in the range, how many of them booked and how many of those
    completed; beside them, interviews starting in the range that came without an
    invite (the open study link, or recorded by hand) and rebookings of no-shows."""

    invited: int
    booked: int
    completed: int
    open_booked: int
    open_completed: int
    rebooked: int
    rebooked_completed: int

    def steps(self) -> list[FunnelStep]:
        return [
            FunnelStep("Invited (personal invites sent)", self.invited, "", None),
            FunnelStep(
                "Booked through the invite",
                self.booked,
                "invited",
                ratio(self.booked, self.invited),
            ),
            FunnelStep(
                "Completed, of those booked",
                self.completed,
                "booked",
                ratio(self.completed, self.booked),
            ),
            FunnelStep("Booked without a personal invite (open link)", self.open_booked, "", None),
            FunnelStep(
                "Completed, of the open-link bookings",
                self.open_completed,
                "open-link bookings",
                ratio(self.open_completed, self.open_booked),
            ),
            FunnelStep("Rebooked after a no-show", self.rebooked, "", None),
            FunnelStep(
                "Completed, of the rebookings",
                self.rebooked_completed,
                "rebookings",
                ratio(self.rebooked_completed, self.rebooked),
            ),
        ]


def funnel(invites: Iterable[str | None], uninvited: Iterable[tuple[str, bool]]) -> Funnel:
    """From the status of each invite's booked interview (None: not booked) and
    (status, is a rebooking) of each interview that came without an invite."""
    invite_statuses = list(invites)
    booked = [s for s in invite_statuses if s is not None]
    others = list(uninvited)
    open_link = [s for s, rebooking in others if not rebooking]
    rebookings = [s for s, rebooking in others if rebooking]
    return Funnel(
        invited=len(invite_statuses),
        booked=len(booked),
        completed=sum(1 for s in booked if s == COMPLETED),
        open_booked=len(open_link),
        open_completed=sum(1 for s in open_link if s == COMPLETED),
        rebooked=len(rebookings),
        rebooked_completed=sum(1 for s in rebookings if s == COMPLETED),
    )
