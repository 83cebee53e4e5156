"""Refused forms of the participants pages (a profile, consent, invites, erasure, the CSV
import and its column mapping): re-rendered with 422 at the same address, every problem
at once at the top linked to its input, each naming its field, what was typed kept,
nothing written; every maxlength is the limit the server keeps and the column holds."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from interviews.clock import utc_now
from interviews.db import db
from interviews.flows import privacy
from interviews.participants import consent
from interviews.participants import service as participants
from interviews.participants.models import (
    AuditEntry,
    Consent,
    ConsentKind,
    ImportStatus,
    Participant,
    ParticipantImport,
    ParticipantInvite,
)
from interviews.studies.models import Study
from tests.conftest import log_in
from tests.integration.html_forms import read_page

MEI = {
    "name": "Mei Lin",
    "email": "mei@northbank.example",
    "phone": "+44 20 7946 0958",
    "company": "Northbank",
    "role": "Finance lead",
    "segment": "enterprise",
    "timezone": "Europe/London",
}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _add(app, member, **fields) -> int:
    with app.app_context():
        draft = participants.ParticipantDraft(**{**MEI, **fields})
        return participants.create_participant(member, draft).id


def _refused(response):
    """The page of a refused form: answered in place (no redirect), every summary entry
    a link to something on the page, the title saying it failed."""
    assert "Location" not in response.headers
    page = read_page(response.get_data(as_text=True))
    assert page.title.startswith("Error: ")
    assert page.summary_focus
    assert page.summary and all(target in page.ids for target, _ in page.summary)
    return page


def _typed(page, input_id: str) -> str:
    """What the input with this id holds (the attribute rows share their names)."""
    (found,) = [i for i in page.inputs if i.id == input_id]
    return found.value


def _column_length(column) -> int:
    return column.property.columns[0].type.length


# --- adding and editing a person -------------------------------------------------------------


def test_a_new_person_with_four_problems_lists_them_all_and_keeps_every_field_typed(
    app, client, make_workspace
):
    owner = make_workspace()
    log_in(client, owner.email)
    response = client.post(
        "/participants/new",
        data={
            **MEI,
            "name": "M" * 121,
            "phone": "12",
            "timezone": "Mars/Base",
            "attribute_key": ["plan", "", ""],
            "attribute_value": ["Enterprise", "3 years", ""],
        },
    )

    assert response.status_code == 422
    page = _refused(response)
    assert page.title.startswith("Error: Add a participant")
    assert [target for target, _ in page.summary] == [
        "name",
        "phone",
        "timezone",
        "attribute-key-2",
    ]
    messages = dict(page.summary)
    assert messages["name"] == "Name can be at most 120 characters."
    assert "phone number" in messages["phone"]
    assert "'Mars/Base' is not a time zone" in messages["timezone"]
    assert messages["attribute-key-2"].startswith("Attribute 2 has a value but no name")
    assert all(page.field_errors[target] == message for target, message in page.summary)
    assert page.value("name") == "M" * 121 and page.value("phone") == "12"
    assert page.value("company") == "Northbank" and page.value("email") == MEI["email"]
    assert page.value("timezone") == "Mars/Base"
    assert [_typed(page, f"attribute-{part}-{n}") for n in (1, 2) for part in ("key", "value")] == [
        "plan",
        "Enterprise",
        "",
        "3 years",
    ]
    assert _count(app, Participant) == 0


def test_editing_to_a_taken_email_and_an_overlong_value_shows_both_and_saves_nothing(
    app, client, make_workspace
):
    owner = make_workspace()
    mei = _add(app, owner, attributes=(("plan", "Pro"),))
    _add(app, owner, name="Ana Ruiz", email="ana@globex.example")
    log_in(client, owner.email)
    response = client.post(
        f"/participants/{mei}/edit",
        data={
            **MEI,
            "email": "ANA@globex.example",
            "company": "Northbank Group",
            "attribute_key": ["plan", "tenure"],
            "attribute_value": ["Pro", "y" * 501],
        },
    )

    assert response.status_code == 422
    page = _refused(response)
    assert page.summary == [
        ("email", "The email ana@globex.example belongs to someone else on the panel."),
        ("attribute-value-2", "The value of attribute 2 can be at most 500 characters."),
    ]
    assert page.field_errors["attribute-value-2"] == page.summary[1][1]
    assert page.value("email") == "ANA@globex.example"
    assert page.value("company") == "Northbank Group"
    assert _typed(page, "attribute-value-2") == "y" * 501
    with app.app_context():
        row = db.session.get(Participant, mei)
        assert (row.email, row.company, row.attributes) == (
            MEI["email"],
            "Northbank",
            {"plan": "Pro"},
        )


PROFILE_COLUMNS = [
    ("name", Participant.name, "N" * 120),
    ("company", Participant.company, "C" * 120),
    ("role", Participant.role, "R" * 120),
    ("segment", Participant.segment, "s" * 60),
    # 64 + 1 + 189 characters: the longest address there can be.
    (
        "email",
        Participant.email,
        "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".com",
    ),
    ("timezone", Participant.timezone, None),  # no zone name is that long
]


@pytest.mark.parametrize(("name", "column", "longest"), PROFILE_COLUMNS)
def test_each_profile_input_takes_its_columns_length_and_refuses_one_more_naming_it(
    app, client, make_workspace, name, column, longest
):
    owner = make_workspace()
    log_in(client, owner.email)
    (shown,) = [i for i in read_page(client.get("/participants/new").text).inputs if i.id == name]
    assert shown.maxlength == _column_length(column) == participants.LIMITS[name]

    over = (longest or "x" * shown.maxlength) + "x"
    refused = client.post("/participants/new", data={**MEI, name: over})
    assert refused.status_code == 422
    page = _refused(refused)
    ((target, message),) = page.summary
    assert target == name
    assert participants.LABELS[name].lower() in message.lower()
    assert page.value(name) == over
    assert _count(app, Participant) == 0

    if longest is not None:
        assert len(longest) == shown.maxlength
        fits = client.post("/participants/new", data={**MEI, name: longest})
        assert fits.status_code == 302
        with app.app_context():
            assert len(getattr(db.session.scalars(select(Participant)).one(), name)) == len(longest)


def test_a_phone_typed_with_spaces_fits_its_maxlength_and_one_more_is_refused(
    app, client, make_workspace
):
    owner = make_workspace()
    log_in(client, owner.email)
    (shown,) = [
        i for i in read_page(client.get("/participants/new").text).inputs if i.id == "phone"
    ]
    assert shown.maxlength == participants.LIMITS["phone"]

    refused = client.post("/participants/new", data={**MEI, "phone": "+" + "4" * shown.maxlength})
    assert refused.status_code == 422
    assert _refused(refused).summary == [("phone", "Phone can be at most 40 characters.")]
    assert _count(app, Participant) == 0

    # Typed as people type them, spaces and all; kept as E.164, which its column holds.
    spaced = "+44" + " " * (shown.maxlength - 15) + "20 7946 0958"
    assert len(spaced) == shown.maxlength
    assert client.post("/participants/new", data={**MEI, "phone": spaced}).status_code == 302
    with app.app_context():
        stored = db.session.scalars(select(Participant)).one().phone
    assert stored == "+442079460958" and len(stored) <= _column_length(Participant.phone)


def test_attribute_inputs_take_their_limits_and_refuse_one_more_in_each_row(
    app, client, make_workspace
):
    owner = make_workspace()
    log_in(client, owner.email)
    page = read_page(client.get("/participants/new").text)
    key = next(i for i in page.inputs if i.id == "attribute-key-1")
    value = next(i for i in page.inputs if i.id == "attribute-value-1")
    assert (key.maxlength, value.maxlength) == (
        participants.MAX_ATTRIBUTE_KEY,
        participants.MAX_ATTRIBUTE_VALUE,
    )

    response = client.post(
        "/participants/new",
        data={
            **MEI,
            "attribute_key": ["k" * (key.maxlength + 1), "plan"],
            "attribute_value": ["v", "p" * (value.maxlength + 1)],
        },
    )
    assert response.status_code == 422
    page = _refused(response)
    assert page.summary == [
        ("attribute-key-1", "Attribute 1 can be at most 60 characters."),
        ("attribute-value-2", "The value of attribute 2 can be at most 500 characters."),
    ]
    assert _count(app, Participant) == 0

    fits = client.post(
        "/participants/new",
        data={**MEI, "attribute_key": ["k" * key.maxlength], "attribute_value": ["p" * 500]},
    )
    assert fits.status_code == 302


# --- consent ------------------------------------------------------------------------------


def test_a_consent_with_overlong_words_and_how_shows_both_and_keeps_what_was_typed(
    app, client, make_workspace
):
    owner = make_workspace()
    mei = _add(app, owner)
    log_in(client, owner.email)
    words = "I agree to be recorded. " * 84  # 2,016 characters
    response = client.post(
        f"/participants/{mei}/consents",
        data={"kind": "recording", "wording": words, "method": "x" * 41},
    )

    assert response.status_code == 422
    page = _refused(response)
    assert page.title.startswith("Error: Mei Lin")
    assert page.summary == [
        ("wording", "The words they agreed to can be at most 2,000 characters."),
        ("method", "How they consented can be at most 40 characters."),
    ]
    assert page.field_errors["wording"] == page.summary[0][1]
    assert page.field_errors["method"] == page.summary[1][1]
    action = f"/participants/{mei}/consents"
    assert page.value("kind", action) == "recording"
    assert page.value("wording", action) == words
    assert page.value("method", action) == "x" * 41
    assert _count(app, Consent) == 0


def test_a_consent_for_something_unknown_is_refused_at_the_for_field(app, client, make_workspace):
    owner = make_workspace()
    mei = _add(app, owner)
    log_in(client, owner.email)
    response = client.post(
        f"/participants/{mei}/consents", data={"kind": "marketing", "method": "email"}
    )
    assert response.status_code == 422
    page = _refused(response)
    assert page.summary == [
        ("consent-kind", "Choose what the consent is for: research, recording or contact.")
    ]
    assert page.value("method", f"/participants/{mei}/consents") == "email"
    assert _count(app, Consent) == 0


def test_consent_inputs_take_their_limits_and_one_more_is_refused(app, client, make_workspace):
    owner = make_workspace()
    mei = _add(app, owner)
    log_in(client, owner.email)
    page = read_page(client.get(f"/participants/{mei}").text)
    wording = next(i for i in page.inputs if i.id == "wording")
    method = next(i for i in page.inputs if i.id == "method")
    assert wording.maxlength == consent.MAX_WORDING
    assert method.maxlength == consent.MAX_METHOD == _column_length(Consent.method)

    over = client.post(
        f"/participants/{mei}/consents",
        data={"kind": "research", "wording": "w" * (wording.maxlength + 1)},
    )
    assert over.status_code == 422
    assert [t for t, _ in _refused(over).summary] == ["wording"]
    # What a browser lets through: line breaks count once there, and arrive as CRLF.
    lines = ("x" * 99 + "\n") * (wording.maxlength // 100)
    fits = client.post(
        f"/participants/{mei}/consents",
        data={
            "kind": "research",
            "wording": lines.replace("\n", "\r\n"),
            "method": "m" * method.maxlength,
        },
    )
    assert fits.status_code == 302
    with app.app_context():
        row = db.session.scalars(select(Consent)).one()
        assert row.wording == lines.strip() and row.method == "m" * method.maxlength


def test_withdrawing_a_consent_already_withdrawn_says_so_on_the_profile(
    app, client, make_workspace
):
    owner = make_workspace()
    mei = _add(app, owner)
    with app.app_context():
        given = consent.record_consent(owner, mei, kind=ConsentKind.CONTACT.value, method="email")
        consent.withdraw_consent(owner, mei, given.id)
        withdrawn_at = db.session.get(Consent, given.id).withdrawn_at
    log_in(client, owner.email)

    response = client.post(f"/participants/{mei}/consents/{given.id}/withdraw")

    assert response.status_code == 409
    page = _refused(response)
    assert page.summary == [("consent", "That consent was already withdrawn.")]
    assert page.field_errors["consent"] == "That consent was already withdrawn."
    with app.app_context():
        assert db.session.get(Consent, given.id).withdrawn_at == withdrawn_at


# --- invites and do-not-contact -------------------------------------------------------------


def _study_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Study.id).filter_by(slug="dashboards"))


def test_an_invite_without_a_study_and_with_an_overlong_note_shows_both_and_sends_nothing(
    app, client, study, sent_mail
):
    mei = _add(app, study["dana"])
    log_in(client, study["dana"].email)
    note = "Thanks for the call in May! " * 72  # 2,016 characters
    response = client.post(f"/participants/{mei}/invite", data={"study_id": "", "note": note})

    assert response.status_code == 422
    page = _refused(response)
    assert page.summary == [
        ("study_id", "Choose a published study to invite them to."),
        ("note", "A personal note can be at most 2,000 characters."),
    ]
    assert page.field_errors["note"] == page.summary[1][1]
    assert page.value("note", f"/participants/{mei}/invite") == note
    assert _count(app, ParticipantInvite) == 0
    assert [m for m in sent_mail() if m.kind == "participant_invite"] == []


def test_the_invite_note_takes_its_maxlength_as_a_browser_counts_it(app, client, study, sent_mail):
    mei = _add(app, study["dana"])
    log_in(client, study["dana"].email)
    page = read_page(client.get(f"/participants/{mei}").text)
    (note,) = [i for i in page.inputs if i.id == "note"]
    assert note.maxlength == 2000
    over = client.post(
        f"/participants/{mei}/invite",
        data={"study_id": _study_id(app), "note": "n" * (note.maxlength + 1)},
    )
    assert over.status_code == 422
    assert _refused(over).summary == [("note", "A personal note can be at most 2,000 characters.")]

    lines = ("n" * 49 + "\n") * (note.maxlength // 50)
    sent = client.post(
        f"/participants/{mei}/invite",
        data={"study_id": _study_id(app), "note": lines.replace("\n", "\r\n")},
    )
    assert sent.status_code == 302
    assert _count(app, ParticipantInvite) == 1


def test_withdrawing_an_invite_already_used_is_refused_on_the_profile(app, client, study):
    mei = _add(app, study["dana"])
    log_in(client, study["dana"].email)
    assert (
        client.post(f"/participants/{mei}/invite", data={"study_id": _study_id(app)}).status_code
        == 302
    )
    with app.app_context():
        invite = db.session.scalars(select(ParticipantInvite)).one()
        invite.used_at = utc_now()
        db.session.commit()
        invite_id = invite.id

    response = client.post(f"/participants/{mei}/invites/{invite_id}/withdraw")

    assert response.status_code == 409
    page = _refused(response)
    ((target, message),) = page.summary
    assert target == "invites" and message.startswith("That invite was already used to book")
    with app.app_context():
        assert db.session.get(ParticipantInvite, invite_id).revoked_at is None


def test_marking_someone_erased_meanwhile_answers_on_their_profile(app, client, make_workspace):
    owner = make_workspace()
    mei = _add(app, owner)
    with app.app_context():
        privacy.erase(owner, mei, confirm_email=MEI["email"], now=utc_now())
    log_in(client, owner.email)

    response = client.post(f"/participants/{mei}/do-not-contact", data={"do_not_contact": "0"})

    assert response.status_code == 409
    ((target, message),) = _refused(response).summary
    assert target == "who-heading" and "erased on request" in message
    with app.app_context():
        assert db.session.get(Participant, mei).do_not_contact is True


# --- erasure ------------------------------------------------------------------------------


def test_an_erasure_confirmed_with_another_address_keeps_it_typed_and_erases_nothing(
    app, client, make_workspace
):
    owner = make_workspace()
    mei = _add(app, owner)
    log_in(client, owner.email)
    erase_page = read_page(client.get(f"/participants/{mei}/erase").text)
    (shown,) = [i for i in erase_page.inputs if i.id == "email"]
    assert shown.maxlength == _column_length(Participant.email)

    response = client.post(f"/participants/{mei}/erase", data={"email": "mei@northbank.exampel"})

    assert response.status_code == 422
    page = _refused(response)
    assert page.title.startswith("Error: Erase participant")
    assert page.summary == [
        ("email", "Type the participant's email address exactly as shown to confirm.")
    ]
    assert page.field_errors["email"] == page.summary[0][1]
    assert page.value("email") == "mei@northbank.exampel"

    too_long = client.post(f"/participants/{mei}/erase", data={"email": "m" * 255})
    assert too_long.status_code == 422
    assert _refused(too_long).summary == [
        ("email", "The address typed to confirm can be at most 254 characters.")
    ]
    with app.app_context():
        assert db.session.get(Participant, mei).erased_at is None
    assert _count(app, AuditEntry) == 0


def test_erasing_someone_erased_meanwhile_shows_by_whom_on_the_same_page(
    app, client, make_workspace
):
    owner = make_workspace(owner_name="Dana Reyes")
    mei = _add(app, owner)
    with app.app_context():
        privacy.erase(owner, mei, confirm_email=MEI["email"], now=utc_now())
    log_in(client, owner.email)

    response = client.post(f"/participants/{mei}/erase", data={"email": MEI["email"]})

    assert response.status_code == 409
    ((target, message),) = _refused(response).summary
    assert target == "main" and "already erased on" in message and "Dana Reyes" in message
    assert _count(app, AuditEntry) == 1


# --- the CSV import -------------------------------------------------------------------------

HEADER = "E-mail,Full name,Mobile,Company,Plan,Support tickets\r\n"
ROWS = (
    "ann@customer.example,Ann Lee,,Globex,Pro,2\r\nbo@customer.example,Bo Park,,Initech,Free,0\r\n"
)


def _upload(client, data: bytes, filename: str = "panel.csv"):
    return client.post(
        "/participants/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_an_upload_without_a_file_is_refused_at_the_file_input(app, client, make_workspace):
    owner = make_workspace()
    log_in(client, owner.email)
    response = _upload(client, b"", filename="")

    assert response.status_code == 422
    page = _refused(response)
    assert page.title.startswith("Error: Import participants")
    assert page.summary == [("file", "Choose a CSV file to upload.")]
    assert page.field_errors["file"] == "Choose a CSV file to upload."
    assert _count(app, ParticipantImport) == 0


def test_an_unreadable_file_is_refused_naming_the_file(app, client, make_workspace):
    owner = make_workspace()
    log_in(client, owner.email)
    response = _upload(client, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    assert response.status_code == 422
    ((target, message),) = _refused(response).summary
    assert target == "file" and "file" in message.lower()
    assert _count(app, ParticipantImport) == 0


def test_a_mapping_with_three_problems_lists_them_all_and_keeps_every_choice_and_the_upload(
    app, client, make_workspace
):
    owner = make_workspace()
    log_in(client, owner.email)
    uploaded = _upload(client, (HEADER + ROWS).encode())
    assert uploaded.status_code == 302
    path = uploaded.headers["Location"]
    import_id = int(path.rsplit("/", 1)[1])
    with app.app_context():
        guessed = dict(db.session.get(ParticipantImport, import_id).mapping)
    chosen = {0: "", 1: "name", 2: "phone", 3: "phone", 4: "attribute", 5: "birthday"}

    response = client.post(path, data={f"column-{i}": v for i, v in chosen.items()})

    assert response.status_code == 422
    page = _refused(response)
    assert page.title.startswith("Error: Map the columns of panel.csv")
    assert page.summary == [
        (
            "column-0",
            "Choose the column that holds the email addresses: each person is matched by it.",
        ),
        ("column-3", "Only one column can be the phone; you chose “Mobile” and “Company”."),
        ("column-5", "Choose what the column “Support tickets” holds."),
    ]
    assert all(page.field_errors[target] == message for target, message in page.summary)
    # Every column as chosen (the unknown choice cannot be shown, so that select is back at
    # its first option), on the same upload: nothing to upload again.
    assert [page.value(f"column-{i}") for i in range(5)] == [
        "",
        "name",
        "phone",
        "phone",
        "attribute",
    ]
    assert not any(i.name == "file" for i in page.inputs)
    row = _import(app, import_id)
    assert row.status is ImportStatus.MAPPING and row.mapping == guessed
    assert _count(app, Participant) == 0


def test_discarding_an_import_that_started_meanwhile_says_why_on_its_page(
    app, client, make_workspace
):
    owner = make_workspace()
    log_in(client, owner.email)
    import_id = int(_upload(client, (HEADER + ROWS).encode()).headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        db.session.get(ParticipantImport, import_id).status = ImportStatus.QUEUED
        db.session.commit()

    response = client.post(f"/participants/import/{import_id}/discard")

    assert response.status_code == 409
    ((target, message),) = _refused(response).summary
    assert target == "main" and message.startswith("This import has started")
    assert _import(app, import_id).status is ImportStatus.QUEUED


def _import(app, import_id: int) -> ParticipantImport:
    with app.app_context():
        row = db.session.get(ParticipantImport, import_id)
        db.session.expunge(row)
        return row
