"""Refused forms of the interview notes page, the tags page, the library's bulk actions
and the note template editor: the same page again with 422 (never a redirect), every
problem at once in the summary at the top, each linked to an input on the page and
naming its field, the input showing its own error, what was typed kept, nothing written.
Every maxlength these pages render is the limit the server keeps: one more is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from interviews.db import db
from interviews.notes.models import InterviewNotes, InterviewTemplate, Tag, Takeaway
from tests.conftest import book_interview, log_in, next_weekday_slot
from tests.integration.html_forms import Page, read_page


@pytest.fixture
def interview_id(client, study):
    interview = book_interview(client, next_weekday_slot(10))["interview_id"]
    log_in(client, study["dana"].email)
    return interview


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _refused(response) -> Page:
    """The refused page, after what every refusal shares: 422, no redirect, the error
    summary first with focus, each entry linked to an input of the page and shown at
    that input too."""
    assert response.status_code == 422, response.get_data(as_text=True)[:2000]
    assert "Location" not in response.headers
    page = read_page(response.get_data(as_text=True))
    assert page.title.startswith("Error: ")
    assert page.summary and page.summary_focus
    for target, message in page.summary:
        assert target in page.ids, target
        assert message in page.field_errors[target], target
    return page


def _box(page: Page, input_id: str):
    (found,) = [i for i in page.inputs if i.id == input_id]
    return found


# --- takeaways on the notes page ---------------------------------------------------------

TAKEAWAY = {
    "key": "Exports by hand",
    "text": "Finance re-keys every invoice into the ERP each Friday.",
    "quote": "I lose my Friday afternoons to it.",
    "tags": "invoicing, integrations",
    "importance": "3",
}


def test_a_takeaway_without_words_and_with_a_long_key_lists_both_and_keeps_the_rest(
    app, client, interview_id
):
    response = client.post(
        f"/interviews/{interview_id}/takeaways", data={**TAKEAWAY, "key": "K" * 121, "text": " "}
    )

    page = _refused(response)
    assert page.title.startswith("Error: Notes")
    assert [target for target, _ in page.summary] == ["t-key", "t-text"]
    key_message, text_message = (message for _, message in page.summary)
    assert "key" in key_message.lower() and "120" in key_message
    assert text_message.startswith("Write the takeaway")
    action = f"/interviews/{interview_id}/takeaways"
    assert page.value("key", action) == "K" * 121
    assert page.value("quote", action) == TAKEAWAY["quote"]
    assert page.value("tags", action) == TAKEAWAY["tags"]
    assert page.value("importance", action) == "3"
    assert _count(app, Takeaway) == 0


@pytest.mark.parametrize(
    ("name", "input_id", "label"),
    [("key", "t-key", "key"), ("text", "t-text", "takeaway"), ("quote", "t-quote", "quote")],
)
def test_each_takeaway_box_takes_its_maxlength_and_refuses_one_more_naming_it(
    app, client, interview_id, name, input_id, label
):
    action = f"/interviews/{interview_id}/takeaways"
    shown = _box(read_page(client.get(f"/interviews/{interview_id}/notes").text), input_id)
    assert shown.maxlength

    over = client.post(action, data={**TAKEAWAY, name: "x" * (shown.maxlength + 1)})

    page = _refused(over)
    ((target, message),) = page.summary
    assert target == input_id and label in message.lower()
    assert f"{shown.maxlength:,}" in message
    assert page.value(name, action) == "x" * (shown.maxlength + 1)
    assert _count(app, Takeaway) == 0
    fits = client.post(action, data={**TAKEAWAY, name: "x" * shown.maxlength})
    assert fits.status_code == 302
    with app.app_context():
        (row,) = db.session.scalars(select(Takeaway)).all()
        assert len(getattr(row, name)) == shown.maxlength


def test_the_tags_box_takes_its_maxlength_and_refuses_one_more_naming_the_tags(
    app, client, interview_id
):
    action = f"/interviews/{interview_id}/takeaways"
    shown = _box(read_page(client.get(f"/interviews/{interview_id}/notes").text), "t-tags")
    # Twelve different tags (the most one takeaway carries), padded to the box's limit.
    tags = ", ".join(f"{n:02d}" + "x" * 29 for n in range(12))
    tags += " " * (shown.maxlength - len(tags))

    over = client.post(action, data={**TAKEAWAY, "tags": tags + " "})

    page = _refused(over)
    ((target, message),) = page.summary
    assert target == "t-tags" and "tags" in message and str(shown.maxlength) in message
    assert page.value("tags", action) == tags + " "
    assert _count(app, Takeaway) == 0
    assert client.post(action, data={**TAKEAWAY, "tags": tags}).status_code == 302
    assert _count(app, Tag) == 12


def test_a_line_break_in_a_takeaway_counts_as_one_character_as_the_box_counts_it(
    app, client, interview_id
):
    # A browser sends each line break of a textarea as two characters (CR LF).
    text = ("x" * 99 + "\r\n") * 20  # 2,000 characters as the box counts them
    response = client.post(
        f"/interviews/{interview_id}/takeaways", data={**TAKEAWAY, "text": text.rstrip() + "y"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Takeaway.text)) == ("x" * 99 + "\n") * 19 + "x" * 99 + "y"


def test_editing_a_takeaway_to_no_words_and_a_made_up_importance_lists_both(
    app, client, interview_id, study
):
    client.post(f"/interviews/{interview_id}/takeaways", data=TAKEAWAY)
    with app.app_context():
        takeaway_id = db.session.scalar(select(Takeaway.id))

    response = client.post(
        f"/takeaways/{takeaway_id}/edit",
        data={
            "interview_id": str(interview_id),
            "key": "Exports",
            "text": "",
            "quote": "Every single Friday.",
            "tags": "exports",
            "importance": "9",
        },
    )

    page = _refused(response)
    assert page.summary == [
        (f"text-{takeaway_id}", page.field_errors[f"text-{takeaway_id}"]),
        (f"importance-{takeaway_id}", page.field_errors[f"importance-{takeaway_id}"]),
    ]
    assert page.summary[0][1].startswith("Write the takeaway")
    assert "Importance" in page.summary[1][1]
    action = f"/takeaways/{takeaway_id}/edit"
    assert page.value("key", action) == "Exports"
    assert page.value("quote", action) == "Every single Friday."
    assert page.value("tags", action) == "exports"
    with app.app_context():
        row = db.session.get(Takeaway, takeaway_id)
        assert (row.key, row.text, row.importance) == (
            TAKEAWAY["key"],
            TAKEAWAY["text"],
            3,
        )
        assert sorted(t.name for t in row.tags) == ["integrations", "invoicing"]


# --- the recording -----------------------------------------------------------------------


def test_a_script_link_without_consent_lists_both_problems_and_saves_nothing(
    app, client, interview_id
):
    response = client.post(
        f"/interviews/{interview_id}/recording", data={"url": "javascript:alert(1)"}
    )

    page = _refused(response)
    assert [target for target, _ in page.summary] == ["consent", "url"]
    consent, link = (message for _, message in page.summary)
    assert "agreed to be recorded" in consent
    assert "can run code" in link and "link" in link.lower()
    assert page.value("url") == "javascript:alert(1)"
    assert page.value("consent") == ""  # still not ticked
    with app.app_context():
        notes = db.session.scalar(
            select(InterviewNotes).where(InterviewNotes.interview_id == interview_id)
        )
        assert notes is None or (notes.recording_url, notes.recording_consent) == ("", False)


def test_the_recording_link_takes_its_maxlength_and_refuses_one_more(app, client, interview_id):
    shown = _box(read_page(client.get(f"/interviews/{interview_id}/notes").text), "url")
    start = "https://rec.example/"
    url = start + "x" * (shown.maxlength - len(start))
    action = f"/interviews/{interview_id}/recording"

    page = _refused(client.post(action, data={"consent": "1", "url": url + "x"}))

    assert [target for target, _ in page.summary] == ["url"]
    assert str(shown.maxlength) in page.summary[0][1]
    assert page.value("url") == url + "x" and page.value("consent") == "1"
    assert client.post(action, data={"consent": "1", "url": url}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(InterviewNotes.recording_url)) == url


# --- the notes themselves ----------------------------------------------------------------

HEADINGS = ["Key takeaways", "Who they are", "Introduction", "People", "Problem", "Solution"]


def _notes_form(bodies: dict[str, str], revision: int = 0, base: dict[str, str] | None = None):
    return {
        "revision": str(revision),
        "heading": HEADINGS,
        "body": [bodies.get(h, "") for h in HEADINGS],
        "base": [(base or {}).get(h, "") for h in HEADINGS],
    }


def test_two_sections_over_the_limit_are_both_listed_and_everything_typed_stays(
    app, client, interview_id
):
    shown = _box(read_page(client.get(f"/interviews/{interview_id}/notes").text), "body-5")
    assert shown.maxlength == 100_000
    typed = {
        "Who they are": "Head of finance at a 40-person agency",
        "Problem": "p" * (shown.maxlength + 1),
        "Solution": "s" * (shown.maxlength + 1),
    }

    response = client.post(f"/interviews/{interview_id}/notes", data=_notes_form(typed))

    page = _refused(response)
    assert [target for target, _ in page.summary] == ["body-5", "body-6"]
    assert "“Problem” is too long" in page.summary[0][1]
    assert "“Solution” is too long" in page.summary[1][1]
    boxes = {i.id: i.value for i in page.inputs if i.name == "body"}
    assert boxes["body-2"] == typed["Who they are"]
    assert boxes["body-5"] == typed["Problem"] and boxes["body-6"] == typed["Solution"]
    with app.app_context():
        notes = db.session.scalar(select(InterviewNotes))
        assert notes is None or notes.revision == 0
    fits = client.post(
        f"/interviews/{interview_id}/notes",
        data=_notes_form({"Problem": "p" * shown.maxlength}),
    )
    assert fits.status_code == 302


def test_a_clash_keeps_what_was_typed_in_the_other_sections_and_shows_both_versions(
    app, client, interview_id
):
    first = client.post(f"/interviews/{interview_id}/notes", data=_notes_form({"Problem": "Sam"}))
    assert first.status_code == 302

    response = client.post(
        f"/interviews/{interview_id}/notes",
        data=_notes_form({"Problem": "Dana", "Solution": "A weekly export"}),
    )

    assert response.status_code == 409 and "Location" not in response.headers
    page = read_page(response.get_data(as_text=True))
    boxes = {i.id: i.value for i in page.inputs if i.name == "body"}
    assert boxes["body-6"] == "A weekly export"  # not in the clash: kept as typed
    assert "Sam" in boxes["body-5"] and "Dana" in boxes["body-5"]  # both, to choose from
    # Saving again starts from what is saved now.
    assert 'name="revision" value="1"' in response.get_data(as_text=True)
    assert response.get_data(as_text=True).count("Someone else changed “Problem”") == 1
    with app.app_context():
        notes = db.session.scalar(select(InterviewNotes))
        assert notes.revision == 1
        assert {s["heading"]: s["body"] for s in notes.sections}["Solution"] == ""


# --- tags --------------------------------------------------------------------------------


def _tag_ids(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(select(Tag.name, Tag.id)).all())


@pytest.fixture
def tagged(app, client, interview_id) -> dict[str, int]:
    """Three tags on two takeaways: {name: id}."""
    client.post(f"/interviews/{interview_id}/takeaways", data={**TAKEAWAY, "tags": "billing, ux"})
    client.post(f"/interviews/{interview_id}/takeaways", data={**TAKEAWAY, "tags": "invoicing"})
    return _tag_ids(app)


def test_renaming_a_tag_one_character_past_its_maxlength_is_refused_naming_it(app, client, tagged):
    box = f"name-{tagged['billing']}"
    shown = _box(read_page(client.get("/tags").text), box)

    response = client.post(
        f"/tags/{tagged['billing']}/rename", data={"name": "b" * (shown.maxlength + 1)}
    )

    page = _refused(response)
    ((target, message),) = page.summary
    assert target == box and "tag" in message.lower() and str(shown.maxlength) in message
    assert _box(page, box).value == "b" * (shown.maxlength + 1)
    assert _box(page, f"name-{tagged['ux']}").value == "ux"
    assert _tag_ids(app) == tagged
    fits = client.post(f"/tags/{tagged['billing']}/rename", data={"name": "b" * shown.maxlength})
    assert fits.status_code == 302 and "b" * shown.maxlength in _tag_ids(app)


def test_merging_with_nothing_ticked_and_no_tag_to_keep_lists_both(app, client, tagged):
    page = _refused(client.post("/tags/merge", data={}))

    first = f"merge-{tagged['billing']}"  # the first box, by name
    assert [target for target, _ in page.summary] == [first, "into"]
    ticks, keep = (message for _, message in page.summary)
    assert "Tick the tags" in ticks and "tag to keep" in keep
    assert _tag_ids(app) == tagged


def test_merging_a_tag_into_itself_is_refused_with_the_ticks_and_choice_kept(app, client, tagged):
    response = client.post(
        "/tags/merge", data={"tag_id": [str(tagged["ux"])], "into": str(tagged["ux"])}
    )

    page = _refused(response)
    assert [target for target, _ in page.summary] == [f"merge-{tagged['billing']}"]
    assert _box(page, f"merge-{tagged['ux']}").value == str(tagged["ux"])  # still ticked
    assert _box(page, f"merge-{tagged['billing']}").value == ""
    assert page.value("into") == str(tagged["ux"])
    assert _tag_ids(app) == tagged


# --- the library's bulk actions ----------------------------------------------------------


def test_tagging_with_nothing_ticked_and_a_tag_too_long_lists_both(app, client, tagged):
    shown = _box(read_page(client.get("/takeaways").text), "bulk-tag")

    response = client.post(
        "/takeaways/bulk",
        data={"action": "tag", "tag": "t" * (shown.maxlength + 1), "back": "/takeaways?sort=date"},
    )

    page = _refused(response)
    assert page.title.startswith("Error: Takeaways")
    assert [target for target, _ in page.summary] == ["bulk-all", "bulk-tag"]
    ticks, tag = (message for _, message in page.summary)
    assert "Tick the takeaways" in ticks
    assert "tags" in tag.lower() and str(shown.maxlength) in tag
    assert page.value("tag", "/takeaways/bulk") == "t" * (shown.maxlength + 1)
    assert page.value("sort") == "date"  # the library as it was filtered
    assert _tag_ids(app) == tagged


def test_a_refused_bulk_action_keeps_the_ticked_takeaways_ticked(app, client, tagged):
    with app.app_context():
        first, second = db.session.scalars(select(Takeaway.id).order_by(Takeaway.id)).all()

    response = client.post(
        "/takeaways/bulk", data={"action": "tag", "tag": " # ", "takeaway_id": [str(first)]}
    )

    page = _refused(response)
    assert [target for target, _ in page.summary] == ["bulk-tag"]
    assert "Name the tag" in page.summary[0][1]
    assert _box(page, f"pick-{first}").value == str(first)
    assert _box(page, f"pick-{second}").value == ""
    assert _tag_ids(app) == tagged


def test_a_bulk_tag_of_exactly_the_maxlength_is_put_on(app, client, tagged):
    shown = _box(read_page(client.get("/takeaways").text), "bulk-tag")
    with app.app_context():
        first = db.session.scalar(select(Takeaway.id).order_by(Takeaway.id))

    response = client.post(
        "/takeaways/bulk",
        data={"action": "tag", "tag": "t" * shown.maxlength, "takeaway_id": [str(first)]},
    )

    assert response.status_code == 302
    assert "t" * shown.maxlength in _tag_ids(app)


# --- note templates ----------------------------------------------------------------------


def test_a_new_template_with_three_problems_lists_them_all_and_keeps_every_row(app, client, study):
    log_in(client, study["dana"].email)
    before = _count(app, InterviewTemplate)

    response = client.post(
        "/templates/new",
        data={
            "name": " ",
            "description": "For onboarding calls",
            "heading": ["Context", "", "context"],
            "guidance": ["Who they are", "What they tried", ""],
            "prompts": ["What do you do?", "", ""],
        },
    )

    page = _refused(response)
    assert page.title.startswith("Error: New template")
    assert [target for target, _ in page.summary] == ["name", "heading-2", "heading-3"]
    name, second, third = (message for _, message in page.summary)
    assert "name" in name and "Section 2 needs a heading" in second
    assert "Two sections are called “context”" in third
    assert page.value("description") == "For onboarding calls"
    assert _box(page, "heading-1").value == "Context"
    assert _box(page, "guidance-2").value == "What they tried"
    assert _box(page, "heading-3").value == "context"
    assert _box(page, "prompts-1").value == "What do you do?"
    # The three rows sent back, then three empty ones to add sections: not six.
    assert [i.id for i in page.inputs if i.name == "heading"] == [
        f"heading-{n}" for n in range(1, 7)
    ]
    assert _count(app, InterviewTemplate) == before


def test_a_template_name_takes_its_maxlength_and_refuses_one_more(app, client, study):
    log_in(client, study["dana"].email)
    shown = _box(read_page(client.get("/templates/new").text), "name")
    before = _count(app, InterviewTemplate)
    form = {"heading": ["Context"], "guidance": [""], "prompts": [""]}

    page = _refused(
        client.post("/templates/new", data={**form, "name": "n" * (shown.maxlength + 1)})
    )

    assert [target for target, _ in page.summary] == ["name"]
    assert str(shown.maxlength) in page.summary[0][1]
    assert page.value("name") == "n" * (shown.maxlength + 1)
    assert _count(app, InterviewTemplate) == before
    fits = client.post("/templates/new", data={**form, "name": "n" * shown.maxlength})
    assert fits.status_code == 302
    assert _count(app, InterviewTemplate) == before + 1


def test_editing_a_template_to_no_name_and_no_sections_changes_nothing(app, client, study):
    log_in(client, study["dana"].email)
    client.get("/templates")  # the workspace's built-in templates are made on first use
    with app.app_context():
        template_id, name = db.session.execute(
            select(InterviewTemplate.id, InterviewTemplate.name).order_by(InterviewTemplate.id)
        ).first()

    response = client.post(
        f"/templates/{template_id}",
        data={"name": "", "description": "Rewritten", "heading": [""], "guidance": [""]},
    )

    page = _refused(response)
    assert [target for target, _ in page.summary] == ["name", "heading-1"]
    assert "at least one section" in page.summary[1][1]
    assert page.value("description") == "Rewritten"
    with app.app_context():
        template = db.session.get(InterviewTemplate, template_id)
        assert (template.name, len(template.versions)) == (name, 1)


# --- the prep page -----------------------------------------------------------------------


def test_a_note_taker_from_another_workspace_is_refused_at_the_choice(
    app, client, interview_id, make_workspace
):
    stranger = make_workspace(name="Rival", email="rita@rival.example")

    response = client.post(
        f"/interviews/{interview_id}/note-taker", data={"user_id": str(stranger.user_id)}
    )

    page = _refused(response)
    assert page.title.startswith("Error: Prep")
    assert page.summary == [("user_id", "Pick someone from this workspace to take notes.")]
    with app.app_context():
        notes = db.session.scalar(select(InterviewNotes))
        assert notes is None or notes.note_taker_id is None
