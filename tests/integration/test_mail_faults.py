"""The app's own mail (password resets, team invites, every email that is not an
interview message) under faults: a flushed Redis, a mail server that is down, a worker
killed mid-send, a process that died before handing a message off. Real Redis, real
`rq worker` processes, a real SMTP server on loopback; what counts is what that server
received, by Message-ID.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from interviews import dispatcher
from interviews.accounts import invites as member_invites
from interviews.accounts import password_resets
from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.db import db
from interviews.mail import delivery
from interviews.mail import service as mail_service
from interviews.mail.models import MailMessage, MailStatus
from interviews.messaging.models import OutboxMessage, OutboxStatus
from tests.conftest import ROOT
from tests.integration.conftest import RQ, free_port
from tests.integration.test_outbox_faults import kill_a_worker_mid_send

RESET_SUBJECT = "Reset your"


def message_ids(server) -> Counter:
    """How many times the server received each message (by its Message-ID)."""
    return Counter(r.email["Message-ID"] for r in server.received)


def worker(worker_env, namespace, server) -> None:
    """One real `rq worker --burst` on this test's queue, sending to ``server``."""
    subprocess.run(
        [RQ, "worker", "--burst", "--url", worker_env()["REDIS_URL"], namespace],
        env=worker_env(**server.settings()),
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=True,
    )


def after(seconds: float):
    """The sweep's clock once ``seconds`` have passed (a lease ran out, a wait ended)."""
    return utc_now() + timedelta(seconds=seconds)


def test_a_password_reset_whose_job_was_flushed_from_redis_is_still_sent_once(
    redis_app, redis, namespace, worker_env, make_workspace, start_mail_server, sent_mail
):
    server = start_mail_server()
    app = redis_app(**server.settings())
    owner = make_workspace()
    with app.app_context():
        password_resets.request_password_reset(owner.email)
    [row] = [m for m in sent_mail() if m.kind == "password_reset"]
    assert row.status is MailStatus.QUEUED  # handed to a worker

    redis.flushdb()  # the job is gone before any worker saw it
    worker(worker_env, namespace, server)
    assert server.received == []

    lease = app.config["MESSAGE_QUEUE_LEASE_SECONDS"]
    with app.app_context():
        assert dispatcher.sweep(after(lease - 5)).mail == 0  # the hand-off still holds
        assert dispatcher.sweep(after(lease + 1)).mail == 1
    worker(worker_env, namespace, server)

    assert message_ids(server) == {f"<{row.key}@desk.test>": 1}
    [received] = server.received
    assert received.rcpt_tos == [owner.email]
    assert "/reset/" in received.email.get_body(("plain",)).get_content()
    with app.app_context():
        assert dispatcher.sweep(after(3600)).mail == 0  # nothing left to send


def test_an_invite_written_by_a_process_that_died_before_handing_it_off_is_swept_up(
    make_app, make_workspace, mail_server, sent_mail
):
    app = make_app(**mail_server.settings())
    owner = make_workspace()
    with app.app_context():
        # What invite_member writes, committed, with the process gone before dispatch.
        mail_service.queue_email(
            kind="invite",
            recipient="sam@example.com",
            subject="Join Acme",
            template="invite",
            context={},
            sender_name=owner.name,
            reply_to=owner.email,
            workspace_id=owner.workspace_id,
            bodies=("Join us: http://desk.test/invites/x", "<p>Join us</p>"),
        )
        db.session.commit()
    assert mail_server.received == []

    with app.app_context():
        assert dispatcher.sweep().mail == 1

    assert [r.rcpt_tos for r in mail_server.received] == [["sam@example.com"]]
    [row] = sent_mail()
    assert row.status is MailStatus.SENT and row.attempts == 1


def test_an_invite_due_while_the_mail_server_is_down_arrives_once_it_is_back(
    make_app, make_workspace, start_mail_server, sent_mail
):
    port = free_port()
    app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    owner = make_workspace()
    with app.app_context():
        sent = member_invites.invite_member(owner, email="sam@example.com", role=Role.RESEARCHER)
    assert sent.delivery.failed  # the owner is told, and the invite is kept
    [row] = sent_mail()
    assert row.status is MailStatus.QUEUED and row.attempts == 1

    # Ten minutes down: every retry in that time fails, none gives up.
    with app.app_context():
        for minute in range(1, 11):
            dispatcher.sweep(after(60 * minute))
    [row] = sent_mail()
    assert row.status is MailStatus.QUEUED and 3 <= row.attempts <= 6
    assert f"127.0.0.1:{port}" in row.error

    server = start_mail_server(port=port)
    with app.app_context():
        assert dispatcher.sweep(row.due_at).mail == 1
        assert dispatcher.sweep(row.due_at + timedelta(hours=1)).mail == 0

    assert message_ids(server) == {f"<{row.key}@desk.test>": 1}
    [row] = sent_mail()
    assert row.status is MailStatus.SENT and row.error is None


def test_a_worker_killed_mid_send_of_an_invite_leaves_it_sent_once_after_its_lease(
    redis_app, redis, namespace, worker_env, make_workspace, start_mail_server, sent_mail
):
    server = start_mail_server()
    app = redis_app(**server.settings())
    owner = make_workspace()
    with app.app_context():
        member_invites.invite_member(owner, email="sam@example.com", role=Role.RESEARCHER)
    kill_a_worker_mid_send(worker_env, namespace, server)
    [row] = sent_mail()
    # The attempt was on record before the server heard of it.
    assert row.status is MailStatus.SENDING and row.attempted_at is not None

    server.rcpt_delay = 0
    send_lease = app.config["MESSAGE_SEND_LEASE_SECONDS"]
    with app.app_context():
        assert dispatcher.sweep().mail == 0  # its lease still holds
        assert dispatcher.sweep(after(send_lease + 1)).mail == 1
    worker(worker_env, namespace, server)

    assert message_ids(server) == {f"<{row.key}@desk.test>": 1}
    [row] = sent_mail()
    assert row.status is MailStatus.SENT and row.attempts == 2


def test_a_send_the_server_accepted_but_we_never_recorded_goes_again_with_the_same_message_id(
    make_app, make_workspace, mail_server, sent_mail
):
    """The one duplicate SMTP allows, said honestly: the copy is recognisable."""
    app = make_app(**mail_server.settings())
    owner = make_workspace()
    with app.app_context():
        mail_service.queue_email(
            kind="loop_note",
            recipient="mei@example.com",
            subject="What you told us shipped",
            template="own_words",
            context={"subject": "s", "body_html": "b"},
            sender_name=owner.name,
            reply_to=owner.email,
            workspace_id=owner.workspace_id,
            bodies=("It shipped.", "<p>It shipped.</p>"),
        )
        db.session.commit()
        [message_id] = db.session.scalars(select(MailMessage.id)).all()
        # A worker claims it, the server accepts it, and the worker dies before its commit.
        row = delivery._claim_one(message_id, utc_now())
        delivery.send(row, utc_now())
        db.session.rollback()
    assert len(mail_server.received) == 1
    assert sent_mail()[0].status is MailStatus.SENDING

    lease = app.config["MESSAGE_SEND_LEASE_SECONDS"]
    with app.app_context():
        assert dispatcher.sweep(after(lease + 1)).mail == 1

    [row] = sent_mail()
    assert message_ids(mail_server) == {f"<{row.key}@desk.test>": 2}
    assert row.status is MailStatus.SENT and row.attempts == 2


def test_a_recipient_the_server_refuses_for_good_fails_at_once_and_is_listed(
    make_app, make_workspace, mail_server, sent_mail, runner
):
    mail_server.refuse.add("gone@example.com")
    app = make_app(**mail_server.settings())
    owner = make_workspace()
    with app.app_context():
        sent = member_invites.invite_member(owner, email="gone@example.com", role=Role.VIEWER)
    assert "550" in sent.delivery.error

    [row] = sent_mail()
    assert row.status is MailStatus.FAILED and row.attempts == 1
    with app.app_context():
        assert dispatcher.sweep(after(3600)).mail == 0  # no retry of a refusal for good
    listed = json.loads(app.test_cli_runner().invoke(args=["outbox", "--json"]).output)
    assert listed["totals"]["failed"] == 1 and listed["total"] == 1
    [item] = listed["items"]
    assert (item["source"], item["kind"], item["recipient"], item["status"]) == (
        "mail",
        "invite",
        "gone@example.com",
        "failed",
    )
    assert "550 5.1.1 No such user here" in item["error"]


def test_the_outbox_command_lists_every_kind_a_page_at_a_time_with_totals(
    make_app, make_workspace, study, sent_mail
):
    from tests.conftest import book_interview as book
    from tests.conftest import next_weekday_slot

    port = free_port()  # the mail server is down: everything stays to send
    app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    book(app.test_client(), next_weekday_slot(10))
    with app.app_context():
        password_resets.request_password_reset(study["dana"].email)
        planned = db.session.scalar(select(db.func.count()).select_from(OutboxMessage))
    runner = app.test_cli_runner()

    first = json.loads(runner.invoke(args=["outbox", "--json", "--limit", "3"]).output)
    rest = json.loads(
        runner.invoke(args=["outbox", "--json", "--limit", "100", "--offset", "3"]).output
    )

    assert first["total"] == planned + 1 == len(first["items"]) + len(rest["items"])
    assert first["totals"]["pending"] == planned + 1
    assert first["totals"]["by_source"]["mail"]["pending"] == 1
    items = first["items"] + rest["items"]
    assert [i["due_at"] for i in items] == sorted(i["due_at"] for i in items)
    assert {i["source"] for i in items} == {"interview", "mail"}
    assert "password_reset" in {i["kind"] for i in items}
    text = runner.invoke(args=["outbox", "--limit", "3"]).output
    assert f"Showing 1-3 of {planned + 1}." in text
    assert "Next page: interviews outbox --offset 3" in text
    assert f"Still to send: {planned + 1} (interview messages {planned}, other mail 1)" in text


def test_a_seeded_demo_leaves_nothing_overdue_for_a_real_mail_server(
    redis_app, make_app, start_mail_server, sent_mail
):
    # Seeded with Redis configured and no worker running (the acceptance sequence).
    app = redis_app()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    now = utc_now()
    with app.app_context():
        overdue_messages = db.session.scalar(
            select(db.func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.QUEUED)),
                OutboxMessage.due_at <= now,
            )
        )
        overdue_mail = db.session.scalar(
            select(db.func.count())
            .select_from(MailMessage)
            .where(MailMessage.status != MailStatus.SENT)
        )
    assert overdue_messages == 0 and overdue_mail == 0
    assert all(m.backend == "mailbox" for m in sent_mail())
    assert any(m.kind == "reward_sent" for m in sent_mail())  # in the mailbox, as history

    # The same database, later served with a real mail server: nothing goes out.
    server = start_mail_server()
    smtp_app = make_app(**server.settings())
    with smtp_app.app_context():
        report = dispatcher.sweep()
    assert (report.messages, report.mail) == (0, 0)
    assert server.received == []
