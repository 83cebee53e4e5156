"""Busy time read from a host's calendar feed: what blocks, when, and what is refused."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from interviews.scheduling.busy import BusyFeedError, display_address, feed_address, read_busy
from interviews.scheduling.slots import (
    Availability,
    Interval,
    SlotQuery,
    WeeklyWindow,
    free_slots,
)
from interviews.studies.rules import Limits

BERLIN = ZoneInfo("Europe/Berlin")
START, END = datetime(2026, 11, 30, tzinfo=UTC), datetime(2027, 1, 31, tzinfo=UTC)


def feed(*events: str, extra: str = "") -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Busy//EN"]
    if extra:
        lines.append(extra)
    for event in events:
        lines += ["BEGIN:VEVENT", *event.strip().splitlines(), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(line.strip() for line in lines) + "\r\n").encode()


def local(intervals, zone=BERLIN):
    return [
        (
            i.start.astimezone(zone).strftime("%a %d %b %H:%M"),
            i.end.astimezone(zone).strftime("%H:%M"),
        )
        for i in intervals
    ]


def spans(read, zone=BERLIN):
    return local(read.intervals, zone)


def test_a_weekly_meeting_blocks_each_week_except_the_skipped_and_moved_ones():
    body = feed(
        """
        UID:standup@test
        DTSTART;TZID=Europe/Berlin:20261201T100000
        DTEND;TZID=Europe/Berlin:20261201T110000
        RRULE:FREQ=WEEKLY;COUNT=4
        EXDATE;TZID=Europe/Berlin:20261208T100000
        SUMMARY:Team sync
        """,
        """
        UID:standup@test
        RECURRENCE-ID;TZID=Europe/Berlin:20261215T100000
        DTSTART;TZID=Europe/Berlin:20261215T140000
        DTEND;TZID=Europe/Berlin:20261215T150000
        SUMMARY:Team sync (moved)
        """,
    )
    read = read_busy(body, START, END, "Europe/Berlin")
    assert spans(read) == [
        ("Tue 01 Dec 10:00", "11:00"),
        ("Tue 15 Dec 14:00", "15:00"),
        ("Tue 22 Dec 10:00", "11:00"),
    ]
    assert read.events == 3


def test_a_weekly_meeting_keeps_its_wall_time_across_the_dst_change():
    body = feed(
        """
        UID:weekly@test
        DTSTART;TZID=Europe/Berlin:20270319T090000
        DTEND;TZID=Europe/Berlin:20270319T093000
        RRULE:FREQ=WEEKLY;COUNT=3
        """
    )
    read = read_busy(body, START, datetime(2027, 4, 30, tzinfo=UTC), "Europe/Berlin")
    assert spans(read) == [
        ("Fri 19 Mar 09:00", "09:30"),
        ("Fri 26 Mar 09:00", "09:30"),
        ("Fri 02 Apr 09:00", "09:30"),
    ]
    # Same wall time, one hour less between them in UTC: summer time began on 28 March.
    assert [i.start.hour for i in read.intervals] == [8, 8, 7]


def test_an_all_day_event_blocks_the_hosts_whole_local_days():
    body = feed(
        """
        UID:offsite@test
        DTSTART;VALUE=DATE:20261210
        DTEND;VALUE=DATE:20261212
        SUMMARY:Offsite
        """
    )
    read = read_busy(body, START, END, "Europe/Berlin")
    assert read.intervals == [
        Interval(datetime(2026, 12, 10, tzinfo=BERLIN), datetime(2026, 12, 12, tzinfo=BERLIN))
    ]


def test_a_google_feed_reads_floating_times_in_its_x_wr_timezone():
    body = feed(
        """
        UID:lunch@test
        DTSTART:20261202T120000
        DTEND:20261202T130000
        """,
        extra="X-WR-TIMEZONE:America/New_York",
    )
    read = read_busy(body, START, END, "Europe/Berlin")
    assert read.intervals == [
        Interval(datetime(2026, 12, 2, 17, tzinfo=UTC), datetime(2026, 12, 2, 18, tzinfo=UTC))
    ]


def test_floating_times_without_a_calendar_zone_are_on_the_hosts_clock():
    body = feed(
        """
        UID:dentist@test
        DTSTART:20261203T080000
        DURATION:PT45M
        """
    )
    read = read_busy(body, START, END, "Europe/Berlin")
    assert spans(read) == [("Thu 03 Dec 08:00", "08:45")]


def test_free_and_cancelled_events_do_not_block():
    body = feed(
        """
        UID:free@test
        DTSTART:20261204T090000Z
        DTEND:20261204T100000Z
        TRANSP:TRANSPARENT
        """,
        """
        UID:cancelled@test
        DTSTART:20261204T110000Z
        DTEND:20261204T120000Z
        STATUS:CANCELLED
        """,
        """
        UID:busy@test
        DTSTART:20261204T130000Z
        DTEND:20261204T140000Z
        """,
    )
    read = read_busy(body, START, END, "UTC")
    assert read.intervals == [
        Interval(datetime(2026, 12, 4, 13, tzinfo=UTC), datetime(2026, 12, 4, 14, tzinfo=UTC))
    ]


def test_overlapping_events_merge_and_the_read_is_cut_to_the_window():
    body = feed(
        """
        UID:a@test
        DTSTART:20261201T090000Z
        DTEND:20261201T110000Z
        """,
        """
        UID:b@test
        DTSTART:20261201T100000Z
        DTEND:20261201T120000Z
        """,
        """
        UID:c@test
        DTSTART:20261129T220000Z
        DTEND:20261130T020000Z
        """,
    )
    read = read_busy(body, START, END, "UTC")
    assert read.intervals == [
        Interval(START, datetime(2026, 11, 30, 2, tzinfo=UTC)),
        Interval(datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 1, 12, tzinfo=UTC)),
    ]


def test_single_events_outside_the_window_or_without_a_start_block_nothing():
    body = feed(
        """
        UID:before@test
        DTSTART:20261101T090000Z
        DTEND:20261101T100000Z
        """,
        """
        UID:no-start@test
        SUMMARY:Nothing to place
        """,
        """
        UID:inside@test
        DTSTART:20261202T090000Z
        DTEND:20261202T100000Z
        """,
    )
    read = read_busy(body, START, END, "UTC")
    assert (read.events, spans(read, UTC)) == (1, [("Wed 02 Dec 09:00", "10:00")])


def test_one_repeating_event_among_single_ones_is_still_expanded():
    body = feed(
        """
        UID:single@test
        DTSTART:20261202T090000Z
        DTEND:20261202T100000Z
        """,
        """
        UID:weekly@test
        DTSTART:20261203T090000Z
        DTEND:20261203T093000Z
        RRULE:FREQ=WEEKLY;COUNT=2
        """,
    )
    read = read_busy(body, START, END, "UTC")
    assert spans(read, UTC) == [
        ("Wed 02 Dec 09:00", "10:00"),
        ("Thu 03 Dec 09:00", "09:30"),
        ("Thu 10 Dec 09:00", "09:30"),
    ]


def test_the_calendars_own_name_is_kept():
    body = feed(
        "UID:x@test\nDTSTART:20261201T090000Z\nDTEND:20261201T100000Z",
        extra="X-WR-CALNAME:Dana (work)",
    )
    assert read_busy(body, START, END, "UTC").name == "Dana (work)"


@pytest.mark.parametrize(
    "body",
    [b"<html><body>Sign in to Google</body></html>", b"", b"BEGIN:VEVENT\r\nEND:VEVENT\r\n"],
)
def test_what_is_not_a_calendar_is_refused_with_a_reason(body):
    with pytest.raises(BusyFeedError, match="calendar"):
        read_busy(body, START, END, "UTC")


def test_a_huge_feed_is_refused():
    with pytest.raises(BusyFeedError, match="larger than 5 MB"):
        read_busy(b"x" * (5 * 1024 * 1024 + 1), START, END, "UTC")


@pytest.mark.parametrize(
    ("pasted", "fetched"),
    [
        (
            "webcal://p01-caldav.icloud.com/published/2/abc",
            "https://p01-caldav.icloud.com/published/2/abc",
        ),
        (
            "  https://calendar.google.com/calendar/ical/x/private-key/basic.ics ",
            "https://calendar.google.com/calendar/ical/x/private-key/basic.ics",
        ),
        ("http://127.0.0.1:8080/cal.ics", "http://127.0.0.1:8080/cal.ics"),
    ],
)
def test_pasted_addresses_are_fetched_over_http(pasted, fetched):
    assert feed_address(pasted) == fetched


@pytest.mark.parametrize(
    "pasted", ["", "file:///etc/passwd", "ftp://example.com/cal.ics", "calendar.ics", "https://"]
)
def test_addresses_that_are_not_http_calendars_are_refused(pasted):
    with pytest.raises(BusyFeedError):
        feed_address(pasted)


def test_the_secret_part_of_an_address_is_not_shown():
    shown = display_address(
        "https://calendar.google.com/calendar/ical/dana%40example.com/private-5f2b9c7e1a/basic.ics"
    )
    assert shown.startswith("calendar.google.com/calenda")
    assert "private-5f2b9c7e1a" not in shown


def test_busy_time_from_a_feed_keeps_slots_away():
    body = feed(
        """
        UID:focus@test
        DTSTART;TZID=Europe/Berlin:20261201T090000
        DTEND;TZID=Europe/Berlin:20261201T120000
        RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR
        """
    )
    read = read_busy(body, START, END, "Europe/Berlin")
    slots = free_slots(
        SlotQuery(
            availability=Availability(
                "Europe/Berlin", tuple(WeeklyWindow(d, time(9), time(13)) for d in range(5))
            ),
            limits=Limits(notice=timedelta(0), buffer=timedelta(0), duration=timedelta(minutes=45)),
            now=START,
            busy=read.intervals,
            range_start=datetime(2026, 12, 1, tzinfo=UTC),
            range_end=datetime(2026, 12, 3, tzinfo=UTC),
        )
    )
    # Mornings are focus time: only 12:00 is left on Tuesday and Wednesday.
    assert local(slots) == [
        ("Tue 01 Dec 12:00", "12:45"),
        ("Wed 02 Dec 12:00", "12:45"),
    ]
