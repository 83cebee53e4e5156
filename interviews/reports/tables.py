"""The dashboard's tables, one shape for the page and for its CSV downloads, and the
words that describe each chart to someone who cannot see it. Pure: no Flask, no
database; rows come from the reports service as plain values."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from interviews.reports import rules
from interviews.reports.rules import DayRange, Funnel, WeekCounts, percent
from interviews.spreadsheet import csv_cell

TEXT, COUNT, RATE, MONEY, WEEK = "text", "count", "rate", "money", "week"
# A cell with no number by its nature (not for want of data): empty on the page and in CSV.
NOT_APPLICABLE = object()


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = COUNT
    key: str = ""  # the CSV header


@dataclass(frozen=True)
class Table:
    name: str  # its address: /reports/<name>.csv
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    empty: str = "No data in this range."

    def cells(self) -> list[list[str]]:
        """The rows as people read them on the page."""
        return [
            [_shown(c.kind, v) for c, v in zip(self.columns, row, strict=True)] for row in self.rows
        ]

    def csv(self) -> str:
        """The rows as CSV: exact numbers (rates as fractions, money as decimals beside
        its currency), every text cell safe to open in a spreadsheet."""
        buffer = io.StringIO()
        out = csv.writer(buffer)
        out.writerow([c.key or c.label for c in self.columns])
        for row in self.rows:
            out.writerow(
                [csv_cell(_raw(c.kind, v)) for c, v in zip(self.columns, row, strict=True)]
            )
        return buffer.getvalue()


def _shown(kind: str, value: Any) -> str:
    if value is NOT_APPLICABLE:
        return ""
    if kind == RATE:
        return percent(value)
    if kind == MONEY:
        return value.label() if value is not None else "no data"
    if kind == WEEK:
        return f"{value:%-d %b %Y}"
    return str(value)


def _raw(kind: str, value: Any) -> Any:
    if value is NOT_APPLICABLE:
        return ""
    if kind == RATE:
        return "" if value is None else f"{value:.4f}"
    if kind == MONEY:
        return "" if value is None else str(value)
    if kind == WEEK:
        return value.isoformat()
    return value


def funnel_table(funnel: Funnel) -> Table:
    return Table(
        "funnel",
        "Invited, booked, completed",
        (
            Column("Step", TEXT, "step"),
            Column("People", COUNT, "count"),
            Column("Conversion", RATE, "conversion"),
            Column("Conversion of", TEXT, "conversion_of"),
        ),
        # A first step converts from nothing: its cell is empty, not "no data".
        tuple((s.label, s.count, s.rate if s.of else NOT_APPLICABLE, s.of) for s in funnel.steps()),
    )


def weekly_table(weeks: Sequence[WeekCounts]) -> Table:
    return Table(
        "weekly",
        "Interviews per week",
        (
            Column("Week of (Monday)", WEEK, "week"),
            Column("Booked", COUNT, "booked"),
            Column("Completed", COUNT, "completed"),
            Column("No-show", COUNT, "no_show"),
            Column("Cancelled", COUNT, "cancelled"),
            Column("No-show rate", RATE, "flake_rate"),
        ),
        tuple((w.week, w.booked, w.completed, w.no_show, w.cancelled, w.flake_rate) for w in weeks),
    )


def reminders_table(weeks: Sequence[WeekCounts]) -> Table:
    return Table(
        "reminders",
        "Reminders sent per week",
        (Column("Week of (Monday)", WEEK, "week"), Column("Reminders sent", COUNT, "reminders")),
        tuple((w.week, w.reminders) for w in weeks),
    )


def studies_table(studies: Sequence[Any]) -> Table:
    """``studies``: the service's StudyAttendance lines."""
    return Table(
        "studies",
        "Attendance per study",
        (
            Column("Study", TEXT, "study"),
            Column("Booked", COUNT, "booked"),
            Column("Upcoming", COUNT, "upcoming"),
            Column("Completed", COUNT, "completed"),
            Column("No-show", COUNT, "no_show"),
            Column("Cancelled", COUNT, "cancelled"),
            Column("No-show rate", RATE, "flake_rate"),
            Column("Recovered no-shows", COUNT, "recovered"),
            Column("Recovery rate", RATE, "recovery_rate"),
        ),
        tuple(
            (
                s.title,
                s.numbers.booked,
                s.numbers.upcoming,
                s.numbers.completed,
                s.numbers.no_show,
                s.numbers.cancelled,
                s.numbers.flake_rate,
                s.numbers.recovered,
                s.numbers.recovery_rate,
            )
            for s in studies
        ),
        empty="No studies yet.",
    )


def rewards_table(lines: Sequence[Any], completed: int) -> Table:
    """``lines``: (currency, paid, owed, cost per completed or None) per currency."""
    return Table(
        "rewards",
        "Rewards",
        (
            Column("Currency", TEXT, "currency"),
            Column("Paid", MONEY, "paid"),
            Column("Owed", MONEY, "owed"),
            Column("Completed interviews", COUNT, "completed"),
            Column("Cost per completed interview", MONEY, "cost_per_completed"),
        ),
        tuple((c, paid, owed, completed, cost) for c, paid, owed, cost in lines),
        empty=f"No rewards for the {completed} completed interviews in this range.",
    )


def rotation_table(lines: Sequence[Any]) -> Table:
    """``lines``: the notes area's rotation, fewest notes first."""
    return Table(
        "rotation",
        "Note-taker rotation",
        (
            Column("Member", TEXT, "member"),
            Column("Took notes", COUNT, "noted"),
            Column("Hosted", COUNT, "hosted"),
        ),
        tuple((line.name, line.noted, line.hosted) for line in lines),
    )


# --- words for each chart (its alt text) -------------------------------------------------------


def _span(span: DayRange) -> str:
    return f"{span.first:%-d %b %Y} to {span.last:%-d %b %Y}"


def funnel_alt(funnel: Funnel) -> str:
    return (
        f"Funnel bar chart: {funnel.invited} invited, {funnel.booked} booked through the invite "
        f"({percent(rules.ratio(funnel.booked, funnel.invited))}), {funnel.completed} completed "
        f"({percent(rules.ratio(funnel.completed, funnel.booked))} of those booked); "
        f"{funnel.open_booked} open-link bookings and {funnel.rebooked} rebookings. "
        "The table below has the same numbers."
    )


def weekly_alt(weeks: Sequence[WeekCounts], span: DayRange) -> str:
    total = {
        k: sum(getattr(w, k) for w in weeks)
        for k in ("booked", "completed", "no_show", "cancelled")
    }
    return (
        f"Bar chart of interviews per week, {_span(span)}: {total['booked']} booked, "
        f"{total['completed']} completed, {total['no_show']} no-shows, "
        f"{total['cancelled']} cancelled in all. The table below has each week."
    )


def reminders_alt(weeks: Sequence[WeekCounts], span: DayRange) -> str:
    busiest = max(weeks, key=lambda w: w.reminders, default=None)
    total = sum(w.reminders for w in weeks)
    peak = (
        f"; the most, {busiest.reminders}, in the week of {busiest.week:%-d %b}"
        if busiest and busiest.reminders
        else ""
    )
    return (
        f"Bar chart of reminders sent per week, {_span(span)}: {total} in all{peak}. "
        "The table below has each week."
    )


def flake_alt(studies: Sequence[Any], b2b: float, consumer: float) -> str:
    each = "; ".join(f"{s.title}: {percent(s.numbers.flake_rate)}" for s in studies)
    return (
        f"Bar chart of the no-show rate per study, with reference lines at {b2b:.0%} "
        f"(good for engaged B2B people) and {consumer:.0%} (usual for consumers). "
        f"{each or 'No studies'}. The table below has the same numbers."
    )


def rewards_alt(lines: Sequence[Any], completed: int) -> str:
    each = "; ".join(
        f"{currency}: {paid.label()} paid, {owed.label()} owed"
        + (f", {cost.label()} per completed interview" if cost is not None else "")
        for currency, paid, owed, cost in lines
    )
    return (
        f"Stacked bar chart of rewards paid and owed per currency for {completed} completed "
        f"interviews: {each or 'none'}. The table below has the same numbers."
    )


def rotation_alt(lines: Sequence[Any]) -> str:
    each = ", ".join(f"{line.name} {line.noted}" for line in lines)
    return (
        f"Bar chart of interviews each member took notes on and hosted: notes taken by {each}. "
        "The table below has the same numbers."
    )


def week_label(week: date) -> str:
    return f"{week:%-d %b}"
