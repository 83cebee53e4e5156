"""A host subscribes to their interviews from their own calendar app."""

from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar

from tests.conftest import book_interview, log_in, next_weekday_slot


def book(client, start, email, name):
    return book_interview(client, start, email, name, timezone="UTC")


def feed_link(client) -> str:
    page = client.post("/availability/calendar-link", follow_redirects=True).get_data(as_text=True)
    return re.search(
        r'id="feed-link"[^>]*value="http://desk\.test(/calendar/[^"]+\.ics)"', page
    ).group(1)


def test_the_feed_lists_the_hosts_interviews_and_follows_changes(client, study):
    first = next_weekday_slot(10)
    kept = book(client, first, "pat@customer.example", "Pat Customer")
    gone = book(client, first + timedelta(hours=3), "quinn@customer.example", "Quinn Buyer")
    log_in(client, study["dana"].email)
    path = feed_link(client)

    calendar = Calendar.from_ical(client.get(path).data)
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "Interview: Pat Customer (Northwind product interview about dashboards)",
        "Interview: Quinn Buyer (Northwind product interview about dashboards)",
    ]
    assert events[0].decoded("dtstart") == first
    assert str(events[0]["description"]) == f"http://desk.test/interviews/{kept['interview_id']}"

    client.post(f"/api/v1/public/manage/{gone['manage_url'].rsplit('/', 1)[1]}/cancel", json={})
    events = Calendar.from_ical(client.get(path).data).walk("VEVENT")
    assert [str(e["summary"]).split(" (")[0] for e in events] == ["Interview: Pat Customer"]


def test_the_link_is_shown_once_and_a_new_one_retires_the_old(client, study):
    log_in(client, study["dana"].email)
    old = feed_link(client)
    assert old not in client.get("/availability").get_data(as_text=True)

    new = feed_link(client)

    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get(new).mimetype == "text/calendar"


def test_a_note_takers_feed_lists_the_calls_they_join_and_whose_call_it_is(client, study):
    booked = book(client, next_weekday_slot(10), "pat@customer.example", "Pat Customer")
    log_in(client, study["sam"].email)

    events = Calendar.from_ical(client.get(feed_link(client)).data).walk("VEVENT")

    assert [str(e["summary"]) for e in events] == [
        "Interview: Pat Customer (Northwind product interview about dashboards), "
        "taking notes for Dana Reyes"
    ]
    assert str(events[0]["description"]) == f"http://desk.test/interviews/{booked['interview_id']}"


def test_a_teammate_not_on_the_call_sees_none_of_it(client, study, add_member):
    book(client, next_weekday_slot(10), "pat@customer.example", "Pat Customer")
    lee = add_member(study["dana"], name="Lee Chen")
    log_in(client, lee.email)
    events = Calendar.from_ical(client.get(feed_link(client)).data).walk("VEVENT")
    assert events == []
