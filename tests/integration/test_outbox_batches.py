"""A worker's batch of interview messages: claimed in one statement, sent over one mail
connection, each marked sent as the server takes it. What one refused send does to the
rest of its batch, and two workers given the same batch at once. A real SMTP server on
loopback; real Redis and `rq worker` processes; what counts is what the server received.
"""

from __future__ import annotations

import subprocess
import uuid
from collections import Counter
from datetime import timedelta

from rq import Queue
from sqlalchemy import select

from interviews.clock import utc_now
from interviews.db import db
from interviews.mail.models import MailMessage
from interviews.message_plan import Audience, MessageKind
from interviews.messaging import service as messaging
from interviews.messaging.models import OutboxMessage, OutboxStatus
from interviews.scheduling.models import Interview
from tests.conftest import ROOT, next_weekday_slot
from tests.conftest import book_interview as book
from tests.integration.conftest import RQ


def add_due_reminders(app, interview_id: int, count: int = 1) -> list[int]:
    """``count`` reminders of one interview due now (as if they had all come due at once)."""
    now = utc_now()
    with app.app_context():
        interview = db.session.get(Interview, interview_id)
        rows = [
            OutboxMessage(
                workspace_id=interview.workspace_id,
                interview_id=interview_id,
                kind=MessageKind.REMINDER,
                audience=Audience.PARTICIPANT,
                offset_minutes=60,
                due_at=now - timedelta(seconds=1),
                status=OutboxStatus.PENDING,
                attempts=0,
                idempotency_key=uuid.uuid4().hex,
                created_at=now,
                updated_at=now,
            )
            for _ in range(count)
        ]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def reminders_to(server) -> Counter:
    """How many reminders each address received."""
    return Counter(
        r.rcpt_tos[0] for r in server.received if r.email["Subject"].startswith("Reminder:")
    )


def times_received(server) -> Counter:
    """How many times the server received each message (by its Message-ID)."""
    return Counter(r.email["Message-ID"] for r in server.received)


def test_a_send_the_server_defers_waits_for_its_retry_while_the_rest_of_its_batch_goes_once(
    make_app, study, mail_server
):
    app = make_app(**mail_server.settings())
    client = app.test_client()
    people = ["ana@customer.example", "ben@customer.example", "cy@customer.example"]
    reminder_of = {}
    for hour, email in zip((9, 11, 14), people, strict=True):
        interview_id = book(client, next_weekday_slot(hour), email=email)["interview_id"]
        [reminder_of[email]] = add_due_reminders(app, interview_id)
    mail_server.defer = {"ben@customer.example"}

    with app.app_context():
        assert messaging.dispatch_due() == 3  # one batch of three, in this process

    assert reminders_to(mail_server) == {"ana@customer.example": 1, "cy@customer.example": 1}
    with app.app_context():
        deferred = db.session.get(OutboxMessage, reminder_of["ben@customer.example"])
        assert deferred.status is OutboxStatus.PENDING
        assert deferred.attempts == 1
        assert "451" in deferred.error
        assert deferred.due_at > utc_now()  # after the retry wait, not at once
        for email in ("ana@customer.example", "cy@customer.example"):
            # Both rows say it went, at the same instant, the moment it went.
            sent = db.session.get(OutboxMessage, reminder_of[email])
            mail = db.session.get(MailMessage, sent.mail_message_id)
            assert (sent.status, mail.status.value) == (OutboxStatus.SENT, "sent")
            assert sent.sent_at == mail.sent_at
            assert sent.recipient == email

    mail_server.defer = set()
    with app.app_context():
        # The retry, once its wait is over: only the deferred message is due again.
        assert messaging.dispatch_due(utc_now() + timedelta(hours=1)) == 1
        retried = db.session.get(OutboxMessage, reminder_of["ben@customer.example"])
        assert (retried.status, retried.attempts, retried.error) == (OutboxStatus.SENT, 2, None)
    assert reminders_to(mail_server) == {email: 1 for email in people}
    assert set(times_received(mail_server).values()) == {1}


def test_a_batch_leaves_nothing_unwritten_in_the_session(make_app, study, mail_server):
    app = make_app(**mail_server.settings())
    interview_id = book(app.test_client(), next_weekday_slot(10))["interview_id"]
    ids = add_due_reminders(app, interview_id, 5)

    with app.app_context():
        messaging.dispatch_due()
        # What the session shows is what was written: nothing left to flush later.
        assert not db.session.dirty and not db.session.new
        shown = {row.id: row.status for row in db.session.scalars(select(OutboxMessage))}
        db.session.expire_all()
        stored = {row.id: row.status for row in db.session.scalars(select(OutboxMessage))}
    assert shown == stored
    assert all(stored[i] is OutboxStatus.SENT for i in ids)


def test_two_workers_given_the_same_batches_at_once_send_each_message_once(
    redis_app, redis, namespace, worker_env, study, start_mail_server
):
    server = start_mail_server()
    app = redis_app(**server.settings())
    interview_id = book(app.test_client(), next_weekday_slot(10))["interview_id"]
    add_due_reminders(app, interview_id, 150)
    with app.app_context():
        messaging.dispatch_due()  # jobs of up to 100 messages each on this test's queue
    queue = Queue(namespace, connection=redis)
    # Every job twice, as if a hand-off had been made again while the first still ran.
    for job in list(queue.jobs):
        queue.enqueue(job.func_name, *job.args)
    env = worker_env(**server.settings())

    workers = [
        subprocess.Popen(
            [RQ, "worker", "--burst", "--url", env["REDIS_URL"], "--name", f"{namespace}-{n}"]
            + ["-w", "rq.worker.SimpleWorker", namespace],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(2)
    ]
    for worker in workers:
        worker.wait(timeout=120)

    assert reminders_to(server) == {"pat@customer.example": 150}
    assert set(times_received(server).values()) == {1}
    with app.app_context():
        statuses = Counter(row.status for row in db.session.scalars(select(OutboxMessage)))
    assert statuses[OutboxStatus.SENT] == 150 + 3  # and the booking's own three
