"""The outbox under faults: killed workers, a flushed Redis, a mail server that is down,
and dispatchers and workers racing. Real Redis, real `rq worker` processes, a real SMTP
server on loopback; what counts is what that server received.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from interviews.clock import utc_now
from interviews.db import db
from interviews.message_plan import Audience, MessageKind
from interviews.messaging import planned
from interviews.messaging import service as messaging
from interviews.messaging.models import OutboxMessage, OutboxStatus
from interviews.scheduling.models import Interview
from tests.conftest import ROOT, next_weekday_slot
from tests.conftest import book_interview as book
from tests.integration.conftest import RQ, free_port


def message_ids(server) -> Counter:
    """How many times the server received each message (by its Message-ID)."""
    return Counter(r.email["Message-ID"] for r in server.received)


def statuses(app) -> Counter:
    with app.app_context():
        return Counter(s.value for s in db.session.scalars(select(OutboxMessage.status)).all())


def add_due_reminders(app, interview_id: int, count: int) -> None:
    """``count`` reminders due now for one interview (as if many had come due at once)."""
    now = utc_now()
    with app.app_context():
        interview = db.session.get(Interview, interview_id)
        db.session.execute(
            insert(OutboxMessage),
            [
                {
                    "workspace_id": interview.workspace_id,
                    "interview_id": interview_id,
                    "kind": MessageKind.REMINDER,
                    "audience": Audience.PARTICIPANT,
                    "offset_minutes": 60,
                    "due_at": now - timedelta(seconds=1),
                    "status": OutboxStatus.PENDING,
                    "attempts": 0,
                    "idempotency_key": uuid.uuid4().hex,
                    "created_at": now,
                    "updated_at": now,
                }
                for _ in range(count)
            ],
        )
        db.session.commit()


def children_of(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def kill_a_worker_mid_send(worker_env, namespace: str, server) -> None:
    """Start a real `rq worker` on the queue, let it reach the mail server (which holds
    its RCPT for 30 s: a send in flight), then SIGKILL it and the job's work horse."""
    server.rcpt_delay = 30
    worker = subprocess.Popen(
        [RQ, "worker", "--burst", "--url", worker_env()["REDIS_URL"], namespace],
        env=worker_env(**server.settings()),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while server.rcpts == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.rcpts >= 1, "the worker never reached the mail server"
    # The worker and the job's work horse (which rq puts in a session of its own) die.
    for pid in [*children_of(worker.pid), worker.pid]:
        os.kill(pid, signal.SIGKILL)
    worker.wait(timeout=10)


def sent_reminders(server) -> int:
    return sum(1 for r in server.received if r.email["Subject"].startswith("Reminder:"))


def test_a_worker_killed_mid_send_leaves_the_message_to_be_sent_once_after_its_lease(
    redis_app, redis, namespace, worker_env, study, start_mail_server
):
    server = start_mail_server()
    app = redis_app(**server.settings())
    booking = book(app.test_client(), next_weekday_slot(10))
    kill_a_worker_mid_send(worker_env, namespace, server)
    assert server.received == []
    assert statuses(app)["sending"] == 3

    server.rcpt_delay = 0
    send_lease = app.config["MESSAGE_SEND_LEASE_SECONDS"]
    with app.app_context():
        # The dead job had claimed all three; before its lease runs out nothing is taken
        # again, after it all three are.
        assert messaging.dispatch_due(utc_now()) == 0
        assert messaging.dispatch_due(utc_now() + timedelta(seconds=send_lease + 1)) == 3
    subprocess.run(
        [RQ, "worker", "--burst", "--url", worker_env()["REDIS_URL"], namespace],
        env=worker_env(**server.settings()),
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=True,
    )

    received = message_ids(server)
    assert len(received) == 3 and set(received.values()) == {1}
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(
        ["pat@customer.example", study["dana"].email, study["sam"].email]
    )
    assert statuses(app)["sent"] == 3
    assert booking["interview_id"]


def test_a_flushed_redis_loses_no_message_and_sends_none_twice(
    redis_app, redis, namespace, run_worker, study, start_mail_server
):
    server = start_mail_server()
    app = redis_app(**server.settings())
    booking = book(app.test_client(), next_weekday_slot(10))
    run_worker(**server.settings())  # the booking's own three messages
    add_due_reminders(app, booking["interview_id"], 100)
    with app.app_context():
        assert messaging.dispatch_due() == 100

    redis.flushdb()  # the queue and every job on it are gone (this test's Redis database)

    run_worker(**server.settings())
    assert sent_reminders(server) == 0
    lease = app.config["MESSAGE_QUEUE_LEASE_SECONDS"]
    with app.app_context():
        assert messaging.dispatch_due(utc_now() + timedelta(seconds=lease + 1)) == 100
    run_worker(**server.settings())

    assert sent_reminders(server) == 100
    assert set(message_ids(server).values()) == {1}
    assert statuses(app) == {"sent": 103, "pending": 6}  # the booking's own plan still waits


def test_a_mail_server_that_is_down_for_a_while_gets_everything_once_it_is_back(
    make_app, study, start_mail_server
):
    port = free_port()
    app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    booking = book(app.test_client(), next_weekday_slot(10))
    with app.app_context():
        plan = planned.plan_of(booking["interview_id"])
    failed_once = [p for p in plan if p.kind in ("confirmation", "invite")]
    assert [p.status for p in failed_once] == ["pending"] * 3
    assert all(p.error and p.attempts == 1 for p in failed_once)

    server = start_mail_server(port=port)
    with app.app_context():
        retry_at = max(p.due_at for p in failed_once)
        assert messaging.dispatch_due(retry_at) == 3
        assert messaging.dispatch_due(retry_at + timedelta(minutes=5)) == 0

    assert len(server.received) == 3
    assert set(message_ids(server).values()) == {1}
    assert statuses(app)["sent"] == 3


def test_two_dispatchers_and_four_workers_at_once_send_each_message_once(
    redis_app, redis, namespace, worker_env, study, start_mail_server
):
    server = start_mail_server()
    app = redis_app(**server.settings())
    booking = book(app.test_client(), next_weekday_slot(10))
    add_due_reminders(app, booking["interview_id"], 200)
    env = worker_env(**server.settings())
    cli = str(Path(RQ).with_name("interviews"))

    dispatchers = [
        subprocess.Popen([cli, "dispatch"], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]

    def burst_workers(prefix: str) -> list[subprocess.Popen]:
        return [
            subprocess.Popen(
                [
                    RQ,
                    "worker",
                    "--burst",
                    "--url",
                    env["REDIS_URL"],
                    "--name",
                    f"{namespace}-{prefix}{n}",
                    namespace,
                ],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for n in range(4)
        ]

    workers = burst_workers("a")
    outputs = [d.communicate(timeout=120)[0] for d in dispatchers]
    # Workers started before the dispatchers finished may have left early: run them again.
    for worker in workers:
        worker.wait(timeout=120)
    for worker in burst_workers("b"):
        worker.wait(timeout=120)

    claimed = [int(out.split("messages dispatched: ")[1].split(";")[0]) for out in outputs]
    assert sum(claimed) == 200, outputs  # each due message claimed by exactly one dispatcher
    assert sent_reminders(server) == 200
    assert set(message_ids(server).values()) == {1}
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.SENT)
            )
            == 203
        )


def test_a_slow_mail_server_makes_a_batch_give_back_what_it_cannot_send_within_its_lease(
    make_app, study, mail_server
):
    # Each send takes 0.7 s; a 3 s lease leaves a batch 1 s to start sends in.
    mail_server.rcpt_delay = 0.7
    app = make_app(**mail_server.settings(), MESSAGE_SEND_LEASE_SECONDS=3)
    interview_id = book(app.test_client(), next_weekday_slot(10))["interview_id"]
    with app.app_context():
        booked = set(db.session.scalars(select(OutboxMessage.id)))
    add_due_reminders(app, interview_id, 5)

    def reminders() -> list[OutboxMessage]:
        with app.app_context():
            rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.not_in(booked)))
            return list(rows)

    with app.app_context():
        messaging.dispatch_due()
    first_sweep = Counter(row.status.value for row in reminders())
    # Some went; the rest are not left "sending" under a lease about to run out but are
    # due again.
    assert 1 <= first_sweep["sent"] < 5
    assert first_sweep["pending"] == 5 - first_sweep["sent"]

    with app.app_context():
        for _ in range(5):
            messaging.dispatch_due()
    assert set(message_ids(mail_server).values()) == {1}
    # Each was tried once: a message given back was not counted as an attempt.
    assert [(row.status.value, row.attempts) for row in reminders()] == [("sent", 1)] * 5
