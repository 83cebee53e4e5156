"""Transcripts through the API: brought in from the formats call apps export, read back,
highlighted into takeaways with their moment, searched, and refused cleanly when a file
cannot be read, is too big, or there is no permission to record."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from interviews.accounts import api_tokens
from interviews.db import db
from interviews.notes.models import Takeaway, Transcript, TranscriptSegment
from tests.conftest import book_interview, next_weekday_slot

DATA = Path(__file__).resolve().parent.parent / "data" / "transcripts"

ZOOM = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
Dana Reyes: Thanks for joining. How do you share dashboards today?

2
00:00:04.500 --> 00:00:09.000
Pat Customer: We export every dashboard to a spreadsheet on Fridays,

3
00:00:09.000 --> 00:00:12.500
because finance won't log in. It takes about two hours.

4
00:00:13.000 --> 00:00:15.000
Dana Reyes: Two hours every week?
"""


@pytest.fixture
def auth(app, study):
    with app.app_context():
        _, secret = api_tokens.create_api_token(
            study["dana"].user_id, study["dana"].workspace_id, "transcripts"
        )
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def interview_id(client, study):
    return book_interview(client, next_weekday_slot(10))["interview_id"]


def put(client, auth, interview_id, body, content_type="text/vtt", confirm=True, **query):
    params = {"confirm": "true" if confirm else "false", **query}
    return client.put(
        f"/api/v1/interviews/{interview_id}/transcript",
        data=body,
        content_type=content_type,
        headers=auth,
        query_string=params,
    )


def stored(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Transcript)),
            db.session.scalar(select(func.count()).select_from(TranscriptSegment)),
        )


def test_a_zoom_transcript_is_read_into_timed_segments_with_speakers_and_roles(
    client, auth, interview_id
):
    answer = put(client, auth, interview_id, ZOOM, filename="call.vtt")

    assert answer.status_code == 200
    body = answer.json
    said = [(s["start"], s["end"], s["speaker"], s["role"], s["text"]) for s in body["segments"]]
    assert said[0] == (
        1.0,
        4.0,
        "Dana Reyes",
        "interviewer",
        "Thanks for joining. How do you share dashboards today?",
    )
    assert said[1][2:4] == ("Pat Customer", "interviewee")
    # A cue that names nobody continues the turn before it.
    assert said[2][2:] == (
        "Pat Customer",
        "interviewee",
        "because finance won't log in. It takes about two hours.",
    )
    assert body["filename"] == "call.vtt" and body["format"] == "vtt"
    assert client.get(f"/api/v1/interviews/{interview_id}/transcript", headers=auth).json == body


@pytest.mark.parametrize(
    ("fixture", "content_type"),
    [
        ("teams_voices.vtt", "text/vtt"),
        ("subtitles.srt", "application/x-subrip"),
        ("utf16.srt", "application/x-subrip"),
        ("turns.txt", "text/plain"),
    ],
)
def test_each_format_call_apps_export_is_read(client, auth, interview_id, fixture, content_type):
    answer = put(client, auth, interview_id, (DATA / fixture).read_bytes(), content_type)

    assert answer.status_code == 200, answer.json
    segments = answer.json["segments"]
    assert segments and all(s["text"] and "<" not in s["text"] for s in segments)
    timed = content_type != "text/plain"
    assert all((s["start"] is not None) == timed for s in segments)


def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_stored(
    app, client, auth, interview_id
):
    assert put(client, auth, interview_id, ZOOM).status_code == 200
    before = stored(app)

    for body, content_type in (
        ((DATA / "bad_timing.vtt").read_bytes(), "text/vtt"),
        (b"", "text/vtt"),
        (b"   \n\n", "text/plain"),
    ):
        answer = put(client, auth, interview_id, body, content_type)
        assert answer.status_code == 422
        assert answer.json["error"]["message"]

    assert stored(app) == before  # the earlier transcript is still whole
    bad = put(client, auth, interview_id, (DATA / "bad_timing.vtt").read_bytes())
    assert "Line 14" in bad.json["error"]["message"]


def test_a_huge_file_answers_413_and_stores_nothing(make_app, study, auth):
    app = make_app(TRANSCRIPT_MAX_BYTES=1000)
    client = app.test_client()
    interview_id = book_interview(client, next_weekday_slot(10))["interview_id"]

    answer = put(client, auth, interview_id, ZOOM * 10)

    assert answer.status_code == 413
    assert answer.json["error"]["code"] == "too_large"
    assert "MB" in answer.json["error"]["message"]
    assert stored(app) == (0, 0)


def test_without_permission_to_record_on_file_the_pm_must_confirm(app, client, auth, interview_id):
    refused = put(client, auth, interview_id, ZOOM, confirm=False)

    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "consent_needed"
    assert "agreed to be recorded" in refused.json["error"]["message"]
    assert stored(app) == (0, 0)
    confirmed = put(client, auth, interview_id, ZOOM, confirm=True)
    assert confirmed.status_code == 200 and confirmed.json["without_consent"] is True


def test_a_highlight_keeps_the_exact_words_the_speaker_and_the_moment(
    app, client, auth, interview_id
):
    segments = put(client, auth, interview_id, ZOOM).json["segments"]

    made = client.post(
        f"/api/v1/interviews/{interview_id}/highlights",
        json={
            "segment_id": segments[1]["id"],
            "quote": "“…every dashboard to a spreadsheet on Fridays, because finance won’t log in”",
            "tags": ["exports"],
        },
        headers=auth,
    )

    assert made.status_code == 201, made.json
    item = made.json
    assert (
        item["quote"] == "every dashboard to a spreadsheet on Fridays, because finance won't log in"
    )
    assert item["text"] == item["quote"] and item["tags"] == ["exports"]
    assert item["transcript"] == {
        "segment_id": segments[1]["id"],
        "start": 4.5,
        "end": 12.5,  # it ran on into the next cue
        "speaker": "Pat Customer",
    }
    library = client.get("/api/v1/takeaways?q=finance", headers=auth).json
    assert [t["transcript"]["start"] for t in library["items"]] == [4.5]


def test_words_not_in_the_segment_answer_422_and_make_no_takeaway(app, client, auth, interview_id):
    segments = put(client, auth, interview_id, ZOOM).json["segments"]
    url = f"/api/v1/interviews/{interview_id}/highlights"

    for segment, quote in (
        (segments[1], "We export every report"),  # not said
        (segments[2], "We export every dashboard"),  # said, but before this segment
        (segments[1], "xport every"),  # inside a word
    ):
        answer = client.post(url, json={"segment_id": segment["id"], "quote": quote}, headers=auth)
        assert answer.status_code == 422, quote
        assert answer.json["error"]["code"] == "quote_not_found"
    other = client.post(url, json={"segment_id": 10**6, "quote": "We"}, headers=auth)
    assert other.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Takeaway)) == 0


def test_a_replaced_transcript_leaves_highlights_their_quote_and_moment(client, auth, interview_id):
    segments = put(client, auth, interview_id, ZOOM).json["segments"]
    made = client.post(
        f"/api/v1/interviews/{interview_id}/highlights",
        json={"segment_id": segments[3]["id"], "quote": "Two hours every week?"},
        headers=auth,
    ).json

    put(client, auth, interview_id, ZOOM.replace("Two hours", "2 hours"))
    assert (
        client.delete(f"/api/v1/interviews/{interview_id}/transcript", headers=auth).status_code
        == 204
    )

    again = client.get(f"/api/v1/interviews/{interview_id}/notes", headers=auth).json["takeaways"]
    assert [
        (t["quote"], t["transcript"]["start"], t["transcript"]["segment_id"]) for t in again
    ] == [("Two hours every week?", 13.0, None)]
    assert made["transcript"]["speaker"] == "Dana Reyes"
    assert (
        client.get(f"/api/v1/interviews/{interview_id}/transcript", headers=auth).status_code == 404
    )


def test_spoken_words_are_found_with_their_interview_and_moment(client, auth, interview_id):
    put(client, auth, interview_id, ZOOM)

    found = client.get("/api/v1/transcripts?q=finance lo", headers=auth).json

    assert found["total"] == 1
    [item] = found["items"]
    assert item["interview_id"] == interview_id
    assert (item["start"], item["speaker"]) == (9.0, "Pat Customer")
    assert "finance won't log in" in item["text"]
    assert client.get("/api/v1/transcripts?q=", headers=auth).json == {"items": [], "total": 0}
    assert client.get("/api/v1/transcripts?q=invoices", headers=auth).json["total"] == 0


def test_another_workspace_sees_no_transcript_and_finds_none(
    client, auth, interview_id, make_workspace
):
    put(client, auth, interview_id, ZOOM)
    other = make_workspace(name="Elsewhere", owner_name="Oli Other")
    with client.application.app_context():
        _, secret = api_tokens.create_api_token(other.user_id, other.workspace_id, "other")
    theirs = {"Authorization": f"Bearer {secret}"}

    assert (
        client.get(f"/api/v1/interviews/{interview_id}/transcript", headers=theirs).status_code
        == 404
    )
    assert client.get("/api/v1/transcripts?q=finance", headers=theirs).json["total"] == 0
    assert put(client, theirs, interview_id, ZOOM).status_code == 404
