"""The REFI-QDA exchange over the API: a study exported as a project another tool can
open (validated against the standard's schema, each quote at its place in its source),
and the tags carried out and back in as a codebook."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from interviews.accounts import api_tokens
from tests.conftest import book_interview, next_weekday_slot

SCHEMAS = Path(__file__).resolve().parent.parent / "data" / "refi_qda"
PROJECT_SCHEMA = etree.XMLSchema(etree.parse(str(SCHEMAS / "Project-mrt2019.xsd")))
CODEBOOK_SCHEMA = etree.XMLSchema(etree.parse(str(SCHEMAS / "Codebook-mrt2019.xsd")))
NS = {"q": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}

CALL = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Dana Reyes>How do you share dashboards today?

00:00:04.500 --> 00:00:09.000
<v Pat Customer>We export every dashboard to a spreadsheet, café style, on Fridays.
"""


@pytest.fixture
def auth(app, study):
    with app.app_context():
        _, secret = api_tokens.create_api_token(
            study["dana"].user_id, study["dana"].workspace_id, "qda"
        )
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def coded(client, auth, study):
    """An interview with a transcript, a highlight and a quoted takeaway from the notes."""
    interview_id = book_interview(client, next_weekday_slot(10))["interview_id"]
    segments = client.put(
        f"/api/v1/interviews/{interview_id}/transcript?confirm=true",
        data=CALL,
        content_type="text/vtt",
        headers=auth,
    ).json["segments"]
    highlight = client.post(
        f"/api/v1/interviews/{interview_id}/highlights",
        json={
            "segment_id": segments[1]["id"],
            "quote": "a spreadsheet, café style",
            "tags": ["Exports", "Workarounds"],
        },
        headers=auth,
    )
    assert highlight.status_code == 201, highlight.json
    notes = client.put(
        f"/api/v1/interviews/{interview_id}/notes",
        json={"sections": [{"heading": "Problem", "body": "Finance never logs in to the app."}]},
        headers=auth,
    )
    assert notes.status_code == 200, notes.json
    noted = client.post(
        "/api/v1/takeaways",
        json={
            "text": "Finance avoids the app",
            "quote": "never logs in",
            "tags": ["Finance"],
            "interview_id": interview_id,
        },
        headers=auth,
    )
    assert noted.status_code == 201
    return interview_id


def test_a_study_exports_as_a_project_that_validates_with_each_quote_in_place(
    client, auth, study, coded
):
    studies = client.get("/api/v1/studies", headers=auth).json
    study_id = next(s["id"] for s in studies["items"] if s["slug"] == study["slug"])

    answer = client.get(f"/api/v1/exports/refi-qda?study_id={study_id}", headers=auth)

    assert answer.status_code == 200
    assert answer.mimetype == "application/zip"
    assert "attachment" in answer.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    project = etree.fromstring(archive.read("project.qde"))
    PROJECT_SCHEMA.assertValid(project)
    codes = {c.get("guid"): c.get("name") for c in project.iterfind(".//q:Code", NS)}
    assert sorted(codes.values()) == ["Exports", "Finance", "Workarounds"]
    quotes = {}
    for source in project.iterfind(".//q:TextSource", NS):
        text = archive.read("sources/" + source.get("plainTextPath").removeprefix("internal://"))
        text = text.decode("utf-8")
        for selection in source.iterfind("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            coded_as = sorted(
                codes[r.get("targetGUID")] for r in selection.iterfind(".//q:CodeRef", NS)
            )
            quotes[text[start:end]] = (source.get("name").rsplit(": ", 1)[1], coded_as)
    assert quotes == {
        "a spreadsheet, café style": ("transcript", ["Exports", "Workarounds"]),
        "never logs in": ("notes", ["Finance"]),
    }


def test_another_workspaces_study_is_not_found(client, auth, make_workspace):
    other = make_workspace(name="Elsewhere", owner_name="Oli Other")
    with client.application.app_context():
        _, secret = api_tokens.create_api_token(other.user_id, other.workspace_id, "o")
    mine = client.get("/api/v1/studies", headers=auth).json["items"][0]["id"]

    answer = client.get(
        f"/api/v1/exports/refi-qda?study_id={mine}", headers={"Authorization": f"Bearer {secret}"}
    )

    assert answer.status_code == 404


def test_tags_go_out_as_a_codebook_and_a_codebook_comes_back_in_as_tags(client, auth, coded):
    out = client.get("/api/v1/exports/codebook.qdc", headers=auth)
    assert out.status_code == 200
    CODEBOOK_SCHEMA.assertValid(etree.fromstring(out.data))

    codebook = out.data.replace(b'name="Finance"', b'name="Onboarding"')
    answer = client.post(
        "/api/v1/exports/codebook.qdc", data=codebook, content_type="application/xml", headers=auth
    )

    assert answer.status_code == 200, answer.json
    assert answer.json == {"added": ["Onboarding"], "existing": ["Exports", "Workarounds"]}
    again = client.get("/api/v1/exports/codebook.qdc", headers=auth)
    names = [c.get("name") for c in etree.fromstring(again.data).iterfind(".//c:Code", NS)]
    assert sorted(names) == ["Exports", "Finance", "Onboarding", "Workarounds"]


def test_a_file_that_is_not_a_codebook_is_refused_and_adds_nothing(client, auth, coded):
    before = client.get("/api/v1/exports/codebook.qdc", headers=auth).data
    for body in (
        b"not xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
        b"",
    ):
        answer = client.post(
            "/api/v1/exports/codebook.qdc", data=body, content_type="application/xml", headers=auth
        )
        assert answer.status_code == 422, body
        assert answer.json["error"]["message"]
    assert client.get("/api/v1/exports/codebook.qdc", headers=auth).data == before


def test_a_workspace_without_tags_has_no_codebook_to_give(client, auth):
    answer = client.get("/api/v1/exports/codebook.qdc", headers=auth)

    assert answer.status_code == 404
    assert "no tags" in answer.json["error"]["message"]
