"""Notes through the API: a save that clashes with someone else's answers 409 with the
text merged per section, ready to review and save again."""

from __future__ import annotations

import pytest

from interviews.accounts import api_tokens
from interviews.notes.sections import END_MARKER, THEIRS_MARKER, YOURS_MARKER
from tests.conftest import book_interview, next_weekday_slot


@pytest.fixture
def auth(app, study):
    with app.app_context():
        _, secret = api_tokens.create_api_token(
            study["dana"].user_id, study["dana"].workspace_id, "notes"
        )
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def notes_url(client, study):
    interview_id = book_interview(client, next_weekday_slot(10))["interview_id"]
    return f"/api/v1/interviews/{interview_id}/notes"


def sections(bodies: dict[str, str], read: list[dict[str, str]]) -> list[dict[str, str]]:
    """The sections as read, with ``bodies`` typed into some of them."""
    return [{"heading": s["heading"], "body": bodies.get(s["heading"], s["body"])} for s in read]


def test_a_clash_answers_409_with_each_section_merged_and_saves_once_reviewed(
    client, auth, notes_url
):
    read = client.get(notes_url, headers=auth).json
    base = sections({"Problem": "re-keys invoices\nweekly"}, read["sections"])
    first = client.put(notes_url, json={"revision": 0, "sections": base}, headers=auth)
    assert first.status_code == 200
    theirs = sections({"Problem": "re-keys invoices\nevery Monday"}, base)
    assert (
        client.put(
            notes_url, json={"revision": 1, "sections": theirs, "base": base}, headers=auth
        ).status_code
        == 200
    )
    mine = sections({"Problem": "re-keys invoices\ndaily", "Solution": "an import"}, base)

    clash = client.put(
        notes_url, json={"revision": 1, "sections": mine, "base": base}, headers=auth
    )

    assert clash.status_code == 409
    body = clash.json
    assert body["error"]["code"] == "conflict"
    assert "Problem" in body["error"]["message"]
    assert body["conflicts"] == ["Problem"]
    both = "\n".join(
        ["re-keys invoices", YOURS_MARKER, "daily", THEIRS_MARKER, "every Monday", END_MARKER]
    )
    assert body["combined"] == {"Problem": both}
    merged = {s["heading"]: s["body"] for s in body["sections"]}
    # The section only this writer changed is merged in; the clash holds both versions.
    assert merged["Problem"] == both and merged["Solution"] == "an import"
    assert [s["heading"] for s in body["sections"]] == [s["heading"] for s in read["sections"]]
    saved = {s["heading"]: s["body"] for s in body["current"]["sections"]}
    assert saved["Problem"] == "re-keys invoices\nevery Monday" and saved["Solution"] == ""
    assert body["current"]["revision"] == 2
    # Nothing was written by the refused save.
    assert client.get(notes_url, headers=auth).json["revision"] == 2

    resolved = sections(
        {"Problem": "re-keys invoices\nevery Monday, daily in March"}, body["sections"]
    )
    again = client.put(
        notes_url,
        json={"revision": body["current"]["revision"], "sections": resolved},
        headers=auth,
    )

    assert again.status_code == 200
    kept = {s["heading"]: s["body"] for s in again.json["sections"]}
    assert kept["Problem"] == "re-keys invoices\nevery Monday, daily in March"
    assert kept["Solution"] == "an import"


def test_the_409_of_a_notes_save_is_declared_with_the_merged_sections(client):
    document = client.get("/api/v1/openapi.json").json
    put = document["paths"]["/api/v1/interviews/{interview_id}/notes"]["put"]

    declared = put["responses"]["409"]["content"]["application/json"]["schema"]
    name = declared["$ref"].rsplit("/", 1)[1]
    schema = document["components"]["schemas"][name]
    assert {"error", "conflicts", "combined", "sections", "current"} <= set(schema["required"])
