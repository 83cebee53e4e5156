"""Running the call: the PM opens today's interview, reads the prep, takes notes with two
takeaways (through a dropped connection and a teammate's edit), marks it completed and
sees the after-call checklist."""

import re

import pytest
from playwright.sync_api import expect

from interviews.accounts import service as accounts
from interviews.notes import service as notes
from tests.conftest import PASSWORD, book_interview, next_weekday_slot, started_minutes_ago
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

SAVED = re.compile(r"Saved(, merged with a teammate's changes)? at \d\d:\d\d\.")


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def saved_problem(live_app, workspace_id: int, interview_id: int) -> str:
    with live_app.app_context():
        return notes.notes_of(workspace_id, interview_id).bodies["Problem"]


def test_pm_preps_takes_notes_with_two_takeaways_and_finishes_the_call(
    live_app, live_server, page, new_context, study
):
    interview_id = book_interview(live_app.test_client(), next_weekday_slot(10))["interview_id"]
    started_minutes_ago(live_app, interview_id, 1)  # the call is on now, today
    dana = study["dana"]
    log_in(page, live_server, dana.email)

    # Today's interview, from the agenda; then the prep.
    page.goto(f"{live_server}/agenda")
    page.get_by_role("link", name="Pat Customer").first.click()
    page.get_by_role("link", name="Prep").click()
    expect(page.get_by_role("heading", name="Prep: Pat Customer")).to_be_visible()
    expect(page.get_by_text("We are redesigning dashboards")).to_be_visible()
    page.get_by_label("Note-taker").select_option(label="Sam Rivera")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Sam Rivera takes notes.")).to_be_visible()
    assert_accessible(page)

    # Live notes: typing saves by itself.
    page.get_by_role("link", name="Take notes").click()
    expect(page.locator(".call-timer")).to_contain_text("of 45 min")
    problem = page.get_by_label("Notes for Problem")
    problem.fill("- re-keys every invoice on Fridays")
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    assert saved_problem(live_app, dana.workspace_id, interview_id).startswith("- re-keys")
    assert_accessible(page)

    # The connection drops: the text stays on this device and is saved once it is back.
    page.context.set_offline(True)
    problem.fill("- re-keys every invoice on Fridays\n- exports to Excel first")
    expect(page.get_by_text("kept on this device")).to_be_visible()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    assert "exports to Excel first" in saved_problem(live_app, dana.workspace_id, interview_id)

    # Sam changes the same section from his laptop; Dana's next edit does not overwrite it.
    with live_app.app_context():
        sam = accounts.current_member(study["sam"].user_id, dana.workspace_id)
        current = notes.notes_of(dana.workspace_id, interview_id)
        notes.save_notes(
            sam,
            interview_id,
            {"Problem": current.bodies["Problem"] + "\n- Sam: CFO signs off monthly"},
            revision=current.revision,
        )
    problem.fill("- re-keys every invoice on Fridays\n- exports to Excel first\n- Dana: 4 hours")
    expect(page.get_by_text("Someone else changed this section")).to_be_visible()
    expect(page.locator("pre.saved-text")).to_contain_text("CFO signs off monthly")
    # "Saved" may still be showing from the save before the clash: wait for the save itself.
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/notes") and r.status == 200
    ):
        page.get_by_role("button", name="Keep both").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    both = saved_problem(live_app, dana.workspace_id, interview_id)
    assert "CFO signs off monthly" in both and "Dana: 4 hours" in both

    # Two takeaways, added while the call runs; they sit at the top of the notes.
    for key, text, tags in (
        ("Invoices", "Finance re-keys every invoice by hand each Friday", "invoicing, pain"),
        ("Sign-off", "The CFO signs off the numbers monthly", "approvals"),
    ):
        add = page.get_by_role("form", name="Add a takeaway")
        add.get_by_label("Key", exact=True).fill(key)
        add.get_by_label("Takeaway", exact=True).fill(text)
        add.get_by_label("Tags").fill(tags)
        add.get_by_role("button", name="Add takeaway").click()
        expect(page.get_by_text("Takeaway added.")).to_be_visible()
    expect(page.get_by_role("heading", name="Key takeaways (2)")).to_be_visible()
    expect(page.get_by_role("link", name="#invoicing")).to_be_visible()

    # The call ends: completed, and the checklist waits on the interview and the agenda.
    page.get_by_role("link", name="← Interview with Pat Customer").click()
    page.get_by_role("button", name="Completed").click()
    expect(page.get_by_text("Marked completed")).to_be_visible()
    checklist = page.get_by_role("region", name="After the call")
    expect(checklist).to_contain_text("5 of 5 still to do")
    expect(page.get_by_role("heading", name="Key takeaways")).to_be_visible()
    checklist.get_by_role("button", name="Notes cleaned up").click()
    expect(page.get_by_role("region", name="After the call")).to_contain_text("4 of 5 still to do")
    assert_accessible(page)
    page.goto(f"{live_server}/agenda")
    expect(page.get_by_text("4 checklist items open")).to_be_visible()


def saved_bodies(live_app, workspace_id: int, interview_id: int) -> dict[str, str]:
    with live_app.app_context():
        return notes.notes_of(workspace_id, interview_id).bodies


def test_a_clash_on_one_section_does_not_stop_the_others_saving_and_keep_both_merges_lines(
    live_app, live_server, new_context, study
):
    interview_id = book_interview(live_app.test_client(), next_weekday_slot(11))["interview_id"]
    started_minutes_ago(live_app, interview_id, 1)
    dana, sam = study["dana"], study["sam"]
    with live_app.app_context():
        owner = accounts.current_member(dana.user_id, dana.workspace_id)
        notes.save_notes(
            owner,
            interview_id,
            {"Problem": "- re-keys invoices\n- exports to Excel\n- uses a macro"},
            revision=None,
        )
    notes_url = f"{live_server}/interviews/{interview_id}/notes"
    dana_page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sam_page = new_context(viewport={"width": 375, "height": 800}).new_page()
    for person, page in ((dana, dana_page), (sam, sam_page)):
        log_in(page, live_server, person.email)
        page.goto(notes_url)
        expect(page.get_by_label("Notes for Problem")).to_have_value(
            "- re-keys invoices\n- exports to Excel\n- uses a macro"
        )

    # Sam, on his phone, rewrites the first two lines; it saves.
    sam_page.get_by_label("Notes for Problem").fill(
        "- re-keys every invoice\n- exports to CSV\n- uses a macro"
    )
    expect(sam_page.get_by_role("status")).to_contain_text(SAVED)
    assert_accessible(sam_page)

    # Dana, who loaded the notes before, changes the second line too and adds a fourth.
    dana_page.get_by_label("Notes for Problem").fill(
        "- re-keys invoices\n- exports to Excel first\n- uses a macro\n- Dana: 4 hours"
    )
    expect(dana_page.get_by_text("Someone else changed this section")).to_be_visible()
    expect(dana_page.locator("pre.saved-text")).to_contain_text("exports to CSV")
    assert_accessible(dana_page)

    # The clash waits; Dana's other section still saves, and a reload shows it.
    dana_page.get_by_label("Notes for Solution").fill("- liked the CSV preview")
    expect(dana_page.get_by_role("status")).to_contain_text(SAVED)
    expect(dana_page.get_by_role("status")).to_contain_text("your other sections keep saving")
    sam_page.reload()
    expect(sam_page.get_by_label("Notes for Solution")).to_have_value("- liked the CSV preview")
    expect(sam_page.get_by_label("Notes for Problem")).to_have_value(
        "- re-keys every invoice\n- exports to CSV\n- uses a macro"
    )

    # Keep both: one text, merged line by line, only the clashing line shown twice.
    with dana_page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/notes") and r.status == 200
    ):
        dana_page.get_by_role("button", name="Keep both").click()
    merged = "\n".join(
        [
            "- re-keys every invoice",
            "<<< yours",
            "- exports to Excel first",
            "=== theirs",
            "- exports to CSV",
            ">>>",
            "- uses a macro",
            "- Dana: 4 hours",
        ]
    )
    expect(dana_page.get_by_label("Notes for Problem")).to_have_value(merged)
    expect(dana_page.get_by_role("status")).to_contain_text(SAVED)
    expect(dana_page.get_by_role("status")).not_to_contain_text("Choose a version")
    saved = saved_bodies(live_app, dana.workspace_id, interview_id)
    assert saved["Problem"] == merged and saved["Solution"] == "- liked the CSV preview"
    assert_accessible(dana_page)
    dana_page.screenshot(path="/tmp/t/notes-1280.png", full_page=True)
    sam_page.reload()
    expect(sam_page.get_by_label("Notes for Problem")).to_have_value(merged)
    sam_page.screenshot(path="/tmp/t/notes-375.png", full_page=True)


def test_saved_at_is_shown_on_the_24_hour_clock(live_app, live_server, new_context, study):
    interview_id = book_interview(live_app.test_client(), next_weekday_slot(12))["interview_id"]
    started_minutes_ago(live_app, interview_id, 1)
    page = new_context(locale="en-US", timezone_id="America/New_York").new_page()
    # Just after midnight, where a 12-hour clock would say "12:13 AM".
    page.clock.install(time="2026-11-24T05:13:00Z")
    log_in(page, live_server, study["dana"].email)
    page.goto(f"{live_server}/interviews/{interview_id}/notes")
    page.get_by_label("Notes for Problem").fill("- typed after midnight")

    expect(page.get_by_role("status")).to_contain_text("Saved at 00:13.")
