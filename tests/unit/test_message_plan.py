"""An interview's message plan: what goes out when, as PRODUCT.md describes it."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.message_plan import (
    MAX_OFFSET_MINUTES,
    Audience,
    MessageKind,
    MessageSettings,
    describe_offset,
    may_go_out,
    parse_offsets,
    plan_before_and_after,
)

START = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


def kinds_and_times(plan):
    return [(p.kind.value, p.offset_minutes, p.due_at - START) for p in plan]


def test_a_booking_three_days_out_gets_three_reminders_a_host_reminder_and_follow_ups():
    plan = plan_before_and_after(START, START - timedelta(days=3), MessageSettings())

    assert kinds_and_times(plan) == [
        ("reminder", 1440, -timedelta(hours=24)),
        ("reminder", 60, -timedelta(hours=1)),
        ("host_reminder", 10, -timedelta(minutes=10)),
        ("reminder", 10, -timedelta(minutes=10)),
        ("followup_nudge", None, timedelta(minutes=5)),
        ("followup_missed", None, timedelta(minutes=30)),
    ]
    assert {p.audience for p in plan if p.kind is MessageKind.HOST_REMINDER} == {Audience.HOST}


def test_a_booking_two_hours_out_skips_the_24_hour_reminder():
    plan = plan_before_and_after(START, START - timedelta(hours=2), MessageSettings())

    assert [p.offset_minutes for p in plan if p.kind is MessageKind.REMINDER] == [60, 10]


def test_follow_ups_switched_off_leave_only_the_reminders():
    plan = plan_before_and_after(
        START, START - timedelta(days=3), MessageSettings(reminder_offsets=(120,), followups=False)
    )

    assert kinds_and_times(plan) == [
        ("host_reminder", 120, -timedelta(hours=2)),
        ("reminder", 120, -timedelta(hours=2)),
    ]


@given(
    offsets=st.lists(st.integers(1, 14 * 1440), max_size=5, unique=True),
    booked_before=st.integers(0, 20 * 1440),
)
def test_nothing_is_planned_in_the_past_and_reminders_come_before_the_start(offsets, booked_before):
    now = START - timedelta(minutes=booked_before)
    plan = plan_before_and_after(START, now, MessageSettings(reminder_offsets=tuple(offsets)))

    for planned in plan:
        assert planned.due_at > now or planned.kind in (
            MessageKind.FOLLOWUP_NUDGE,
            MessageKind.FOLLOWUP_MISSED,
        )
        if planned.kind is MessageKind.REMINDER:
            assert planned.due_at == START - timedelta(minutes=planned.offset_minutes)
    assert plan == sorted(plan)


@pytest.mark.parametrize(
    ("text", "offsets"),
    [
        ("24h, 1h, 10m", (1440, 60, 10)),
        ("1440, 60", (1440, 60)),
        ("2d;30min", (2880, 30)),
        ("", ()),
    ],
)
def test_offsets_read_the_way_a_pm_writes_them(text, offsets):
    assert parse_offsets(text) == offsets


@pytest.mark.parametrize("text", ["soon", "-5m", "0m", "20d", "1h,2h,3h,4h,5h,6h"])
def test_offsets_that_make_no_sense_are_refused(text):
    with pytest.raises(ValueError):
        parse_offsets(text)


def test_offsets_are_described_in_words():
    assert [describe_offset(m) for m in (1440, 60, 10, 90, 1)] == [
        "24 hours",
        "1 hour",
        "10 minutes",
        "90 minutes",
        "1 minute",
    ]


def test_flake_and_recovery_rates_follow_product_md_and_never_divide_by_zero():
    from interviews.scheduling.attendance import count_attendance
    from interviews.scheduling.models import InterviewStatus as S

    empty = count_attendance([], 0)
    assert empty.flake_rate is None and empty.recovery_rate is None

    numbers = count_attendance(
        [S.COMPLETED] * 6 + [S.NO_SHOW] * 2 + [S.CANCELLED, S.BOOKED, S.JOINED], recovered=1
    )
    assert (numbers.booked, numbers.upcoming, numbers.cancelled) == (11, 1, 1)
    assert numbers.flake_rate == 2 / 8  # cancelled and upcoming interviews do not count
    assert numbers.recovery_rate == 1 / 2


@given(
    offset=st.integers(min_value=1, max_value=MAX_OFFSET_MINUTES),
    lead_seconds=st.integers(min_value=0, max_value=3600),
    early_seconds=st.integers(min_value=0, max_value=7200),
)
def test_a_reminder_is_never_early_by_more_than_the_lead_or_a_tenth_of_its_offset(
    offset, lead_seconds, early_seconds
):
    due = datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
    now = due - timedelta(seconds=early_seconds)
    lead = timedelta(seconds=lead_seconds)

    allowed = may_go_out(MessageKind.REMINDER, due, offset, now, lead)

    assert allowed == (
        timedelta(seconds=early_seconds) <= min(lead, timedelta(minutes=offset) / 10)
    )


def test_follow_ups_and_thank_yous_wait_for_their_time_whatever_the_lead():
    due = datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
    lead = timedelta(minutes=5)
    for kind in (MessageKind.FOLLOWUP_NUDGE, MessageKind.FOLLOWUP_MISSED, MessageKind.THANK_YOU):
        assert not may_go_out(kind, due, None, due - timedelta(seconds=1), lead)
        assert may_go_out(kind, due, None, due, lead)
