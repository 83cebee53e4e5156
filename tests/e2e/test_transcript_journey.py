"""From the recording to the evidence: the PM adds the call's WebVTT transcript, finds a
passage, selects a sentence with the mouse, makes it a takeaway tagged and linked to an
outcome, sees it on the map with the moment it was said, and follows the time back to
the transcript. Then the same page on a phone."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from interviews.maps import nodes
from interviews.maps import service as maps
from interviews.notes import service as notes
from interviews.notes import transcripts
from tests.conftest import PASSWORD, book_interview, next_weekday_slot
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

RECORDING = "https://media.example.com/calls/pat.mp4"
OUTCOME = "Read the numbers without an export"
CALL = (Path(__file__).resolve().parents[1] / "data/transcripts/pat_call.vtt").read_text(
    encoding="utf-8"
)


def log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def drag_over(page: Page, segment_id: int, start: int, end: int) -> None:
    """Press the mouse inside character ``start`` of a segment's words and release it
    inside character ``end - 1``, as a person selects words."""
    box = page.evaluate(
        """([id, start, end]) => {
            const text = document.querySelector(`#segment-${id} [data-segment-text]`).firstChild;
            const at = (i) => {
                const r = document.createRange();
                r.setStart(text, i);
                r.setEnd(text, i + 1);
                return r.getBoundingClientRect();
            };
            const a = at(start), b = at(end - 1);
            return {x1: a.left + a.width / 2, y1: a.top + a.height / 2,
                    x2: b.right - 1, y2: b.top + b.height / 2};
        }""",
        [segment_id, start, end],
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()


def fits_the_screen(page: Page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_pm_highlights_a_sentence_into_a_takeaway_and_follows_its_moment_back(
    live_app, live_server, new_context, study, tmp_path
):
    interview_id = book_interview(live_app.test_client(), next_weekday_slot(10))["interview_id"]
    dana = study["dana"]
    with live_app.app_context():
        notes.set_recording(dana, interview_id, consent=True, url=RECORDING)
        map_id = maps.create_map(dana, maps.GoalDraft("Grow weekly active teams"))
        actor = nodes.add_node(dana, map_id, None, nodes.NodeDraft("Finance leads"))
        outcome = nodes.add_node(
            dana, map_id, actor, nodes.NodeDraft(OUTCOME, direction="increase")
        )
    call = tmp_path / "call with Pat.vtt"
    call.write_text(CALL)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, live_server, dana.email)

    # From the notes, the transcript: none yet, so the form to add one is open.
    page.goto(f"{live_server}/interviews/{interview_id}/notes")
    transcript_section = page.get_by_role("region", name="Transcript")
    expect(transcript_section).to_contain_text("No transcript yet.")
    transcript_section.get_by_role("link", name="Add one").click()
    expect(page.get_by_role("heading", name="Transcript: Pat Customer")).to_be_visible()
    add = page.get_by_role("form", name="Add the transcript")
    add.get_by_label("Transcript file").set_input_files(str(call))
    add.get_by_role("button", name="Add the transcript").click()
    expect(page.get_by_text("Transcript saved: 4 segments.")).to_be_visible()
    expect(page.locator(".turn")).to_have_count(3)  # Dana, Pat (two cues), Dana
    # The turn's time plays the recording there: the file's address takes #t=.
    expect(page.get_by_role("link", name="Play the recording at 0:04")).to_have_attribute(
        "href", f"{RECORDING}#t=4"
    )
    assert_accessible(page)
    assert fits_the_screen(page)

    # Find: the matching segment, its words marked.
    search = page.get_by_role("search", name="Find in the transcript")
    search.get_by_label("Find in the transcript").fill("spreadsheet")
    search.get_by_role("button", name="Find").click()
    expect(page.get_by_role("status").filter(has_text="1 segment of 4 match")).to_be_visible()
    expect(page.locator(".transcript mark")).to_have_text(["spreadsheet"])
    page.get_by_role("link", name="Show it all").click()
    expect(page.locator("[data-segment]")).to_have_count(4)
    # The new page's words can be there before its deferred script listens for a
    # selection (seen when the suite runs beside another): wait for it to have run.
    page.wait_for_load_state("load")

    # Select from inside "export" to the end of "spreadsheet": whole words are taken.
    with live_app.app_context():
        segment = transcripts.transcript_of(dana.workspace_id, interview_id).segments[1]
    words = segment.text
    drag_over(page, segment.id, words.index("export") + 2, words.index(" on Fridays"))
    make = page.get_by_role("button", name="Make a takeaway")
    expect(make).to_be_visible()
    make.click()
    form = page.get_by_role("form", name="Make a takeaway")
    quote = form.get_by_label("Quote", exact=True)
    expect(quote).to_have_value("export every dashboard to a spreadsheet")
    expect(quote).to_be_focused()
    expect(page.get_by_text("From Pat Customer at 0:04.")).to_be_visible()
    form.get_by_label("Tags").fill("exports, finance")
    form.get_by_label("Evidence for the outcome").select_option(label=OUTCOME)
    form.get_by_role("button", name="Make the takeaway").click()
    expect(page.get_by_text("Takeaway made from Pat Customer at 0:04")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/transcript#segment-{segment.id}$"))

    # On the map: the outcome's evidence holds the quote, who said it and when.
    page.goto(f"{live_server}/maps/{map_id}?node={outcome}#evidence")
    evidence = page.get_by_role("region", name=re.compile(OUTCOME))
    expect(evidence).to_contain_text("“export every dashboard to a spreadsheet”")
    expect(evidence.locator(".moment")).to_contain_text("Pat Customer, at 0:04")
    expect(evidence.get_by_role("link", name="play the recording at 0:04")).to_have_attribute(
        "href", f"{RECORDING}#t=4"
    )
    assert_accessible(page)

    # The time leads back to the words in the transcript.
    evidence.get_by_role("link", name="at 0:04", exact=True).click()
    expect(page).to_have_url(
        re.compile(rf"/interviews/{interview_id}/transcript#segment-{segment.id}$")
    )
    expect(page.locator(f"#segment-{segment.id}")).to_be_in_viewport()
    expect(page.locator(f"#segment-{segment.id}")).to_contain_text("We export every dashboard")

    # On a phone: the page fits, and the "Highlight" link opens the form without scripts.
    phone = new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    small = phone.new_page()
    log_in(small, live_server, dana.email)
    small.goto(f"{live_server}/interviews/{interview_id}/transcript")
    assert fits_the_screen(small)
    small.get_by_role("link", name="Highlight Dana Reyes at 1:13").click()
    expect(
        small.get_by_role("form", name="Make a takeaway").get_by_label("Quote", exact=True)
    ).to_have_value("Two hours every week?")
    assert fits_the_screen(small)


def test_a_phone_with_scripts_selects_words_and_the_page_stays_accessible(
    live_app, live_server, new_context, study
):
    interview_id = book_interview(live_app.test_client(), next_weekday_slot(11))["interview_id"]
    dana = study["dana"]
    with live_app.app_context():
        view = transcripts.put_transcript(
            dana, interview_id, CALL.encode(), content_type="text/vtt", confirmed=True
        )
    segment = view.segments[2]
    page = new_context(viewport={"width": 375, "height": 800}).new_page()
    log_in(page, live_server, dana.email)
    page.goto(f"{live_server}/interviews/{interview_id}/transcript")
    assert_accessible(page)

    # Selected by the keyboard's way of extending a selection: the same button shows.
    page.evaluate(
        """(id) => {
            const text = document.querySelector(`#segment-${id} [data-segment-text]`).firstChild;
            const at = text.data.indexOf("finance");
            window.getSelection().setBaseAndExtent(text, at, text, at + "finance won't lo".length);
        }""",
        segment.id,
    )
    make = page.get_by_role("button", name="Make a takeaway")
    expect(make).to_be_visible()
    box = make.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    make.focus()
    page.keyboard.press("Enter")
    quote = page.get_by_role("form", name="Make a takeaway").get_by_label("Quote", exact=True)
    expect(quote).to_have_value("finance won't log")  # snapped to the whole word
    expect(quote).to_be_focused()
    assert_accessible(page)

    # A segment's "Highlight" link fills the same form in place, with all its words.
    page.get_by_role("link", name="Highlight Dana Reyes at 1:13").click()
    expect(quote).to_have_value("Two hours every week?")
    expect(quote).to_be_focused()
    expect(page).to_have_url(re.compile(rf"/interviews/{interview_id}/transcript$"))
    page.get_by_role("button", name="Make the takeaway").click()
    expect(page.get_by_text("Takeaway made from Dana Reyes at 1:13")).to_be_visible()


def test_a_refused_paste_keeps_the_text_and_says_what_to_fix_at_each_field(
    live_app, live_server, new_context, study
):
    interview_id = book_interview(live_app.test_client(), next_weekday_slot(12))["interview_id"]
    page = new_context(viewport={"width": 375, "height": 800}).new_page()
    log_in(page, live_server, study["dana"].email)
    page.goto(f"{live_server}/interviews/{interview_id}/transcript")
    pasted = CALL.replace("00:00:09.000 --> 00:00:12.500", "00:00:09.000 --> soon")

    add = page.get_by_role("form", name="Add the transcript")
    add.get_by_label("Or paste the transcript").fill(pasted)
    add.get_by_role("button", name="Add the transcript").click()

    # Permission first: nothing is read before they say the person agreed.
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_contain_text("No permission to record is on file")
    expect(page.get_by_label("Or paste the transcript")).to_have_value(pasted)
    page.get_by_label("They agreed to be recorded").check()
    page.get_by_role("button", name="Add the transcript").click()
    expect(summary.get_by_role("link")).to_contain_text("line 9")
    expect(page.get_by_label("Or paste the transcript")).to_have_value(pasted)
    expect(page.get_by_label("They agreed to be recorded")).to_be_checked()
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert_accessible(page)
