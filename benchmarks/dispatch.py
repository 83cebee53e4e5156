"""The outbox pipeline under load: many reminders due at once, real RQ workers, a real SMTP sink.

Run: .venv/bin/python benchmarks/dispatch.py [--database-url URL] [--interviews N]
     [--workers W] [--redis-url URL] [--spread SECONDS]

N interviews (default 10,000) with 3 reminders each, all due at the same instant
(``--spread 0``) or spread evenly over SECONDS. W `rq worker` processes (default 2)
started with `-c workers.settings`; the dispatcher sweeps every second, as `rq cron`
would with SWEEP_SECONDS=1; an aiosmtpd server on loopback counts what arrives.
Reminders may start out REMINDER_LEAD_SECONDS (default 300, at most a tenth of their
offset) before their time, so the sweeps begin that much before the due instant. Prints messages per second (first to
last send) and lateness (sent time minus due time; negative is early) p50/p99; asserts
nothing. Target: >= 500 messages/s, p99 lateness < 5 s.

Then, in the same run and against the same sink, the sink's raw acceptance rate (the
limit here): W plain smtplib client processes send pre-built copies of the messages the
run stored (same bytes, same sizes) as fast as the sink takes them, once over one
connection each and once with a connection per BATCH messages as a worker does;
dispatch throughput is printed as a share of the per-batch rate
(``--raw-messages 0`` skips it).
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from booked import booked_interviews  # beside this script (run as benchmarks/<name>.py)
from redis import Redis
from sqlalchemy import func, insert, select
from stats import percentile
from throwaway import throwaway_app

from interviews.db import db
from interviews.mail import delivery
from interviews.mail.models import MailMessage
from interviews.message_plan import Audience, MessageKind
from interviews.messaging import service as messaging
from interviews.messaging.models import OutboxMessage, OutboxStatus

RQ = str(Path(sys.executable).with_name("rq"))
ROOT = Path(__file__).resolve().parent.parent


class Sink:
    """aiosmtpd handler that counts messages and keeps nothing (but, while ``timing``,
    when each arrived)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        self.timing = False
        self.arrivals: list[float] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.count += 1
            if self.timing:
                self.arrivals.append(time.perf_counter())
        return "250 OK"


def wire_messages(app, limit: int = 300) -> list[tuple[str, str, bytes]]:
    """(envelope sender, recipient, bytes) of the first ``limit`` emails the run sent, built
    as a worker builds them: what the raw clients send again."""
    config = app.config
    with app.app_context():
        rows = db.session.scalars(select(MailMessage).order_by(MailMessage.id).limit(limit))
        now = datetime.now(UTC)
        return [
            (config["MAIL_DEFAULT_SENDER"], row.recipient, delivery.wire_bytes(row, now))
            for row in rows
        ]


def raw_client(port: int, path: str, count: int, per_connection: int) -> None:
    """One raw client process: ``count`` pre-built messages, cycled, a new connection every
    ``per_connection`` (0: one connection for all)."""
    with open(path, "rb") as file:
        messages = pickle.load(file)
    client = None
    for n in range(count):
        if client is None:
            client = smtplib.SMTP("127.0.0.1", port)
        sender, recipient, data = messages[n % len(messages)]
        client.sendmail(sender, [recipient], data)
        if per_connection and (n + 1) % per_connection == 0:
            client.quit()
            client = None
    if client is not None:
        client.quit()


def raw_rate(sink: Sink, port: int, path: str, total: int, clients: int, per_connection: int):
    """Messages/s the sink accepted from ``clients`` raw client processes sending ``total``
    in all, first to last arrival (so the clients' start-up is not counted)."""
    sink.arrivals, sink.timing = [], True
    share = total // clients
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--raw-client",
                str(port),
                path,
                str(share),
                str(per_connection),
            ],
            cwd=ROOT,
        )
        for _ in range(clients)
    ]
    for process in processes:
        process.wait(timeout=600)
    sink.timing = False
    arrivals = sink.arrivals
    if len(arrivals) < 2:
        return 0.0
    return (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])


def seed(interviews: int, due: datetime, spread: float) -> int:
    """A host, a study, ``interviews`` interviews tomorrow and 3 reminders each, due from
    ``due`` over ``spread`` seconds. Returns the number of messages."""
    workspace_id, interview_ids = booked_interviews(interviews, "Bench")
    now = datetime.now(UTC)
    total = len(interview_ids) * 3
    rows = []
    for index, (interview_id, offset) in enumerate(
        (i, o) for i in interview_ids for o in (1440, 60, 10)
    ):
        rows.append(
            {
                "workspace_id": workspace_id,
                "interview_id": interview_id,
                "kind": MessageKind.REMINDER,
                "audience": Audience.PARTICIPANT,
                "offset_minutes": offset,
                "due_at": due + timedelta(seconds=spread * index / total),
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "idempotency_key": uuid.uuid4().hex,
                "created_at": now,
                "updated_at": now,
            }
        )
    for chunk in range(0, len(rows), 5000):
        db.session.execute(insert(OutboxMessage), rows[chunk : chunk + 5000])
    db.session.commit()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL; a fresh database is made on it"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--interviews", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--spread", type=float, default=0.0)
    parser.add_argument(
        "--raw-messages",
        type=int,
        default=10_000,
        help="messages for each raw measurement of the sink (0: skip it)",
    )
    parser.add_argument("--raw-client", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument(
        "--lead",
        type=int,
        help="REMINDER_LEAD_SECONDS for this run (0: nothing early, the raw pipeline)",
    )
    args = parser.parse_args()
    if args.raw_client:
        port, path, count, per_connection = args.raw_client
        raw_client(int(port), path, int(count), int(per_connection))
        return

    sink = Sink()
    # aiosmtpd logs every SMTP command at INFO once migrations configure logging: that
    # would cost this process more than receiving does.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    with socket.socket() as probe:  # a free port (aiosmtpd cannot be told port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(sink, hostname="127.0.0.1", port=port, ready_timeout=5)
    smtp.start()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    settings = {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "REDIS_URL": args.redis_url,
        "RQ_QUEUE_NAME": queue,
    }
    if args.lead is not None:
        settings["REMINDER_LEAD_SECONDS"] = args.lead
    with throwaway_app(args.database_url, **settings) as app:
        lead = timedelta(seconds=app.config["REMINDER_LEAD_SECONDS"])
        # After seeding and start-up, with the whole lead still ahead: the sweeps may
        # start the reminders that long before they are due.
        due = datetime.now(UTC) + lead + timedelta(seconds=30)
        with app.app_context():
            total = seed(args.interviews, due, args.spread)
            url = str(db.engine.url.render_as_string(hide_password=False))
        print(
            f"database: {db_backend(url)}; {total} messages ({args.interviews} interviews x 3), "
            f"due {'at once' if not args.spread else f'over {args.spread:g} s'}; "
            f"{args.workers} workers"
        )
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DATABASE_URL", "REDIS_URL", "MAIL_"))
            },
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            **{k: str(v) for k, v in settings.items()},
        }
        workers = [
            subprocess.Popen(
                [
                    RQ,
                    "worker",
                    "-c",
                    "workers.settings",
                    "-w",
                    "rq.worker.SimpleWorker",
                    "--name",
                    f"{queue}-{n}",
                    "-q",
                ],
                env=env,
                cwd=ROOT,
            )
            for n in range(args.workers)
        ]
        try:
            # The sweeps run as rq cron would, from before the reminders' time: they may
            # start out REMINDER_LEAD_SECONDS early.
            while datetime.now(UTC) < due - lead:
                time.sleep(0.05)
            started = time.perf_counter()
            deadline = started + 600
            while sink.count < total and time.perf_counter() < deadline:
                with app.app_context():
                    messaging.dispatch_due()
                time.sleep(1)
            elapsed = time.perf_counter() - started
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
        with app.app_context():
            rows = db.session.execute(
                select(OutboxMessage.due_at, OutboxMessage.sent_at).where(
                    OutboxMessage.status == OutboxStatus.SENT
                )
            ).all()
            unsent = db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != OutboxStatus.SENT)
            )
        lateness = [(sent - due_at).total_seconds() for due_at, sent in rows]
        throughput = 0.0
        print(
            f"received by the SMTP sink: {sink.count}; sent rows: {len(rows)}; not sent: {unsent}"
        )
        if rows:
            # Seconds in which anything was sent: with a lead, the 10-minute reminders
            # start later than the others, and the idle gap between is not throughput.
            busy = len({int(r.sent_at.timestamp()) for r in rows})
            sending = (max(r.sent_at for r in rows) - min(r.sent_at for r in rows)).total_seconds()
            throughput = len(rows) / busy
            print(
                f"throughput: {len(rows) / busy:,.0f} messages/s over the {busy} s with sends "
                f"(first to last send {sending:.1f} s; {elapsed:.1f} s of sweeps in all)"
            )
        if lateness:
            print(
                f"lateness (negative: early; lead {lead.total_seconds():g} s): "
                f"p50 {statistics.median(lateness):.2f} s, p99 {percentile(lateness, 99):.2f} s, "
                f"max {max(lateness):.2f} s, earliest {min(lateness):.2f} s"
            )
        if args.raw_messages and rows:
            measure_sink(app, sink, port, args.raw_messages, args.workers, throughput)
    smtp.stop()
    redis = Redis.from_url(args.redis_url)
    keys = list(redis.scan_iter(match=f"*{queue}*"))
    if keys:
        redis.delete(*keys)


def measure_sink(app, sink: Sink, port: int, total: int, clients: int, throughput: float) -> None:
    """Print the sink's raw acceptance rate, the limit here, and the run's share of it."""
    messages = wire_messages(app)
    sizes = [len(data) for _, _, data in messages]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "raw-messages.pickle"
        path.write_bytes(pickle.dumps(messages))
        one = raw_rate(sink, port, str(path), total, clients, 0)
        batched = raw_rate(sink, port, str(path), total, clients, messaging.BATCH)
    print(
        f"SMTP sink, raw ({clients} smtplib clients, {total} pre-built messages of "
        f"{statistics.mean(sizes):,.0f} bytes on average): {one:,.0f} messages/s over one "
        f"connection each, {batched:,.0f} messages/s with a connection per "
        f"{messaging.BATCH} (as the workers)"
    )
    print(
        f"dispatch throughput as a share of the sink's raw rate: {throughput / batched:.0%} "
        f"(of one connection each: {throughput / one:.0%})"
    )


def db_backend(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0]


if __name__ == "__main__":
    main()
