"""Fixtures shared by every test.

Each run gets its own database: a temporary SQLite file, or, when
TEST_DATABASE_URL points at PostgreSQL, a fresh database created on that
server and dropped afterwards. Migrations run once per run; every test ends
by emptying the tables. Services a test needs but the machine lacks (Redis,
Chromium) are skipped with a reason, unless INTERVIEWS_REQUIRE_SERVICES=1
(CI), where a missing service is a failure.
"""

from __future__ import annotations

import os
import threading
import time as clock
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import selectinload

from interviews.accounts import invites as member_invites
from interviews.accounts import service as accounts
from interviews.accounts.rules import Role
from interviews.app import create_app
from interviews.clock import utc_now
from interviews.config import normalise_database_url
from interviews.db import db
from interviews.mail.models import MailMessage
from interviews.scheduling import hours
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies
from interviews.studies.models import Study, StudyStatus
from tests.caldav_server import _radicale, caldav_server  # noqa: F401  (fixtures)

PASSWORD = "correct horse battery"
REQUIRE_SERVICES = os.environ.get("INTERVIEWS_REQUIRE_SERVICES", "").lower() in ("1", "true", "yes")


def missing_service(reason: str) -> None:
    """Skip on a developer's machine without the service; fail in CI, where it must exist."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (INTERVIEWS_REQUIRE_SERVICES=1, so this is a failure)")
    pytest.skip(reason)


def pytest_report_header(config: pytest.Config) -> list[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    where = (
        make_url(normalise_database_url(url)).render_as_string(hide_password=True)
        if url
        else "SQLite (temporary file)"
    )
    return [
        f"interviews: database {where}; redis {os.environ.get('TEST_REDIS_URL', 'redis://127.0.0.1:6379/15')}"
    ]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    raw = os.environ.get("TEST_DATABASE_URL")
    if not raw:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    server = make_url(normalise_database_url(raw))
    if not server.drivername.startswith("postgresql"):
        raise pytest.UsageError(
            "TEST_DATABASE_URL must be a PostgreSQL URL (SQLite is the default)"
        )
    name = f"interviews_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def base_config(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        "BASE_URL": "http://desk.test",
        "MAIL_BACKEND": "mailbox",
        "MAIL_DEFAULT_SENDER": "desk@desk.test",
        "REDIS_URL": None,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        "SCHEMA_CHECK": False,
    }


@pytest.fixture(scope="session")
def migrated(base_config: dict[str, Any]) -> dict[str, Any]:
    """Apply every migration once per run, the way `interviews db upgrade` does."""
    app = create_app(dict(base_config))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return base_config


def _empty_tables(app: Flask) -> None:
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                quoted = ", ".join(f'"{t}"' for t in tables)
                connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(text(f'DELETE FROM "{table}"'))
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(migrated: dict[str, Any]) -> Iterator[Callable[..., Flask]]:
    """Build an app on the test database with some settings changed."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        config = {**migrated, **overrides}
        app = create_app(config)
        made.append(app)
        return app

    yield make
    if made:
        _empty_tables(made[0])
        for app in made[1:]:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make_workspace(app: Flask) -> Callable[..., accounts.Member]:
    """A workspace with its owner, made through the sign-up service."""

    def make(
        name: str = "Acme", email: str | None = None, owner_name: str = "Olive Owner"
    ) -> accounts.Member:
        email = email or f"owner-{uuid.uuid4().hex[:8]}@example.com"
        with app.app_context():
            user = accounts.sign_up(
                workspace_name=name, name=owner_name, email=email, password=PASSWORD
            )
            member = accounts.current_member(user.id, None)
            assert member is not None
            return member

    return make


@pytest.fixture
def add_member(app: Flask) -> Callable[..., accounts.Member]:
    """Invite someone into the owner's workspace and accept it, as a person would."""

    def add(
        owner: accounts.Member,
        role: Role = Role.RESEARCHER,
        name: str = "Rae Teammate",
        email: str | None = None,
    ) -> accounts.Member:
        email = email or f"{role.value}-{uuid.uuid4().hex[:8]}@example.com"
        with app.app_context():
            sent = member_invites.invite_member(owner, email=email, role=role)
            return member_invites.accept_invite(
                sent.link.rsplit("/", 1)[1], name=name, password=PASSWORD
            )

    return add


def log_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def sent_mail(app: Flask) -> Callable[[], list[MailMessage]]:
    """Every message the app wrote, oldest first (detached copies)."""

    def read() -> list[MailMessage]:
        with app.app_context():
            rows = db.session.scalars(
                db.select(MailMessage)
                .options(selectinload(MailMessage.attachments))
                .order_by(MailMessage.id)
            ).all()
            db.session.expunge_all()
            return list(rows)

    return read


def worker_redis_url(url: str) -> str:
    """The Redis database of this test process. Tests normally touch only their own
    namespace's keys, but the fault drills flush the whole database; with pytest-xdist
    (`make test` runs two processes) worker gwN therefore takes the database N below
    TEST_REDIS_URL's (db 15 and 14 by default), so a flush never reaches a neighbour."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    database = int(parts.path.lstrip("/") or 0) - int(worker.removeprefix("gw"))
    if database < 0:
        raise pytest.UsageError(f"too many test workers for the Redis databases below {url}")
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A reachable Redis (TEST_REDIS_URL, default db 15 on localhost, one database per
    test process); keys made by a test are its own."""
    url = worker_redis_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    try:
        Redis.from_url(url, socket_connect_timeout=1).ping()
    except RedisConnectionError:
        missing_service(f"Redis is not reachable at {url}: set TEST_REDIS_URL to run Redis tests")
    yield url


@pytest.fixture
def namespace() -> str:
    """A unique prefix for Redis keys and RQ queue names, so runs never see each other."""
    return f"test-{uuid.uuid4().hex[:10]}"


BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def study(app, make_workspace, add_member):
    """A published study hosted by Dana (Berlin, weekdays 09-17) with Sam taking notes."""
    dana = make_workspace(name="Northwind", owner_name="Dana Reyes")
    sam = add_member(dana, role=Role.RESEARCHER, name="Sam Rivera")
    with app.app_context():
        hours.set_availability(
            dana.user_id,
            timezone="Europe/Berlin",
            weekly=[(d, time(9), time(17)) for d in range(5)],
        )
        draft = studies.StudyDraft(
            title="Northwind product interview about dashboards",
            host_user_id=dana.user_id,
            description="We are redesigning dashboards and want to hear how you use them.",
            meeting_url="https://meet.example.com/northwind-dana",
            phone_fallback="+49 30 1234567",
            reward_text="a $20 gift card",
            questions=("What do you use dashboards for?",),
            colleague_user_ids=(sam.user_id,),
            slug="dashboards",
        )
        view = studies.create_study(dana, draft)
        studies.set_status(dana, view.id, StudyStatus.PUBLISHED)
    return {"dana": dana, "sam": sam, "slug": "dashboards"}


def give_offer(
    app: Flask,
    owner: accounts.Member,
    kind: str = "gift_card",
    amount: str = "20.00",
    currency: str = "USD",
    text: str = "",
    slug: str = "dashboards",
) -> None:
    """Give a study (the `study` fixture's by default) a reward offer, through the same
    update a PM's study form makes; everything else about the study stays as it was."""
    with app.app_context():
        study_id = db.session.scalar(db.select(Study.id).filter_by(slug=slug))
        view = studies.get_study(owner.workspace_id, study_id)
        draft = studies.StudyDraft(
            title=view.title,
            host_user_id=view.host.user_id,
            description=view.description,
            meeting_url=view.meeting_url,
            phone_fallback=view.phone_fallback,
            questions=view.questions,
            colleague_user_ids=tuple(c.user_id for c in view.colleagues),
            slug=view.slug,
            offer=studies.parse_offer(kind, amount, currency, text),
        )
        studies.update_study(owner, view.id, draft)


def next_weekday_slot(hour: int = 10) -> datetime:
    """A slot start on a weekday at least two days out, in Berlin: always bookable."""
    day = (utc_now() + timedelta(days=3)).astimezone(BERLIN).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=BERLIN)


def book_interview(
    client: FlaskClient,
    start: datetime,
    email: str = "pat@customer.example",
    name: str = "Pat Customer",
    **fields: Any,
) -> dict[str, Any]:
    """Book the `study` fixture's study through the public API, as an interviewee in New
    York; ``fields`` add to or replace the request's. Returns the 201 booking's JSON."""
    body = {
        "name": name,
        "email": email,
        "phone": "+1 415 555 2671",
        "timezone": "America/New_York",
        "start": start.isoformat(),
        **fields,
    }
    response = client.post("/api/v1/public/studies/dashboards/bookings", json=body)
    assert response.status_code == 201, response.json
    return response.json


def started_minutes_ago(app: Flask, interview_id: int, minutes: int) -> None:
    """Move the interview (not its messages) so it started that long ago on the real clock:
    attendance can only be recorded once an interview has started."""
    with app.app_context():
        interview = db.session.get(Interview, interview_id)
        length = interview.end_at - interview.start_at
        interview.start_at = utc_now() - timedelta(minutes=minutes)
        interview.end_at = interview.start_at + length
        db.session.commit()


def held_calls(app: Flask, interview_id: int, count: int) -> None:
    """Replace a booked interview by ``count`` completed copies of it, one a day over the
    last ``count`` days (newest yesterday), without notes: a busy team's month, without
    booking each call through the host's three-a-day limit."""
    with app.app_context():
        first = db.session.get(Interview, interview_id)
        now = utc_now()
        for n in range(count):
            start = now - timedelta(days=n + 1)
            copied = {
                c.key: getattr(first, c.key)
                for c in Interview.__table__.columns
                if c.key not in ("id", "manage_token_hash", "ics_uid")
            }
            copied |= {"start_at": start, "end_at": start + timedelta(minutes=30)}
            copied |= {"status": InterviewStatus.COMPLETED, "ics_uid": f"held-{n}@test"}
            db.session.add(Interview(**copied, manage_token_hash=f"held-{n}"))
        db.session.delete(first)
        db.session.commit()


ROOT = Path(__file__).resolve().parent.parent


@dataclass
class CalendarServer:
    """A real HTTP server on 127.0.0.1 serving one calendar feed, set by the test.

    It answers ``status`` (after ``delay`` seconds), honours If-None-Match with a 304,
    and records the headers of every request it got.
    """

    port: int = 0
    body: bytes = b""
    status: int = 200
    delay: float = 0
    etag: str | None = None
    requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/private-abc123def456/basic.ics"


@pytest.fixture
def calendar_server() -> Iterator[CalendarServer]:
    state = CalendarServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(dict(self.headers.items()))
            if state.delay:
                clock.sleep(state.delay)
            if state.status != 200:
                self.send_error(state.status)
                return
            if state.etag and self.headers.get("If-None-Match") == state.etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(state.body)))
            if state.etag:
                self.send_header("ETag", state.etag)
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
