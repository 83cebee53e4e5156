"""The dashboard's maths against numbers worked out by hand: rates, the funnel, weekly
buckets and their edges, ranges, CSV cells, and empty studies ("no data", never a
division by zero)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from interviews import spreadsheet
from interviews.compensation.rules import cost_per_completed
from interviews.money import Money, Totals
from interviews.reports import charts, rules, tables
from interviews.reports.rules import DayRange, ReportInputError
from interviews.scheduling.attendance import count_attendance
from interviews.scheduling.models import InterviewStatus as S

TODAY = date(2026, 12, 2)  # a Wednesday


def test_flake_show_and_recovery_rates_are_the_hand_worked_numbers():
    # 3 completed, 2 no-shows (1 came back), 1 cancelled, 1 upcoming.
    n = count_attendance([S.COMPLETED] * 3 + [S.NO_SHOW] * 2 + [S.CANCELLED, S.BOOKED], 1)
    assert (n.booked, n.completed, n.no_show, n.cancelled, n.upcoming) == (7, 3, 2, 1, 1)
    assert n.flake_rate == pytest.approx(2 / 5)
    assert rules.show_rate(n.completed, n.no_show) == pytest.approx(3 / 5)
    assert n.recovery_rate == pytest.approx(1 / 2)


def test_a_study_nobody_has_met_has_no_rates_rather_than_zero():
    n = count_attendance([S.CANCELLED, S.BOOKED], 0)
    assert n.flake_rate is None and n.recovery_rate is None
    assert rules.show_rate(0, 0) is None
    assert rules.percent(n.flake_rate) == "no data"
    assert rules.ratio(0, 0) is None and rules.ratio(0, 4) == 0.0


def test_percent_shows_one_decimal():
    assert rules.percent(1 / 3) == "33.3%"
    assert rules.percent(0.1) == "10.0%"


def test_the_funnel_converts_invited_to_booked_to_completed():
    # 5 invites: 3 booked (2 completed, 1 no-show), 2 never booked.
    invites = ["completed", "no_show", "completed", None, None]
    # Without an invite: 2 from the open link (1 completed), 1 rebooking, completed.
    uninvited = [("completed", False), ("cancelled", False), ("completed", True)]
    f = rules.funnel(invites, uninvited)
    assert (f.invited, f.booked, f.completed) == (5, 3, 2)
    assert (f.open_booked, f.open_completed, f.rebooked, f.rebooked_completed) == (2, 1, 1, 1)
    steps = {s.label: s for s in f.steps()}
    assert steps["Booked through the invite"].rate == pytest.approx(3 / 5)
    assert steps["Completed, of those booked"].rate == pytest.approx(2 / 3)
    assert steps["Completed, of the open-link bookings"].rate == pytest.approx(1 / 2)


def test_an_empty_funnel_has_no_conversions():
    f = rules.funnel([], [])
    assert all(step.count == 0 and step.rate is None for step in f.steps())
    assert "no data" in tables.funnel_table(f).cells()[1]


def test_cost_per_completed_is_paid_and_owed_over_completed_per_currency():
    spent = Totals([Money("USD", Decimal("40.00")), Money("USD", Decimal("20.00"))])
    spent += Totals([Money("EUR", Decimal("10.00"))])
    cost = cost_per_completed(spent, 7)
    # 60 / 7 = 8.571... rounds half up to 8.57; 10 / 7 = 1.428... to 1.43.
    assert cost == {"EUR": Money("EUR", Decimal("1.43")), "USD": Money("USD", Decimal("8.57"))}
    assert cost_per_completed(spent, 0) == {}


def test_weeks_start_on_monday_and_include_weeks_with_nothing():
    span = DayRange(date(2026, 11, 4), date(2026, 11, 24))  # Wed .. Tue
    weeks = rules.weekly(
        span,
        [
            (date(2026, 11, 4), "completed"),  # first day: in
            (date(2026, 11, 3), "completed"),  # the day before: out, though its week is in
            (date(2026, 11, 5), "no_show"),
            (date(2026, 11, 24), "cancelled"),  # last day: in
            (date(2026, 11, 25), "completed"),  # the day after: out
        ],
        [(date(2026, 11, 4), 2), (date(2026, 11, 23), 1), (date(2026, 11, 30), 5)],
    )
    assert [w.week for w in weeks] == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
    first, quiet, _, last = weeks
    assert (first.booked, first.completed, first.no_show, first.reminders) == (2, 1, 1, 2)
    assert first.flake_rate == pytest.approx(0.5)
    assert (quiet.booked, quiet.reminders, quiet.flake_rate) == (0, 0, None)
    assert (last.booked, last.cancelled, last.reminders, last.flake_rate) == (1, 1, 1, None)


def test_a_range_that_ends_before_it_starts_has_no_weeks():
    span = DayRange(date(2026, 11, 10), date(2026, 11, 1))
    assert span.empty and span.weeks() == []
    assert rules.weekly(span, [(date(2026, 11, 5), "completed")], []) == []


def test_the_default_range_is_twelve_weeks_ending_today():
    span = rules.default_range(TODAY)
    assert span == DayRange(date(2026, 9, 14), TODAY)
    assert len(span.weeks()) == 12 and span.weeks()[-1] == date(2026, 11, 30)
    assert rules.parse_range(None, None, TODAY) == span


def test_range_bounds_are_utc_midnights_with_the_last_day_included():
    assert DayRange(date(2026, 11, 2), date(2026, 11, 3)).bounds() == (
        datetime(2026, 11, 2, tzinfo=UTC),
        datetime(2026, 11, 4, tzinfo=UTC),
    )
    assert rules.day_bounds(None, date.max) == (None, None)


def test_a_missing_from_counts_back_from_to():
    span = rules.parse_range(None, "2026-06-10", TODAY)
    assert span.last == date(2026, 6, 10) and span.first == date(2026, 3, 23)
    assert rules.parse_range("2026-11-01", None, TODAY) == DayRange(date(2026, 11, 1), TODAY)


@pytest.mark.parametrize(
    ("raw_from", "raw_to", "field"),
    [
        ("yesterday", None, "from"),
        (None, "2026-13-01", "to"),
        ("2020-01-01", "2026-01-01", "to"),
        ("2026-12-31", "2026-01-01", "from"),
    ],
)
def test_days_that_cannot_be_read_and_long_ranges_are_refused(raw_from, raw_to, field):
    with pytest.raises(ReportInputError) as refused:
        rules.parse_range(raw_from, raw_to, TODAY)
    assert refused.value.field == field


@pytest.mark.parametrize(("raw", "expected"), [(None, None), ("", None), ("all", None), ("12", 12)])
def test_study_ids_are_read(raw, expected):
    assert rules.parse_study_id(raw) == expected


@pytest.mark.parametrize("raw", ["x", "-1", "³", "1" * 12])
def test_unreadable_study_ids_are_refused(raw):
    with pytest.raises(ReportInputError):
        rules.parse_study_id(raw)


def test_csv_cells_cannot_start_a_formula():
    assert spreadsheet.csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert [spreadsheet.csv_cell(v) for v in ("+1", "-x", "@a", "\tx", "plain")] == [
        "'+1",
        "'-x",
        "'@a",
        "'\tx",
        "plain",
    ]
    assert spreadsheet.csv_cell(None) == "" and spreadsheet.csv_cell(3) == 3


def test_a_table_writes_exact_csv_and_readable_cells():
    weeks = rules.weekly(DayRange(date(2026, 11, 2), date(2026, 11, 8)), [], [])
    table = tables.weekly_table(weeks)
    assert table.cells() == [["2 Nov 2026", "0", "0", "0", "0", "no data"]]
    assert table.csv().splitlines() == [
        "week,booked,completed,no_show,cancelled,flake_rate",
        "2026-11-02,0,0,0,0,",
    ]


def test_charts_of_nothing_say_so_and_carry_no_script():
    empty = charts.flake_chart([("Pricing", None)], 0.1, 0.4)
    assert b"No data in this range" in empty and b"<script" not in empty
    drawn = charts.flake_chart([("Pricing", 0.25), ("Empty", None)], 0.1, 0.4)
    assert b"10% good, engaged B2B" in drawn and b"40% usual, consumers" in drawn
    assert b"Empty: no data" in drawn and b"<script" not in drawn
    assert b"No data" in charts.weekly_chart(rules.weekly(DayRange(TODAY, TODAY), [], []))


def test_a_range_that_ends_before_it_starts_says_from_must_come_first():
    with pytest.raises(ReportInputError, match="From must be on or before To"):
        rules.parse_range("2026-12-31", "2026-01-01", TODAY)


def test_no_data_before_names_the_first_day_only_when_the_range_starts_earlier():
    span = DayRange(date(2020, 3, 2), date(2020, 3, 29))
    assert rules.no_data_before(span, date(2025, 11, 3)) == date(2025, 11, 3)
    assert rules.no_data_before(span, date(2020, 3, 2)) is None
    assert rules.no_data_before(span, None) is None
