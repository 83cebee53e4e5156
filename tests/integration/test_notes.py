"""Templates, live notes, takeaways and exports: through the API and the pages."""

from __future__ import annotations

import io
import zipfile

import pytest

from interviews.accounts import api_tokens
from interviews.accounts.rules import Role
from interviews.db import db
from interviews.notes import erasure
from interviews.notes import service as notes_service
from tests.conftest import book_interview, log_in, next_weekday_slot, started_minutes_ago


@pytest.fixture
def auth(app, study):
    with app.app_context():
        _, secret = api_tokens.create_api_token(
            study["dana"].user_id, study["dana"].workspace_id, "notes"
        )
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def interview_id(client, study):
    return book_interview(client, next_weekday_slot(10))["interview_id"]


def put(client, auth, interview_id, sections, **extra):
    body = {"sections": [{"heading": h, "body": b} for h, b in sections.items()], **extra}
    return client.put(f"/api/v1/interviews/{interview_id}/notes", json=body, headers=auth)


def test_every_workspace_has_the_discovery_and_jobs_to_be_done_templates(client, auth):
    listed = client.get("/api/v1/templates", headers=auth).json
    by_name = {t["name"]: t for t in listed}

    discovery = by_name["Discovery interview"]
    assert [s["heading"] for s in discovery["sections"]] == [
        "Key takeaways", "Who they are", "Introduction", "People", "Problem", "Solution",
    ]  # fmt: skip
    assert all(set(s) == {"heading", "guidance", "prompts"} for s in discovery["sections"])
    jtbd = by_name["Jobs-to-be-done timeline"]
    assert "Forcing functions" in [s["heading"] for s in jtbd["sections"]]


def test_notes_are_taken_on_the_studys_template_and_read_back(client, auth, interview_id):
    empty = client.get(f"/api/v1/interviews/{interview_id}/notes", headers=auth).json
    assert empty["revision"] == 0 and empty["takeaways"] == []
    assert [s["body"] for s in empty["sections"]] == [""] * 6

    saved = put(client, auth, interview_id, {"Problem": "- re-keys invoices"}, revision=0)

    assert saved.status_code == 200, saved.json
    again = client.get(f"/api/v1/interviews/{interview_id}/notes", headers=auth).json
    assert again["revision"] == 1
    assert {s["heading"]: s["body"] for s in again["sections"]}["Problem"] == "- re-keys invoices"
    assert again["template_id"] == empty["template_id"]


def test_two_people_editing_different_sections_are_merged(client, auth, interview_id):
    start = client.get(f"/api/v1/interviews/{interview_id}/notes", headers=auth).json
    base = start["sections"]
    assert (
        put(client, auth, interview_id, {"Problem": "hers"}, revision=0, base=base).status_code
        == 200
    )

    mine = put(client, auth, interview_id, {"Solution": "his"}, revision=0, base=base)

    assert mine.status_code == 200
    bodies = {s["heading"]: s["body"] for s in mine.json["sections"]}
    assert bodies["Problem"] == "hers" and bodies["Solution"] == "his"
    assert mine.json["revision"] == 2


def test_the_same_section_changed_by_two_people_is_a_conflict_and_nothing_is_lost(
    client, auth, interview_id
):
    base = client.get(f"/api/v1/interviews/{interview_id}/notes", headers=auth).json["sections"]
    assert (
        put(client, auth, interview_id, {"Problem": "hers"}, revision=0, base=base).status_code
        == 200
    )

    clash = put(client, auth, interview_id, {"Problem": "his"}, revision=0, base=base)

    assert clash.status_code == 409
    assert "Problem" in clash.json["error"]["message"]
    kept = client.get(f"/api/v1/interviews/{interview_id}/notes", headers=auth).json
    assert {s["heading"]: s["body"] for s in kept["sections"]}["Problem"] == "hers"
    assert kept["revision"] == 1


def test_the_live_notes_page_shows_both_versions_when_a_form_save_clashes(
    app, client, study, interview_id, auth
):
    log_in(client, study["dana"].email)
    page = client.get(f"/interviews/{interview_id}/notes")
    assert page.status_code == 200 and "Key takeaways" in page.text
    assert (
        put(client, auth, interview_id, {"Problem": "saved by Sam"}, revision=0).status_code == 200
    )
    headings = ["Key takeaways", "Who they are", "Introduction", "People", "Problem", "Solution"]
    bodies = ["", "", "", "", "typed by Dana", ""]

    response = client.post(
        f"/interviews/{interview_id}/notes",
        data={
            "csrf_token": "",
            "revision": "0",
            "heading": headings,
            "body": bodies,
            "base": [""] * 6,
        },
    )

    assert response.status_code == 409
    assert "saved by Sam" in response.text and "typed by Dana" in response.text
    assert "Two versions of the same notes" in response.text


def test_a_template_edited_later_does_not_rewrite_notes_already_taken(
    app, client, auth, study, interview_id
):
    template_id = client.get(f"/api/v1/interviews/{interview_id}/notes", headers=auth).json[
        "template_id"
    ]
    assert (
        put(client, auth, interview_id, {"Problem": "taken on version 1"}, revision=0).status_code
        == 200
    )
    log_in(client, study["dana"].email)
    form = client.get(f"/templates/{template_id}")
    assert form.status_code == 200

    edited = client.post(
        f"/templates/{template_id}",
        data={
            "name": "Discovery interview",
            "description": "",
            "heading": ["Key takeaways", "Context"],
            "guidance": ["", "New"],
            "prompts": ["", "Do you like it?"],
        },
        follow_redirects=True,
    )

    assert "Saved as version 2" in edited.text
    assert "reads as a yes/no question" in edited.text
    old = client.get(f"/api/v1/interviews/{interview_id}/notes", headers=auth).json
    assert "Problem" in [s["heading"] for s in old["sections"]]
    assert old["template_version"] == 1
    other = book_interview(client, next_weekday_slot(14), "lee@customer.example", "Lee")
    new = client.get(f"/api/v1/interviews/{other['interview_id']}/notes", headers=auth).json
    assert [s["heading"] for s in new["sections"]] == ["Key takeaways", "Context"]


def test_takeaways_from_an_interview_carry_its_participant_and_filter_by_tag(
    client, auth, interview_id
):
    made = client.post(
        "/api/v1/takeaways",
        json={
            "text": "Finance re-keys every invoice",
            "quote": "Fridays are for typing",
            "tags": ["Invoicing", "pain"],
            "interview_id": interview_id,
        },
        headers=auth,
    )
    client.post(
        "/api/v1/takeaways",
        json={"text": "Wants dark mode", "tags": ["ui"], "interview_id": interview_id},
        headers=auth,
    )

    assert made.status_code == 201
    assert made.json["source"] == "interview" and made.json["participant_id"]
    tagged = client.get("/api/v1/takeaways?tag=invoicing", headers=auth).json
    assert [t["text"] for t in tagged["items"]] == ["Finance re-keys every invoice"]
    assert tagged["items"][0]["tags"] == ["Invoicing", "pain"]
    everything = client.get("/api/v1/takeaways", headers=auth).json
    assert everything["total"] == 2
    assert everything["facets"]["tag"] == {"Invoicing": 1, "pain": 1, "ui": 1}
    notes = client.get(f"/api/v1/interviews/{interview_id}/notes", headers=auth).json
    assert len(notes["takeaways"]) == 2


def test_feedback_from_outside_an_interview_needs_a_source_and_context(client, auth, interview_id):
    anonymous = client.post(
        "/api/v1/takeaways", json={"text": "Customers want SSO", "source": "sales"}, headers=auth
    )
    assert anonymous.status_code == 422
    assert anonymous.json["error"]["message"].startswith("Say who said it")
    unknown = client.post(
        "/api/v1/takeaways",
        json={"text": "x", "source": "support", "participant_email": "nobody@nowhere.example"},
        headers=auth,
    )
    assert unknown.status_code == 422

    logged = client.post(
        "/api/v1/takeaways",
        json={
            "text": "Customers want SSO",
            "source": "sales",
            "context": "Acme renewal call; blocks a 200-seat deal",
        },
        headers=auth,
    )
    from_person = client.post(
        "/api/v1/takeaways",
        json={
            "text": "Export is slow",
            "source": "support",
            "participant_email": "PAT@customer.example",
        },
        headers=auth,
    )

    assert logged.status_code == 201 and logged.json["interview_id"] is None
    assert from_person.status_code == 201 and from_person.json["participant_id"]
    assert client.get("/api/v1/takeaways?source=sales", headers=auth).json["total"] == 1


def test_viewers_read_notes_but_cannot_write_them(app, client, study, interview_id, add_member):
    viewer = add_member(study["dana"], role=Role.VIEWER, name="Vic Viewer")
    with app.app_context():
        _, secret = api_tokens.create_api_token(viewer.user_id, viewer.workspace_id, "v")
    headers = {"Authorization": f"Bearer {secret}"}

    assert (
        client.get(f"/api/v1/interviews/{interview_id}/notes", headers=headers).status_code == 200
    )
    assert put(client, headers, interview_id, {"Problem": "x"}).status_code == 403
    refused = client.post(
        "/api/v1/takeaways", json={"text": "x", "interview_id": interview_id}, headers=headers
    )
    assert refused.status_code == 403


def test_another_workspaces_interview_notes_answer_404(client, auth, make_workspace, app):
    other = make_workspace(name="Elsewhere")
    with app.app_context():
        _, secret = api_tokens.create_api_token(other.user_id, other.workspace_id, "x")
    interview_id = book_interview(client, next_weekday_slot(10))["interview_id"]

    headers = {"Authorization": f"Bearer {secret}"}
    assert (
        client.get(f"/api/v1/interviews/{interview_id}/notes", headers=headers).status_code == 404
    )
    assert put(client, headers, interview_id, {"Problem": "x"}).status_code == 404
    takeaway = client.post(
        "/api/v1/takeaways", json={"text": "x", "interview_id": interview_id}, headers=headers
    )
    assert takeaway.status_code == 404


def test_a_recording_link_needs_consent_first_and_goes_when_consent_is_withdrawn(
    client, study, interview_id
):
    log_in(client, study["dana"].email)
    url = f"/interviews/{interview_id}/recording"

    refused = client.post(url, data={"url": "https://rec.example/1"}, follow_redirects=True)
    assert "Tick that they agreed to be recorded" in refused.text
    assert "https://rec.example/1" not in client.get(f"/interviews/{interview_id}").text

    client.post(url, data={"consent": "1", "url": "https://rec.example/1"})
    assert "https://rec.example/1" in client.get(f"/interviews/{interview_id}").text

    client.post(url, data={"url": ""})
    assert "https://rec.example/1" not in client.get(f"/interviews/{interview_id}/notes").text


def test_notes_with_script_payloads_render_as_text(client, auth, study, interview_id):
    payload = (
        '<script>alert("x")</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)>'
    )
    assert put(client, auth, interview_id, {"Problem": payload}).status_code == 200
    client.post(
        "/api/v1/takeaways",
        json={"text": "<script>steal()</script>", "interview_id": interview_id},
        headers=auth,
    )
    log_in(client, study["dana"].email)

    page = client.get(f"/interviews/{interview_id}").text

    assert "<script>alert" not in page and "<script>steal" not in page
    assert 'href="javascript:' not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page  # shown, as text


def test_after_a_completed_call_the_checklist_shows_on_the_agenda_until_done(
    app, client, study, interview_id
):
    started_minutes_ago(app, interview_id, 50)
    log_in(client, study["dana"].email)
    client.post(f"/interviews/{interview_id}/attendance", data={"status": "completed"})

    agenda = client.get("/agenda").text
    assert "After the call: still to do" in agenda and "5 checklist items open" in agenda

    for item in (
        "notes_cleaned",
        "takeaways_added",
        "thank_you_sent",
        "reward_delivered",
        "followup_asked",
    ):
        client.post(f"/interviews/{interview_id}/checklist", data={"item": item, "done": "1"})

    assert "After the call: still to do" not in client.get("/agenda").text
    assert "All done." in client.get(f"/interviews/{interview_id}").text


def test_notes_export_as_markdown_and_a_study_as_a_zip(client, auth, study, interview_id):
    put(client, auth, interview_id, {"Problem": "- slow exports"})
    client.post(
        "/api/v1/takeaways",
        json={
            "text": "Exports take minutes",
            "quote": "I make coffee",
            "interview_id": interview_id,
        },
        headers=auth,
    )
    book_interview(client, next_weekday_slot(14), "lee@customer.example", "Lee Other")
    log_in(client, study["dana"].email)

    markdown = client.get(f"/interviews/{interview_id}/notes.md")
    assert markdown.mimetype == "text/markdown"
    assert "pat-customer.md" in markdown.headers["Content-Disposition"]
    text = markdown.text
    assert text.startswith("# Interview with Pat Customer")
    assert text.index("Exports take minutes") < text.index("## Problem")
    assert "> I make coffee" in text and "- slow exports" in text

    study_id = client.get("/api/v1/studies", headers=auth).json["items"][0]["id"]
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/studies/{study_id}/notes.zip").data))
    names = sorted(archive.namelist())
    assert len(names) == 2 and all(n.endswith(".md") for n in names)
    assert any("Exports take minutes" in archive.read(n).decode() for n in names)


def test_tags_rename_into_an_existing_one_merges_them(client, auth, study, interview_id):
    for tags in (["billing"], ["Invoicing"], ["billing", "invoicing"]):
        client.post(
            "/api/v1/takeaways",
            json={"text": f"t {tags}", "tags": tags, "interview_id": interview_id},
            headers=auth,
        )
    log_in(client, study["dana"].email)
    page = client.get("/tags").text
    billing_id = int(page.split('action="/tags/')[1].split("/")[0])

    renamed = client.post(
        f"/tags/{billing_id}/rename", data={"name": "invoicing"}, follow_redirects=True
    )

    assert "on 3 takeaways" in renamed.text
    facets = client.get("/api/v1/takeaways", headers=auth).json["facets"]["tag"]
    assert facets == {"invoicing": 3}


def test_prep_shows_the_goal_earlier_takeaways_and_lets_the_team_pick_a_note_taker(
    client, auth, study, interview_id
):
    earlier = book_interview(client, next_weekday_slot(14))["interview_id"]
    client.post(
        "/api/v1/takeaways",
        json={"text": "Hates the weekly export", "interview_id": earlier},
        headers=auth,
    )
    log_in(client, study["dana"].email)

    page = client.get(f"/interviews/{interview_id}/prep").text
    assert "We are redesigning dashboards" in page
    assert "Hates the weekly export" in page
    assert "Nobody yet" in page

    response = client.post(
        f"/interviews/{interview_id}/note-taker",
        data={"user_id": study["sam"].user_id, "back": "//evil.example/"},
    )
    assert response.headers["Location"] == f"/interviews/{interview_id}/prep"  # never offsite
    assert "Sam Rivera takes notes." in client.get(f"/interviews/{interview_id}/prep").text
    rotation = client.get("/rotation").text
    assert "Sam Rivera" in rotation


def test_erasing_a_person_keeps_what_they_said_but_not_who_they_are(
    app, client, auth, study, interview_id
):
    put(client, auth, interview_id, {"Problem": "Pat Customer (pat@customer.example) said: slow"})
    log_in(client, study["dana"].email)
    client.post(
        f"/interviews/{interview_id}/recording",
        data={"consent": "1", "url": "https://rec.example/9"},
    )
    made = client.post(
        "/api/v1/takeaways",
        json={
            "text": "Pat Customer wants faster exports",
            "quote": "ask Pat",
            "interview_id": interview_id,
        },
        headers=auth,
    ).json
    assert "https://rec.example/9" in client.get(f"/interviews/{interview_id}").text
    with app.app_context():
        words = ["Pat Customer", "pat@customer.example"]
        assert (
            erasure.detach_participant(study["dana"].workspace_id, made["participant_id"], words)
            == 1
        )
        notes_service.erase_from_notes(study["dana"].workspace_id, [interview_id], words)
        db.session.commit()

    kept = client.get("/api/v1/takeaways", headers=auth).json["items"]
    assert [(t["text"], t["participant_id"]) for t in kept] == [
        ("[erased] wants faster exports", None)
    ]
    notes = client.get(f"/api/v1/interviews/{interview_id}/notes", headers=auth).json
    problem = {s["heading"]: s["body"] for s in notes["sections"]}["Problem"]
    assert problem == "[erased] ([erased]) said: slow"
    assert notes["recording_url"] == ""


def test_a_takeaway_is_edited_from_the_notes_page(client, auth, study, interview_id):
    made = client.post(
        "/api/v1/takeaways",
        json={"text": "Exports slow", "tags": ["perf"], "interview_id": interview_id},
        headers=auth,
    ).json
    log_in(client, study["dana"].email)

    client.post(
        f"/takeaways/{made['id']}/edit",
        data={
            "interview_id": str(interview_id),
            "key": "Exports",
            "text": "Exports take ten minutes",
            "quote": "I make coffee",
            "tags": "performance, exports",
            "importance": "3",
        },
    )
    refused = client.post(
        f"/takeaways/{made['id']}/edit",
        data={"interview_id": str(interview_id), "text": "  "},
        follow_redirects=True,
    )

    assert "Write the takeaway" in refused.text
    [item] = client.get("/api/v1/takeaways", headers=auth).json["items"]
    assert (item["key"], item["text"], item["importance"]) == (
        "Exports",
        "Exports take ten minutes",
        3,
    )
    assert item["tags"] == ["exports", "performance"] and item["quote"] == "I make coffee"
