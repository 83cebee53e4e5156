"""A host sets a special day and connects their own calendar; interviewees stop seeing busy times."""

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import BERLIN, PASSWORD, next_weekday_slot
from tests.e2e.conftest import assert_accessible
from tests.e2e.navigation import nav_link

pytestmark = pytest.mark.e2e


def team_calendar(day: datetime) -> bytes:
    """A work calendar: a weekly 10:00-11:00 meeting from ``day``, and an all-day event off it."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Work//EN\r\n"
        "X-WR-CALNAME:Dana (work)\r\nX-WR-TIMEZONE:Europe/Berlin\r\n"
        "BEGIN:VEVENT\r\nUID:sync@test\r\n"
        f"DTSTART:{day:%Y%m%d}T100000\r\nDTEND:{day:%Y%m%d}T110000\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Team sync\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()


def times_on(page, base_url: str, day: datetime) -> list[str]:
    """The open times the booking page lists on that day, on a Berlin clock."""
    page.goto(f"{base_url}/book/dashboards?tz=Europe/Berlin&from={day:%Y-%m-%d}")
    group = page.get_by_role("group", name=re.compile(f"{day:%A} {day.day} "))
    return [t.strip() for t in group.locator("label.slot").all_inner_texts()]


def test_a_host_connects_their_calendar_and_its_meetings_leave_the_booking_page(
    live_app, live_server, page, new_context, study, calendar_server
):
    day = next_weekday_slot(10)
    calendar_server.body = team_calendar(day)
    interviewee = new_context().new_page()
    assert "10:00" in times_on(interviewee, live_server, day)

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(study["dana"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    nav_link(page, "Hours").click()
    assert_accessible(page)

    # The test's calendar server is on loopback: refused next to the field, as typed,
    # until private addresses are allowed (as in development).
    page.get_by_label("Calendar address (.ics)").fill(calendar_server.url)
    page.get_by_role("button", name="Add calendar").click()
    expect(page.locator("#calendar-url-error")).to_contain_text("127.0.0.1 is this server itself")
    expect(page.get_by_label("Calendar address (.ics)")).to_have_value(calendar_server.url)
    assert_accessible(page)
    assert calendar_server.requests == []
    live_app.config["BUSY_FEED_ALLOW_PRIVATE"] = True

    # Paste the calendar's address: it is read at once and its events named.
    page.get_by_role("button", name="Add calendar").click()
    expect(page.get_by_text("Calendar added: 4 busy events from Dana (work)")).to_be_visible()
    expect(page.get_by_text("4 busy events in the coming year")).to_be_visible()
    assert_accessible(page)
    times = times_on(interviewee, live_server, day)
    assert "10:00" not in times and "09:00" in times and "11:00" in times

    # A special day: extra hours on the Saturday after.
    saturday = (day + timedelta(days=5 - day.weekday())).astimezone(BERLIN)
    page.get_by_label("Day with other hours").fill(f"{saturday:%Y-%m-%d}")
    page.get_by_label("Opens at").fill("10:00")
    page.get_by_label("Closes at").fill("12:00")
    page.get_by_role("button", name="Add hours").click()
    expect(page.get_by_text(f"{saturday:%A %-d %B}: open 10:00 to 12:00.")).to_be_visible()
    assert_accessible(page)
    assert times_on(interviewee, live_server, saturday) == ["10:00", "10:30", "11:00"]

    # The calendar stops working: the host is told, and the last good copy keeps blocking.
    calendar_server.status = 500
    page.get_by_role("button", name="Read Dana (work) again").click()
    expect(page.get_by_role("alert")).to_contain_text("could not be read: 127.0.0.1 answered 500")
    expect(page.get_by_text("keeps blocking")).to_be_visible()
    assert_accessible(page)
    assert "10:00" not in times_on(interviewee, live_server, day)

    # Removing it frees the time at once.
    page.get_by_role("button", name="Remove Dana (work)").click()
    expect(page.get_by_text("No calendars connected")).to_be_visible()
    assert "10:00" in times_on(interviewee, live_server, day)
