"""The fault drill: every kind of email through killed workers, a flushed Redis and a
mail server that is down, counted at the mail server by Message-ID.

Run: .venv/bin/python benchmarks/faults.py [--database-url URL] [--messages N]
     [--workers W] [--smtp-down SECONDS] [--redis-url URL]

N messages (default 1,000), due over the first minute: 60% interview reminders (outbox
rows of interviews tomorrow) and 40% of the app's own mail (password resets, team and
panel invites, loop notes, digests, budget alerts), written as committed rows whose
hand-off never happened, as if the process that wrote them had died. W forking `rq
worker` processes (default 2) and a dispatcher sweep every 2 s (as `rq cron` runs it).
An aiosmtpd server on loopback receives, taking 20 ms per recipient so that kills land
mid-conversation. While the messages come due:

- every 6 s for the first 40 s, one worker and its work horse are SIGKILLed (and a new
  worker started); on alternate kills only the work horse dies;
- at 20 s, Redis is flushed (FLUSHDB on the drill's own database: every queued job gone);
- at 25 s, the mail server stops, for --smtp-down seconds (default 600), then starts
  again on the same port.

Leases and retries are shortened so the drill drains in minutes, not hours (printed).
Prints due / delivered / lost / duplicates (by Message-ID) and the drain time; asserts
nothing. Lost must be 0; a duplicate is a message whose worker died between the
server's acceptance and our commit, and carries the same Message-ID.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from booked import booked_interviews, children_of  # beside this script (benchmarks/<name>.py)
from redis import Redis
from sqlalchemy import func, insert, select
from throwaway import throwaway_app

from interviews import dispatcher
from interviews.db import db
from interviews.mail.models import MailMessage, MailStatus
from interviews.message_plan import Audience, MessageKind
from interviews.messaging.models import OutboxMessage, OutboxStatus

RQ = str(Path(sys.executable).with_name("rq"))
ROOT = Path(__file__).resolve().parent.parent
MAIL_KINDS = (
    "password_reset",
    "invite",
    "participant_invite",
    "loop_note",
    "weekly_digest",
    "budget_alert",
)
# Short leases and retries: the drill drains in minutes (production: 300 s, 120 s, 30 s
# doubling to 900 s).
DRILL_SETTINGS = {
    "MESSAGE_QUEUE_LEASE_SECONDS": 30,
    "MESSAGE_SEND_LEASE_SECONDS": 30,
    "MESSAGE_RETRY_SECONDS": 5,
    "MESSAGE_RETRY_MAX_SECONDS": 60,
    "MESSAGE_MAX_ATTEMPTS": 40,
    "MAIL_TIMEOUT": 5,
}


class Counting:
    """aiosmtpd handler: counts each Message-ID it accepts; slow on RCPT on purpose."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        await asyncio.sleep(0.02)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        for line in envelope.original_content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                with self.lock:
                    self.received[line.split(b":", 1)[1].strip().decode()] += 1
                break
        return "250 OK"


def seed(total: int, start: datetime) -> tuple[int, int]:
    """Interview reminders and the app's own mail, due over the minute from ``start``.
    Returns (interview messages, other mail)."""
    interview_messages = total * 6 // 10
    other = total - interview_messages
    workspace_id, interviews = booked_interviews(interview_messages, "Drill")
    now = datetime.now(UTC)
    db.session.execute(
        insert(OutboxMessage),
        [
            {
                "workspace_id": workspace_id,
                "interview_id": interview_id,
                "kind": MessageKind.REMINDER,
                "audience": Audience.PARTICIPANT,
                "offset_minutes": 1440,
                "due_at": start + timedelta(seconds=60 * n / interview_messages),
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "idempotency_key": uuid.uuid4().hex,
                "created_at": now,
                "updated_at": now,
            }
            for n, interview_id in enumerate(interviews)
        ],
    )
    db.session.execute(
        insert(MailMessage),
        [
            {
                "workspace_id": workspace_id,
                "key": uuid.uuid4().hex,
                "kind": MAIL_KINDS[n % len(MAIL_KINDS)],
                "recipient": f"member{n}@drill.example",
                "sender_name": "Host",
                "reply_to": "host@drill.example",
                "subject": f"Drill message {n}",
                "text_body": "A message of the drill.",
                "html_body": "<p>A message of the drill.</p>",
                "backend": "smtp",
                "status": MailStatus.QUEUED,
                "attempts": 0,
                "created_at": now,
                "due_at": start + timedelta(seconds=60 * n / other),
            }
            for n in range(other)
        ],
    )
    db.session.commit()
    return interview_messages, other


def start_worker(queue: str, env: dict[str, str], name: str) -> subprocess.Popen:
    # The default forking worker: each job runs in a work horse the drill can kill.
    return subprocess.Popen(
        [RQ, "worker", "-c", "workers.settings", "--name", name, "-q"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may have finished on its own
        os.kill(pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--smtp-down", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    chance = random.Random(args.seed)
    logging.getLogger("mail.log").setLevel(logging.WARNING)

    handler = Counting()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=5)
    smtp.start()
    queue = f"drill-{uuid.uuid4().hex[:8]}"
    settings = {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "REDIS_URL": args.redis_url,
        "RQ_QUEUE_NAME": queue,
        "REMINDER_LEAD_SECONDS": 0,
        **DRILL_SETTINGS,
    }
    redis = Redis.from_url(args.redis_url)
    with throwaway_app(args.database_url, **settings) as app:
        begin = datetime.now(UTC) + timedelta(seconds=5)
        with app.app_context():
            interview_messages, other = seed(args.messages, begin)
            url = db.engine.url.render_as_string(hide_password=False)
            keys = {
                *db.session.scalars(select(OutboxMessage.idempotency_key)),
                *db.session.scalars(select(MailMessage.key)),
            }
        print(
            f"database: {url.split(':', 1)[0].split('+', 1)[0]}; {len(keys)} messages due over "
            f"60 s ({interview_messages} interview reminders, {other} other mail); "
            f"{args.workers} forking rq workers; sweep every 2 s; settings {DRILL_SETTINGS}"
        )
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DATABASE_URL", "REDIS_URL", "MAIL_", "MESSAGE_"))
            },
            "DATABASE_URL": url,
            "SECRET_KEY": "drill",
            "BASE_URL": "http://desk.drill",
            **{k: str(v) for k, v in settings.items()},
        }
        workers = [start_worker(queue, env, f"{queue}-{n}") for n in range(args.workers)]
        spawned = args.workers
        events: list[str] = []
        t0 = time.monotonic()
        flushed = stopped = restarted = False
        next_kill, kills = 6.0, 0
        drained_at = None
        deadline = t0 + 60 + args.smtp_down + 900
        try:
            while time.monotonic() < deadline:
                elapsed = time.monotonic() - t0
                if elapsed >= next_kill and elapsed < 40:
                    victim = chance.randrange(len(workers))
                    horses = children_of(workers[victim].pid)
                    wait_for_horse = time.monotonic() + 3
                    while kills % 2 and not horses and time.monotonic() < wait_for_horse:
                        time.sleep(0.01)  # a work horse lives only while it runs a job
                        horses = children_of(workers[victim].pid)
                    if kills % 2 and horses:
                        for pid in horses:
                            kill(pid)
                        events.append(f"{elapsed:5.1f} s: SIGKILL a work horse ({len(horses)})")
                    else:
                        for pid in [*horses, workers[victim].pid]:
                            kill(pid)
                        workers[victim].wait(timeout=10)
                        workers[victim] = start_worker(queue, env, f"{queue}-{spawned}")
                        spawned += 1
                        events.append(f"{elapsed:5.1f} s: SIGKILL a worker and its work horse")
                    kills += 1
                    next_kill += 6
                if elapsed >= 20 and not flushed:
                    redis.flushdb()
                    flushed = True
                    events.append(f"{elapsed:5.1f} s: Redis FLUSHDB")
                if elapsed >= 25 and not stopped:
                    smtp.stop()
                    stopped = True
                    events.append(f"{elapsed:5.1f} s: mail server stopped")
                if stopped and not restarted and elapsed >= 25 + args.smtp_down:
                    smtp = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=5)
                    smtp.start()
                    restarted = True
                    events.append(f"{elapsed:5.1f} s: mail server back")
                with app.app_context():
                    dispatcher.sweep()
                    db.session.remove()
                if restarted and keys <= set(_ids(handler)):
                    drained_at = (datetime.now(UTC) - begin).total_seconds()
                    break
                time.sleep(2)
        finally:
            for worker in workers:
                for pid in [*children_of(worker.pid), worker.pid]:
                    kill(pid)
            smtp.stop()
        time.sleep(1)
        received = Counter({_strip(k): n for k, n in handler.received.items()})
        with app.app_context():
            open_interview = db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != OutboxStatus.SENT)
            )
            open_mail = db.session.scalar(
                select(func.count())
                .select_from(MailMessage)
                .where(MailMessage.status != MailStatus.SENT, MailMessage.due_at.is_not(None))
            )
    for event in events:
        print(event)
    delivered = len(keys & received.keys())
    lost = len(keys - received.keys())
    duplicates = sum(n - 1 for key, n in received.items() if key in keys and n > 1)
    print(
        f"due: {len(keys)}; delivered: {delivered}; lost: {lost}; duplicates: {duplicates}; "
        f"rows not sent: {open_interview + open_mail}; kills: {kills}"
    )
    if drained_at is not None:
        print(
            f"drained {drained_at:.1f} s after the first message came due "
            f"(the mail server was down from 25 s to {25 + args.smtp_down:g} s of the drill)"
        )
    else:
        print("not drained before the drill's deadline")
    keys_left = list(redis.scan_iter(match=f"*{queue}*"))
    if keys_left:
        redis.delete(*keys_left)


def _strip(message_id: str) -> str:
    """A Message-ID as we write it, <key@host>, back to the row's key."""
    return message_id.strip("<>").split("@", 1)[0]


def _ids(handler: Counting) -> list[str]:
    with handler.lock:
        return [_strip(k) for k in handler.received]


if __name__ == "__main__":
    main()
