"""The weekly digest's pure rules: the week, when it is due, and its numbers.

Every expected value is worked out by hand in the comments. Europe/Berlin leaves summer
time on Sunday 26 October 2025 (03:00 CEST -> 02:00 CET) and starts it on Sunday 30
March 2025; America/New_York leaves it on Sunday 2 November 2025.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from interviews.money import Money
from interviews.reports import weekly
from interviews.scheduling.attendance import AttendanceNumbers


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def numbers(**counts: int) -> AttendanceNumbers:
    fields = ("booked", "upcoming", "joined", "completed", "no_show", "cancelled", "recovered")
    return AttendanceNumbers(**{name: counts.get(name, 0) for name in fields})


def usd(amount: str) -> Money:
    return Money("USD", Decimal(amount))


# --- the week ------------------------------------------------------------------------------


def test_monday_of_is_the_monday_of_the_same_week():
    assert weekly.monday_of(date(2025, 10, 20)) == date(2025, 10, 20)  # a Monday
    assert weekly.monday_of(date(2025, 10, 26)) == date(2025, 10, 20)  # its Sunday
    assert weekly.monday_of(date(2026, 1, 1)) == date(2025, 12, 29)  # across a year


def test_a_summer_week_in_berlin_runs_from_sunday_22_00_utc():
    start, end = weekly.week_bounds(date(2025, 10, 13), "Europe/Berlin")
    # Monday 00:00 CEST (UTC+2) is Sunday 22:00 UTC, both ends.
    assert (start, end) == (utc(2025, 10, 12, 22), utc(2025, 10, 19, 22))


def test_the_week_summer_time_ends_is_an_hour_longer():
    start, end = weekly.week_bounds(date(2025, 10, 20), "Europe/Berlin")
    # Starts at 00:00 CEST (22:00 UTC), ends at 00:00 CET (23:00 UTC): 169 hours.
    assert (start, end) == (utc(2025, 10, 19, 22), utc(2025, 10, 26, 23))
    assert end - start == timedelta(hours=169)


def test_the_week_summer_time_starts_is_an_hour_shorter():
    start, end = weekly.week_bounds(date(2025, 3, 24), "Europe/Berlin")
    # 00:00 CET is 23:00 UTC the day before; 00:00 CEST is 22:00 UTC: 167 hours.
    assert (start, end) == (utc(2025, 3, 23, 23), utc(2025, 3, 30, 22))
    assert end - start == timedelta(hours=167)


def test_new_york_weeks_follow_new_york_clocks():
    start, end = weekly.week_bounds(date(2025, 10, 27), "America/New_York")
    # 00:00 EDT (UTC-4) is 04:00 UTC; the next Monday 00:00 EST (UTC-5) is 05:00 UTC.
    assert (start, end) == (utc(2025, 10, 27, 4), utc(2025, 11, 3, 5))


def test_a_week_in_utc_is_seven_whole_days():
    assert weekly.week_bounds(date(2025, 10, 20), "UTC") == (utc(2025, 10, 20), utc(2025, 10, 27))


def test_a_week_must_start_on_a_monday():
    with pytest.raises(ValueError, match="Monday"):
        weekly.week_bounds(date(2025, 10, 22), "UTC")


# --- when it is due ------------------------------------------------------------------------


def test_the_digest_is_due_at_08_00_on_the_monday_after_in_local_time():
    # Monday 27 October is already CET (UTC+1): 08:00 local is 07:00 UTC.
    assert weekly.send_time(date(2025, 10, 20), "Europe/Berlin") == utc(2025, 10, 27, 7)
    # Monday 20 October is still CEST (UTC+2): 08:00 local is 06:00 UTC.
    assert weekly.send_time(date(2025, 10, 13), "Europe/Berlin") == utc(2025, 10, 20, 6)


def test_until_monday_08_00_the_latest_digest_due_is_the_week_before_last():
    berlin = "Europe/Berlin"
    assert weekly.due_week(utc(2025, 10, 27, 6, 59, 59), berlin) == date(2025, 10, 13)
    assert weekly.due_week(utc(2025, 10, 27, 7), berlin) == date(2025, 10, 20)
    # Sunday 2 November 23:30 CET: the week of 27 October has not ended yet.
    assert weekly.due_week(utc(2025, 11, 2, 22, 30), berlin) == date(2025, 10, 20)


def test_a_sweep_days_late_is_due_only_the_latest_week():
    # Wednesday 12 November: the week of 3 November, not the two before it.
    assert weekly.due_week(utc(2025, 11, 12, 12), "Europe/Berlin") == date(2025, 11, 3)


def test_the_readers_zone_decides_which_monday_it_is():
    # Sunday 26 October 20:00 UTC is Monday 27 October 09:00 in Auckland (NZDT, UTC+13).
    now = utc(2025, 10, 26, 20)
    assert weekly.due_week(now, "Pacific/Auckland") == date(2025, 10, 20)
    assert weekly.due_week(now, "UTC") == date(2025, 10, 13)


# --- the numbers ---------------------------------------------------------------------------


def test_show_rate_is_completed_over_completed_and_no_shows():
    assert weekly.show_rate(numbers(completed=3, no_show=1, cancelled=5)) == 0.75
    assert weekly.percent(weekly.show_rate(numbers(completed=2, no_show=1))) == "67%"


def test_a_week_without_completed_or_no_shows_has_no_show_rate():
    assert weekly.show_rate(numbers(cancelled=2, upcoming=1, booked=3)) is None
    assert weekly.percent(None) == "no data"


def test_the_workspace_numbers_are_the_studies_summed():
    total = weekly.total_attendance(
        [
            numbers(booked=4, completed=2, no_show=1, cancelled=1, recovered=1),
            numbers(booked=3, completed=1, joined=1, upcoming=1),
        ]
    )
    assert total == numbers(
        booked=7, completed=3, no_show=1, cancelled=1, joined=1, upcoming=1, recovered=1
    )
    assert weekly.total_attendance([]) == numbers()


def _line(id_: int, day: int, text: str = "") -> weekly.TakeawayLine:
    return weekly.TakeawayLine(id_, text or f"takeaway {id_}", "", None, utc(2025, 10, day, 12))


def test_a_digest_counts_the_week_and_quotes_the_newest_takeaways():
    digest = weekly.build_digest(
        workspace_name="Acme",
        week_start=date(2025, 10, 20),
        timezone="Europe/Berlin",
        attendance=[numbers(booked=5, completed=3, no_show=1, cancelled=1)],
        ahead=[numbers(booked=4, upcoming=3, cancelled=1), numbers(booked=1, upcoming=1)],
        takeaways=[_line(1, 20), _line(4, 22), _line(2, 25), _line(3, 25)],
        shipped=[
            weekly.ShippedLine(9, "Bulk export", 1, "Grow teams", utc(2025, 10, 24)),
            weekly.ShippedLine(8, "Dark mode", 1, "Grow teams", utc(2025, 10, 21)),
        ],
        owed=[(True, usd("20")), (False, usd("20")), (True, usd("20.50"))],
    )
    assert (digest.attendance.completed, digest.attendance.no_show) == (3, 1)
    assert digest.show_rate == 0.75
    assert digest.ahead == 4  # 5 booked next week, 1 of them cancelled
    assert digest.takeaways == 4
    # Newest first: 25 Oct (id 3, then 2: same instant, later id first), then 22 Oct.
    assert [t.id for t in digest.newest] == [3, 2, 4]
    assert [s.title for s in digest.shipped] == ["Dark mode", "Bulk export"]  # oldest first
    assert digest.overdue == 2
    assert digest.overdue_total.label() == "$40.50"
    assert digest.week_end == date(2025, 10, 26)
    assert not digest.quiet
    assert weekly.subject(digest) == "Acme, week of 20 Oct: 3 interviews held, show rate 75%"


def test_overdue_totals_stay_apart_by_currency():
    digest = weekly.build_digest(
        workspace_name="Acme",
        week_start=date(2025, 10, 20),
        timezone="UTC",
        attendance=[],
        ahead=[],
        takeaways=[],
        shipped=[],
        owed=[(True, usd("20")), (True, Money("EUR", Decimal("15"))), (True, usd("20"))],
    )
    assert digest.overdue == 3
    assert digest.overdue_total.label() == "€15.00 + $40.00"


def test_an_empty_week_is_quiet_with_no_show_rate():
    digest = weekly.build_digest(
        workspace_name="Acme",
        week_start=date(2025, 10, 20),
        timezone="UTC",
        attendance=[numbers(), numbers()],
        ahead=[],
        takeaways=[],
        shipped=[],
        owed=[(False, usd("20"))],
    )
    assert digest.quiet
    assert digest.show_rate is None
    assert (digest.interviews, digest.ahead, digest.takeaways, digest.overdue) == (0, 0, 0, 0)
    assert digest.overdue_total.label() == "nothing"
    assert weekly.subject(digest) == "Acme, week of 20 Oct: a quiet week"


def test_a_week_of_only_cancellations_is_not_quiet_but_has_no_show_rate():
    digest = weekly.build_digest(
        workspace_name="Acme",
        week_start=date(2025, 10, 20),
        timezone="UTC",
        attendance=[numbers(booked=2, cancelled=2)],
        ahead=[],
        takeaways=[],
        shipped=[],
        owed=[],
    )
    assert not digest.quiet
    assert weekly.subject(digest) == "Acme, week of 20 Oct: 0 interviews held"


def test_week_labels_name_both_months_or_years_when_the_week_spans_them():
    assert weekly.week_label(date(2025, 10, 20)) == "20–26 October 2025"
    assert weekly.week_label(date(2025, 10, 27)) == "27 October – 2 November 2025"
    assert weekly.week_label(date(2025, 12, 29)) == "29 December 2025 – 4 January 2026"


def test_long_takeaways_are_cut_at_a_word():
    text = "word " * 100
    cut = weekly.short(text, 23)
    assert cut == "word word word word…"
    assert weekly.short("  two\n lines ") == "two lines"
