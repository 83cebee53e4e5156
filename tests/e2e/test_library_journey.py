"""A teammate with read-only access browses what customers said: searches the takeaway
library, narrows it by tag, opens an outcome on the impact map and follows its evidence
back to the interview notes it came from. Seeded with `interviews demo`'s data."""

import re

import pytest
from playwright.sync_api import expect

from interviews.flows import demo
from tests.e2e.conftest import assert_accessible
from tests.e2e.navigation import nav_link

pytestmark = pytest.mark.e2e

OUTCOME = "Share the numbers from the dashboard instead of rebuilt spreadsheets"
MEI_SAID = "The dashboard is right, the export is wrong."


def test_a_viewer_goes_from_the_library_to_an_outcome_and_back_to_the_interview(
    live_app, live_server, page
):
    with live_app.app_context():
        assert demo.seed().seeded

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("lee@example.com")  # Lee Chen, a viewer
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # The library: words first, then a tag from the counts.
    nav_link(page, "Takeaways").click()
    search = page.get_by_role("search")
    search.get_by_label("Words").fill("export")
    search.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/takeaways\?q=export"))
    results = page.locator(".takeaway")
    expect(results.filter(has_text="Re-formats every CSV export by hand")).to_have_count(1)
    expect(results.filter(has_text="Dashboards take too long to load")).to_have_count(0)
    expect(page.get_by_role("checkbox")).to_have_count(0)  # a viewer cannot bulk-change
    assert_accessible(page)

    page.locator(".facets").get_by_role("link", name=re.compile(r"^#finance \d+$")).click()
    expect(page).to_have_url(re.compile(r"tag=finance"))
    expect(page.get_by_text(re.compile(r"takeaways? tagged #finance"))).to_be_visible()
    expect(results.filter(has_text="Re-formats every CSV export by hand")).to_have_count(1)
    expect(results.filter(has_text="Two prospects asked for scheduled exports")).to_have_count(0)
    expect(results.filter(has_text=MEI_SAID)).to_have_count(1)  # the quote is shown

    # The map: the outcome is a node of the drawing; choosing it opens its evidence.
    nav_link(page, "Maps").click()
    page.get_by_role("link", name="Grow the finance teams who run their weekly review").click()
    drawing = page.locator(".map-drawing svg")
    expect(drawing).to_be_visible()
    node = drawing.get_by_role("link", name=re.compile(rf"^Outcome: {OUTCOME}, pattern"))
    node.click()
    evidence = page.get_by_role("region", name=re.compile(OUTCOME))
    expect(evidence).to_be_visible()
    expect(evidence.locator(".path-sentence")).to_contain_text(
        "we need more finance leads who report every week to share the numbers"
    )
    expect(evidence).to_contain_text("pattern")
    expect(evidence).to_contain_text("3 people")
    expect(evidence.get_by_text(f"“{MEI_SAID}”")).to_be_visible()
    expect(evidence.get_by_text("Edit this outcome")).to_have_count(0)  # read-only
    expect(page.get_by_text("Add an actor (WHO)")).to_have_count(0)
    assert_accessible(page)

    # Following Mei's takeaway leads to the interview it was said in, with its notes.
    mei = evidence.locator(".takeaway").filter(has_text=MEI_SAID)
    expect(mei).to_contain_text("Mei Lin")
    mei.get_by_role("link", name="the interview notes").click()
    expect(page).to_have_url(re.compile(r"/interviews/\d+#notes-heading$"))
    expect(page.get_by_role("heading", name="Interview with Mei Lin", level=1)).to_be_visible()
    notes = page.get_by_role("region", name="Notes and takeaways")
    expect(notes).to_contain_text("Re-formats every CSV export by hand before sharing it")
    expect(notes).to_contain_text("Opens the revenue dashboard every Monday")
    assert_accessible(page)


def test_a_researcher_tags_a_search_and_links_it_to_an_outcome_in_two_actions(
    live_app, live_server, page
):
    with live_app.app_context():
        assert demo.seed().seeded
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("sam@example.com")  # Sam Rivera, a researcher
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/takeaways?q=dashboards")
    results = page.locator(".takeaway")
    expect(results.filter(has_text="rarely opens dashboards")).to_have_count(1)
    found = results.count()
    assert found >= 2
    bulk = page.get_by_role("group", name="With the ticked takeaways")
    bulk.get_by_label(f"Select all on this page ({found})").check()
    for box in page.locator("input.pick").all():
        expect(box).to_be_checked()  # the boxes follow "select all"
    bulk.get_by_label("Tag").fill("dashboards")
    bulk.get_by_role("button", name="Add tag").click()
    expect(page.get_by_text(f"Tagged {found} takeaways “dashboards”.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/takeaways\?q=dashboards"))  # back where she was
    assert_accessible(page)

    page.locator("input.pick").first.check()
    bulk.get_by_label("Link to").select_option(label="Outcome: Open the dashboard from an alert")
    bulk.get_by_role("button", name="Link as evidence").click()
    expect(page.get_by_text(re.compile(r"Linked 1 takeaway to Open the dashboard"))).to_be_visible()
    expect(results.first).to_contain_text("Evidence for")
    expect(
        results.first.get_by_role("link", name="Open the dashboard from an alert")
    ).to_be_visible()


def test_the_library_marks_the_searched_words(live_app, live_server, page):
    with live_app.app_context():
        assert demo.seed().seeded
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("lee@example.com")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/takeaways?q=export")

    marks = page.locator(".takeaway mark")
    expect(marks.first).to_be_visible()
    assert {m.lower() for m in marks.all_inner_texts()} <= {
        "export",
        "exports",
        "exporting",
        "exported",
        "exporter",
    }
    assert_accessible(page)
    page.screenshot(path="/tmp/t/library-1280.png")
