"""The home page's decisions over plain data: why a study takes no booking, the
first-run checklist, the no-show band and the member's month."""

from datetime import UTC, datetime

import pytest

from interviews.home import rules
from interviews.home.rules import RateBand, SetupState, Stop, StudyFacts, StudyState


def facts(state=StudyState.PUBLISHED, hours=True, budget=None, id_=1) -> StudyFacts:
    return StudyFacts(id_, f"Study {id_}", state, "Dana Reyes", hours, budget)


def test_a_published_study_with_hours_and_budget_takes_bookings():
    assert rules.why_not_booking(facts()) is None


@pytest.mark.parametrize(
    ("study", "stop", "words"),
    [
        (facts(StudyState.DRAFT), Stop.DRAFT, "Draft: the booking link opens when you publish"),
        (facts(StudyState.CLOSED), Stop.CLOSED, "Closed"),
        (facts(budget="New bookings are paused: x"), Stop.BUDGET, "New bookings are paused"),
        (facts(hours=False), Stop.NO_HOURS, "Dana Reyes has not set any hours"),
    ],
)
def test_a_study_that_takes_no_booking_says_why(study, stop, words):
    found = rules.why_not_booking(study)
    assert found.stop is stop and words in found.why


def test_a_draft_is_a_draft_even_when_its_host_has_no_hours():
    assert rules.why_not_booking(facts(StudyState.DRAFT, hours=False)).stop is Stop.DRAFT


def test_silent_reasons_come_first_then_drafts_then_closed_studies():
    found = rules.studies_not_booking(
        [
            facts(StudyState.CLOSED, id_=1),
            facts(StudyState.DRAFT, id_=2),
            facts(id_=3),
            facts(hours=False, id_=4),
            facts(budget="paused", id_=5),
        ]
    )
    assert [n.study_id for n in found] == [5, 4, 2, 1]


def state(**changes) -> SetupState:
    base = dict(
        hours_saved=False,
        studies=0,
        published=0,
        link_shared=False,
        booked=False,
        calendar_connected=False,
    )
    return SetupState(**{**base, **changes})


def test_a_new_workspace_has_all_five_steps_to_do_and_sees_the_list():
    items = rules.checklist(state())
    assert [i.label for i in items] == [
        "Set your hours",
        "Create a study",
        "Publish it",
        "Share the booking link",
        "Connect a calendar",
    ]
    assert not any(i.done for i in items)
    assert rules.show_checklist(items, dismissed=False)


@pytest.mark.parametrize(
    ("changes", "done"),
    [
        ({"hours_saved": True}, "hours"),
        ({"studies": 2}, "study"),
        ({"published": 1}, "publish"),
        ({"link_shared": True}, "share"),
        ({"booked": True}, "share"),
        ({"calendar_connected": True}, "calendar"),
    ],
)
def test_each_step_is_ticked_by_its_own_fact(changes, done):
    ticked = [i.step.value for i in rules.checklist(state(**changes)) if i.done]
    assert ticked == [done]


def test_the_list_goes_away_when_all_is_done_or_when_dismissed():
    all_done = rules.checklist(
        state(hours_saved=True, studies=1, published=1, booked=True, calendar_connected=True)
    )
    assert not rules.show_checklist(all_done, dismissed=False)
    assert not rules.show_checklist(rules.checklist(state()), dismissed=True)


@pytest.mark.parametrize(
    ("completed", "no_show", "band"),
    [
        (0, 0, RateBand.NONE),
        (9, 1, RateBand.GOOD),
        (3, 1, RateBand.USUAL),
        (6, 4, RateBand.USUAL),
        (1, 1, RateBand.HIGH),
    ],
)
def test_the_no_show_rate_is_placed_against_the_10_and_40_percent_lines(completed, no_show, band):
    rate = rules.NoShowRate(completed, no_show, good_line=0.10, high_line=0.40)
    assert rate.band is band
    assert rate.rate == (no_show / (completed + no_show) if completed + no_show else None)


def test_the_month_is_the_members_own_not_utcs():
    # 23:30 UTC on 31 January is already 1 February in Tokyo.
    now = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)
    start, end = rules.month_of(now, "Asia/Tokyo")
    assert (start.month, end.month) == (2, 3)
    assert start.astimezone(UTC) == datetime(2027, 1, 31, 15, 0, tzinfo=UTC)
    start, end = rules.month_of(now, "America/New_York")
    assert (start.month, end.month) == (1, 2)


def test_december_runs_into_the_next_year():
    start, end = rules.month_of(datetime(2026, 12, 15, tzinfo=UTC), "Europe/Berlin")
    assert (start.year, start.month, end.year, end.month) == (2026, 12, 2027, 1)
