"""Free-slot computation and the public slots endpoint under a heavy calendar.

Run: .venv/bin/python benchmarks/slots.py [--database-url URL] [--runs N]
One host, a 60-day window, 2,000 existing interviews across studies, 5,000 busy
events (a fifth of them expanded from weekly recurring meetings). Prints median
and p95 milliseconds; asserts nothing. Target: computation under 20 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time as clock
import uuid
from datetime import UTC, datetime, time, timedelta

from dateutil.rrule import WEEKLY, rrule
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from throwaway import throwaway_app  # beside this script (run as benchmarks/<name>.py)

from interviews.accounts import service as accounts
from interviews.db import db
from interviews.participants.models import Participant
from interviews.scheduling import service as scheduling
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.scheduling.slots import (
    Availability,
    Interval,
    Limits,
    SlotQuery,
    WeeklyWindow,
    free_slots,
)
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
DAYS = 60


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


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


def bench_http(database_url: str | None, runs: int) -> None:
    with throwaway_app(database_url) as app:
        with app.app_context():
            user = accounts.sign_up(
                workspace_name="Bench",
                name="Host",
                email="host@bench.example",
                password="bench-password-123",
            )
            host = accounts.current_member(user.id, None)
            scheduling.set_availability(
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
