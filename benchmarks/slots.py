"""Free-slot computation and the public slots endpoint under a heavy calendar.

Run: .venv/bin/python benchmarks/slots.py [--database-url URL] [--runs N]
One host, a 60-day window, 2,000 existing interviews across studies, 5,000 busy
events (a fifth of them expanded from weekly recurring meetings). Prints median
and p95 milliseconds; asserts nothing. Target: computation under 20 ms.

The HTTP case reads its busy time the way production does: an .ics feed of those
events served on loopback, read by the busy-calendar refresh (fetch, expand the
recurring events, store), which is timed too.

The CalDAV case puts the same 5,000 events, one resource each, into a calendar on a
real Radicale on loopback, connects it as the host's live calendar, and times GET slots
over 60 days when the busy time must be read from the server (the first request, or
one after CALDAV_FRESH_SECONDS) and when the stored copy is fresh (every other request).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time as clock
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from dateutil.rrule import WEEKLY, rrule
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from stats import percentile  # beside this script (run as benchmarks/<name>.py)
from throwaway import throwaway_app

from interviews.accounts import service as accounts
from interviews.db import db
from interviews.participants.models import Participant
from interviews.scheduling import busy_calendars, caldav, calendar_accounts, hours
from interviews.scheduling.models import BusyCalendar, Interview, InterviewStatus
from interviews.scheduling.slots import (
    Availability,
    Interval,
    SlotQuery,
    WeeklyWindow,
    free_slots,
)
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus
from interviews.studies.rules import Limits

# The tests' Radicale runner (a real CalDAV server on loopback) serves the CalDAV case.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.caldav_server import CalDavServer  # noqa: E402

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
DAYS = 60


def report(name: str, ms: list[float]) -> None:
    print(
        f"{name:<52} n={len(ms):<4} median={statistics.median(ms):7.2f} ms  p95={percentile(ms, 95):7.2f} ms"
    )


def calendar(rng: random.Random) -> tuple[list[Interval], list[Interval]]:
    """5,000 busy events (1,000 from weekly recurring meetings) and 2,000 interviews."""
    busy: list[Interval] = []
    while len(busy) < 1000:  # standing weekly meetings, expanded like a feed's RRULE
        start = NOW + timedelta(days=rng.randrange(7), minutes=rng.randrange(8 * 60, 18 * 60, 15))
        for occurrence in rrule(WEEKLY, dtstart=start, count=9):
            busy.append(Interval(occurrence, occurrence + timedelta(minutes=30)))
    busy = busy[:1000]
    while len(busy) < 5000:
        start = NOW + timedelta(minutes=rng.randrange(0, DAYS * 24 * 60, 15))
        busy.append(Interval(start, start + timedelta(minutes=rng.choice([15, 30, 60, 90]))))
    booked = []
    for _ in range(2000):
        start = NOW + timedelta(minutes=rng.randrange(0, DAYS * 24 * 60, 15))
        booked.append(Interval(start, start + timedelta(minutes=45)))
    return busy, booked


def bench_computation(runs: int) -> None:
    busy, booked = calendar(random.Random(7))
    query = SlotQuery(
        availability=Availability(
            "Europe/Berlin", tuple(WeeklyWindow(d, time(8), time(18)) for d in range(5))
        ),
        limits=Limits(horizon=timedelta(days=DAYS), step=timedelta(minutes=15), max_per_day=99),
        now=NOW,
        busy=busy,
        booked=booked,
    )
    samples, found = [], 0
    for _ in range(runs):
        start = clock.perf_counter()
        found = len(free_slots(query))
        samples.append((clock.perf_counter() - start) * 1000)
    report(f"free_slots: 60 days, 2,000 interviews, 5,000 busy ({found} free)", samples)


def ics_feed(rng: random.Random, first: datetime) -> bytes:
    """The busy calendar as a feed: 112 weekly meetings (9 weeks each, 1,008 occurrences)
    and 3,992 single events, 5,000 in all over 60 days."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Bench//Busy//EN"]

    def event(uid: str, start: datetime, minutes: int, rule: str = "") -> None:
        end = start + timedelta(minutes=minutes)
        lines.extend(
            ["BEGIN:VEVENT", f"UID:{uid}@bench", f"DTSTART:{start:%Y%m%dT%H%M%SZ}"]
            + [f"DTEND:{end:%Y%m%dT%H%M%SZ}"]
            + ([rule] if rule else [])
            + ["SUMMARY:Busy", "END:VEVENT"]
        )

    for n in range(112):
        start = first + timedelta(days=rng.randrange(7), minutes=rng.randrange(8 * 60, 18 * 60, 15))
        event(f"weekly-{n}", start, 30, "RRULE:FREQ=WEEKLY;COUNT=9")
    for n in range(3992):
        start = first + timedelta(minutes=rng.randrange(0, DAYS * 24 * 60, 15))
        event(f"single-{n}", start, rng.choice([15, 30, 60, 90]))
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


@contextmanager
def serve(body: bytes) -> Iterator[str]:
    """Serve one calendar on loopback; yields its address."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/busy.ics"
    finally:
        server.shutdown()
        server.server_close()


def seed_host(today: datetime):
    """A host in Berlin (weekdays 08-18) with four published studies and 2,000 interviews
    across them over the coming 60 days; returns the host."""
    user = accounts.sign_up(
        workspace_name="Bench",
        name="Host",
        email="host@bench.example",
        password="bench-password-123",
    )
    host = accounts.current_member(user.id, None)
    hours.set_availability(
        host.user_id,
        timezone="Europe/Berlin",
        weekly=[(d, time(8), time(18)) for d in range(5)],
    )
    slugs = []
    for n in range(4):  # interviews spread across several studies of the one host
        draft = studies.StudyDraft(
            title=f"Bench study {n}",
            host_user_id=host.user_id,
            slug=f"bench-{n}",
            horizon_days=DAYS,
            step_minutes=15,
            max_per_day=24,
        )
        slugs.append(
            studies.set_status(host, studies.create_study(host, draft).id, StudyStatus.PUBLISHED)
        )
    _, booked = calendar(random.Random(7))
    participant = Participant(
        workspace_id=host.workspace_id,
        email="p@bench.example",
        name="P",
        phone="",
        timezone="UTC",
        created_at=today,
        updated_at=today,
    )
    db.session.add(participant)
    db.session.flush()
    shift = today - NOW  # the same calendar, starting today
    db.session.execute(
        insert(Interview),
        [
            {
                "workspace_id": host.workspace_id,
                "study_id": slugs[i % 4].id,
                "participant_id": participant.id,
                "host_id": host.user_id,
                "start_at": b.start + shift,
                "end_at": b.end + shift,
                "status": InterviewStatus.BOOKED,
                "participant_timezone": "UTC",
                "answers": [],
                "manage_token_hash": uuid.uuid4().hex,
                "ics_uid": uuid.uuid4().hex,
                "ics_sequence": 0,
                "created_at": today,
                "updated_at": today,
            }
            for i, b in enumerate(booked)
        ],
    )
    db.session.commit()
    return host


def time_slots(app, runs: int, label: str, before_each=None) -> None:
    """GET slots for a week and for 60 days, ``runs`` times each (``before_each`` runs
    untimed before every request)."""
    client = app.test_client()
    first = datetime.now(UTC).date()
    for days, span in ((7, "a week"), (DAYS - 1, "60 days")):
        path = f"/api/v1/public/studies/bench-0/slots?from={first}&to={first + timedelta(days=days)}&timezone=America/New_York"
        client.get(path)  # warm up
        samples = []
        for _ in range(runs):
            if before_each:
                before_each()
            start = clock.perf_counter()
            response = client.get(path)
            samples.append((clock.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.json
        backend = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
        report(
            f"GET slots, {span}, {label}, {backend} ({len(response.json['slots'])} free)", samples
        )


def bench_http(database_url: str | None, runs: int) -> None:
    # The feed is served on loopback, which the app refuses unless told it is a local set-up.
    with throwaway_app(database_url, BUSY_FEED_ALLOW_PRIVATE=True) as app:
        with app.app_context():
            today = datetime.now(UTC)
            host = seed_host(today)
            feed = ics_feed(random.Random(11), today)
            with serve(feed) as url:
                calendar_id = busy_calendars.add_busy_calendar(host.user_id, url)
                samples = []
                for _ in range(max(3, runs // 10)):
                    start = clock.perf_counter()
                    view = busy_calendars.refresh(calendar_id)
                    samples.append((clock.perf_counter() - start) * 1000)
                    assert view is not None and view.error is None, view
                report(
                    f"refresh busy calendar ({len(feed) // 1024} KiB, {view.events} events)",
                    samples,
                )
        time_slots(app, runs, "iCal feed stored")


def caldav_events(rng: random.Random, first: datetime) -> list[tuple[str, str]]:
    """The same events as ``ics_feed`` (4,104 resources: 112 weekly series and 3,992
    single events, 5,000 occurrences), one calendar resource each, as a CalDAV server
    keeps them: (resource name, VCALENDAR text)."""
    feed = ics_feed(rng, first).decode()
    head, _, rest = feed.partition("BEGIN:VEVENT")
    blocks = ("BEGIN:VEVENT" + rest).replace("END:VCALENDAR\r\n", "").split("BEGIN:VEVENT")[1:]
    resources = []
    for n, block in enumerate(blocks):
        text = (
            head
            + "BEGIN:VEVENT"
            + block.replace("SUMMARY:Busy", "DTSTAMP:20260101T000000Z\r\nSUMMARY:Busy")
        )
        resources.append((f"event-{n}.ics", text + "END:VCALENDAR\r\n"))
    return resources


def bench_caldav(database_url: str | None, runs: int) -> None:
    """A live CalDAV calendar of 5,000 events on a real Radicale (loopback)."""
    server = CalDavServer(Path(tempfile.mkdtemp(prefix="interviews-bench-dav-")))
    server.start()
    try:
        server.add_user("host", "host-app-password")
        url = server.make_calendar("host", "host-app-password", "work", "Work")
        today = datetime.now(UTC)
        # Written as Radicale stores them (one file per resource): 5,000 PUTs would only
        # time the server's writes, which no slot request makes.
        folder = server.storage / "collection-root" / "host" / "work"
        resources = caldav_events(random.Random(11), today)
        for name, text in resources:
            (folder / name).write_text(text, newline="")
        # Radicale indexes a collection on its first read; a server in use has done so.
        started = clock.perf_counter()
        client = caldav.open_client(url, "host", "host-app-password", timeout=600)
        listed = len(
            caldav.read_events(client, url, today, today + timedelta(days=DAYS), timeout=600)
        )
        client.close()
        print(
            f"Radicale's first REPORT ({listed} resources; it builds its cache): "
            f"{(clock.perf_counter() - started) * 1000:.0f} ms"
        )
        with throwaway_app(database_url, BUSY_FEED_ALLOW_PRIVATE=True) as app:
            with app.app_context():
                host = seed_host(today)
                started = clock.perf_counter()
                calendar_accounts.connect(host.user_id, url, "host", "host-app-password")
                connect_ms = (clock.perf_counter() - started) * 1000
            print(
                f"connect (discovery of 1 calendar, {len(resources)} events in it): {connect_ms:.0f} ms"
            )

            def stale() -> None:
                # As if the stored copy were older than CALDAV_FRESH_SECONDS: read again.
                with app.app_context():
                    db.session.execute(BusyCalendar.__table__.update().values(fetched_at=None))
                    db.session.commit()

            time_slots(app, max(3, runs // 10), "CalDAV read live", before_each=stale)
            time_slots(app, runs, "CalDAV copy fresh")
            with app.app_context():
                [calendar] = db.session.scalars(db.select(BusyCalendar)).all()
                print(f"events read from Radicale on the last live read: {calendar.events}")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL; a fresh database is made on it"
    )
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    bench_computation(args.runs)
    bench_http(args.database_url, args.runs)
    bench_caldav(args.database_url, args.runs)


if __name__ == "__main__":
    main()
