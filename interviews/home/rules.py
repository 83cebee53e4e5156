"""What the home page decides, over plain data: no Flask, no database.

Which studies are not taking bookings and why, the first-run checklist's ticks, how
this month's no-show rate compares with the reference lines, and where a month and a
day begin in the member's own zone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo


class StudyState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class Stop(enum.StrEnum):
    """Why a study's booking page offers no time. Ordered by how surprising it is to the
    PM: a paused budget or a host without hours are silent; a draft or a close was chosen."""

    BUDGET = "budget"
    NO_HOURS = "no_hours"
    DRAFT = "draft"
    CLOSED = "closed"


STOP_ORDER = (Stop.BUDGET, Stop.NO_HOURS, Stop.DRAFT, Stop.CLOSED)


@dataclass(frozen=True)
class StudyFacts:
    """What decides whether a study takes bookings."""

    id: int
    title: str
    state: StudyState
    host_name: str
    host_has_hours: bool
    budget_block: str | None  # the budget's own words when it holds bookings back


@dataclass(frozen=True)
class NotBooking:
    study_id: int
    title: str
    stop: Stop
    why: str


def why_not_booking(study: StudyFacts) -> NotBooking | None:
    """Why this study takes no booking now, in words for the PM; None when it does."""
    if study.state is StudyState.DRAFT:
        why = "Draft: the booking link opens when you publish it."
        stop = Stop.DRAFT
    elif study.state is StudyState.CLOSED:
        why = "Closed: the booking link says it is not taking bookings."
        stop = Stop.CLOSED
    elif study.budget_block:
        why = study.budget_block
        stop = Stop.BUDGET
    elif not study.host_has_hours:
        why = f"No times to offer: {study.host_name} has not set any hours."
        stop = Stop.NO_HOURS
    else:
        return None
    return NotBooking(study.id, study.title, stop, why)


def studies_not_booking(studies: list[StudyFacts]) -> list[NotBooking]:
    """The studies that take no booking, the silent reasons (budget, hours) first, then
    drafts, then closed ones; in the order given within each reason."""
    found = [n for n in map(why_not_booking, studies) if n is not None]
    return sorted(found, key=lambda n: STOP_ORDER.index(n.stop))


# --- the first-run checklist -------------------------------------------------------------


class Step(enum.StrEnum):
    HOURS = "hours"
    STUDY = "study"
    PUBLISH = "publish"
    SHARE = "share"
    CALENDAR = "calendar"


STEP_LABELS = {
    Step.HOURS: "Set your hours",
    Step.STUDY: "Create a study",
    Step.PUBLISH: "Publish it",
    Step.SHARE: "Share the booking link",
    Step.CALENDAR: "Connect a calendar",
}


@dataclass(frozen=True)
class SetupState:
    """What a workspace has done so far, read from the real state of each area."""

    hours_saved: bool
    studies: int
    published: int
    link_shared: bool  # the booking link was copied or opened from here
    booked: bool  # somebody booked an interview: the link reached someone
    calendar_connected: bool  # the member's busy calendar is read


@dataclass(frozen=True)
class ChecklistItem:
    step: Step
    label: str
    done: bool


def checklist(state: SetupState) -> list[ChecklistItem]:
    """The five first steps of a new workspace, each ticked from what exists."""
    done = {
        Step.HOURS: state.hours_saved,
        Step.STUDY: state.studies > 0,
        Step.PUBLISH: state.published > 0,
        Step.SHARE: state.link_shared or state.booked,
        Step.CALENDAR: state.calendar_connected,
    }
    return [ChecklistItem(step, STEP_LABELS[step], done[step]) for step in Step]


def show_checklist(items: list[ChecklistItem], dismissed: bool) -> bool:
    """Shown until every step is done, or until it is dismissed."""
    return not dismissed and not all(item.done for item in items)


# --- no-shows --------------------------------------------------------------------------------


class RateBand(enum.StrEnum):
    NONE = "none"  # nothing happened yet: no rate to compare
    GOOD = "good"  # at or under the engaged-B2B line
    USUAL = "usual"  # between the lines
    HIGH = "high"  # over the consumer line


@dataclass(frozen=True)
class NoShowRate:
    completed: int
    no_show: int
    good_line: float
    high_line: float

    @property
    def rate(self) -> float | None:
        """no-show / (completed + no-show), None before either happened."""
        happened = self.completed + self.no_show
        return self.no_show / happened if happened else None

    @property
    def band(self) -> RateBand:
        rate = self.rate
        if rate is None:
            return RateBand.NONE
        if rate <= self.good_line:
            return RateBand.GOOD
        if rate <= self.high_line:
            return RateBand.USUAL
        return RateBand.HIGH


# --- days and months in the member's zone ---------------------------------------------------


def day_start(day: date, timezone: str) -> datetime:
    """Midnight starting ``day`` on the member's wall clock, as an aware instant."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone))


def month_of(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of the calendar month ``now`` falls in, on the member's wall clock."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    first = today.replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
    return day_start(first, timezone), day_start(following, timezone)
