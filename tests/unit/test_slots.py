"""Free slots: what a participant may book, whatever the calendars and clocks say."""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviews.scheduling.slots import (
    Availability,
    DateOverride,
    Interval,
    SlotQuery,
    WeeklyWindow,
    free_slots,
    group_by_day,
    windows_between,
)
from interviews.studies.rules import Limits
from tests.unit.slot_strategies import NOW, ZONES, intervals, windows

WORKWEEK = tuple(WeeklyWindow(d, time(9), time(17)) for d in range(5))
NO_LIMITS = Limits(
    notice=timedelta(0), max_per_day=99, buffer=timedelta(0), horizon=timedelta(days=60)
)


def at(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local_times(slots, zone):
    return [s.start.astimezone(ZoneInfo(zone)).strftime("%a %d %H:%M") for s in slots]


# --- the rules, by example ---------------------------------------------------------------


def test_slots_fill_the_hosts_windows_on_the_step_grid():
    query = SlotQuery(
        availability=Availability("Europe/Berlin", (WeeklyWindow(0, time(9), time(11)),)),
        limits=Limits(
            duration=timedelta(minutes=45), step=timedelta(minutes=30), notice=timedelta(0)
        ),
        now=at("Europe/Berlin", 2026, 11, 22, 8),  # a Sunday
    )
    slots = free_slots(query)
    assert local_times(slots, "Europe/Berlin")[:4] == [
        "Mon 23 09:00",
        "Mon 23 09:30",
        "Mon 23 10:00",
        "Mon 30 09:00",
    ]


def test_no_slot_within_the_notice_period():
    now = at("Europe/Berlin", 2026, 11, 23, 8)
    slots = free_slots(SlotQuery(Availability("Europe/Berlin", WORKWEEK), Limits(), now))
    assert all(s.start >= now + timedelta(hours=12) for s in slots)
    assert local_times(slots, "Europe/Berlin")[0] == "Tue 24 09:00"  # Monday is inside the 12 h


def test_no_slot_past_the_horizon():
    now = at("Europe/Berlin", 2026, 11, 23, 8)
    slots = free_slots(
        SlotQuery(Availability("Europe/Berlin", WORKWEEK), Limits(horizon=timedelta(days=7)), now)
    )
    assert max(s.start for s in slots) <= now + timedelta(days=7)
    # Monday 30th 09:00 is an hour past the horizon; the last slot is Friday's 16:00-16:45.
    assert local_times(slots, "Europe/Berlin")[-1] == "Fri 27 16:00"


def test_an_interview_blocks_its_time_and_the_buffer_around_it():
    booked = Interval(
        at("Europe/Berlin", 2026, 11, 24, 11), at("Europe/Berlin", 2026, 11, 24, 11, 45)
    )
    query = SlotQuery(
        Availability("Europe/Berlin", (WeeklyWindow(1, time(9), time(14)),)),
        Limits(notice=timedelta(0), horizon=timedelta(days=1)),
        now=at("Europe/Berlin", 2026, 11, 24, 0),
        booked=[booked],
    )
    starts = local_times(free_slots(query), "Europe/Berlin")
    # 09:30-10:15 leaves 45 min before 11:00; 10:00-10:45 would leave only 15 of the 30.
    # After 11:45 the buffer runs to 12:15, so the next grid slot is 12:30.
    assert starts == ["Tue 24 09:00", "Tue 24 09:30", "Tue 24 12:30", "Tue 24 13:00"]


def test_busy_calendar_time_blocks_slots_without_a_buffer():
    busy = Interval(at("Europe/Berlin", 2026, 11, 24, 10), at("Europe/Berlin", 2026, 11, 24, 11))
    query = SlotQuery(
        Availability("Europe/Berlin", (WeeklyWindow(1, time(9), time(12)),)),
        Limits(notice=timedelta(0), horizon=timedelta(days=1), duration=timedelta(minutes=30)),
        now=at("Europe/Berlin", 2026, 11, 24, 0),
        busy=[busy],
    )
    assert local_times(free_slots(query), "Europe/Berlin") == [
        "Tue 24 09:00",
        "Tue 24 09:30",
        "Tue 24 11:00",
        "Tue 24 11:30",
    ]


def test_a_day_at_the_cap_offers_nothing_more():
    day = [
        Interval(at("Europe/Berlin", 2026, 11, 24, h), at("Europe/Berlin", 2026, 11, 24, h, 45))
        for h in (9, 11, 13)
    ]
    query = SlotQuery(
        Availability("Europe/Berlin", WORKWEEK),
        Limits(notice=timedelta(0), horizon=timedelta(days=2)),
        now=at("Europe/Berlin", 2026, 11, 24, 0),
        booked=day,
    )
    days = {s.start.astimezone(ZoneInfo("Europe/Berlin")).date() for s in free_slots(query)}
    assert date(2026, 11, 24) not in days
    assert date(2026, 11, 25) in days


def test_the_interview_being_rescheduled_does_not_block_itself():
    mine = Interval(at("Europe/Berlin", 2026, 11, 24, 9), at("Europe/Berlin", 2026, 11, 24, 9, 45))
    query = SlotQuery(
        Availability("Europe/Berlin", (WeeklyWindow(1, time(9), time(10)),)),
        Limits(notice=timedelta(0), horizon=timedelta(days=1), max_per_day=1),
        now=at("Europe/Berlin", 2026, 11, 24, 0),
        booked=[mine],
        ignore=mine,
    )
    assert local_times(free_slots(query), "Europe/Berlin") == ["Tue 24 09:00"]


def test_a_day_off_override_removes_the_weekly_windows_and_an_extra_window_adds_time():
    availability = Availability(
        "Europe/Berlin",
        WORKWEEK,
        overrides=(
            DateOverride(date(2026, 11, 24)),  # day off
            DateOverride(date(2026, 11, 28), ((time(10), time(11)),)),  # a Saturday session
        ),
    )
    windows = windows_between(availability, date(2026, 11, 23), date(2026, 11, 29))
    local_days = [
        w.start.astimezone(ZoneInfo("Europe/Berlin")).strftime("%a %H:%M") for w in windows
    ]
    assert local_days == ["Mon 09:00", "Wed 09:00", "Thu 09:00", "Fri 09:00", "Sat 10:00"]


def test_slots_can_be_asked_for_a_range():
    query = SlotQuery(
        Availability("Europe/Berlin", WORKWEEK),
        NO_LIMITS,
        now=at("Europe/Berlin", 2026, 11, 23, 0),
        range_start=at("Europe/Berlin", 2026, 11, 25, 0),
        range_end=at("Europe/Berlin", 2026, 11, 26, 0),
    )
    slots = free_slots(query)
    assert {s.start.astimezone(ZoneInfo("Europe/Berlin")).date() for s in slots} == {
        date(2026, 11, 25)
    }
    assert slots[-1].end <= at("Europe/Berlin", 2026, 11, 25, 17)


# --- daylight saving: the host's wall clock holds, the viewer sees their own -------------

DST_CASES = [
    # zone, last day before the change, first day after, UTC hour of 09:00 before, after
    ("Europe/Berlin", date(2026, 3, 27), date(2026, 3, 30), 8, 7),  # spring forward 29 Mar
    ("Europe/Berlin", date(2026, 10, 23), date(2026, 10, 26), 7, 8),  # fall back 25 Oct
    ("America/New_York", date(2026, 3, 6), date(2026, 3, 9), 14, 13),  # spring forward 8 Mar
    ("America/New_York", date(2026, 10, 30), date(2026, 11, 2), 13, 14),  # fall back 1 Nov
    ("Australia/Sydney", date(2026, 4, 3), date(2026, 4, 6), 22, 23),  # DST ends 5 Apr
    ("Australia/Sydney", date(2026, 10, 2), date(2026, 10, 5), 23, 22),  # DST starts 4 Oct
]


@pytest.mark.parametrize(("zone", "before", "after", "utc_before", "utc_after"), DST_CASES)
def test_a_hosts_nine_oclock_stays_nine_oclock_across_dst(
    zone, before, after, utc_before, utc_after
):
    windows = windows_between(Availability(zone, WORKWEEK), before, after)
    first, last = windows[0], windows[-1]

    assert first.start.astimezone(ZoneInfo(zone)).time() == time(9)
    assert last.start.astimezone(ZoneInfo(zone)).time() == time(9)
    assert last.end - last.start == timedelta(hours=8)
    # Sydney's 09:00 is the previous UTC day, so compare hours only.
    assert (first.start.hour, last.start.hour) == (utc_before, utc_after)


@pytest.mark.parametrize(
    ("host", "viewer", "monday", "expected_first_local"),
    [
        # A Berlin host's Monday 09:00, just after Berlin springs forward, seen from New York
        # (already on summer time since 8 Mar): 03:00.
        ("Europe/Berlin", "America/New_York", date(2026, 3, 30), "Mon 30 03:00"),
        # The same host the Monday before, when New York is summer time but Berlin is not: 04:00.
        ("Europe/Berlin", "America/New_York", date(2026, 3, 23), "Mon 23 04:00"),
        # A New York host's Monday 09:00 after it falls back, seen from Sydney (summer): Tue 01:00.
        ("America/New_York", "Australia/Sydney", date(2026, 11, 2), "Tue 03 01:00"),
        # A Sydney host's Monday 09:00 after DST starts, seen from Berlin (still summer): Mon 00:00.
        ("Australia/Sydney", "Europe/Berlin", date(2026, 10, 5), "Mon 05 00:00"),
    ],
)
def test_a_viewer_in_another_zone_sees_the_slot_in_their_own_time(
    host, viewer, monday, expected_first_local
):
    query = SlotQuery(
        Availability(host, (WeeklyWindow(0, time(9), time(10)),)),
        Limits(notice=timedelta(0), duration=timedelta(minutes=30), horizon=timedelta(days=60)),
        now=datetime.combine(monday - timedelta(days=2), time(0), tzinfo=ZoneInfo(host)),
        range_start=datetime.combine(monday, time(0), tzinfo=ZoneInfo(host)),
        range_end=datetime.combine(monday + timedelta(days=1), time(0), tzinfo=ZoneInfo(host)),
    )
    grouped = group_by_day(free_slots(query), viewer)
    assert local_times(grouped[0].slots, viewer)[0] == expected_first_local


# --- properties over random calendars ------------------------------------------------------


@st.composite
def queries(draw):
    now = draw(NOW)
    limits = Limits(
        duration=timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 90]))),
        notice=timedelta(hours=draw(st.integers(0, 48))),
        horizon=timedelta(days=draw(st.integers(1, 21))),
        max_per_day=draw(st.integers(1, 4)),
        buffer=timedelta(minutes=draw(st.sampled_from([0, 10, 30, 60]))),
        step=timedelta(minutes=draw(st.sampled_from([15, 20, 30, 60]))),
    )
    return SlotQuery(
        availability=Availability(
            draw(ZONES), tuple(draw(st.lists(windows(), min_size=1, max_size=6)))
        ),
        limits=limits,
        now=now,
        busy=draw(st.lists(intervals(now), max_size=25)),
        booked=draw(st.lists(intervals(now), max_size=15)),
    )


@settings(max_examples=200, deadline=None)
@given(queries())
def test_no_slot_breaks_a_rule(query):
    limits, zone = query.limits, ZoneInfo(query.availability.timezone)
    slots = free_slots(query)
    per_day = Counter(b.start.astimezone(zone).date() for b in query.booked)

    for slot in slots:
        assert slot.end - slot.start == limits.duration
        assert slot.start >= query.now + limits.notice
        assert slot.start <= query.now + limits.horizon
        assert not any(slot.overlaps(busy) for busy in query.busy)
        assert not any(
            slot.overlaps(Interval(b.start - limits.buffer, b.end + limits.buffer))
            for b in query.booked
        )
        assert per_day[slot.start.astimezone(zone).date()] + 1 <= limits.max_per_day
    assert slots == sorted(slots)
    assert len(set(slots)) == len(slots)


@settings(max_examples=100, deadline=None)
@given(queries())
def test_every_slot_lies_inside_one_of_the_hosts_windows(query):
    zone = ZoneInfo(query.availability.timezone)
    slots = free_slots(query)
    if not slots:
        return
    windows = windows_between(
        query.availability,
        slots[0].start.astimezone(zone).date(),
        slots[-1].end.astimezone(zone).date(),
    )
    for slot in slots:
        assert any(w.start <= slot.start and slot.end <= w.end for w in windows)


@settings(max_examples=100, deadline=None)
@given(queries())
def test_with_nothing_in_the_way_every_window_offers_slots(query):
    """The rules remove slots; they never invent them, and an open calendar is not empty."""
    open_query = SlotQuery(query.availability, NO_LIMITS, query.now)
    slots = free_slots(open_query)
    zone = ZoneInfo(query.availability.timezone)
    first = query.now.astimezone(zone).date() + timedelta(days=1)
    windows = [
        w
        for w in windows_between(query.availability, first, first + timedelta(days=6))
        if w.end - w.start >= NO_LIMITS.duration
    ]
    for window in windows:
        assert any(window.start <= s.start < window.end for s in slots)
