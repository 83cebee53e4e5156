"""Busy calendars: a host pastes their calendar's address and its events keep interviews away.

The calendar is served by a real HTTP server on loopback; the feed is real iCalendar.
Loopback is refused by default (tests/integration/test_feed_addresses.py), so these
apps set BUSY_FEED_ALLOW_PRIVATE, as development does.
"""

from __future__ import annotations

import subprocess
import time
from datetime import date, datetime, timedelta

import pytest
from rq import Queue
from sqlalchemy import func, select

from interviews import dispatcher
from interviews.db import db
from interviews.scheduling import busy_calendars
from interviews.scheduling.models import BusyCalendar, BusyTime
from tests.conftest import BERLIN, ROOT, CalendarServer, log_in, next_weekday_slot
from tests.integration.conftest import RQ


def busy_feed(first: datetime, *, summary: str = "Focus time", days: int = 3) -> bytes:
    """A calendar with a daily 10:00-11:00 (Berlin) event for ``days`` days from ``first``."""
    start = first.strftime("%Y%m%dT100000")
    end = first.strftime("%Y%m%dT110000")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Busy//EN\r\n"
        "X-WR-CALNAME:Dana (work)\r\n"
        "BEGIN:VEVENT\r\nUID:focus@test\r\n"
        f"DTSTART;TZID=Europe/Berlin:{start}\r\nDTEND;TZID=Europe/Berlin:{end}\r\n"
        f"RRULE:FREQ=DAILY;COUNT={days}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()


def berlin_times(client, day: date) -> list[str]:
    response = client.get(
        f"/api/v1/public/studies/dashboards/slots?from={day}&to={day}&timezone=Europe/Berlin"
    )
    assert response.status_code == 200, response.json
    return [
        datetime.fromisoformat(s["start"]).astimezone(BERLIN).strftime("%H:%M")
        for s in response.json["slots"]
    ]


def add_calendar(client, url: str):
    return client.post("/availability/calendars", data={"url": url}, follow_redirects=True)


def connect(app, client, calendar_server: CalendarServer) -> tuple[datetime, int]:
    """Serve a busy feed and connect it as the logged-in host: (its first day, its id)."""
    day = next_weekday_slot(10)
    calendar_server.body = busy_feed(day)
    add_calendar(client, calendar_server.url)
    with app.app_context():
        return day, db.session.scalar(select(BusyCalendar.id))


@pytest.fixture
def app(make_app):
    return make_app(BUSY_FEED_ALLOW_PRIVATE=True)


@pytest.fixture
def dana_client(app, study):
    client = app.test_client()
    log_in(client, study["dana"].email)
    return client


def test_events_of_a_pasted_calendar_are_no_longer_offered_to_interviewees(
    app, client, dana_client, study, calendar_server: CalendarServer
):
    day = next_weekday_slot(10)
    assert "10:00" in berlin_times(client, day.date())
    calendar_server.body = busy_feed(day)

    page = add_calendar(dana_client, calendar_server.url).get_data(as_text=True)

    assert "Calendar added: 3 busy events from Dana (work)" in page
    assert "3 busy events in the coming year" in page
    # The secret part of the address is not shown back.
    assert "private-abc123def456" not in page
    times = berlin_times(client, day.date())
    assert "09:00" in times and "11:00" in times
    assert "09:30" not in times and "10:00" not in times and "10:30" not in times


def test_a_booking_in_busy_time_is_refused(app, client, dana_client, study, calendar_server):
    day = next_weekday_slot(10)
    calendar_server.body = busy_feed(day)
    add_calendar(dana_client, calendar_server.url)

    response = client.post(
        "/api/v1/public/studies/dashboards/bookings",
        json={
            "name": "Priya",
            "email": "priya@example.com",
            "phone": "+4930123456",
            "timezone": "Europe/Berlin",
            "start": day.isoformat(),
        },
    )

    assert response.status_code == 409


def test_removing_a_calendar_frees_its_time_at_once(
    app, client, dana_client, study, calendar_server
):
    day, calendar_id = connect(app, dana_client, calendar_server)

    page = dana_client.post(
        f"/availability/calendars/{calendar_id}/remove", follow_redirects=True
    ).get_data(as_text=True)

    assert "its events no longer block interviews" in page
    assert "10:00" in berlin_times(client, day.date())
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BusyTime)) == 0


def test_a_failing_feed_keeps_its_last_good_copy_and_shows_the_error(
    app, client, dana_client, study, calendar_server
):
    day, calendar_id = connect(app, dana_client, calendar_server)
    calendar_server.status = 404

    page = dana_client.post(
        f"/availability/calendars/{calendar_id}/refresh", follow_redirects=True
    ).get_data(as_text=True)

    assert "Your calendar could not be read: 127.0.0.1 answered 404 Not Found." in page
    assert "copy it from your calendar again" in page
    assert "keeps blocking" in page
    assert "10:00" not in berlin_times(client, day.date())

    calendar_server.status = 200
    calendar_server.body = busy_feed(day, days=1)
    page = dana_client.post(
        f"/availability/calendars/{calendar_id}/refresh", follow_redirects=True
    ).get_data(as_text=True)
    assert "Read again: 1 busy events" in page
    assert "failed" not in page


def test_a_feed_that_is_not_a_calendar_is_reported_and_blocks_nothing(
    app, client, dana_client, study, calendar_server
):
    calendar_server.body = b"<html><title>Sign in</title></html>"

    page = add_calendar(dana_client, calendar_server.url).get_data(as_text=True)

    assert (
        "Calendar added, but it could not be read yet: That address did not return a calendar"
        in page
    )
    assert "Not read yet." in page
    assert "10:00" in berlin_times(client, next_weekday_slot(10).date())


def test_a_slow_calendar_server_times_out_with_a_message(make_app, study, calendar_server):
    app = make_app(BUSY_FEED_TIMEOUT=1, BUSY_FEED_ALLOW_PRIVATE=True)
    client = app.test_client()
    log_in(client, study["dana"].email)
    calendar_server.body = busy_feed(next_weekday_slot(10))
    calendar_server.delay = 2

    page = add_calendar(client, calendar_server.url).get_data(as_text=True)

    assert "127.0.0.1 did not answer within 1 seconds." in page


def test_an_unchanged_calendar_is_not_downloaded_again(app, dana_client, study, calendar_server):
    day = next_weekday_slot(10)
    calendar_server.body = busy_feed(day)
    calendar_server.etag = '"v1"'
    add_calendar(dana_client, calendar_server.url)
    with app.app_context():
        calendar_id = db.session.scalar(select(BusyCalendar.id))

    page = dana_client.post(
        f"/availability/calendars/{calendar_id}/refresh", follow_redirects=True
    ).get_data(as_text=True)

    assert calendar_server.requests[-1]["If-None-Match"] == '"v1"'
    assert "Read again: 3 busy events from Dana (work)" in page


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "starts with https:// or webcal://"),
        ("", "Paste your calendar"),
    ],
)
def test_an_address_that_is_not_a_calendar_address_is_refused_and_nothing_is_kept(
    app, dana_client, study, url, message
):
    page = add_calendar(dana_client, url).get_data(as_text=True)

    assert message in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BusyCalendar)) == 0


def test_the_same_calendar_twice_is_refused(app, dana_client, study, calendar_server):
    calendar_server.body = busy_feed(next_weekday_slot(10))
    add_calendar(dana_client, calendar_server.url)

    page = add_calendar(dana_client, calendar_server.url).get_data(as_text=True)

    assert "That calendar is already on your list." in page


def test_another_hosts_calendar_cannot_be_read_or_removed(
    app, dana_client, study, calendar_server, make_workspace
):
    calendar_server.body = busy_feed(next_weekday_slot(10))
    add_calendar(dana_client, calendar_server.url)
    with app.app_context():
        calendar_id = db.session.scalar(select(BusyCalendar.id))
    stranger = make_workspace(name="Other")
    client = app.test_client()
    log_in(client, stranger.email)

    assert client.post(f"/availability/calendars/{calendar_id}/refresh").status_code == 404
    assert client.post(f"/availability/calendars/{calendar_id}/remove").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BusyCalendar)) == 1


def test_the_dispatcher_rereads_calendars_that_are_due_and_leaves_fresh_ones(
    app, runner, dana_client, study, calendar_server
):
    day = next_weekday_slot(10)
    calendar_server.body = busy_feed(day)
    add_calendar(dana_client, calendar_server.url)
    reads = len(calendar_server.requests)

    assert "busy calendars refreshed: 0" in runner.invoke(args=["dispatch"]).output
    assert len(calendar_server.requests) == reads

    with app.app_context():
        calendar = db.session.scalar(select(BusyCalendar))
        calendar.checked_at -= timedelta(minutes=app.config["BUSY_REFRESH_MINUTES"] + 1)
        db.session.commit()
    calendar_server.body = busy_feed(day, days=1)

    assert "busy calendars refreshed: 1" in runner.invoke(args=["dispatch"]).output
    assert len(calendar_server.requests) == reads + 1
    with app.app_context():
        assert db.session.scalar(select(BusyCalendar.events)) == 1


def test_without_redis_the_web_process_sweeps_on_its_own(
    make_app, dana_client, study, calendar_server
):
    app = make_app(SWEEP_SECONDS=1, BUSY_REFRESH_MINUTES=1, BUSY_FEED_ALLOW_PRIVATE=True)
    calendar_server.body = busy_feed(next_weekday_slot(10))
    add_calendar(dana_client, calendar_server.url)
    with app.app_context():
        calendar = db.session.scalar(select(BusyCalendar))
        calendar.checked_at -= timedelta(minutes=5)
        db.session.commit()

    sweeper = dispatcher.Sweeper(app).start()
    try:
        deadline = time.monotonic() + 20
        while len(calendar_server.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        sweeper.stop()

    assert len(calendar_server.requests) == 2


def test_a_failing_calendar_is_tried_less_often(app, dana_client, study, calendar_server):
    calendar_server.status = 500
    add_calendar(dana_client, calendar_server.url)
    every = timedelta(minutes=app.config["BUSY_REFRESH_MINUTES"])
    with app.app_context():
        calendar = db.session.scalar(select(BusyCalendar))
        assert calendar.failures == 1
        checked = calendar.checked_at
        # One interval later: a calendar that failed once waits two.
        assert busy_calendars.claim_due(checked + every + timedelta(seconds=1)) == []
        assert busy_calendars.claim_due(checked + 2 * every) == [calendar.id]
        # Claimed: a second sweep at the same moment does not take it too.
        assert busy_calendars.claim_due(checked + 2 * every) == []


def test_with_redis_a_worker_reads_the_calendar_and_rq_cron_schedules_the_sweep(
    redis_app, redis, namespace, run_worker, worker_env, study, calendar_server, redis_url
):
    app = redis_app(BUSY_FEED_ALLOW_PRIVATE=True)
    client = app.test_client()
    log_in(client, study["dana"].email)
    day = next_weekday_slot(10)
    calendar_server.body = busy_feed(day)

    page = add_calendar(client, calendar_server.url).get_data(as_text=True)

    assert "It is being read now" in page
    assert calendar_server.requests == []
    run_worker(BUSY_FEED_ALLOW_PRIVATE="true")
    assert len(calendar_server.requests) == 1
    assert "10:00" not in berlin_times(client, day.date())

    # Production: `rq cron workers.cron` puts a sweep on the queue every SWEEP_SECONDS.
    with app.app_context():
        calendar = db.session.scalar(select(BusyCalendar))
        calendar.checked_at -= timedelta(days=1)
        db.session.commit()
    calendar_server.body = busy_feed(day, days=1)
    cron = subprocess.Popen(
        [RQ, "cron", "workers.cron", "--url", redis_url],
        env=worker_env(SWEEP_SECONDS=1),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        queue = Queue(namespace, connection=redis)
        deadline = time.monotonic() + 30
        while queue.count == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        cron.terminate()
        _, errors = cron.communicate(timeout=20)
        # rq cron keeps its bookkeeping under shared names, not under the queue's.
        redis.delete(
            "rq:cron_job:workers.sweep.sweep:jobs", *redis.keys(f"rq:cron_scheduler:*:{cron.pid}:*")
        )
        redis.zrem("rq:cron_jobs", "workers.sweep.sweep")
    assert queue.count >= 1, errors
    run_worker(BUSY_FEED_ALLOW_PRIVATE="true")
    assert len(calendar_server.requests) == 2
    with app.app_context():
        assert db.session.scalar(select(BusyCalendar.events)) == 1
