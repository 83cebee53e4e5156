"""Fixtures for tests that talk to real services on loopback: an SMTP server, a TLS CA,
Redis with real `rq worker` processes, and an HTTP server of calendar feeds."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from redis import Redis

from tests.conftest import ROOT


def free_port() -> int:
    """A port nothing listens on right now (bound and released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    """One message as the SMTP server got it: the envelope and the parsed email."""

    mail_from: str
    rcpt_tos: list[str]
    email: EmailMessage
    login: str | None


@dataclass
class MailServer:
    """A real SMTP server on 127.0.0.1 and what it received."""

    port: int
    received: list[Received] = field(default_factory=list)
    # Seconds the server waits before accepting each recipient: a send "in flight".
    rcpt_delay: float = 0
    # RCPT commands seen, delivered or not (a killed sender never gets to DATA).
    rcpts: int = 0
    # Recipients answered "550 no such user" (a refusal for good).
    refuse: set[str] = field(default_factory=set)
    # Recipients answered "451 try again later" (a refusal for now).
    defer: set[str] = field(default_factory=set)

    def settings(self) -> dict[str, object]:
        """The app settings that point MAIL_BACKEND=smtp at this server (no TLS, no login)."""
        return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port}


class _Keep:
    """aiosmtpd handler: keep every message."""

    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        self.server.rcpts += 1
        if address in self.server.refuse:
            return "550 5.1.1 No such user here"
        if address in self.server.defer:
            return "451 4.3.0 Try again later"
        if self.server.rcpt_delay:
            await asyncio.sleep(self.server.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope) -> str:
        login = session.auth_data.login.decode() if session.authenticated else None
        self.server.received.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                email=message_from_bytes(envelope.original_content, policy=policy.default),  # type: ignore[arg-type]
                login=login,
            )
        )
        return "250 Message accepted for delivery"


class _Accounts:
    """aiosmtpd authenticator: LOGIN/PLAIN against a fixed username and password."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def __call__(self, smtp, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        # handled=False: aiosmtpd answers a refusal with its own 535 reply.
        return AuthResult(
            success=self.users.get(login) == password, handled=False, auth_data=auth_data
        )


@pytest.fixture
def redis(redis_url: str, namespace: str) -> Iterator[Redis]:
    """A Redis client; afterwards every key of this test's namespace is deleted.

    That is every key naming the namespace (rate-limit counters, RQ queues and
    registries, the worker), the RQ jobs those list, and the namespace's entries in
    RQ's shared sets of queues and workers.
    """
    connection = Redis.from_url(redis_url)
    yield connection
    names = list(connection.scan_iter(match=f"*{namespace}*"))
    job_ids: set[str] = set()
    for name in names:
        kind = connection.type(name)
        if kind == b"list":
            job_ids.update(i.decode() for i in connection.lrange(name, 0, -1))
        elif kind == b"zset":
            job_ids.update(i.decode() for i in connection.zrange(name, 0, -1))
    for job_id in job_ids:
        names.extend(connection.scan_iter(match=f"rq:*{job_id}*"))
    if names:
        connection.delete(*names)
    # RQ also lists every queue and worker in shared sets.
    for shared in ("rq:queues", "rq:workers"):
        ours = [m for m in connection.smembers(shared) if namespace.encode() in m]
        if ours:
            connection.srem(shared, *ours)
    connection.close()


@pytest.fixture(scope="session")
def tls_ca() -> trustme.CA:
    """A throwaway certificate authority, trusted only by settings that name its file."""
    return trustme.CA()


@pytest.fixture(scope="session")
def tls_ca_file(tls_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "mail-ca.pem"
    tls_ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def start_mail_server(tls_ca: trustme.CA) -> Iterator[Callable[..., MailServer]]:
    """Start a real SMTP server on loopback: plain, STARTTLS or implicit TLS, with optional AUTH.

    ``tls`` is None, "starttls" or "ssl"; ``users`` turns on AUTH with these
    username/password pairs (required before MAIL FROM).
    """
    controllers: list[Controller] = []

    def start(
        tls: str | None = None, users: dict[str, str] | None = None, port: int | None = None
    ) -> MailServer:
        server = MailServer(port=port or free_port())
        kwargs: dict[str, object] = {}
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls_ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
            if tls == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            elif tls == "ssl":
                kwargs.update(ssl_context=context)
            else:
                raise ValueError(tls)
        if users is not None:
            kwargs.update(
                authenticator=_Accounts(users),
                auth_required=True,
                # Implicit TLS is TLS from the first byte; aiosmtpd only counts STARTTLS.
                auth_require_tls=tls != "ssl",
            )
        controller = Controller(
            _Keep(server), hostname="127.0.0.1", port=server.port, ready_timeout=5, **kwargs
        )
        controller.start()
        controllers.append(controller)
        return server

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def mail_server(start_mail_server: Callable[..., MailServer]) -> MailServer:
    """A plain SMTP server on loopback, no TLS, no login."""
    return start_mail_server()


RQ = str(Path(sys.executable).with_name("rq"))


@pytest.fixture
def redis_app(make_app, redis_url, namespace, redis):
    """Build an app whose mail goes through this test's own RQ queue."""

    def make(**overrides):
        return make_app(REDIS_URL=redis_url, RQ_QUEUE_NAME=namespace, **overrides)

    return make


@pytest.fixture
def worker_env(database_url, redis_url, namespace):
    """The environment of a worker process (or `rq cron`) on this test's database and queue."""

    def env(**settings: object) -> dict[str, str]:
        values = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "REDIS_URL", "MAIL_", "RQ_", "FLASK_"))
        }
        values.update(
            DATABASE_URL=database_url,
            SECRET_KEY="worker-test-secret",
            INTERVIEWS_ENV="development",
            MAIL_BACKEND="mailbox",
            MAIL_DEFAULT_SENDER="desk@desk.test",
            REDIS_URL=redis_url,
            RQ_QUEUE_NAME=namespace,
            BASE_URL="http://desk.test",
        )
        values.update({k: str(v) for k, v in settings.items()})
        return values

    return env


@pytest.fixture
def run_worker(worker_env, redis_url, namespace):
    """Run a real `rq worker --burst` on this test's queue, in its own process."""

    def run(**settings: object) -> subprocess.CompletedProcess[str]:
        worker = f"{namespace}-worker"
        result = subprocess.run(
            [RQ, "worker", "--burst", "--url", redis_url, "--name", worker, namespace],
            env=worker_env(**settings),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result

    return run
