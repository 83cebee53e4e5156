"""Email through Redis and real `rq worker` processes: queued by the web app, sent by a worker."""

from __future__ import annotations

from datetime import timedelta

from rq import Queue
from rq.registry import FinishedJobRegistry, ScheduledJobRegistry
from sqlalchemy import update

from interviews import dispatcher
from interviews.accounts import invites as member_invites
from interviews.accounts.rules import Role
from interviews.db import db
from interviews.mail.models import MailMessage, MailStatus
from tests.conftest import log_in
from tests.integration.conftest import MailServer, free_port
from workers.app import use_app
from workers.mail import deliver_emails
from workers.queue import enqueue


def invite(app, owner, email="sam@example.com"):
    with app.app_context():
        member_invites.invite_member(owner, email=email, role=Role.RESEARCHER)


def test_with_redis_an_invite_waits_for_a_worker_which_then_sends_it(
    redis_app, redis, namespace, make_workspace, sent_mail, run_worker
):
    app = redis_app()
    owner = make_workspace(name="Northwind", owner_name="Dana Reyes")
    client = app.test_client()
    log_in(client, owner.email)

    response = client.post("/team/invites", data={"email": "sam@example.com", "role": "viewer"})

    assert response.status_code == 302
    assert "Invite to sam@example.com is on its way." in client.get("/team").get_data(as_text=True)
    [row] = sent_mail()
    assert row.status is MailStatus.QUEUED and row.attempts == 0  # not sent by the web request
    [job] = Queue(namespace, connection=redis).get_jobs()
    assert job.func_name == "workers.mail.deliver_emails"
    assert job.args == ([row.id],)

    run_worker()

    [row] = sent_mail()
    assert row.status is MailStatus.SENT
    assert row.sent_at is not None and row.attempts == 1
    assert Queue(namespace, connection=redis).count == 0
    assert FinishedJobRegistry(namespace, connection=redis).get_job_ids() == [job.id]


def test_delivering_the_same_message_twice_sends_it_once(
    redis_app, make_workspace, mail_server: MailServer, sent_mail
):
    app = redis_app(**mail_server.settings())
    invite(app, make_workspace())
    [row] = sent_mail()
    assert mail_server.received == []  # queued for a worker, not sent inline

    use_app(app)
    try:
        assert deliver_emails([row.id]) == "1 of 1 sent"
        assert deliver_emails([row.id]) == "0 of 1 sent"  # a retry of a job that did its work
    finally:
        use_app(None)

    assert len(mail_server.received) == 1
    [row] = sent_mail()
    assert row.status is MailStatus.SENT and row.attempts == 1


def test_the_same_message_enqueued_twice_is_sent_once_by_a_real_worker(
    redis_app, redis, namespace, make_workspace, mail_server: MailServer, sent_mail, run_worker
):
    app = redis_app(**mail_server.settings())
    invite(app, make_workspace())
    [row] = sent_mail()
    with app.app_context():
        enqueue("workers.mail.deliver_emails", [row.id])  # e.g. a sweep re-queued it
    assert Queue(namespace, connection=redis).count == 2

    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": mail_server.port}
    run_worker(**settings)

    assert len(mail_server.received) == 1
    [row] = sent_mail()
    assert row.status is MailStatus.SENT and row.attempts == 1
    assert len(FinishedJobRegistry(namespace, connection=redis)) == 2


def test_a_refused_delivery_in_a_worker_is_retried_by_the_sweep_not_by_rq(
    redis_app, redis, namespace, make_workspace, mail_server: MailServer, sent_mail, run_worker
):
    down = free_port()  # nothing listens here
    app = redis_app(MAIL_BACKEND="smtp")
    invite(app, make_workspace())

    run_worker(MAIL_SERVER="127.0.0.1", MAIL_PORT=down, MAIL_TIMEOUT=5)

    [row] = sent_mail()
    assert row.status is MailStatus.QUEUED and row.attempts == 1
    assert f"127.0.0.1:{down}" in row.error
    # Nothing parked in RQ's scheduler (which a plain `rq worker` never runs): the row
    # itself says when it is due again, and the sweep takes it then.
    assert ScheduledJobRegistry(namespace, connection=redis).get_job_ids() == []
    assert row.due_at == row.attempted_at + timedelta(seconds=30)
    with app.app_context():
        assert dispatcher.sweep().mail == 0  # not due yet
        # Thirty seconds on: the row is due, and the sweep hands it to a worker.
        db.session.execute(update(MailMessage).values(due_at=row.due_at - timedelta(seconds=31)))
        db.session.commit()
        assert dispatcher.sweep().mail == 1

    run_worker(MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port)

    assert [r.email["Message-ID"] for r in mail_server.received] == [f"<{row.key}@desk.test>"]
    [row] = sent_mail()
    assert row.status is MailStatus.SENT and row.attempts == 2


def test_with_redis_down_an_invite_is_still_sent_and_the_owner_sees_no_error(
    make_app, make_workspace, mail_server: MailServer, sent_mail
):
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", **mail_server.settings())
    owner = make_workspace()
    client = app.test_client()
    log_in(client, owner.email)

    response = client.post("/team/invites", data={"email": "sam@example.com", "role": "viewer"})

    assert response.status_code == 302
    assert [r.rcpt_tos for r in mail_server.received] == [["sam@example.com"]]
    [row] = sent_mail()
    assert row.status is MailStatus.SENT and row.attempts == 1
