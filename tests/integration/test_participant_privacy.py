"""Privacy requests: a participant's data export, their erasure, and the audit trail.

A real person's trail is laid first (bookings through the public API, so confirmation
mail, team invites with .ics files and planned reminders exist; notes, a takeaway, a
recording), then the export must hold all of it and the erasure must leave none of it.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import JSON, LargeBinary, String, Text, select

from interviews.accounts import api_tokens
from interviews.accounts import service as accounts
from interviews.accounts.rules import Role
from interviews.db import db
from interviews.mail import service as mail_service
from interviews.messaging import service as messaging
from interviews.messaging.models import OutboxMessage, OutboxStatus
from interviews.notes.models import Takeaway
from interviews.participants.models import (
    AuditEntry,
    Consent,
    ConsentKind,
    ImportStatus,
    Participant,
    ParticipantImport,
    ParticipantInvite,
)
from interviews.scheduling.models import Interview
from tests.conftest import book_interview, log_in, next_weekday_slot, started_minutes_ago

NAME, EMAIL, PHONE, COMPANY = "Jane Doe", "jane.doe@globex.example", "+14155552671", "Globex"
ANSWER = "Weekly revenue reports for the Globex board"
REASON = "Jane is flying to the Globex offsite that day"


def _token(app, member: accounts.Member) -> dict[str, str]:
    with app.app_context():
        _, secret = api_tokens.create_api_token(member.user_id, member.workspace_id, "privacy")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def person(app, client, study):
    """Jane's whole trail in Dana's workspace: two bookings (one cancelled with a reason),
    a consent, profile details, notes, a takeaway, a recording and a personal invite."""
    dana = study["dana"]
    auth = _token(app, dana)
    kept = book_interview(
        client,
        next_weekday_slot(10),
        email=EMAIL,
        name=NAME,
        phone="+1 415 555 2671",
        answers=[ANSWER],
    )
    cancelled = book_interview(
        client, next_weekday_slot(14), email=EMAIL, name=NAME, answers=["Dashboards"]
    )
    token = cancelled["manage_url"].rsplit("/", 1)[1]
    response = client.post(f"/api/v1/public/manage/{token}/cancel", json={"reason": REASON})
    assert response.status_code == 200, response.json
    interview_id = kept["interview_id"]

    notes = {
        "Who they are": f"{NAME}, head of finance at {COMPANY}. Call {PHONE} if video fails.",
        "Problem": f"Jane said the export is slow; write to {EMAIL} with the fix.",
    }
    response = client.put(
        f"/api/v1/interviews/{interview_id}/notes",
        json={"sections": [{"heading": h, "body": b} for h, b in notes.items()]},
        headers=auth,
    )
    assert response.status_code == 200, response.json
    takeaway = client.post(
        "/api/v1/takeaways",
        json={
            "text": "Finance teams export weekly",
            "quote": f"At {COMPANY} we export every Monday, said {NAME}",
            "tags": ["exports", "finance"],
            "context": f"{NAME} runs the board pack",
            "interview_id": interview_id,
        },
        headers=auth,
    )
    assert takeaway.status_code == 201, takeaway.json
    # The call's transcript names them, their company and phone; a highlight quotes them.
    said = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Dana Reyes>Thanks for joining, Jane.\n\n"
        f"00:00:03.500 --> 00:00:08.000\n<v {NAME}>At {COMPANY} the board wants it weekly; "
        f"call me on {PHONE}.\n"
    )
    transcript = client.put(
        f"/api/v1/interviews/{interview_id}/transcript?confirm=true&filename=jane-doe.vtt",
        data=said,
        content_type="text/vtt",
        headers=auth,
    )
    assert transcript.status_code == 200, transcript.json
    highlight = client.post(
        f"/api/v1/interviews/{interview_id}/highlights",
        json={
            "segment_id": transcript.json["segments"][1]["id"],
            "quote": f"At {COMPANY} the board wants it weekly",
            "text": "Boards want weekly numbers",
        },
        headers=auth,
    )
    assert highlight.status_code == 201, highlight.json

    with app.app_context():
        participant = db.session.scalar(select(Participant).where(Participant.email == EMAIL))
        participant.company, participant.role, participant.segment = COMPANY, "CFO", "enterprise"
        participant.attributes = {"plan": "Enterprise", "champion": NAME}
        now = datetime.now(UTC)
        participant.consents.append(
            Consent(
                workspace_id=dana.workspace_id,
                kind=ConsentKind.RESEARCH,
                wording="I agree to take part and for notes to be kept.",
                method="booking form",
                given_at=now,
                recorded_by=dana.user_id,
            )
        )
        study_id = db.session.get(Interview, interview_id).study_id
        db.session.add(
            ParticipantInvite(
                workspace_id=dana.workspace_id,
                study_id=study_id,
                participant_id=participant.id,
                token_hash="a" * 64,
                created_by=dana.user_id,
                created_at=now,
                expires_at=now + timedelta(days=14),
            )
        )
        # A CSV import still waiting to be mapped holds the file, their row included.
        db.session.add(
            ParticipantImport(
                workspace_id=dana.workspace_id,
                filename="panel.csv",
                content=f"email,name,company\n{EMAIL},{NAME},{COMPANY}\nsam@other.example,Sam,Initech\n",
                columns=["email", "name", "company"],
                status=ImportStatus.MAPPING,
                created_at=now,
            )
        )
        db.session.commit()
        participant_id = participant.id

    log_in(client, dana.email)
    response = client.post(
        f"/interviews/{interview_id}/recording",
        data={"consent": "1", "url": "https://rec.example/jane-call"},
    )
    assert response.status_code == 302
    return {
        "id": participant_id,
        "interview_id": interview_id,
        "cancelled_id": cancelled["interview_id"],
        "start": next_weekday_slot(10),
        "manage_url": kept["manage_url"],
        "ics_url": kept["ics_url"],
        "takeaway_id": takeaway.json["id"],
        "auth": auth,
    }


def _exported(client, participant_id: int) -> tuple[zipfile.ZipFile, dict]:
    response = client.get(f"/participants/{participant_id}/export")
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="participant-{participant_id}-export.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return archive, json.loads(archive.read("participant.json"))


def _audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        db.session.expunge_all()
        return list(rows)


# --- export ------------------------------------------------------------------------------


def test_the_export_holds_everything_kept_about_the_person_and_is_audited(
    app, client, study, person
):
    archive, data = _exported(client, person["id"])

    names = set(archive.namelist())
    assert names == {
        "README.txt",
        "participant.json",
        f"notes/interview-{person['interview_id']}.md",
    }
    readme = archive.read("README.txt").decode()
    assert f"participant {person['id']}" in readme and "Northwind" in readme
    assert datetime.now(UTC).strftime("%-d %B %Y") in readme

    profile = data["profile"]
    assert (profile["name"], profile["email"], profile["phone"]) == (NAME, EMAIL, PHONE)
    assert (profile["company"], profile["role"], profile["segment"]) == (
        COMPANY,
        "CFO",
        "enterprise",
    )
    assert profile["attributes"] == {"plan": "Enterprise", "champion": NAME}
    assert profile["timezone"] == "America/New_York" and profile["erased_at"] is None

    [consent] = data["consents"]
    assert consent["kind"] == "research" and consent["recorded_by"] == "Dana Reyes"
    assert consent["wording"] == "I agree to take part and for notes to be kept."
    assert consent["given_at"] and consent["withdrawn_at"] is None

    interviews = {i["id"]: i for i in data["interviews"]}
    kept, cancelled = interviews[person["interview_id"]], interviews[person["cancelled_id"]]
    assert kept["study_title"] == "Northwind product interview about dashboards"
    assert (
        kept["status"] == "booked" and kept["start"] == person["start"].astimezone(UTC).isoformat()
    )
    assert kept["answers"] == [{"question": "What do you use dashboards for?", "answer": ANSWER}]
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", REASON)

    [notes] = data["notes"]
    bodies = {s["heading"]: s["body"] for s in notes["sections"]}
    assert bodies["Problem"] == f"Jane said the export is slow; write to {EMAIL} with the fix."
    assert notes["recording_url"] == "https://rec.example/jane-call" and notes["recording_consent"]
    markdown = archive.read(f"notes/interview-{person['interview_id']}.md").decode()
    assert (
        "Jane said the export is slow" in markdown and "https://rec.example/jane-call" in markdown
    )

    [highlight, takeaway] = sorted(data["takeaways"], key=lambda t: t["said_at"] is None)
    assert (highlight["quote"], highlight["said_at"]) == (
        f"At {COMPANY} the board wants it weekly",
        3.5,
    )
    assert takeaway["said_at"] is None
    [transcript] = data["transcripts"]
    assert transcript["interview_id"] == person["interview_id"]
    assert [(s["start"], s["speaker"]) for s in transcript["segments"]] == [
        (1.0, "Dana Reyes"),
        (3.5, NAME),
    ]
    assert f"call me on {PHONE}" in transcript["segments"][1]["text"]
    assert takeaway["text"] == "Finance teams export weekly"
    assert takeaway["quote"] == f"At {COMPANY} we export every Monday, said {NAME}"
    assert sorted(takeaway["tags"]) == ["exports", "finance"]
    assert (takeaway["source"], takeaway["context"]) == ("interview", f"{NAME} runs the board pack")

    planned = data["messages"]["planned"]
    # Both bookings planned 24-hour, 1-hour and 10-minute reminders (the cancelled one's void).
    reminders = sorted(m["offset_minutes"] for m in planned if m["kind"] == "reminder")
    assert reminders == [10, 10, 60, 60, 1440, 1440]
    assert {m["kind"] for m in planned} >= {"confirmation", "reminder", "followup_nudge"}
    assert all(m["due_at"] for m in planned)
    sent = [m for m in planned if m["status"] == "sent"]
    assert sent and all(m["sent_at"] for m in sent)
    subjects = [e["subject"] for e in data["messages"]["emails"]]
    assert any("Northwind product interview about dashboards" in s for s in subjects)
    assert all(e["text_body"] and e["sent_at"] for e in data["messages"]["emails"])
    assert any("interview.ics" in e["attachments"] for e in data["messages"]["emails"])

    [invite] = data["invites"]
    assert invite["study_title"] == "Northwind product interview about dashboards"
    assert invite["revoked_at"] is None and invite["used_at"] is None

    [entry] = _audit(app, "participant.exported")
    assert (entry.actor_name, entry.subject) == ("Dana Reyes", f"participant {person['id']}")
    assert entry.actor_user_id == study["dana"].user_id and entry.detail["format"] == "zip"


def test_the_api_export_is_the_same_document_with_a_bearer_token(app, client, person):
    _, from_zip = _exported(client, person["id"])

    response = client.get(f"/api/v1/participants/{person['id']}/export", headers=person["auth"])

    assert response.status_code == 200 and response.mimetype == "application/json"
    from_api = response.json
    assert from_api["export"]["participant_id"] == person["id"]
    for part in (from_zip, from_api):
        del part["export"]
    assert from_api == from_zip
    assert [e.detail["format"] for e in _audit(app, "participant.exported")] == ["zip", "json"]


def test_without_a_token_the_api_export_answers_401_with_the_error_shape(client, person):
    response = client.get(f"/api/v1/participants/{person['id']}/export")

    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


# --- erasure -----------------------------------------------------------------------------


def _personal_text_left(app, needles: list[str]) -> list[tuple[str, str, str]]:
    """Every (table, column, needle) where a text or JSON value still holds a needle."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [
                c for c in table.columns if isinstance(c.type, (String, Text, JSON, LargeBinary))
            ]
            for row in db.session.execute(select(table)).mappings():
                for column in columns:
                    value = row[column.name]
                    if value is None:
                        continue
                    if isinstance(value, bytes):
                        text = value.decode("utf-8", "replace")
                    elif isinstance(value, str):
                        text = value
                    else:
                        text = json.dumps(value, ensure_ascii=False)
                    for needle in needles:
                        if needle.lower() in text.lower():
                            found.append((table.name, column.name, needle))
    return found


NEEDLES = [NAME, EMAIL, PHONE, COMPANY, "+1 415-555-2671", ANSWER, REASON, "rec.example"]


def test_before_erasure_the_scan_finds_the_person_everywhere(app, person):
    # The scan of the next test proves something only if it sees what is there now.
    tables = {table for table, _, _ in _personal_text_left(app, NEEDLES)}

    assert {
        "participant",
        "interview",
        "interview_notes",
        "takeaway",
        "mail_message",
        "mail_attachment",
        "outbox_message",
        "participant_import",
        "transcript",
        "transcript_segment",
        "transcript_highlight",
    } <= tables


def test_erasure_leaves_nothing_personal_in_any_table(app, client, study, person, sent_mail):
    team_mail_before = [m for m in sent_mail() if m.recipient != EMAIL]
    page = client.get(f"/participants/{person['id']}/erase")
    assert page.status_code == 200
    assert "Type their email address to confirm" in page.text and EMAIL in page.text
    assert "What is kept" in page.text

    response = client.post(f"/participants/{person['id']}/erase", data={"email": EMAIL.upper()})

    assert response.status_code == 302
    done = client.get(response.headers["Location"])
    words = " ".join(re.sub(r"<[^>]+>", " ", done.text).split())
    assert f"Erased on {datetime.now(UTC):%-d %b %Y} by Dana Reyes." in words
    assert _personal_text_left(app, NEEDLES + ["Jane"]) == []

    with app.app_context():
        row = db.session.get(Participant, person["id"])
        assert (row.name, row.email) == ("Erased participant", f"erased-{row.id}@erased.invalid")
        assert (row.phone, row.company, row.role, row.segment) == ("", "", "", "")
        assert row.attributes == {} and row.timezone == "UTC" and row.consents == []
        assert row.erased_at is not None and row.do_not_contact and row.do_not_contact_at
        interviews = db.session.scalars(
            select(Interview).where(Interview.participant_id == row.id)
        ).all()
        assert len(interviews) == 2
        assert all(i.answers == [] and i.cancel_reason is None for i in interviews)
        assert all(
            i.participant_timezone == "UTC" and i.manage_token_revoked_at for i in interviews
        )
        invite = db.session.scalar(select(ParticipantInvite))
        assert invite.revoked_at is not None
        takeaway = db.session.get(Takeaway, person["takeaway_id"])
        assert takeaway.participant_id is None and takeaway.interview_id == person["interview_id"]
        assert takeaway.quote == "At [erased] we export every Monday, said [erased]"
        assert takeaway.text == "Finance teams export weekly"
        open_rows = db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.QUEUED])
            )
        ).all()
        assert open_rows == []

    # Mail to them is gone; the team's copies stay, scrubbed, invite attached.
    after = sent_mail()
    assert not [m for m in after if m.recipient == EMAIL]
    assert len(after) == len(team_mail_before)
    invites = [m for m in after if m.kind == "invite_team"]
    assert invites and all("[erased] booked a call" in m.text_body for m in invites)
    assert all(m.reply_to is None for m in invites)
    ics = invites[0].attachments[0].content
    assert 'ATTENDEE;CN="[erased]"' in ics and "BEGIN:VEVENT" in ics
    # A one-word answer ("Dashboards") names nobody: the study's title keeps the word.
    assert "SUMMARY:Northwind product interview about dashboards" in ics

    # Still counted in the study's numbers.
    listed = client.get("/api/v1/interviews", headers=person["auth"]).json
    assert listed["total"] == 2
    assert {i["participant"]["name"] for i in listed["items"]} == {"Erased participant"}

    [entry] = _audit(app, "participant.erased")
    assert (entry.actor_name, entry.subject) == ("Dana Reyes", f"participant {person['id']}")
    assert entry.detail == {
        "interviews": 2,
        "notes": 1,
        "transcripts": 1,
        "takeaways": 2,  # the one logged, and the highlight
        "consents": 1,
        "messages_voided": entry.detail["messages_voided"],
        "emails_deleted": entry.detail["emails_deleted"],
        "emails_scrubbed": entry.detail["emails_scrubbed"],
        "invites_revoked": 1,
        "imports_scrubbed": 1,
        "rewards": 0,  # the study offers only words: nothing was owed
        "loop_notes": 0,  # never told that an output shipped
        "calendar_events": 0,  # nobody on the team writes interviews into a calendar
    }
    assert entry.detail["messages_voided"] >= 5 and entry.detail["emails_deleted"] >= 3


def test_after_erasure_no_sweep_sends_them_anything_and_their_links_are_dead(
    app, client, person, sent_mail
):
    client.post(f"/participants/{person['id']}/erase", data={"email": EMAIL})
    before = len(sent_mail())
    start = person["start"]

    for at in (
        start - timedelta(hours=24),
        start - timedelta(hours=1),
        start - timedelta(minutes=10),
        start + timedelta(minutes=5),
        start + timedelta(minutes=30),
        start + timedelta(days=2),
    ):
        with app.app_context():
            assert messaging.dispatch_due(at) == 0

    assert len(sent_mail()) == before
    for link in (person["manage_url"], person["ics_url"]):
        assert client.get(link.removeprefix("http://desk.test")).status_code == 404


def test_a_thank_you_the_team_triggers_after_erasure_is_never_sent(app, client, person, sent_mail):
    client.post(f"/participants/{person['id']}/erase", data={"email": EMAIL})
    started_minutes_ago(app, person["interview_id"], 45)

    response = client.post(
        f"/api/v1/interviews/{person['interview_id']}/attendance",
        json={"status": "completed"},
        headers=person["auth"],
    )

    assert response.status_code == 200, response.json
    with app.app_context():
        messaging.dispatch_due(datetime.now(UTC) + timedelta(days=1))
        thanks = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "thank_you"))
        assert thanks.status is OutboxStatus.VOID
        assert thanks.error == "not sent: the participant was erased on request"
    assert not [m for m in sent_mail() if m.kind == "thank_you"]


def test_a_wrong_confirmation_address_erases_nothing(app, client, person):
    response = client.post(f"/participants/{person['id']}/erase", data={"email": "jane@x.example"})

    assert response.status_code == 422
    assert "Type the participant&#39;s email address exactly as shown" in response.text
    with app.app_context():
        assert db.session.get(Participant, person["id"]).name == NAME
    assert _audit(app, "participant.erased") == []


def test_a_second_erasure_answers_409_saying_it_was_done(app, client, person):
    client.post(f"/participants/{person['id']}/erase", data={"email": EMAIL})

    again = client.post(f"/participants/{person['id']}/erase", data={"email": EMAIL})

    assert again.status_code == 409
    assert "already erased on" in again.text and "by Dana Reyes" in again.text
    assert len(_audit(app, "participant.erased")) == 1


def _snapshot(app) -> dict[str, list[tuple]]:
    with app.app_context():
        return {
            table.name: sorted(
                (tuple(repr(v) for v in row) for row in db.session.execute(select(table))),
            )
            for table in db.metadata.sorted_tables
        }


def test_a_failure_halfway_through_leaves_everything_as_it_was(app, client, person, monkeypatch):
    before = _snapshot(app)

    def broken(*args, **kwargs):
        raise RuntimeError("the mail store went away")

    # Late in the erasure: the profile, interviews, notes, takeaways and outbox are done.
    monkeypatch.setattr(mail_service, "scrub_messages", broken)
    response = client.post(f"/participants/{person['id']}/erase", data={"email": EMAIL})

    assert response.status_code == 500
    assert _snapshot(app) == before
    monkeypatch.undo()
    assert (
        client.post(f"/participants/{person['id']}/erase", data={"email": EMAIL}).status_code == 302
    )


# --- who may ------------------------------------------------------------------------------


def test_viewers_can_neither_export_nor_erase(app, study, person, add_member):
    viewer = add_member(study["dana"], role=Role.VIEWER, name="Vic Viewer")
    client = app.test_client()
    log_in(client, viewer.email)
    base = f"/participants/{person['id']}"

    assert client.get(f"{base}/export").status_code == 403
    assert client.get(f"{base}/erase").status_code == 403
    assert client.post(f"{base}/erase", data={"email": EMAIL}).status_code == 403
    api = client.get(f"/api/v1/participants/{person['id']}/export", headers=_token(app, viewer))
    assert api.status_code == 403 and api.json["error"]["code"] == "forbidden"
    assert _audit(app, "participant.exported") == []
    with app.app_context():
        assert db.session.get(Participant, person["id"]).erased_at is None


def test_a_researcher_may_export_and_erase(app, study, person, add_member):
    researcher = add_member(study["dana"], role=Role.RESEARCHER, name="Rae Researcher")
    client = app.test_client()
    log_in(client, researcher.email)

    assert client.get(f"/participants/{person['id']}/export").status_code == 200
    response = client.post(f"/participants/{person['id']}/erase", data={"email": EMAIL})

    assert response.status_code == 302
    assert [e.actor_name for e in _audit(app, "participant.erased")] == ["Rae Researcher"]


def test_another_workspaces_participant_is_not_found(app, person, make_workspace):
    other = make_workspace(name="Elsewhere", owner_name="Otto Other")
    client = app.test_client()
    log_in(client, other.email)
    base = f"/participants/{person['id']}"

    assert client.get(f"{base}/export").status_code == 404
    assert client.get(f"{base}/erase").status_code == 404
    assert client.post(f"{base}/erase", data={"email": EMAIL}).status_code == 404
    api = client.get(f"/api/v1/participants/{person['id']}/export", headers=_token(app, other))
    assert api.status_code == 404 and api.json["error"]["code"] == "not_found"
    with app.app_context():
        assert db.session.get(Participant, person["id"]).name == NAME


# --- the audit trail ---------------------------------------------------------------------


def test_owners_read_the_audit_trail_newest_first_and_nobody_else_does(
    app, client, study, person, add_member
):
    client.get(f"/participants/{person['id']}/export")
    client.post(f"/participants/{person['id']}/erase", data={"email": EMAIL})

    page = client.get("/audit")

    assert page.status_code == 200
    erased_at = page.text.index("Erased a participant")
    exported_at = page.text.index("Exported a participant&#39;s data")
    assert erased_at < exported_at  # newest first
    assert page.text.count(f"participant {person['id']}") == 2 and "Dana Reyes" in page.text
    researcher = add_member(study["dana"], role=Role.RESEARCHER, name="Rae Researcher")
    other = app.test_client()
    log_in(other, researcher.email)
    assert other.get("/audit").status_code == 403
