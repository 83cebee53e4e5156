"""Free-slot computation and the public slots endpoint under a heavy calendar.

Run: .venv/bin/python benchmarks/slots.py [--database-url URL] [--runs N]
One host, a 60-day window, 2,000 existing interviews across studies, 5,000 busy
events (a fifth of them expanded from weekly recurring meetings). Prints median
and p95 milliseconds; asserts nothing. Target: computation under 20 ms.

The HTTP case reads its busy time the way production does: an .ics feed of those
events served on loopback, read by the busy-calendar refresh (fetch, expand the
recurring events, store), which is timed too.
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time as clock
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from dateutil.rrule import WEEKLY, rrule
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from stats import percentile  # beside this script (run as benchmarks/<name>.py)
from throwaway import throwaway_app

from interviews.accounts import service as accounts
from interviews.db import db
from interviews.participants.models import Participant
from interviews.scheduling import busy_calendars, hours
from interviews.scheduling.models import Interview, InterviewStatus
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


def bench_http(database_url: str | None, runs: int) -> None:
    # The feed is served on loopback, which the app refuses unless told it is a local set-up.
    with throwaway_app(database_url, BUSY_FEED_ALLOW_PRIVATE=True) as app:
        with app.app_context():
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
                    studies.set_status(
                        host, studies.create_study(host, draft).id, StudyStatus.PUBLISHED
                    )
                )
            _, booked = calendar(random.Random(7))
            today = datetime.now(UTC)
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
        client = app.test_client()
        first = today.date()
        for days, label in ((7, "a week"), (DAYS - 1, "60 days")):
            path = f"/api/v1/public/studies/bench-0/slots?from={first}&to={first + timedelta(days=days)}&timezone=America/New_York"
            client.get(path)  # warm up
            samples = []
            for _ in range(runs):
                start = clock.perf_counter()
                response = client.get(path)
                samples.append((clock.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.json
            report(
                f"GET slots, {label}, {make_url(app.config['SQLALCHEMY_DATABASE_URI']).get_backend_name()} ({len(response.json['slots'])} free)",
                samples,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL; a fresh database is made on it"
    )
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    bench_computation(args.runs)
    bench_http(args.database_url, args.runs)


if __name__ == "__main__":
    main()
