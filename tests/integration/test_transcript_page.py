"""The transcript page: a transcript brought in through the form (uploaded or pasted) and
refused cleanly, read as speaker turns, searched, highlighted into a takeaway with its
moment; and that moment shown as "at m:ss" in the library, on the map and in a shared
report (which links nowhere)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from markupsafe import escape

from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.errors import NotFound
from interviews.maps import nodes, shares
from interviews.maps import service as maps
from interviews.notes import service as notes
from interviews.notes import takeaways, transcripts
from tests.conftest import book_interview, log_in, next_weekday_slot
from tests.integration.html_forms import read_page

DATA = Path(__file__).resolve().parent.parent / "data" / "transcripts"
RECORDING = "https://media.example.com/calls/pat.mp4"

# Pat's call about sharing dashboards, with Dana asking (also the browser journey's).
CALL = (DATA / "pat_call.vtt").read_text(encoding="utf-8")


@pytest.fixture
def interview_id(client, study):
    interview = book_interview(client, next_weekday_slot(10))["interview_id"]
    log_in(client, study["dana"].email)
    return interview


def page_url(interview_id: int) -> str:
    return f"/interviews/{interview_id}/transcript"


def upload(client, interview_id, *, file=None, text="", confirm=True, filename="call.vtt"):
    """Send the upload form: ``file`` (bytes) as the file input, ``text`` as pasted."""
    data: dict = {"text": text}
    if file is not None:
        data["transcript"] = (io.BytesIO(file), filename)
    if confirm:
        data["confirm"] = "1"
    return client.post(page_url(interview_id), data=data, content_type="multipart/form-data")


def said(app, study, interview_id) -> transcripts.TranscriptView:
    with app.app_context():
        return transcripts.transcript_of(study["dana"].workspace_id, interview_id)


def stored(app, study, interview_id) -> bool:
    try:
        said(app, study, interview_id)
    except NotFound:
        return False
    return True


def with_consent(app, study, interview_id, url: str = "") -> None:
    with app.app_context():
        notes.set_recording(study["dana"], interview_id, consent=True, url=url)


def board(app, study) -> dict[str, int]:
    """A map with one actor and one outcome under it."""
    owner = study["dana"]
    with app.app_context():
        map_id = maps.create_map(owner, maps.GoalDraft("Grow weekly active teams"))
        actor = nodes.add_node(owner, map_id, None, nodes.NodeDraft("Finance leads"))
        outcome = nodes.add_node(
            owner,
            map_id,
            actor,
            nodes.NodeDraft("Read the numbers without an export", direction="increase"),
        )
    return {"map": map_id, "actor": actor, "outcome": outcome}


# --- bringing it in --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture", ["teams_voices.vtt", "subtitles.srt", "utf16.srt", "turns.txt", "zoom_bom_crlf.vtt"]
)
def test_each_format_uploaded_through_the_form_is_shown_as_speaker_turns(
    app, client, study, interview_id, fixture
):
    sent = upload(client, interview_id, file=(DATA / fixture).read_bytes(), filename=fixture)

    assert sent.status_code == 302, sent.get_data(as_text=True)
    assert sent.headers["Location"].endswith(page_url(interview_id))
    segments = said(app, study, interview_id).segments
    html = client.get(page_url(interview_id)).get_data(as_text=True)
    assert f"Transcript saved: {len(segments)} segment" in html
    for segment in segments:
        assert f'id="segment-{segment.id}"' in html
        assert str(escape(segment.text)) in html
        assert str(escape(segment.speaker)) in html
    assert html.count(' data-segment="') == len(segments)


def test_pasted_text_is_read_as_turns_of_the_speakers_named(app, client, study, interview_id):
    pasted = "Dana Reyes: How do you share dashboards?\r\n\r\nPat Customer: As PDF, every Monday."

    sent = upload(client, interview_id, text=pasted)

    assert sent.status_code == 302
    segments = said(app, study, interview_id).segments
    assert [(s.speaker, s.role, s.text) for s in segments] == [
        ("Dana Reyes", "interviewer", "How do you share dashboards?"),
        ("Pat Customer", "interviewee", "As PDF, every Monday."),
    ]
    html = client.get(page_url(interview_id)).get_data(as_text=True)
    assert "Plain text: no times to jump to." in html


def test_pasted_text_that_cannot_be_read_is_kept_and_its_line_named_at_the_text_box(
    app, client, study, interview_id
):
    pasted = (DATA / "bad_timing.vtt").read_text()

    refused = upload(client, interview_id, text=pasted)

    assert refused.status_code == 422
    page = read_page(refused.get_data(as_text=True))
    assert page.title.startswith("Error: ")
    assert page.value("text") == pasted
    assert "line 14" in page.field_errors["transcript-text"].lower()
    assert [target for target, _ in page.summary] == ["transcript-text"]
    assert not stored(app, study, interview_id)


def test_a_file_that_cannot_be_read_is_named_at_the_file_input_and_the_old_one_stays(
    app, client, study, interview_id
):
    assert upload(client, interview_id, file=CALL.encode()).status_code == 302
    before = said(app, study, interview_id)

    refused = upload(client, interview_id, file=(DATA / "bad_timing.vtt").read_bytes())

    assert refused.status_code == 422
    page = read_page(refused.get_data(as_text=True))
    assert "line 14" in page.field_errors["transcript-file"].lower()
    assert said(app, study, interview_id).segments == before.segments  # nothing half-stored


def test_a_file_and_pasted_text_at_once_are_refused(app, client, study, interview_id):
    refused = upload(client, interview_id, file=CALL.encode(), text="Pat: hello")

    assert refused.status_code == 422
    page = read_page(refused.get_data(as_text=True))
    assert "not both" in page.field_errors["transcript-text"]
    assert page.value("text") == "Pat: hello"
    assert not stored(app, study, interview_id)


def test_nothing_chosen_is_refused_at_the_file_input(client, interview_id):
    refused = upload(client, interview_id)

    assert refused.status_code == 422
    page = read_page(refused.get_data(as_text=True))
    assert "Choose the transcript file" in page.field_errors["transcript-file"]


def test_a_file_too_big_answers_413_at_the_file_input_and_stores_nothing(
    make_app, study, interview_id
):
    small = make_app(TRANSCRIPT_MAX_BYTES=1000)
    client = small.test_client()
    log_in(client, study["dana"].email)

    refused = upload(client, interview_id, file=CALL.encode() * 10)

    assert refused.status_code == 413
    page = read_page(refused.get_data(as_text=True))
    assert "MB" in page.field_errors["transcript-file"]
    assert not stored(small, study, interview_id)


def test_a_request_past_the_server_limit_says_how_big_a_file_may_be(make_app, study, interview_id):
    # Past MAX_CONTENT_LENGTH nothing of the request is read (the form's token neither),
    # so no page of the form can come back: the error page says what to do instead.
    small = make_app(MAX_CONTENT_LENGTH=5000)
    client = small.test_client()
    log_in(client, study["dana"].email)

    refused = upload(client, interview_id, file=CALL.encode() * 40)

    assert refused.status_code == 413
    said = refused.get_data(as_text=True)
    assert "a request can carry at most 5 kB" in said and "Go back" in said
    assert not stored(small, study, interview_id)


def test_without_permission_on_file_the_pm_ticks_that_they_agreed(app, client, study, interview_id):
    assert 'id="confirm"' in client.get(page_url(interview_id)).get_data(as_text=True)

    refused = upload(client, interview_id, text="Pat: We export by hand.", confirm=False)

    assert refused.status_code == 422
    page = read_page(refused.get_data(as_text=True))
    assert "agreed to be recorded" in page.field_errors["confirm"]
    assert page.value("text") == "Pat: We export by hand."
    assert not stored(app, study, interview_id)
    assert upload(client, interview_id, text="Pat: We export by hand.").status_code == 302
    assert said(app, study, interview_id).without_consent


def test_with_permission_on_file_there_is_nothing_to_tick(app, client, study, interview_id):
    with_consent(app, study, interview_id)

    assert 'id="confirm"' not in client.get(page_url(interview_id)).get_data(as_text=True)
    assert upload(client, interview_id, text="Pat: hello", confirm=False).status_code == 302
    assert not said(app, study, interview_id).without_consent


def test_removing_asks_to_confirm_first(app, client, study, interview_id):
    upload(client, interview_id, file=CALL.encode())

    refused = client.post(f"{page_url(interview_id)}/remove", data={})

    assert refused.status_code == 422
    assert "Tick the box" in read_page(refused.get_data(as_text=True)).field_errors["remove-sure"]
    assert stored(app, study, interview_id)
    removed = client.post(f"{page_url(interview_id)}/remove", data={"sure": "1"})
    assert removed.status_code == 302
    assert not stored(app, study, interview_id)
    assert "No transcript yet." in client.get(page_url(interview_id)).get_data(as_text=True)


def test_speakers_are_given_their_roles(app, client, study, interview_id):
    upload(client, interview_id, file=CALL.encode())

    saved = client.post(
        f"{page_url(interview_id)}/speakers",
        data={"speaker": ["Dana Reyes", "Pat Customer"], "role": ["other", "interviewee"]},
    )

    assert saved.status_code == 302
    assert said(app, study, interview_id).speakers == {
        "Dana Reyes": "other",
        "Pat Customer": "interviewee",
    }
    wrong = client.post(
        f"{page_url(interview_id)}/speakers", data={"speaker": ["Dana Reyes"], "role": ["boss"]}
    )
    assert wrong.status_code == 422
    assert read_page(wrong.get_data(as_text=True)).field_errors["role-1"]


# --- who may see it ----------------------------------------------------------------------------


def test_a_viewer_reads_the_transcript_and_finds_no_form_to_change_it(
    app, client, study, interview_id, add_member
):
    upload(client, interview_id, file=CALL.encode())
    viewer = add_member(study["dana"], role=Role.VIEWER, name="Val Viewer")
    reader = app.test_client()
    log_in(reader, viewer.email)

    html = reader.get(page_url(interview_id)).get_data(as_text=True)

    assert "We export every dashboard to a spreadsheet on Fridays," in html
    assert 'type="file"' not in html and "Make a takeaway" not in html
    assert "?highlight=" not in html and f"{page_url(interview_id)}/" not in html
    assert not re.search(r'<form method="post" action="/interviews/', html)
    assert "transcript.js" not in html
    segment = said(app, study, interview_id).segments[1]
    assert upload(reader, interview_id, text="Pat: hi").status_code == 403
    answer = reader.post(
        f"{page_url(interview_id)}/highlights", data={"segment_id": segment.id, "quote": "We"}
    )
    assert answer.status_code == 403


def test_another_workspace_finds_no_transcript_page(
    app, client, study, interview_id, make_workspace
):
    upload(client, interview_id, file=CALL.encode())
    other = make_workspace(name="Elsewhere", owner_name="Oli Other")
    stranger = app.test_client()
    log_in(stranger, other.email)

    assert stranger.get(page_url(interview_id)).status_code == 404
    assert upload(stranger, interview_id, text="Pat: mine now").status_code == 404
    segment = said(app, study, interview_id).segments[1]
    answer = stranger.post(
        f"{page_url(interview_id)}/highlights", data={"segment_id": segment.id, "quote": "We"}
    )
    assert answer.status_code == 404
    assert len(said(app, study, interview_id).segments) == 4


# --- finding -------------------------------------------------------------------------------------


def test_find_marks_the_words_and_says_how_many_segments_matched(client, interview_id):
    upload(client, interview_id, file=CALL.encode())

    html = client.get(page_url(interview_id), query_string={"q": "finance lo"}).get_data(
        as_text=True
    )

    assert "1 segment of 4 match" in html
    assert "because <mark>finance</mark> won&#39;t <mark>log</mark> in." in html
    assert "Two hours every week?" not in html  # only the matching segments
    none = client.get(page_url(interview_id), query_string={"q": "invoices"})
    assert "No segment matches" in none.get_data(as_text=True)


def test_markup_in_a_transcript_is_shown_as_text_never_run(app, client, study, interview_id):
    upload(client, interview_id, text='Pat Lee: I typed <script>alert("x")</script> & <b>hi</b>')

    html = client.get(page_url(interview_id)).get_data(as_text=True)
    found = client.get(page_url(interview_id), query_string={"q": "script"}).get_data(as_text=True)

    assert said(app, study, interview_id).segments[0].text.startswith("I typed <script>")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;hi&lt;/b&gt;" in html
    assert "&lt;<mark>script</mark>&gt;" in found
    for page in (html, found):
        assert "<script>alert" not in page and "<b>hi" not in page


# --- highlighting ---------------------------------------------------------------------------------


def test_the_highlight_link_opens_the_form_on_that_segments_words(app, client, study, interview_id):
    upload(client, interview_id, file=CALL.encode())
    segment = said(app, study, interview_id).segments[1]

    html = client.get(page_url(interview_id), query_string={"highlight": segment.id}).get_data(
        as_text=True
    )

    page = read_page(html)
    assert page.value("quote") == "We export every dashboard to a spreadsheet on Fridays,"
    assert f'name="segment_id" value="{segment.id}"' in html
    assert "From Pat Customer at 0:04." in html
    assert f'?highlight={segment.id}#highlight"' in html  # each segment's own link


def test_a_highlight_becomes_a_takeaway_with_its_moment_tags_and_outcome(
    app, client, study, interview_id
):
    upload(client, interview_id, file=CALL.encode())
    segment = said(app, study, interview_id).segments[1]
    nodes_ = board(app, study)

    made = client.post(
        f"{page_url(interview_id)}/highlights",
        data={
            "segment_id": segment.id,
            "quote": "every dashboard to a spreadsheet on Fridays, because finance won't log in",
            "tags": "exports, finance",
            "importance": "3",
            "outcome_id": str(nodes_["outcome"]),
        },
    )

    assert made.status_code == 302
    assert made.headers["Location"].endswith(f"{page_url(interview_id)}#segment-{segment.id}")
    with app.app_context():
        [item] = takeaways.takeaways_of_interview(study["dana"].workspace_id, interview_id)
    assert item.quote == item.text  # the takeaway is the quote when none is written
    assert item.quote.endswith("because finance won't log in")
    assert set(item.tags) == {"exports", "finance"} and item.importance == 3
    assert item.outcome_ids == (nodes_["outcome"],)
    assert (item.moment.segment_id, item.moment.start, item.moment.end) == (segment.id, 4.5, 12.5)
    assert item.moment.speaker == "Pat Customer"
    shown = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Takeaway made from Pat Customer at 0:04" in shown


def test_a_highlight_asked_for_as_json_answers_201_with_its_moment(
    app, client, study, interview_id
):
    upload(client, interview_id, file=CALL.encode())
    segment = said(app, study, interview_id).segments[3]

    made = client.post(
        f"{page_url(interview_id)}/highlights",
        data={"segment_id": segment.id, "quote": "Two hours every week?", "text": "Weekly cost"},
        headers={"Accept": "application/json"},
    )

    assert made.status_code == 201
    assert made.json["text"] == "Weekly cost"
    assert made.json["transcript"]["start"] == 73.0


def test_words_not_in_the_segment_are_refused_at_the_quote_with_the_form_as_typed(
    app, client, study, interview_id
):
    upload(client, interview_id, file=CALL.encode())
    segment = said(app, study, interview_id).segments[1]
    nodes_ = board(app, study)
    typed = {
        "segment_id": str(segment.id),
        "quote": "We export every report",
        "text": "Exports are manual",
        "tags": "exports",
        "importance": "1",
        "actor_id": str(nodes_["actor"]),
    }

    refused = client.post(f"{page_url(interview_id)}/highlights", data=typed)

    assert refused.status_code == 422
    page = read_page(refused.get_data(as_text=True))
    assert "not in this part of the transcript" in page.field_errors["h-quote"]
    assert [target for target, _ in page.summary] == ["h-quote"]
    form = f"{page_url(interview_id)}/highlights"
    for name in ("quote", "text", "tags", "importance", "actor_id"):
        assert page.value(name, form_action=form) == typed[name], name
    assert f'name="segment_id" value="{segment.id}"' in refused.get_data(as_text=True)
    with app.app_context():
        assert takeaways.takeaways_of_interview(study["dana"].workspace_id, interview_id) == []


def test_a_node_that_is_not_an_outcome_is_refused_at_its_select(app, client, study, interview_id):
    upload(client, interview_id, file=CALL.encode())
    segment = said(app, study, interview_id).segments[1]
    nodes_ = board(app, study)

    refused = client.post(
        f"{page_url(interview_id)}/highlights",
        data={"segment_id": segment.id, "quote": "We export", "outcome_id": nodes_["actor"]},
    )

    assert refused.status_code == 422
    assert read_page(refused.get_data(as_text=True)).field_errors["h-outcome"]


# --- the moment on other pages --------------------------------------------------------------------


def test_the_notes_page_links_the_transcript_and_says_how_long_it_is(client, interview_id):
    notes_url = f"/interviews/{interview_id}/notes"
    assert "No transcript yet." in client.get(notes_url).get_data(as_text=True)

    upload(client, interview_id, file=CALL.encode())

    html = client.get(notes_url).get_data(as_text=True)
    assert f'<a href="{page_url(interview_id)}">Read the transcript</a> (4 segments)' in html


def test_the_library_the_map_and_a_shared_report_show_when_the_words_were_said(
    app, client, study, interview_id
):
    with_consent(app, study, interview_id, RECORDING)
    upload(client, interview_id, file=CALL.encode(), confirm=False)
    segment = said(app, study, interview_id).segments[3]
    nodes_ = board(app, study)
    client.post(
        f"{page_url(interview_id)}/highlights",
        data={
            "segment_id": segment.id,
            "quote": "Two hours every week?",
            "text": "Exports cost two hours a week",
            "outcome_id": nodes_["outcome"],
        },
    )
    to_segment = f'href="{page_url(interview_id)}#segment-{segment.id}">at 1:13</a>'
    play = f'href="{RECORDING}#t=73"'

    library = client.get("/takeaways").get_data(as_text=True)
    evidence = client.get(f"/maps/{nodes_['map']}?node={nodes_['outcome']}").get_data(as_text=True)
    transcript = client.get(page_url(interview_id)).get_data(as_text=True)

    for html in (library, evidence):
        assert "Dana Reyes, <a " in html and to_segment in html and play in html
    picking = client.get(f"/maps/{nodes_['map']}/shares").get_data(as_text=True)
    assert (
        '“Two hours every week?” <span class="muted">(Pat Customer, Dana Reyes at 1:13)' in picking
    )
    assert 'href="https://media.example.com/calls/pat.mp4#t=1"' in transcript  # the first turn
    with app.app_context():
        [item] = takeaways.takeaways_of_interview(study["dana"].workspace_id, interview_id)
        share = shares.create_share(
            study["dana"], nodes_["map"], shares.ShareDraft("Q3", quote_ids=(item.id,)), utc_now()
        )
    report = app.test_client().get(f"/shared/{share.token}").get_data(as_text=True)
    assert "“Two hours every week?”" in report and "at 1:13" in report
    assert "media.example.com" not in report and "/transcript" not in report
    assert "Dana Reyes" not in report  # the speaker's name stays in the app


def test_a_highlight_whose_transcript_was_removed_keeps_its_time_as_text(
    app, client, study, interview_id
):
    upload(client, interview_id, file=CALL.encode())
    segment = said(app, study, interview_id).segments[1]
    client.post(
        f"{page_url(interview_id)}/highlights",
        data={"segment_id": segment.id, "quote": "We export every dashboard"},
    )
    client.post(f"{page_url(interview_id)}/remove", data={"sure": "1"})

    library = client.get("/takeaways").get_data(as_text=True)

    assert "Pat Customer, at 0:04" in library
    assert "#segment-" not in library
