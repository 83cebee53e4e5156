"""The owner shares a map's report with leadership: makes a read-only link, which opens
in a browser that never logged in, then revokes it, and the same browser gets the
"not available" page. Seeded with `interviews demo`'s data."""

import re

import pytest
from playwright.sync_api import expect

from interviews.flows import demo
from tests.e2e.conftest import assert_accessible
from tests.e2e.navigation import nav_link

pytestmark = pytest.mark.e2e

GOAL = "Grow the finance teams who run their weekly review in Northwind"


def test_an_owner_shares_a_report_that_opens_without_an_account_until_revoked(
    live_app, live_server, page, new_context
):
    with live_app.app_context():
        assert demo.seed().seeded

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(demo.DEMO_EMAIL)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    nav_link(page, "Maps").click()
    page.get_by_role("link", name=GOAL).click()
    page.get_by_role("link", name="Share a report").click()
    expect(page.get_by_role("heading", name="Share a report of this map", level=1)).to_be_visible()
    links = page.locator("table.share-list tbody tr")
    expect(links.filter(has_text="Leadership review")).to_have_count(1)  # the demo's own
    picks = page.get_by_role("group", name="Quotes to show")
    expect(picks.locator("input:checked").first).to_be_visible()  # some start ticked
    assert_accessible(page)

    page.get_by_label("Who it is for").fill("Board pack, March")
    page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_text("Report link “Board pack, March” made.")).to_be_visible()
    address = page.get_by_label("Link to copy").input_value()
    assert re.fullmatch(rf"{re.escape(live_server)}/shared/[A-Za-z0-9_-]{{43}}", address)
    expect(links.filter(has_text="Board pack, March")).to_contain_text("hidden")

    # Someone in leadership, who has no account, opens the link.
    stranger = new_context().new_page()
    response = stranger.goto(address)
    assert response is not None and response.status == 200
    assert response.headers["cache-control"] == "no-store"
    expect(stranger.get_by_role("heading", level=1)).to_contain_text(GOAL)
    expect(stranger.get_by_text("Impact map report")).to_be_visible()
    expect(stranger.locator(".report-goal")).to_contain_text("300")
    experiments = stranger.get_by_role("region", name="Experiments and their results")
    expect(experiments).to_contain_text("invalidated")
    expect(stranger.get_by_role("region", name="Shipped")).to_contain_text(
        "Scheduled exports per team"
    )
    expect(stranger.locator(".report-quote").first).to_contain_text("A participant")
    expect(stranger.get_by_text("Mei Lin")).to_have_count(0)  # names hidden by default
    expect(stranger.get_by_role("navigation")).to_have_count(0)  # no way into the app
    assert_accessible(stranger)

    # The owner sees the view counted, and revokes the link.
    page.reload()
    board = links.filter(has_text="Board pack, March")
    expect(board.locator("td").nth(4)).to_have_text("1")
    board.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.get_by_text("Report link “Board pack, March” revoked")).to_be_visible()
    expect(board).to_contain_text("revoked")

    gone = stranger.goto(address)
    assert gone is not None and gone.status == 404
    expect(stranger.get_by_role("heading", name="Report not available")).to_be_visible()
    expect(stranger.get_by_text(GOAL)).to_have_count(0)
    assert_accessible(stranger)
