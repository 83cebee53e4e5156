"""The weekly digest email: who gets it, when, once, and what it says.

Time is injected: sweeps run "as if" at the instant under test. The fixture week is
Monday 20 to Sunday 26 October 2025 in Dana's zone (Europe/Berlin), the week summer
time ends: it runs from 19 October 22:00 UTC to 26 October 23:00 UTC (169 hours), and
its digest is due on Monday 27 October at 08:00 CET, 07:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from interviews import dispatcher
from interviews.accounts import invites as member_invites
from interviews.accounts import service as accounts
from interviews.accounts.models import Membership
from interviews.commands import demo_command
from interviews.compensation import service as compensation
from interviews.db import db
from interviews.flows.demo import DEMO_EMAIL
from interviews.mail.models import MailStatus
from interviews.maps import nodes
from interviews.maps import service as maps
from interviews.maps.models import MapNode
from interviews.maps.rules import OutputStatus
from interviews.notes import takeaways
from interviews.notes.models import Takeaway
from interviews.reports import digest
from interviews.reports.models import DigestSent
from interviews.scheduling import service as scheduling
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies.models import Study
from tests.conftest import PASSWORD, give_offer, log_in

WEEK = date(2025, 10, 20)
DUE = datetime(2025, 10, 27, 7, tzinfo=UTC)  # Monday 08:00 CET
SECOND = timedelta(seconds=1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def held(app, name: str, start: datetime, status: str = "completed") -> int:
    """An interview of the `study` fixture's study that already happened (or was missed,
    or, with "cancelled", was called off)."""
    with app.app_context():
        study_id = db.session.scalar(select(Study.id).filter_by(slug="dashboards"))
        kept = InterviewStatus.NO_SHOW if status == "no_show" else InterviewStatus.COMPLETED
        email = name.split()[0].lower() + "@customer.example"
        interview_id = scheduling.record_held_interview(
            study_id, name=name, email=email, timezone="UTC", start=start, status=kept
        )
        if status == "cancelled":
            db.session.get(Interview, interview_id).status = InterviewStatus.CANCELLED
            db.session.commit()
        return interview_id


def takeaway(app, member, text: str, at: datetime, quote: str = "", interview_id=None) -> None:
    """A takeaway added at ``at``: from the interview, else heard by sales."""
    draft = takeaways.TakeawayDraft(
        text=text, quote=quote, interview_id=interview_id,
        source="interview" if interview_id else "sales", context="Renewal call",
    )  # fmt: skip
    with app.app_context():
        view = takeaways.add_takeaway(member, draft)
        db.session.get(Takeaway, view.id).created_at = at
        db.session.commit()


def shipped(app, member, map_id: int, title: str, at: datetime) -> None:
    with app.app_context():
        actor = nodes.add_node(member, map_id, None, nodes.NodeDraft(title=f"Users of {title}"))
        outcome = nodes.add_node(member, map_id, actor, nodes.NodeDraft(title=f"Use {title}"))
        output = nodes.add_node(member, map_id, outcome, nodes.NodeDraft(title=title))
        row = db.session.get(MapNode, output)
        row.output_status, row.shipped_at = OutputStatus.SHIPPED, at
        db.session.commit()


def owe(app, member, interview_id: int, at: datetime) -> None:
    with app.app_context():
        assert compensation.owe_for_interview(member.workspace_id, interview_id, at) is not None


@pytest.fixture
def week(app, study):
    """Dana's week of 20 October, worked out by hand:

    interviews starting in it: 3 completed (one on Sunday 23:30 CET, inside only because
    the week is 169 hours long), 1 no-show, 1 cancelled: show rate 3 / 4 = 75%; one on
    the Sunday before and one early on the Monday after are outside it, the latter the
    week ahead's one interview. Takeaways added in it: 2 (one before, one after, not).
    Outputs shipped in it: 1. Rewards owed ($20 each): 2 overdue by Monday, 1 owed on
    Sunday and not overdue yet (the promise is 3 days): $40.00 overdue.
    """
    dana = study["dana"]
    give_offer(app, dana)
    mei = held(app, "Mei Lin", utc(2025, 10, 20, 8))  # Monday 10:00 CEST
    tom = held(app, "Tom Okafor", utc(2025, 10, 21, 12))
    late = held(app, "Lia Late", utc(2025, 10, 26, 22, 30))  # Sunday 23:30 CET
    held(app, "Carlos Mendes", utc(2025, 10, 22, 8), "no_show")
    held(app, "Ana Away", utc(2025, 10, 23, 8), "cancelled")
    held(app, "Pre Week", utc(2025, 10, 19, 21, 30))  # Sunday 23:30 CEST, the week before
    held(app, "Next Week", utc(2025, 10, 26, 23, 30))  # Monday 00:30 CET, the week after
    takeaway(app, dana, "Exports are done by hand every Friday", utc(2025, 10, 21, 15),
             quote="I copy it into Excel every Friday", interview_id=tom)  # fmt: skip
    takeaway(app, dana, "Admins want one invite link for the team", utc(2025, 10, 25, 9))
    takeaway(app, dana, "Older: before the week", utc(2025, 10, 19, 12))
    takeaway(app, dana, "Newer: after the week", utc(2025, 10, 27, 12))
    with app.app_context():
        map_id = maps.create_map(dana, maps.GoalDraft(statement="Grow weekly active teams"))
    shipped(app, dana, map_id, "Bulk export", utc(2025, 10, 24, 10))
    shipped(app, dana, map_id, "Old feature", utc(2025, 10, 10, 10))
    owe(app, dana, mei, utc(2025, 10, 20, 10))
    owe(app, dana, tom, utc(2025, 10, 21, 14))
    owe(app, dana, late, utc(2025, 10, 26, 23))
    return {**study, "map_id": map_id}


def opt_in(app, member, at: datetime) -> None:
    with app.app_context():
        digest.set_weekly_digest(member, True, now=at)


def sweep(app, at: datetime) -> int:
    with app.app_context():
        return dispatcher.sweep(at).digests


def digests(sent_mail, email: str | None = None) -> list:
    return [m for m in sent_mail() if m.kind == "weekly_digest" and email in (None, m.recipient)]


def test_an_opted_in_member_gets_one_digest_with_the_weeks_numbers_on_monday_morning(
    app, week, sent_mail
):
    dana = week["dana"]
    opt_in(app, dana, utc(2025, 10, 22, 12))  # a Wednesday: the first one is the next

    assert sweep(app, DUE - SECOND) == 0  # Monday 07:59:59 CET
    assert sweep(app, DUE) == 1
    assert sweep(app, DUE + timedelta(minutes=1)) == 0  # the next sweep: already sent
    assert sweep(app, DUE + timedelta(days=2)) == 0

    [mail] = digests(sent_mail)
    assert mail.recipient == dana.email
    assert mail.sender_name == "Interview Desk" and mail.reply_to is None
    assert mail.subject == "Northwind, week of 20 Oct: 3 interviews held, show rate 75%"
    text = mail.text_body
    assert "the week of 20–26 October 2025 went in Northwind" in text
    assert "Europe/Berlin time" in text
    assert "- Held: 3\n- No-shows: 1\n- Cancelled: 1\n- Show rate: 75%" in text
    assert "On the calendar for the week ahead: 1 interview." in text
    assert "NEW TAKEAWAYS: 2\n- Admins want one invite link for the team\n" in text
    assert "- Exports are done by hand every Friday (Tom Okafor)\n" in text
    assert "“I copy it into Excel every Friday”" in text
    assert "before the week" not in text and "after the week" not in text
    assert "http://desk.test/takeaways?from=2025-10-20&to=2025-10-26" in text
    map_url = f"http://desk.test/maps/{week['map_id']}"
    assert (
        f"OUTPUTS SHIPPED: 1\n- Bulk export, on the map “Grow weekly active teams”: {map_url}"
        in text
    )
    assert "Old feature" not in text
    assert "OVERDUE REWARDS: 2\n2 rewards are owed past the team's promise, $40.00 in all." in text
    assert "http://desk.test/rewards" in text
    assert "switch it off on your profile: http://desk.test/profile#digest" in text
    assert f'href="{map_url}"' in mail.html_body
    assert 'href="http://desk.test/profile#digest"' in mail.html_body
    with app.app_context():
        claim = db.session.scalar(select(DigestSent).where(DigestSent.week_start == WEEK))
        assert claim.membership_id == dana.membership_id and claim.mail_message_id == mail.id


def test_members_who_did_not_opt_in_or_were_removed_get_nothing(app, week, add_member, sent_mail):
    dana, sam = week["dana"], week["sam"]
    lee = add_member(dana, name="Lee Chen")
    opt_in(app, lee, utc(2025, 10, 22))
    opt_in(app, dana, utc(2025, 10, 22))
    with app.app_context():
        accounts.remove_member(dana, lee.membership_id)

    assert sweep(app, DUE) == 1
    # Sam never opted in; Lee did, then left the workspace.
    assert [m.recipient for m in digests(sent_mail)] == [dana.email]
    assert digests(sent_mail, sam.email) == digests(sent_mail, lee.email) == []


def test_a_sweep_days_late_sends_only_the_latest_weeks_digest(app, week, sent_mail):
    opt_in(app, week["dana"], utc(2025, 10, 22))

    assert sweep(app, utc(2025, 11, 12, 12)) == 1  # three Mondays later, none sent since
    assert sweep(app, utc(2025, 11, 12, 13)) == 0

    [mail] = digests(sent_mail)
    assert mail.subject == "Northwind, week of 3 Nov: a quiet week"
    assert "No interviews this week, no new takeaways, nothing shipped." in mail.text_body
    assert "OVERDUE REWARDS: 3" in mail.text_body  # all three are overdue by now
    with app.app_context():
        weeks = db.session.scalars(select(DigestSent.week_start).order_by(DigestSent.week_start))
        assert list(weeks) == [date(2025, 10, 13), date(2025, 11, 3)]  # the opt-in's, the sent


def test_opting_in_mid_week_gets_the_next_digest_not_last_weeks(app, week, sent_mail):
    opt_in(app, week["dana"], utc(2025, 10, 29, 9))  # Wednesday after the fixture week

    assert sweep(app, utc(2025, 10, 29, 10)) == 0
    assert sweep(app, utc(2025, 11, 3, 7)) == 1  # Monday 3 November 08:00 CET

    [mail] = digests(sent_mail)
    assert "week of 27 Oct" in mail.subject


def test_each_workspace_a_member_opted_in_for_sends_its_own_digest(
    app, week, make_workspace, sent_mail
):
    dana = week["dana"]
    other = make_workspace(name="Fabrikam", owner_name="Fay Owner")
    with app.app_context():
        sent = member_invites.invite_member(other, email=dana.email, role="viewer")
        in_fabrikam = member_invites.accept_invite(
            sent.link.rsplit("/", 1)[1], user_id=dana.user_id
        )
    opt_in(app, dana, utc(2025, 10, 22))
    opt_in(app, in_fabrikam, utc(2025, 10, 22))

    assert sweep(app, DUE) == 2

    subjects = sorted(m.subject for m in digests(sent_mail, dana.email))
    assert subjects == [
        "Fabrikam, week of 20 Oct: a quiet week",
        "Northwind, week of 20 Oct: 3 interviews held, show rate 75%",
    ]


def test_a_sweep_that_lost_the_race_for_the_claim_sends_nothing(app, week, sent_mail, monkeypatch):
    opt_in(app, week["dana"], utc(2025, 10, 22))
    assert sweep(app, DUE) == 1
    # A second sweep that read "not sent" just before the first one's claim committed.
    monkeypatch.setattr(digest, "_claimed", lambda ids, since: set())

    assert sweep(app, DUE) == 0
    assert len(digests(sent_mail)) == 1


def test_the_digest_goes_through_a_real_smtp_server(make_app, study, mail_server):
    app = make_app(**mail_server.settings())
    opt_in(app, study["dana"], utc(2025, 10, 22))

    assert sweep(app, DUE) == 1

    [received] = mail_server.received
    assert received.rcpt_tos == [study["dana"].email]
    assert received.email["Subject"] == "Northwind, week of 20 Oct: a quiet week"
    assert "Interview Desk" in received.email["From"]
    text = received.email.get_body(("plain",)).get_content()
    assert "No interviews this week" in text and "http://desk.test/profile#digest" in text


def test_with_redis_the_digest_waits_for_a_real_worker_which_sends_it(
    redis_app, study, sent_mail, run_worker
):
    app = redis_app()
    opt_in(app, study["dana"], utc(2025, 10, 22))

    assert sweep(app, DUE) == 1
    [mail] = digests(sent_mail)
    assert mail.status is MailStatus.QUEUED  # handed to a worker, not sent by the sweep

    run_worker()

    [mail] = digests(sent_mail)
    assert mail.status is MailStatus.SENT and mail.attempts == 1
    assert sweep(app, DUE + timedelta(minutes=1)) == 0


# --- the profile toggle ----------------------------------------------------------------------


def flag(app, member) -> bool:
    with app.app_context():
        return db.session.get(Membership, member.membership_id).weekly_digest


def test_a_member_turns_the_digest_on_and_off_on_their_profile(app, client, study, sent_mail):
    sam, dana = study["sam"], study["dana"]
    log_in(client, sam.email, PASSWORD)
    assert "<strong>Off.</strong>" in client.get("/profile").get_data(as_text=True)

    response = client.post("/profile/digest", data={"digest-weekly_digest": "on"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#digest")
    page = client.get("/profile").get_data(as_text=True)
    assert "You will get the weekly digest of Northwind." in page
    assert "<strong>On.</strong> The next one comes on Monday" in page
    assert flag(app, sam) and not flag(app, dana)  # for themselves only
    # Opted in mid-week (now): nothing goes out until next Monday's digest.
    with app.app_context():
        assert dispatcher.sweep().digests == 0
    assert digests(sent_mail) == []

    client.post("/profile/digest", data={"digest-weekly_digest": "off"})
    assert not flag(app, sam)
    assert "<strong>Off.</strong>" in client.get("/profile").get_data(as_text=True)


def test_bad_digest_input_is_refused_and_changes_nothing(app, client, study):
    sam = study["sam"]
    log_in(client, sam.email, PASSWORD)

    for data, reason in (
        ({"digest-weekly_digest": "yes please"}, "The weekly digest is either on or off."),
        ({}, "Choose on or off."),
    ):
        response = client.post("/profile/digest", data=data)
        assert response.status_code == 422
        assert reason in response.get_data(as_text=True)
        assert not flag(app, sam)


def test_the_digest_toggle_needs_the_forms_csrf_token(make_app, study):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": study["sam"].email, "password": PASSWORD,
                                "csrf_token": token})  # fmt: skip

    forged = client.post("/profile/digest", data={"digest-weekly_digest": "on"})
    assert forged.status_code == 400 and not flag(app, study["sam"])

    page = client.get("/profile").get_data(as_text=True)
    token = page.split('id="digest-csrf_token" name="digest-csrf_token" type="hidden" value="')
    real = client.post(
        "/profile/digest",
        data={"digest-weekly_digest": "on", "digest-csrf_token": token[1].split('"')[0]},
    )
    assert real.status_code == 302 and flag(app, study["sam"])


# --- the command line and the demo -------------------------------------------------------------


def test_preview_prints_a_members_digest_for_a_chosen_week_and_sends_nothing(
    app, runner, week, sent_mail
):
    result = runner.invoke(
        args=["digest", "preview", "--email", week["dana"].email, "--week", "2025-10-23"]
    )

    assert result.exit_code == 0, result.output
    assert "Subject: Northwind, week of 20 Oct: 3 interviews held, show rate 75%" in result.output
    assert "- Held: 3\n- No-shows: 1" in result.output
    assert digests(sent_mail) == []
    with app.app_context():
        assert db.session.scalar(select(DigestSent.id)) is None

    unknown = runner.invoke(args=["digest", "preview", "--email", "nobody@example.com"])
    assert unknown.exit_code == 1 and "No user with email nobody@example.com" in unknown.output


def test_digest_send_and_dispatch_say_how_many_digests_went(app, runner, study):
    assert runner.invoke(args=["digest", "send"]).output.strip() == "weekly digests sent: 0"
    assert "weekly digests sent: 0" in runner.invoke(args=["dispatch"]).output


def test_the_demo_owner_has_last_weeks_digest_in_her_mailbox_and_no_second_one(
    app, runner, sent_mail
):
    assert runner.invoke(demo_command).exit_code == 0

    [mail] = digests(sent_mail)
    assert mail.recipient == DEMO_EMAIL and mail.subject.startswith("Northwind Analytics, week of")
    with app.app_context():
        assert dispatcher.sweep().digests == 0
    assert len(digests(sent_mail)) == 1
