"""The weekly digest's rules: which week a digest reports on, when it is due, and its
numbers from plain data. Pure: no Flask, no database, and the clock is an argument.

A digest reports on one week of the reader's own time zone, Monday 00:00 to the next
Monday 00:00 (167 or 169 hours when the clocks change), and is due from SEND_AT on the
Monday that ends it. A sweep after that sends it if it has not gone; a sweep days late
still sends only the latest week's, never a backlog.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from interviews.money import Money, Totals
from interviews.scheduling.attendance import AttendanceNumbers

SEND_AT = time(8)  # local time on Monday from which last week's digest is due
WEEK = timedelta(days=7)
NEWEST_TAKEAWAYS = 3  # quoted in the email; the count covers all of them
MAX_LINE = 200  # characters of a takeaway's words in the email


def monday_of(day: date) -> date:
    """The Monday of the (Monday to Sunday) week ``day`` is in."""
    return day - timedelta(days=day.weekday())


def week_bounds(week_start: date, timezone: str) -> tuple[datetime, datetime]:
    """The week beginning on Monday ``week_start`` in ``timezone`` as [start, end) in UTC.

    Seven local days, not 168 hours: across a DST change the week is an hour shorter or
    longer. Raises ValueError when ``week_start`` is not a Monday."""
    if week_start.weekday() != 0:
        raise ValueError(f"A digest's week starts on a Monday, not on {week_start:%A}.")
    zone = ZoneInfo(timezone)
    start = datetime.combine(week_start, time(0), tzinfo=zone)
    end = datetime.combine(week_start + WEEK, time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def send_time(week_start: date, timezone: str) -> datetime:
    """When the digest of that week becomes due (UTC): SEND_AT on the Monday after it."""
    zone = ZoneInfo(timezone)
    return datetime.combine(week_start + WEEK, SEND_AT, tzinfo=zone).astimezone(UTC)


def due_week(now: datetime, timezone: str) -> date:
    """The Monday of the latest week whose digest is due at ``now`` (aware) for a reader
    in ``timezone``: last week's from Monday SEND_AT on, the week before's until then."""
    this_monday = monday_of(now.astimezone(ZoneInfo(timezone)).date())
    last_week = this_monday - WEEK
    return last_week if now >= send_time(last_week, timezone) else last_week - WEEK


def total_attendance(per_study: Iterable[AttendanceNumbers]) -> AttendanceNumbers:
    """The workspace's numbers: each study's summed, field by field."""
    numbers = list(per_study)
    return AttendanceNumbers(
        **{f.name: sum(getattr(n, f.name) for n in numbers) for f in fields(AttendanceNumbers)}
    )


def show_rate(numbers: AttendanceNumbers) -> float | None:
    """completed / (completed + no-show), the complement of the flake rate; None when
    neither happened (no data, never a division by zero)."""
    happened = numbers.completed + numbers.no_show
    return numbers.completed / happened if happened else None


def percent(rate: float | None) -> str:
    """As the study page shows rates: "75%", or "no data"."""
    return "no data" if rate is None else f"{rate * 100:.0f}%"


def short(words: str, limit: int = MAX_LINE) -> str:
    """Whitespace collapsed and cut at a word before ``limit`` characters."""
    words = " ".join((words or "").split())
    if len(words) <= limit:
        return words
    return words[: limit - 1].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class TakeawayLine:
    """A takeaway added in the week, as the digest quotes it."""

    id: int
    text: str
    quote: str
    who: str | None  # the participant's name, when it came from one
    created_at: datetime


@dataclass(frozen=True)
class ShippedLine:
    """An output marked shipped in the week, and the map it is on."""

    id: int
    title: str
    map_id: int
    map_goal: str
    shipped_at: datetime


@dataclass(frozen=True)
class WeeklyDigest:
    workspace_name: str
    week_start: date  # the Monday
    timezone: str  # the reader's, which the week is counted in
    attendance: AttendanceNumbers  # interviews that started in the week
    ahead: int  # interviews on the calendar for the week after it (not cancelled)
    takeaways: int  # added in the week
    newest: tuple[TakeawayLine, ...]  # the newest few of them
    shipped: tuple[ShippedLine, ...]  # oldest first
    overdue: int  # rewards owed past the team's promise, when the digest was written
    overdue_total: Totals

    @property
    def week_end(self) -> date:
        """The week's last day, the Sunday."""
        return self.week_start + timedelta(days=6)

    @property
    def show_rate(self) -> float | None:
        return show_rate(self.attendance)

    @property
    def unmarked(self) -> int:
        """Interviews of the week whose attendance nobody recorded yet."""
        return self.attendance.upcoming + self.attendance.joined

    @property
    def interviews(self) -> int:
        """Interviews that started in the week, cancelled ones included."""
        return self.attendance.booked

    @property
    def quiet(self) -> bool:
        """Nothing happened: no interviews, takeaways or shipped outputs."""
        return not (self.interviews or self.takeaways or self.shipped)


def build_digest(
    *,
    workspace_name: str,
    week_start: date,
    timezone: str,
    attendance: Iterable[AttendanceNumbers],
    ahead: Iterable[AttendanceNumbers],
    takeaways: Iterable[TakeawayLine],
    shipped: Iterable[ShippedLine],
    owed: Iterable[tuple[bool, Money]],
) -> WeeklyDigest:
    """The digest from plain data: the week's attendance per study, the next week's,
    the takeaways and shipped outputs of the week, and every owed reward as (overdue,
    amount). Totals stay per currency."""
    added = sorted(takeaways, key=lambda t: (t.created_at, t.id), reverse=True)
    next_week = total_attendance(ahead)
    late = [money for overdue, money in owed if overdue]
    return WeeklyDigest(
        workspace_name=workspace_name,
        week_start=week_start,
        timezone=timezone,
        attendance=total_attendance(attendance),
        ahead=next_week.booked - next_week.cancelled,
        takeaways=len(added),
        newest=tuple(added[:NEWEST_TAKEAWAYS]),
        shipped=tuple(sorted(shipped, key=lambda s: (s.shipped_at, s.id))),
        overdue=len(late),
        overdue_total=Totals(late),
    )


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def _day(day: date, month: bool = True, year: bool = False) -> str:
    return f"{day.day}" + (f" {day:%B}" if month else "") + (f" {day.year}" if year else "")


def week_label(week_start: date) -> str:
    """ "20–26 October 2025", "27 October – 2 November 2025", across years in full."""
    end = week_start + timedelta(days=6)
    if week_start.year != end.year:
        return f"{_day(week_start, year=True)} – {_day(end, year=True)}"
    if week_start.month != end.month:
        return f"{_day(week_start)} – {_day(end, year=True)}"
    return f"{_day(week_start, month=False)}–{_day(end, year=True)}"


def subject(digest: WeeklyDigest) -> str:
    """The email's subject: the workspace, the week, and its headline."""
    if digest.quiet:
        headline = "a quiet week"
    else:
        headline = _plural(digest.attendance.completed, "interview") + " held"
        if digest.show_rate is not None:
            headline += f", show rate {percent(digest.show_rate)}"
    return f"{digest.workspace_name}, week of {digest.week_start.day} {digest.week_start:%b}: {headline}"
