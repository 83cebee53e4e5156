"""Team slots: hosts taking turns and note-takers who must be free, whatever their clocks say."""

from collections import Counter
from datetime import date, datetime, time, timedelta
from itertools import permutations
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
    windows_between,
)
from interviews.scheduling.team_slots import (
    choose_host,
    collective,
    free_for,
    team_slots,
)
from interviews.studies.rules import Limits, hosts_phrase
from tests.unit.slot_strategies import NOW, ZONES, intervals, windows

WORKWEEK = tuple(WeeklyWindow(d, time(9), time(17)) for d in range(5))
LIMITS = Limits(
    duration=timedelta(minutes=60),
    notice=timedelta(0),
    horizon=timedelta(days=30),
    max_per_day=3,
    buffer=timedelta(0),
    step=timedelta(minutes=60),
)


def at(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


def week_of(zone: str, now: datetime, **changes) -> SlotQuery:
    """A person working 9 to 17 on weekdays in ``zone``, with ``changes`` to that."""
    fields = {
        "availability": Availability(zone, WORKWEEK),
        "limits": LIMITS,
        "now": now,
    }
    fields.update(changes)
    return SlotQuery(**fields)


def starts(slots, zone: str) -> list[str]:
    return [s.start.astimezone(ZoneInfo(zone)).strftime("%a %d %H:%M") for s in slots]


# --- by example ----------------------------------------------------------------------------


def test_a_note_taker_in_new_york_narrows_a_berlin_hosts_day_and_dst_moves_the_overlap():
    """America moves its clocks on 8 March 2026, Europe on 29 March: for three weeks New
    York is 5 hours behind Berlin instead of 6, and the shared afternoon grows by an hour."""
    now = at("UTC", 2026, 3, 1, 0)
    end = at("UTC", 2026, 3, 14, 0)
    host = week_of("Europe/Berlin", now, range_end=end)
    note_taker = week_of("America/New_York", now)
    [monday_before, monday_after] = [
        [s for s in collective(free_slots(host), [note_taker]) if s.start.day == day]
        for day in (2, 9)
    ]
    # 2 March: New York's 9:00 is Berlin's 15:00; 9 March (New York on summer time): 14:00.
    assert starts(monday_before, "Europe/Berlin") == ["Mon 02 15:00", "Mon 02 16:00"]
    assert starts(monday_after, "Europe/Berlin") == [
        "Mon 09 14:00",
        "Mon 09 15:00",
        "Mon 09 16:00",
    ]
    assert starts(monday_after, "America/New_York")[0] == "Mon 09 09:00"


def test_a_note_takers_day_off_interview_and_busy_time_each_remove_slots():
    now = at("Europe/Berlin", 2026, 11, 22, 8)  # a Sunday
    end = at("Europe/Berlin", 2026, 11, 26, 0)  # Monday to Wednesday
    host = week_of("Europe/Berlin", now, range_end=end)
    note_taker = week_of(
        "Europe/London",  # an hour behind: their 9:00 is Berlin's 10:00
        now,
        availability=Availability(
            "Europe/London",
            WORKWEEK,
            (DateOverride(date(2026, 11, 24)),),  # Tuesday off
        ),
        booked=[
            Interval(at("Europe/London", 2026, 11, 23, 12), at("Europe/London", 2026, 11, 23, 13))
        ],
        busy=[
            Interval(at("Europe/London", 2026, 11, 25, 9), at("Europe/London", 2026, 11, 25, 15))
        ],
    )
    kept = starts(collective(free_slots(host), [note_taker]), "Europe/Berlin")
    assert kept == [
        "Mon 23 10:00",
        "Mon 23 11:00",
        "Mon 23 12:00",
        # 13:00 Berlin is their interview (12:00 London)
        "Mon 23 14:00",
        "Mon 23 15:00",
        "Mon 23 16:00",
        # Tuesday is their day off; Wednesday they are busy until 15:00 London
        "Wed 25 16:00",
    ]


def test_a_note_taker_at_their_day_cap_is_not_free_that_day():
    now = at("Europe/Berlin", 2026, 11, 22, 8)
    day = [
        Interval(at("Europe/Berlin", 2026, 11, 23, h), at("Europe/Berlin", 2026, 11, 23, h, 30))
        for h in (6, 7, 8)
    ]
    note_taker = week_of("Europe/Berlin", now, booked=day)  # 3 interviews on Monday: the cap
    monday = Interval(at("Europe/Berlin", 2026, 11, 23, 10), at("Europe/Berlin", 2026, 11, 23, 11))
    tuesday = Interval(at("Europe/Berlin", 2026, 11, 24, 10), at("Europe/Berlin", 2026, 11, 24, 11))
    assert not free_for(note_taker, monday)
    assert free_for(note_taker, tuesday)
    # The interview being moved does not count against its own day.
    assert free_for(week_of("Europe/Berlin", now, booked=day, ignore=day[0]), monday)


def test_round_robin_offers_each_hosts_hours_and_names_who_is_free():
    now = at("Europe/Berlin", 2026, 11, 22, 8)
    end = at("Europe/Berlin", 2026, 11, 24, 0)  # Monday only
    early = week_of(
        "Europe/Berlin",
        now,
        availability=Availability("Europe/Berlin", (WeeklyWindow(0, time(9), time(12)),)),
        range_end=end,
    )
    late = week_of(
        "Europe/Berlin",
        now,
        availability=Availability("Europe/Berlin", (WeeklyWindow(0, time(11), time(14)),)),
        booked=[
            Interval(at("Europe/Berlin", 2026, 11, 23, 12), at("Europe/Berlin", 2026, 11, 23, 13))
        ],
        range_end=end,
    )
    found = team_slots({7: late, 3: early})
    assert [
        (s, ids)
        for s, ids in zip(
            starts([f.slot for f in found], "Europe/Berlin"),
            [f.host_ids for f in found],
            strict=True,
        )
    ] == [
        ("Mon 23 09:00", (3,)),
        ("Mon 23 10:00", (3,)),
        ("Mon 23 11:00", (3, 7)),
        ("Mon 23 13:00", (7,)),
    ]


def test_choose_host_takes_the_lightest_load_then_the_name():
    names = {1: "Sam Ortiz", 2: "Dana Lee", 3: "Dana Lee", 4: "ann bo"}
    assert choose_host([1, 2, 3], {1: 0, 2: 1, 3: 1}, names) == 1
    assert choose_host([3, 2, 1], {1: 2, 2: 1, 3: 1}, names) == 2  # same name: lower id
    assert choose_host([1, 3], {}, names) == 3  # nobody booked: Dana before Sam
    assert choose_host([1, 2, 4], {}, names) == 4  # names compare without case
    with pytest.raises(ValueError):
        choose_host([], {}, names)


@pytest.mark.parametrize(
    ("names", "said"),
    [
        (["Dana Lee"], "Dana Lee"),
        (["Dana Lee", "Sam Ortiz"], "Dana Lee or Sam Ortiz"),
        (["Ann Bo", "Dana Lee", "Sam Ortiz"], "Ann Bo, Dana Lee or Sam Ortiz"),
        (["A", "B", "C", "D"], "one of 4 researchers"),
    ],
)
def test_the_booking_page_names_up_to_three_hosts(names, said):
    assert hosts_phrase(names) == said


# --- properties over random teams ------------------------------------------------------------


@st.composite
def people(draw, now: datetime, limits: Limits):
    """One person's week: their zone and hours (some days off), busy time and interviews."""
    zone = draw(ZONES)
    weekly = tuple(draw(st.lists(windows(), min_size=1, max_size=7)))
    days_off = draw(
        st.lists(
            st.integers(0, 12).map(lambda n: now.date() + timedelta(days=n)),
            max_size=3,
            unique=True,
        )
    )
    return SlotQuery(
        availability=Availability(zone, weekly, tuple(DateOverride(d) for d in days_off)),
        limits=limits,
        now=now,
        busy=draw(st.lists(intervals(now, days=12), max_size=8)),
        booked=draw(st.lists(intervals(now, days=12), max_size=8)),
        range_end=now + timedelta(days=10),
    )


@st.composite
def teams(draw):
    now = draw(NOW)
    limits = Limits(
        duration=timedelta(minutes=draw(st.sampled_from([30, 45, 60]))),
        notice=timedelta(hours=draw(st.integers(0, 24))),
        horizon=timedelta(days=10),
        max_per_day=draw(st.integers(1, 4)),
        buffer=timedelta(minutes=draw(st.sampled_from([0, 15, 30]))),
        step=timedelta(minutes=draw(st.sampled_from([15, 30, 60]))),
    )
    ids = draw(st.lists(st.integers(1, 50), min_size=1, max_size=3, unique=True))
    hosts = {i: draw(people(now, limits)) for i in ids}
    required = draw(st.lists(people(now, limits), max_size=2))
    return hosts, required


def obviously_free(query: SlotQuery, slot: Interval) -> bool:
    """The rules, checked the long way: inside a window of their own days, clear of busy
    time and of interviews plus the buffer, under the day's cap on their clock."""
    zone = ZoneInfo(query.availability.timezone)
    limits = query.limits
    local = slot.start.astimezone(zone).date()
    own = windows_between(query.availability, local - timedelta(days=1), local + timedelta(days=1))
    booked = [b for b in query.booked if b != query.ignore]
    return (
        any(w.start <= slot.start and slot.end <= w.end for w in own)
        and not any(slot.overlaps(b) for b in query.busy)
        and not any(
            slot.overlaps(Interval(b.start - limits.buffer, b.end + limits.buffer)) for b in booked
        )
        and Counter(b.start.astimezone(zone).date() for b in booked)[local] < limits.max_per_day
    )


@settings(max_examples=150, deadline=None)
@given(teams())
def test_never_a_slot_when_a_required_person_is_busy_or_out_of_hours(team):
    hosts, required = team
    offered = team_slots(hosts, required)
    for found in offered:
        assert all(obviously_free(person, found.slot) for person in required)
    # ...and nothing is lost: every host slot every required person is free for is there.
    union = sorted({slot for query in hosts.values() for slot in free_slots(query)})
    assert [f.slot for f in offered] == [
        slot for slot in union if all(obviously_free(p, slot) for p in required)
    ]


@settings(max_examples=150, deadline=None)
@given(teams())
def test_every_slot_has_a_free_host_and_names_exactly_the_free_ones(team):
    hosts, required = team
    offered = team_slots(hosts, required)
    assert [f.slot for f in offered] == sorted({f.slot for f in offered})
    for found in offered:
        assert found.host_ids
        assert found.host_ids == tuple(sorted(found.host_ids))
        for host_id, query in hosts.items():
            assert (host_id in found.host_ids) == (found.slot in free_slots(query))
            if host_id in found.host_ids:
                assert obviously_free(query, found.slot)


@settings(max_examples=100, deadline=None)
@given(teams())
def test_one_host_and_nobody_required_is_the_plain_engine(team):
    hosts, _ = team
    host_id, query = next(iter(hosts.items()))
    assert [f.slot for f in team_slots({host_id: query})] == free_slots(query)


NAMES = st.sampled_from(["Dana Lee", "dana lee", "Sam Ortiz", "Ann Bo", "Zoë Ng", ""])


@st.composite
def loads(draw):
    ids = draw(st.lists(st.integers(1, 1000), min_size=1, max_size=6, unique=True))
    counts = {i: draw(st.integers(0, 5)) for i in ids}
    names = {i: draw(NAMES) for i in ids}
    return ids, counts, names


@settings(max_examples=300, deadline=None)
@given(loads(), st.randoms(use_true_random=False))
def test_choose_host_picks_a_least_loaded_host_whatever_the_order(load, random):
    ids, counts, names = load
    chosen = choose_host(ids, counts, names)
    assert chosen in ids
    assert counts[chosen] == min(counts.values())
    shuffled = list(ids)
    random.shuffle(shuffled)
    assert choose_host(shuffled, counts, names) == chosen
    assert choose_host(set(ids), dict(reversed(counts.items())), names) == chosen
    # Among the least loaded, the first by name.
    tied = [i for i in ids if counts[i] == counts[chosen]]
    assert names[chosen].casefold() == min(names[i].casefold() for i in tied)


@settings(max_examples=200, deadline=None)
@given(loads(), st.integers(1, 40))
def test_bookings_to_hosts_always_free_balance_within_one(load, bookings):
    ids, _, names = load
    counts = dict.fromkeys(ids, 0)
    for _ in range(bookings):
        counts[choose_host(ids, counts, names)] += 1
        assert max(counts.values()) - min(counts.values()) <= 1
    assert sum(counts.values()) == bookings


def test_the_same_facts_give_the_same_host_in_every_order():
    names = {1: "Sam Ortiz", 2: "Dana Lee", 3: "Ann Bo"}
    counts = {1: 0, 2: 0, 3: 1}
    assert {choose_host(list(p), counts, names) for p in permutations([1, 2, 3])} == {2}
