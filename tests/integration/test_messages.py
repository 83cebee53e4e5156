"""Reminders and follow-ups: planned at booking, sent on time from the outbox, never twice.

Time is injected: the dispatcher sweeps "as if" at the instant under test.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest

from interviews.accounts import api_tokens
from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.db import db
from interviews.flows import attendance
from interviews.messaging import planned
from interviews.messaging import service as messaging
from interviews.scheduling import hours
from interviews.scheduling import service as scheduling
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies
from tests.conftest import book_interview as book
from tests.conftest import log_in, next_weekday_slot, started_minutes_ago

SECOND = timedelta(seconds=1)


@pytest.fixture
def api(app, study):
    """A client speaking the team API as Dana."""
    with app.app_context():
        _, secret = api_tokens.create_api_token_for_email(study["dana"].email, "tests")
    client = app.test_client()

    class Api:
        def get(self, path):
            return client.get(path, headers={"Authorization": f"Bearer {secret}"})

        def post(self, path, body):
            return client.post(path, json=body, headers={"Authorization": f"Bearer {secret}"})

    return Api()


def plan(api, interview_id):
    response = api.get(f"/api/v1/interviews/{interview_id}/messages")
    assert response.status_code == 200, response.json
    return response.json


def sweep(app, at: datetime) -> int:
    with app.app_context():
        return messaging.dispatch_due(at)


def to(sent_mail, email, kind):
    return [m for m in sent_mail() if m.recipient == email and m.kind == kind]


def test_a_booking_three_days_out_plans_every_message_at_its_exact_instant(
    client, api, study, sent_mail
):
    start = next_weekday_slot(10)
    booking = book(client, start)

    rows = plan(api, booking["interview_id"])

    due = {(r["kind"], r["recipient"], r["offset_minutes"]): r for r in rows}
    dana, sam, pat = study["dana"].email, study["sam"].email, "pat@customer.example"
    assert due[("confirmation", pat, None)]["status"] == "sent"
    assert due[("invite", dana, None)]["status"] == "sent"
    assert due[("invite", sam, None)]["status"] == "sent"
    for minutes in (1440, 60, 10):
        reminder = due[("reminder", pat, minutes)]
        assert reminder["status"] == "pending" and reminder["sent_at"] is None
        assert datetime.fromisoformat(reminder["due_at"]) == start - timedelta(minutes=minutes)
    assert datetime.fromisoformat(due[("host_reminder", dana, 10)]["due_at"]) == start - timedelta(
        minutes=10
    )
    assert datetime.fromisoformat(
        due[("followup_nudge", pat, None)]["due_at"]
    ) == start + timedelta(minutes=5)
    assert datetime.fromisoformat(
        due[("followup_missed", pat, None)]["due_at"]
    ) == start + timedelta(minutes=30)
    assert len(rows) == 9


def test_a_reminder_goes_out_at_its_time_once_and_repeats_everything_they_need(
    app, client, api, study, sent_mail
):
    start = next_weekday_slot(10)
    booking = book(client, start)

    # It may start out up to the lead early (five minutes by default), never before that.
    lead = timedelta(seconds=app.config["REMINDER_LEAD_SECONDS"])
    assert lead == timedelta(minutes=5)
    assert sweep(app, start - timedelta(hours=24) - lead - SECOND) == 0
    assert sweep(app, start - timedelta(hours=24) - lead) == 1
    assert sweep(app, start - timedelta(hours=24)) == 0

    [reminder] = to(sent_mail, "pat@customer.example", "reminder")
    assert reminder.subject == "Reminder: Northwind product interview about dashboards, in 24 hours"
    assert reminder.sender_name == "Dana Reyes" and reminder.reply_to == study["dana"].email
    body = reminder.text_body
    for needed in (
        "starts in 24 hours",
        "https://meet.example.com/northwind-dana",
        "+49 30 1234567",
        "a $20 gift card",
        booking["manage_url"],
        "(America/New_York)",
    ):
        assert needed in body
    assert "<strong>24 hours</strong>" in reminder.html_body
    [row] = [
        r
        for r in plan(api, booking["interview_id"])
        if r["offset_minutes"] == 1440 and r["kind"] == "reminder"
    ]
    assert row["status"] == "sent"


def test_the_lead_stays_within_a_tenth_of_the_offset_and_follow_ups_are_never_early(
    make_app, study, sent_mail
):
    app = make_app(REMINDER_LEAD_SECONDS=120)
    client = app.test_client()
    start = next_weekday_slot(10)
    book(client, start)

    # Two minutes is within a tenth of 24 hours and of 1 hour: those may go two minutes
    # early. A tenth of 10 minutes is one minute: the 10-minute ones may go one early.
    assert sweep(app, start - timedelta(hours=24, minutes=2) - SECOND) == 0
    assert sweep(app, start - timedelta(hours=24, minutes=2)) == 1
    assert sweep(app, start - timedelta(hours=1, minutes=2) - SECOND) == 0
    assert sweep(app, start - timedelta(hours=1, minutes=2)) == 1
    assert sweep(app, start - timedelta(minutes=11) - SECOND) == 0
    assert sweep(app, start - timedelta(minutes=11)) == 2  # to Pat and to the host
    # The nudge depends on whether they joined: it never goes early.
    assert sweep(app, start + timedelta(minutes=5) - SECOND) == 0
    assert sweep(app, start + timedelta(minutes=5)) == 1
    assert [
        m.subject.rsplit(", ", 1)[1] for m in to(sent_mail, "pat@customer.example", "reminder")
    ] == ["in 24 hours", "in 1 hour", "in 10 minutes"]


def test_the_host_reminder_carries_one_click_attendance_links(app, client, study, sent_mail):
    start = next_weekday_slot(10)
    booking = book(client, start)

    sweep(app, start - timedelta(minutes=10))

    [host] = to(sent_mail, study["dana"].email, "host_reminder")
    assert host.subject == "In 10 minutes: interview with Pat Customer"
    no_show = re.search(r"They did not show up: http://desk\.test(\S+)", host.text_body).group(1)
    # Opening the link changes nothing (mail scanners open links); the button does.
    anonymous = app.test_client()
    page = anonymous.get(no_show).get_data(as_text=True)
    assert "How did it go with Pat Customer?" in page
    with app.app_context():
        assert db_status(booking["interview_id"]) is InterviewStatus.BOOKED
    started_minutes_ago(app, booking["interview_id"], 3)
    token_path = no_show.split("?")[0]
    page = anonymous.post(token_path, data={"status": "no_show"}).get_data(as_text=True)
    assert "Marked no-show" in page
    with app.app_context():
        assert db_status(booking["interview_id"]) is InterviewStatus.NO_SHOW
    assert [m.subject for m in to(sent_mail, "pat@customer.example", "followup_missed")] == [
        "Sorry we missed you: Northwind product interview about dashboards"
    ]


def db_status(interview_id):
    return db.session.get(Interview, interview_id).status


def again_study_id(app, interview_id):
    with app.app_context():
        return db.session.get(Interview, interview_id).study_id


def test_rescheduling_moves_the_pending_reminders_and_tells_everyone(
    app, client, api, study, sent_mail
):
    start = next_weekday_slot(10)
    booking = book(client, start)
    token = booking["manage_url"].rsplit("/", 1)[1]
    later = start + timedelta(hours=3)

    response = client.post(
        f"/api/v1/public/manage/{token}/reschedule", json={"start": later.isoformat()}
    )

    assert response.status_code == 200, response.json
    rows = plan(api, booking["interview_id"])
    pending = sorted(
        (r["offset_minutes"], datetime.fromisoformat(r["due_at"]))
        for r in rows
        if r["kind"] == "reminder" and r["status"] == "pending"
    )
    assert pending == [(m, later - timedelta(minutes=m)) for m in (10, 60, 1440)]
    assert len([r for r in rows if r["kind"] == "reminder" and r["status"] == "void"]) == 3
    assert {
        r["recipient"] for r in rows if r["kind"] == "rescheduled" and r["status"] == "sent"
    } == {
        "pat@customer.example",
        study["dana"].email,
        study["sam"].email,
    }
    # At the old time, only the new time's 24-hour reminder is due.
    sweep(app, start - timedelta(minutes=10))
    assert [
        m.subject.rsplit(", ", 1)[1] for m in to(sent_mail, "pat@customer.example", "reminder")
    ] == ["in 24 hours"]


def test_cancelling_voids_every_pending_message_and_sends_the_cancellation(
    app, client, api, study, sent_mail
):
    start = next_weekday_slot(10)
    booking = book(client, start)
    token = booking["manage_url"].rsplit("/", 1)[1]

    client.post(f"/api/v1/public/manage/{token}/cancel", json={"reason": "Travelling"})

    rows = plan(api, booking["interview_id"])
    assert {
        r["status"] for r in rows if r["kind"] not in ("confirmation", "invite", "cancelled")
    } == {"void"}
    assert len(to(sent_mail, "pat@customer.example", "cancelled")) == 1
    for moment in (timedelta(hours=-24), timedelta(minutes=-10), timedelta(minutes=30)):
        assert sweep(app, start + moment) == 0
    assert to(sent_mail, "pat@customer.example", "reminder") == []


def test_nobody_marks_it_so_a_nudge_then_a_sorry_we_missed_you_that_rebooks(
    app, client, api, study, sent_mail
):
    start = next_weekday_slot(10)
    booking = book(client, start)

    sweep(app, start + timedelta(minutes=5))
    [nudge] = to(sent_mail, "pat@customer.example", "followup_nudge")
    assert "https://meet.example.com/northwind-dana" in nudge.text_body
    with app.app_context():
        assert db_status(booking["interview_id"]) is InterviewStatus.BOOKED

    sweep(app, start + timedelta(minutes=30))
    [missed] = to(sent_mail, "pat@customer.example", "followup_missed")
    with app.app_context():
        assert db_status(booking["interview_id"]) is InterviewStatus.NO_SHOW
    rebook = re.search(r"pick a new time that suits you: http://desk\.test(\S+)", missed.text_body)
    rebook_path = rebook.group(1)
    assert client.get(rebook_path).status_code == 200

    again = book(
        client,
        next_weekday_slot(14),
        rebook=rebook_path.split("rebook=")[1],
    )
    with app.app_context():
        assert (
            db.session.get(Interview, again["interview_id"]).rebooked_from_id
            == booking["interview_id"]
        )
    # Once the rebooked interview is completed, the study counts the no-show as recovered.
    started_minutes_ago(app, again["interview_id"], 50)
    api.post(f"/api/v1/interviews/{again['interview_id']}/attendance", {"status": "completed"})
    log_in(client, study["dana"].email)
    page = client.get(f"/studies/{again_study_id(app, again['interview_id'])}").get_data(
        as_text=True
    )
    assert "1 of 1 no-show came back through the follow-up and completed." in page
    assert "No-show rate: <strong>50%</strong>" in page


def test_marked_joined_three_minutes_in_means_no_follow_ups(app, client, api, study, sent_mail):
    start = next_weekday_slot(10)
    booking = book(client, start)

    started_minutes_ago(app, booking["interview_id"], 3)
    with app.app_context():
        attendance.mark_attendance(booking["interview_id"], InterviewStatus.JOINED)

    sweep(app, start + timedelta(minutes=5))
    sweep(app, start + timedelta(minutes=30))
    assert to(sent_mail, "pat@customer.example", "followup_nudge") == []
    assert to(sent_mail, "pat@customer.example", "followup_missed") == []
    rows = plan(api, booking["interview_id"])
    assert {r["status"] for r in rows if r["kind"].startswith("followup")} == {"void"}


def test_the_attendance_api_records_completed_and_a_thank_you_follows(
    app, client, api, study, sent_mail
):
    start = next_weekday_slot(10)
    booking = book(client, start)
    started_minutes_ago(app, booking["interview_id"], 60)

    response = api.post(
        f"/api/v1/interviews/{booking['interview_id']}/attendance", {"status": "completed"}
    )

    assert response.status_code == 200, response.json
    assert response.json["status"] == "completed"
    [thanks] = to(sent_mail, "pat@customer.example", "thank_you")
    assert "a $20 gift card" in thanks.text_body
    again = api.post(
        f"/api/v1/interviews/{booking['interview_id']}/attendance", {"status": "completed"}
    )
    assert again.status_code == 200
    assert len(to(sent_mail, "pat@customer.example", "thank_you")) == 1


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"status": "maybe"}, 422, "joined, no_show, completed"),
        ({}, 422, "joined, no_show or completed"),
        ({"status": "completed"}, 409, "has not started yet"),
    ],
)
def test_attendance_that_cannot_be_recorded_is_refused_with_a_reason(
    client, api, study, body, status, message
):
    booking = book(client, next_weekday_slot(10))

    response = api.post(f"/api/v1/interviews/{booking['interview_id']}/attendance", body)

    assert response.status_code == status
    assert message in response.json["error"]["message"]


def test_a_viewer_cannot_record_attendance(app, client, study, add_member):
    booking = book(client, next_weekday_slot(10))
    lee = add_member(study["dana"], role=Role.VIEWER, name="Lee")
    with app.app_context():
        _, secret = api_tokens.create_api_token_for_email(lee.email, "viewer")

    response = client.post(
        f"/api/v1/interviews/{booking['interview_id']}/attendance",
        json={"status": "completed"},
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert response.status_code == 403


def test_another_workspaces_interview_messages_are_a_404(app, client, study, make_workspace):
    booking = book(client, next_weekday_slot(10))
    stranger = make_workspace(name="Other")
    with app.app_context():
        _, secret = api_tokens.create_api_token_for_email(stranger.email, "x")

    response = client.get(
        f"/api/v1/interviews/{booking['interview_id']}/messages",
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert response.status_code == 404


def test_a_failing_mail_server_is_retried_with_backoff_then_marked_failed(make_app, study):
    from tests.integration.conftest import free_port

    app = make_app(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=free_port(),
        MAIL_TIMEOUT=2,
        MESSAGE_MAX_ATTEMPTS=2,
        MESSAGE_RETRY_SECONDS=60,
    )
    client = app.test_client()
    start = next_weekday_slot(10)
    booking = book(client, start)
    with app.app_context():
        rows = {
            r.kind: r
            for r in planned.plan_of(booking["interview_id"])
            if r.audience == "participant"
        }
        confirmation = rows["confirmation"]
        assert confirmation.status == "pending" and confirmation.attempts == 1
        assert "refused" in confirmation.error.lower() or "connect" in confirmation.error.lower()
        retry_at = confirmation.due_at
        assert messaging.dispatch_due(retry_at - SECOND) == 0
        messaging.dispatch_due(retry_at)
        [confirmation] = [
            r for r in planned.plan_of(booking["interview_id"]) if r.kind == "confirmation"
        ]
        assert confirmation.status == "failed" and confirmation.attempts == 2


def test_the_outbox_command_lists_what_is_planned(app, runner, client, study):
    start = next_weekday_slot(10)
    book(client, start)

    result = runner.invoke(args=["outbox", "--json"])

    assert result.exit_code == 0, result.output
    import json

    listed = json.loads(result.output)["items"]
    assert {row["kind"] for row in listed} == {
        "reminder",
        "host_reminder",
        "followup_nudge",
        "followup_missed",
    }
    assert all(row["status"] == "pending" for row in listed)
    text = runner.invoke(args=["outbox"]).output
    assert "pat@customer.example" in text and "reminder" in text


def test_a_held_interview_is_recorded_without_messages_but_not_one_still_to_come(
    app, study, sent_mail
):
    from interviews.errors import InvalidInput

    with app.app_context():
        study_id = studies.published_study("dashboards").id
        before = len(sent_mail())
        interview_id = scheduling.record_held_interview(
            study_id,
            name="Mei Lin",
            email="mei@example.com",
            timezone="Asia/Singapore",
            start=utc_now() - timedelta(days=3),
            status=InterviewStatus.COMPLETED,
        )
        assert db_status(interview_id) is InterviewStatus.COMPLETED
        assert planned.plan_of(interview_id) == []
        with pytest.raises(InvalidInput, match="over"):
            scheduling.record_held_interview(
                study_id,
                name="Mei Lin",
                email="mei@example.com",
                timezone="Asia/Singapore",
                start=utc_now() + timedelta(days=1),
                status=InterviewStatus.COMPLETED,
            )
    assert len(sent_mail()) == before


def test_a_booking_two_hours_out_skips_the_24_hour_reminder(app, client, api, study):
    with app.app_context():
        # Dana takes calls any time today and tomorrow, with no notice: the next free slot
        # two to three hours from now can be booked.
        hours.set_availability(
            study["dana"].user_id,
            timezone="UTC",
            weekly=[(day, time(0), time(23, 59)) for day in range(7)],
        )
        view = studies.published_study("dashboards")
        draft = studies.StudyDraft(
            title=view.title,
            host_user_id=view.host.user_id,
            notice_minutes=0,
            max_per_day=24,
            slug=view.slug,
        )
        studies.update_study(study["dana"], view.id, draft)
    now = utc_now()
    slots = client.get(
        f"/api/v1/public/studies/dashboards/slots?from={now.date()}&to={(now + timedelta(days=1)).date()}"
    ).json["slots"]
    start = next(
        datetime.fromisoformat(s["start"])
        for s in slots
        if timedelta(hours=2) <= datetime.fromisoformat(s["start"]) - now < timedelta(hours=3)
    )

    booking = book(client, start)

    reminders = [
        r["offset_minutes"] for r in plan(api, booking["interview_id"]) if r["kind"] == "reminder"
    ]
    assert sorted(reminders) == [10, 60]


def test_with_the_hosts_domain_allowed_interviewees_get_mail_from_the_host_address(
    make_app, study, mail_server
):
    app = make_app(MAIL_SENDER_DOMAINS="Example.com", **mail_server.settings())
    book(app.test_client(), next_weekday_slot(10))

    by_recipient = {r.rcpt_tos[0]: r.email for r in mail_server.received}
    to_pat = by_recipient["pat@customer.example"]
    assert to_pat["From"] == f"Dana Reyes <{study['dana'].email}>"
    assert to_pat["Sender"].endswith("<desk@desk.test>")
    # The team's copies still come from the desk, in the interviewee's name.
    to_dana = by_recipient[study["dana"].email]
    assert to_dana["From"] == "Pat Customer via Interview Desk <desk@desk.test>"


def test_without_it_mail_comes_from_the_desk_in_the_hosts_name(make_app, study, mail_server):
    app = make_app(**mail_server.settings())
    book(app.test_client(), next_weekday_slot(10))

    [to_pat] = [r.email for r in mail_server.received if r.rcpt_tos == ["pat@customer.example"]]
    assert to_pat["From"] == "Dana Reyes via Interview Desk <desk@desk.test>"
    assert to_pat["Reply-To"] == f"Dana Reyes <{study['dana'].email}>"
    assert to_pat["Sender"] is None
