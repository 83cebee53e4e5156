"""An app on a database of its own for one benchmark run: a temporary SQLite file, or a
fresh PostgreSQL database on the server given, dropped afterwards."""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import flask_migrate
from flask import Flask
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from interviews.app import create_app
from interviews.config import normalise_database_url
from interviews.db import db


@contextmanager
def throwaway_database(server_url: str | None) -> Iterator[tuple[str, Path]]:
    """Yields (database URL, a scratch folder for the app's instance files)."""
    workdir = Path(tempfile.mkdtemp(prefix="interviews-bench-"))
    if not server_url:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}", workdir
        return
    server = make_url(normalise_database_url(server_url))
    name = f"interviews_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False), workdir
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def throwaway_app(server_url: str | None, **overrides: object) -> Iterator[Flask]:
    """A migrated app on a throwaway database, rate limits off, no sweeper thread, with
    ``overrides`` on top; its engine closed after."""
    with throwaway_database(server_url) as (url, workdir):
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": str(workdir),
                "RATELIMIT_ENABLED": False,
                "SCHEMA_CHECK": False,
                "SWEEP_SECONDS": 0,
                **overrides,
            }
        )
        with app.app_context():
            flask_migrate.upgrade()
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


def chunked(table, rows: list[dict], size: int = 5000) -> None:
    """Bulk-insert seed rows in batches a driver takes in one statement."""
    for start in range(0, len(rows), size):
        db.session.execute(insert(table), rows[start : start + size])


def seed_people(workspace_id: int, count: int, now: datetime) -> list[int]:
    """``count`` panel people (p<n>@bench.example, "Participant <n>"), bulk-inserted;
    their ids in order."""
    from interviews.participants.models import Participant

    chunked(
        Participant,
        [
            {
                "workspace_id": workspace_id,
                "email": f"p{n}@bench.example",
                "name": f"Participant {n}",
                "timezone": "Europe/Berlin",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ],
    )
    return list(
        db.session.scalars(
            select(Participant.id)
            .where(Participant.workspace_id == workspace_id)
            .order_by(Participant.id)
        )
    )


def interview_row(
    workspace_id: int,
    study_id: int,
    participant_id: int,
    host_id: int,
    start: datetime,
    status: object,
    now: datetime,
) -> dict:
    """One 45-minute interview as a bulk insert takes it (tokens unguessable, as booked)."""
    return {
        "workspace_id": workspace_id,
        "study_id": study_id,
        "participant_id": participant_id,
        "host_id": host_id,
        "start_at": start,
        "end_at": start + timedelta(minutes=45),
        "status": status,
        "participant_timezone": "Europe/Berlin",
        "answers": [],
        "manage_token_hash": uuid.uuid4().hex,
        "manage_nonce": uuid.uuid4().hex,
        "ics_uid": uuid.uuid4().hex,
        "ics_sequence": 0,
        "created_at": now,
        "updated_at": now,
    }


def timed(name: str, runs: int, call: Callable[[], object], after=None) -> float:
    """One untimed warm-up call, then ``runs`` timed ones, each on a fresh session as a
    request would have (``after``, untimed, after each: to put back what a call changed);
    prints the result line and returns the p95 in ms."""
    from stats import percentile, timing_line  # beside this script

    samples = []
    for run in range(runs + 1):
        db.session.remove()
        start = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - start) * 1000
        if after:
            after()
        if run:
            samples.append(elapsed)
    print(timing_line(name, samples))
    return percentile(samples, 95)
