"""The research-operations dashboard: read-only use cases over the other areas' numbers.

Every section of the page, its CSV and its chart come from the same builder here, and
the attendance API reads the same ``attendance`` function as the page: they cannot
disagree. Days are UTC days, ``from``..``to`` both included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.compensation import budgets
from interviews.errors import InvalidInput, NotFound
from interviews.messaging import planned
from interviews.notes import service as notes
from interviews.participants import invites
from interviews.reports import charts, rules, tables
from interviews.reports.rules import DayRange, ReportInputError
from interviews.scheduling import team
from interviews.scheduling.attendance import (
    CONSUMER_FLAKE_RATE,
    ENGAGED_B2B_FLAKE_RATE,
    AttendanceNumbers,
)
from interviews.studies import service as studies

REFERENCE_LINES = {"engaged_b2b": ENGAGED_B2B_FLAKE_RATE, "consumer": CONSUMER_FLAKE_RATE}


@dataclass(frozen=True)
class StudyAttendance:
    study_id: int
    title: str
    numbers: AttendanceNumbers


@dataclass(frozen=True)
class ReportFilters:
    span: DayRange
    study_id: int | None
    study_title: str | None

    def query(self) -> dict[str, str]:
        """The filters as query parameters, for the links to charts and CSV files."""
        out = {"from": self.span.first.isoformat(), "to": self.span.last.isoformat()}
        if self.study_id is not None:
            out["study"] = str(self.study_id)
        return out


@dataclass(frozen=True)
class Section:
    """One part of the dashboard: its table and, where it has one, its chart's name
    and the words describing that chart."""

    table: tables.Table
    chart: str | None = None
    alt: str = ""


@dataclass(frozen=True)
class Dashboard:
    filters: ReportFilters
    study_choices: list[tuple[int, str]]
    sections: dict[str, Section]
    reference_lines: dict[str, float]
    glance: rules.Glance
    paid: str  # rewards paid, per currency ("$120.00 + €40.00")
    cost_per_completed: str  # per currency, or "no data"
    # The workspace's first day of activity, when the range starts before it.
    no_data_before: date | None = None


def attendance(
    workspace_id: int, first: date | None, last: date | None, study_id: int | None = None
) -> list[StudyAttendance]:
    """Attendance of each study (or the one asked for) for interviews starting on the
    UTC days first..last (None: open-ended), by study id: what the attendance API
    answers and what the dashboard's per-study table shows."""
    start, end = rules.day_bounds(first, last)
    titles = {s.id: s.title for s in studies.list_studies(workspace_id)}
    numbers = team.attendance_by_study(workspace_id, start, end)
    return [
        StudyAttendance(study_id=sid, title=titles.get(sid, ""), numbers=n)
        for sid, n in sorted(numbers.items())
        if study_id is None or sid == study_id
    ]


def read_filters(
    workspace_id: int, args: Mapping[str, str], now: datetime | None = None
) -> ReportFilters:
    """The dashboard's filters from ``from``, ``to`` and ``study`` (defaults: the last
    12 weeks up to today, every study). Raises InvalidInput for a day or study id that
    cannot be read or a range that is too long, NotFound for another workspace's study."""
    today = (now or utc_now()).date()
    try:
        span = rules.parse_range(args.get("from"), args.get("to"), today)
        study_id = rules.parse_study_id(args.get("study"))
    except ReportInputError as error:
        raise InvalidInput(error.message, field=error.field) from None
    title = None
    if study_id is not None:
        try:
            title = studies.get_study(workspace_id, study_id).title
        except NotFound:
            raise NotFound("There is no such study in this workspace.") from None
    return ReportFilters(span, study_id, title)


# --- the sections -------------------------------------------------------------------------------


class _Numbers:
    """What the sections of one dashboard are drawn from, each read once however many
    sections and charts use it."""

    def __init__(self, workspace_id: int, filters: ReportFilters) -> None:
        self.workspace_id = workspace_id
        self.f = filters
        self.start, self.end = filters.span.bounds()

    @cached_property
    def facts(self) -> list[team.InterviewFact]:
        return team.interview_facts(self.workspace_id, self.start, self.end, self.f.study_id)

    @cached_property
    def weeks(self) -> list[rules.WeekCounts]:
        sent = planned.reminders_sent_per_day(
            self.workspace_id, self.start, self.end, self.f.study_id
        )
        return rules.weekly(
            self.f.span, ((fact.start.date(), fact.status.value) for fact in self.facts), sent
        )

    @cached_property
    def funnel(self) -> rules.Funnel:
        w, study_id = self.workspace_id, self.f.study_id
        booked_by = invites.invites_sent(w, self.start, self.end, study_id)
        status = team.statuses_of(w, [i for i in booked_by if i is not None])
        through_invite = invites.interviews_booked_by_invite(w, study_id)
        uninvited = [
            (fact.status.value, fact.rebooked)
            for fact in self.facts
            if fact.id not in through_invite
        ]
        return rules.funnel(
            (status[i].value if i in status else None for i in booked_by), uninvited
        )

    @cached_property
    def attendance(self) -> list[StudyAttendance]:
        return attendance(self.workspace_id, self.f.span.first, self.f.span.last, self.f.study_id)

    @cached_property
    def rotation(self) -> list[notes.RotationLine]:
        return notes.rotation(self.workspace_id, self.start, self.end, self.f.study_id)

    @cached_property
    def money(self) -> budgets.RewardSpend:
        return budgets.spend(self.workspace_id, self.f.study_id, self.start, self.end)


def _weekly_section(n: _Numbers) -> Section:
    return Section(tables.weekly_table(n.weeks), "weekly", tables.weekly_alt(n.weeks, n.f.span))


def _reminders_section(n: _Numbers) -> Section:
    return Section(
        tables.reminders_table(n.weeks), "reminders", tables.reminders_alt(n.weeks, n.f.span)
    )


def _funnel_section(n: _Numbers) -> Section:
    return Section(tables.funnel_table(n.funnel), "funnel", tables.funnel_alt(n.funnel))


def _studies_section(n: _Numbers) -> Section:
    return Section(
        tables.studies_table(n.attendance),
        "flake",
        tables.flake_alt(n.attendance, ENGAGED_B2B_FLAKE_RATE, CONSUMER_FLAKE_RATE),
    )


def _reward_lines(n: _Numbers) -> list[tuple]:
    """(currency, paid, owed, cost per completed or None) per currency."""
    money = n.money
    return [
        (c, money.paid.of(c), money.owed.of(c), money.cost_per_completed.get(c))
        for c in sorted(set(money.paid) | set(money.owed))
    ]


def _rewards_section(n: _Numbers) -> Section:
    lines = _reward_lines(n)
    return Section(
        tables.rewards_table(lines, n.money.completed),
        "rewards",
        tables.rewards_alt(lines, n.money.completed),
    )


def _rotation_section(n: _Numbers) -> Section:
    return Section(tables.rotation_table(n.rotation), "rotation", tables.rotation_alt(n.rotation))


SECTIONS: dict[str, Callable[[_Numbers], Section]] = {
    "funnel": _funnel_section,
    "weekly": _weekly_section,
    "studies": _studies_section,
    "reminders": _reminders_section,
    "rewards": _rewards_section,
    "rotation": _rotation_section,
}


def study_choices(workspace_id: int) -> list[tuple[int, str]]:
    """(id, title) of the workspace's studies, for the study filter."""
    return [(s.id, s.title) for s in studies.list_studies(workspace_id)]


def dashboard(workspace_id: int, args: Mapping[str, str], now: datetime | None = None) -> Dashboard:
    """Every section of the dashboard for these filters. Raises InvalidInput, NotFound."""
    f = read_filters(workspace_id, args, now)
    numbers = _Numbers(workspace_id, f)
    costs = numbers.money.cost_per_completed
    return Dashboard(
        filters=f,
        study_choices=study_choices(workspace_id),
        sections={name: build(numbers) for name, build in SECTIONS.items()},
        reference_lines=REFERENCE_LINES,
        glance=rules.Glance(
            completed=sum(s.numbers.completed for s in numbers.attendance),
            no_show=sum(s.numbers.no_show for s in numbers.attendance),
            recovered=sum(s.numbers.recovered for s in numbers.attendance),
            reminders=sum(w.reminders for w in numbers.weeks),
        ),
        paid=numbers.money.paid.label(),
        cost_per_completed=" + ".join(costs[c].label() for c in sorted(costs)) or "no data",
        no_data_before=rules.no_data_before(f.span, first_activity(workspace_id)),
    )


def first_activity(workspace_id: int) -> date | None:
    """The UTC day the workspace's history starts: when it was made or, if earlier (an
    import, the demo), its first interview. None for a workspace that does not exist."""
    moments = [
        moment
        for moment in (
            accounts.workspace_created_at(workspace_id),
            team.first_interview_start(workspace_id),
        )
        if moment is not None
    ]
    return min(moments).date() if moments else None


def table_csv(
    workspace_id: int, name: str, args: Mapping[str, str], now: datetime | None = None
) -> tuple[str, str]:
    """(file name, CSV text) of one table, with the page's filters. Raises NotFound for
    an unknown table, InvalidInput, NotFound."""
    build = SECTIONS.get(name)
    if build is None:
        raise NotFound("There is no such report table.")
    f = read_filters(workspace_id, args, now)
    study = f"-study-{f.study_id}" if f.study_id is not None else ""
    return f"{name}-{f.span.first}-to-{f.span.last}{study}.csv", build(
        _Numbers(workspace_id, f)
    ).table.csv()


CHARTS: dict[str, Callable[[_Numbers], bytes]] = {
    "funnel": lambda n: charts.funnel_chart(n.funnel),
    "weekly": lambda n: charts.weekly_chart(n.weeks),
    "reminders": lambda n: charts.reminders_chart(n.weeks),
    "flake": lambda n: charts.flake_chart(
        [(s.title, s.numbers.flake_rate) for s in n.attendance],
        ENGAGED_B2B_FLAKE_RATE,
        CONSUMER_FLAKE_RATE,
    ),
    "rewards": lambda n: charts.rewards_chart(_reward_lines(n)),
    "rotation": lambda n: charts.rotation_chart(n.rotation),
}


def chart_svg(
    workspace_id: int, name: str, args: Mapping[str, str], now: datetime | None = None
) -> bytes:
    """One chart as SVG, with the page's filters. Raises NotFound for an unknown chart,
    InvalidInput, NotFound."""
    draw = CHARTS.get(name)
    if draw is None:
        raise NotFound("There is no such chart.")
    return draw(_Numbers(workspace_id, read_filters(workspace_id, args, now)))
