"""The participant panel: profiles, consent, do-not-contact, personal invites and the cooldown."""

from __future__ import annotations

import re

from interviews.accounts import api_tokens
from interviews.accounts.rules import Role
from interviews.db import db
from interviews.participants.models import Participant, ParticipantInvite
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies.models import Study
from tests.conftest import book_interview, log_in, next_weekday_slot, started_minutes_ago


def csrf(client, path: str) -> str:
    """Open the page the form is on, as a person would; tests run without CSRF tokens."""
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return ""


def add(client, **fields) -> int:
    token = csrf(client, "/participants/new")
    data = {
        "csrf_token": token,
        "name": "Mei Lin",
        "email": "mei@northbank.example",
        "phone": "+44 20 7946 0958",
        "company": "Northbank",
        "role": "Finance lead",
        "segment": "enterprise",
        "timezone": "Europe/London",
        "attribute_key": ["plan", "tenure", ""],
        "attribute_value": ["Enterprise", "3 years", ""],
        **fields,
    }
    response = client.post("/participants/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    profile = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{data['name']} is on the panel." in profile
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_a_profile_shows_who_they_are_their_interviews_and_what_they_told_us(app, client, study):
    booking = book_interview(client, next_weekday_slot(10), email="pat@customer.example")
    log_in(client, study["dana"].email)
    with app.app_context():
        pat = db.session.scalar(db.select(Participant).filter_by(email="pat@customer.example"))
        pat_id = pat.id
    token = csrf(client, f"/participants/{pat_id}/edit")
    response = client.post(
        f"/participants/{pat_id}/edit",
        data={
            "csrf_token": token,
            "name": "Pat Customer",
            "email": "pat@customer.example",
            "phone": "+1 415 555 2671",
            "company": "Customer Co",
            "role": "Ops manager",
            "segment": "smb",
            "timezone": "America/New_York",
            "attribute_key": ["plan", "support tickets"],
            "attribute_value": ["Pro", "4 open"],
        },
    )
    assert response.status_code == 302
    started_minutes_ago(app, booking["interview_id"], 50)
    client.post(
        f"/interviews/{booking['interview_id']}/takeaways",
        data={
            "csrf_token": csrf(client, f"/interviews/{booking['interview_id']}/notes"),
            "text": "Exports every Monday by hand",
            "quote": "I copy the numbers into a spreadsheet",
        },
    )

    page = client.get(f"/participants/{pat_id}").get_data(as_text=True)

    assert "Ops manager at Customer Co" in page
    assert "support tickets</dt><dd>4 open" in page
    assert "Northwind product interview about dashboards with Dana Reyes" in page
    assert "Exports every Monday by hand" in page
    # The prep page before a call shows the same facts.
    prep = client.get(f"/interviews/{booking['interview_id']}/prep").get_data(as_text=True)
    assert "plan</dt><dd>Pro" in prep and "Company</dt><dd>Customer Co" in prep


def test_the_panel_searches_by_name_company_or_role_and_filters_by_segment(client, study):
    log_in(client, study["dana"].email)
    add(client)
    add(client, name="Jonas Weber", email="jonas@acme.example", company="Acme", segment="smb")

    by_company = client.get("/participants?q=northbank").get_data(as_text=True)
    assert "Mei Lin" in by_company and "Jonas Weber" not in by_company
    by_segment = client.get("/participants?segment=smb").get_data(as_text=True)
    assert "Jonas Weber" in by_segment and "Mei Lin" not in by_segment
    assert "smb (1)" in by_segment and "enterprise (1)" in by_segment


def test_bad_profile_input_is_refused_with_its_reason_and_nothing_is_stored(app, client, study):
    log_in(client, study["dana"].email)
    token = csrf(client, "/participants/new")

    bad_phone = client.post(
        "/participants/new",
        data={"csrf_token": token, "name": "Ana", "email": "ana@x.example", "phone": "12"},
    )
    bad_zone = client.post(
        "/participants/new",
        data={
            "csrf_token": token,
            "name": "Ana",
            "email": "ana@x.example",
            "timezone": "Mars/Base",
        },
    )

    assert bad_phone.status_code == 422
    assert "Enter a phone number with its country code" in bad_phone.get_data(as_text=True)
    assert bad_zone.status_code == 422
    add(client)
    duplicate = client.post(
        "/participants/new",
        data={"csrf_token": token, "name": "Mei again", "email": "MEI@northbank.example"},
    )
    assert duplicate.status_code == 422  # one of the form's problems, shown with the others
    assert "mei@northbank.example is already on the panel" in duplicate.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Participant)) == 1


def test_consent_is_kept_with_its_words_and_time_and_withdrawing_keeps_the_history(
    app, client, study
):
    log_in(client, study["dana"].email)
    mei = add(client)
    token = csrf(client, f"/participants/{mei}")

    client.post(
        f"/participants/{mei}/consents",
        data={
            "csrf_token": token,
            "kind": "recording",
            "wording": "Fine to record, for the team only.",
            "method": "on the call",
        },
    )
    page = client.get(f"/participants/{mei}").get_data(as_text=True)
    assert "Recording of calls: <strong>given</strong>" in page
    assert (
        "“Fine to record, for the team only.”" in page
        and "on the call, noted by Dana Reyes" in page
    )

    consent_id = re.search(rf"/participants/{mei}/consents/(\d+)/withdraw", page).group(1)
    client.post(f"/participants/{mei}/consents/{consent_id}/withdraw", data={"csrf_token": token})
    page = client.get(f"/participants/{mei}").get_data(as_text=True)
    assert "Recording of calls: <strong>not given</strong>" in page
    assert "“Fine to record, for the team only.”" in page  # still in the history


def test_someone_marked_do_not_contact_cannot_be_invited_or_book(app, client, study, sent_mail):
    log_in(client, study["dana"].email)
    mei = add(client)
    token = csrf(client, f"/participants/{mei}")
    client.post(
        f"/participants/{mei}/do-not-contact", data={"csrf_token": token, "do_not_contact": "1"}
    )
    refused = client.post(
        f"/participants/{mei}/invite", data={"csrf_token": token, "study_id": _study_id(app)}
    )
    booking = app.test_client().post(
        "/api/v1/public/studies/dashboards/bookings",
        json={
            "name": "Mei Lin",
            "email": "Mei@Northbank.example",
            "phone": "+44 20 7946 0958",
            "timezone": "Europe/London",
            "start": next_weekday_slot(10).isoformat(),
        },
    )

    assert refused.status_code == 422
    assert "asked not to be contacted" in refused.get_data(as_text=True)
    assert booking.status_code == 422
    assert booking.json["error"]["message"].startswith("This address asked not to be contacted")
    assert [m for m in sent_mail() if m.recipient == "mei@northbank.example"] == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Interview)) == 0


def _study_id(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Study.id).filter_by(slug="dashboards"))


def test_a_personal_invite_books_its_own_person_once(app, client, study, sent_mail):
    log_in(client, study["sam"].email)
    mei = add(client)
    token = csrf(client, f"/participants/{mei}")

    response = client.post(
        f"/participants/{mei}/invite",
        data={
            "csrf_token": token,
            "study_id": _study_id(app),
            "note": "Loved your ticket about exports.",
        },
    )

    assert response.status_code == 302
    [invite] = [m for m in sent_mail() if m.kind == "participant_invite"]
    assert invite.recipient == "mei@northbank.example"
    assert invite.sender_name == "Sam Rivera" and invite.reply_to == study["sam"].email
    assert "Loved your ticket about exports." in invite.text_body
    assert "a $20 gift card" in invite.text_body
    link = re.search(r"http://desk\.test(/book/dashboards\?invite=\S+)", invite.text_body).group(1)
    visitor = app.test_client()
    page = visitor.get(link).get_data(as_text=True)
    assert "Hi Mei Lin, this link is just for you" in page
    assert 'value="Mei Lin"' in page and "mei@northbank.example" in page

    invite_token = link.split("invite=")[1]
    booked = visitor.post(
        "/api/v1/public/studies/dashboards/bookings",
        json={
            "name": "Mei Lin",
            # A personal link books its own person, whatever the form says.
            "email": "someone-else@example.com",
            "phone": "+44 20 7946 0958",
            "timezone": "Europe/London",
            "start": next_weekday_slot(11).isoformat(),
            "invite": invite_token,
        },
    )
    assert booked.status_code == 201, booked.json
    again = visitor.post(
        "/api/v1/public/studies/dashboards/bookings",
        json={
            "name": "Mei Lin",
            "email": "mei@northbank.example",
            "phone": "+44 20 7946 0958",
            "timezone": "Europe/London",
            "start": next_weekday_slot(14).isoformat(),
            "invite": invite_token,
        },
    )
    assert again.status_code == 410
    assert "already used to book" in again.json["error"]["message"]
    with app.app_context():
        interview = db.session.get(Interview, booked.json["interview_id"])
        assert interview.participant_id == mei
        row = db.session.scalar(db.select(ParticipantInvite))
        assert row.interview_id == interview.id and row.used_at is not None
    profile = client.get(f"/participants/{mei}").get_data(as_text=True)
    assert f'/interviews/{interview.id}">booked</a>' in profile
    assert visitor.get(link).status_code == 410


def test_inviting_someone_interviewed_within_the_cooldown_asks_first(app, client, study, sent_mail):
    booking = book_interview(client, next_weekday_slot(10), email="pat@customer.example")
    started_minutes_ago(app, booking["interview_id"], 60 * 24 * 10)  # ten days ago
    with app.app_context():
        interview = db.session.get(Interview, booking["interview_id"])
        interview.status = InterviewStatus.COMPLETED
        db.session.commit()
        pat = interview.participant_id
    log_in(client, study["dana"].email)
    token = csrf(client, f"/participants/{pat}")

    warned = client.post(
        f"/participants/{pat}/invite", data={"csrf_token": token, "study_id": _study_id(app)}
    )

    assert warned.status_code == 409
    text = warned.get_data(as_text=True)
    assert "within this study&#39;s 90-day cooldown" in text
    assert "Invite anyway" in text
    assert [m for m in sent_mail() if m.kind == "participant_invite"] == []
    anyway = client.post(
        f"/participants/{pat}/invite",
        data={"csrf_token": token, "study_id": _study_id(app), "despite_cooldown": "1"},
    )
    assert anyway.status_code == 302
    assert len([m for m in sent_mail() if m.kind == "participant_invite"]) == 1


def test_a_withdrawn_invite_no_longer_books(app, client, study, sent_mail):
    log_in(client, study["dana"].email)
    mei = add(client)
    token = csrf(client, f"/participants/{mei}")
    client.post(
        f"/participants/{mei}/invite", data={"csrf_token": token, "study_id": _study_id(app)}
    )
    [invite] = [m for m in sent_mail() if m.kind == "participant_invite"]
    link = re.search(r"http://desk\.test(/book/dashboards\?invite=\S+)", invite.text_body).group(1)
    with app.app_context():
        invite_id = db.session.scalar(db.select(ParticipantInvite.id))

    client.post(f"/participants/{mei}/invites/{invite_id}/withdraw", data={"csrf_token": token})

    assert app.test_client().get(link).status_code == 410
    assert "withdrawn" in client.get(f"/participants/{mei}").get_data(as_text=True)


def test_viewers_read_the_panel_but_cannot_change_it(app, client, study, add_member):
    lee = add_member(study["dana"], role=Role.VIEWER, name="Lee Chen")
    log_in(client, study["dana"].email)
    mei = add(client)
    viewer = app.test_client()
    log_in(viewer, lee.email)

    assert "Mei Lin" in viewer.get(f"/participants/{mei}").get_data(as_text=True)
    assert viewer.get("/participants/new").status_code == 403
    token = csrf(viewer, f"/participants/{mei}")
    assert (
        viewer.post(
            f"/participants/{mei}/do-not-contact", data={"csrf_token": token, "do_not_contact": "1"}
        ).status_code
        == 403
    )


def test_another_workspace_cannot_see_a_participant(app, client, study, make_workspace):
    log_in(client, study["dana"].email)
    mei = add(client)
    stranger = make_workspace(name="Elsewhere")
    other = app.test_client()
    log_in(other, stranger.email)

    assert other.get(f"/participants/{mei}").status_code == 404
    assert "Mei Lin" not in other.get("/participants").get_data(as_text=True)


def test_the_participants_api_lists_and_filters_the_panel(app, client, study):
    log_in(client, study["dana"].email)
    add(client)
    add(client, name="Jonas Weber", email="jonas@acme.example", company="Acme", segment="smb")
    with app.app_context():
        _, secret = api_tokens.create_api_token_for_email(study["dana"].email, "tests")
    headers = {"Authorization": f"Bearer {secret}"}

    everyone = client.get("/api/v1/participants", headers=headers).json
    smb = client.get("/api/v1/participants?segment=smb", headers=headers).json
    found = client.get("/api/v1/participants?q=mei", headers=headers).json

    assert everyone["total"] == 2
    assert smb["total"] == 1 and smb["items"][0]["email"] == "jonas@acme.example"
    [mei] = found["items"]
    assert mei["company"] == "Northbank" and mei["segment"] == "enterprise"
    assert mei["attributes"] == {"plan": "Enterprise", "tenure": "3 years"}
    assert mei["do_not_contact"] is False
    assert client.get("/api/v1/participants").status_code == 401
    assert (
        client.get("/api/v1/participants?limit=x", headers=headers).json["error"]["code"]
        == "invalid_input"
    )
