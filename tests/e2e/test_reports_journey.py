"""A teammate with read-only access checks how research operations are going: opens the
dashboard, sees every chart drawn (the page's strict policy blocks nothing), narrows it
to the consumer study and downloads a table that says what the page says. Seeded with
`interviews demo`'s data."""

import csv
import io

import pytest
from playwright.sync_api import expect

from interviews.flows import demo
from tests.e2e.conftest import assert_accessible
from tests.e2e.navigation import nav_link

pytestmark = pytest.mark.e2e

CONSUMER = "Weekend planner app: consumer interviews"


def test_a_viewer_reads_the_dashboard_narrows_it_to_a_study_and_downloads_a_table(
    live_app, live_server, page
):
    with live_app.app_context():
        assert demo.seed().seeded
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("lee@example.com")  # Lee Chen, a viewer
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    nav_link(page, "Reports").click()

    expect(page.get_by_role("heading", name="Research operations", level=1)).to_be_visible()
    charts = page.locator("figure.report-chart img")
    expect(charts).to_have_count(6)
    for index in range(6):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        # A chart the browser could not load or decode has no natural width.
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
        )
        assert chart.get_attribute("alt")
    assert blocked == []
    assert_accessible(page)

    page.get_by_label("Study", exact=True).select_option(label=CONSUMER)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CONSUMER)
    studies = page.locator("#table-studies tbody tr")
    expect(studies).to_have_count(1)
    row = [cell.strip() for cell in studies.first.locator("th, td").all_inner_texts()]
    assert row[0] == CONSUMER
    assert row[6] == "40.0%"  # 8 no-shows of 20 calls that were due: the consumer line

    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Attendance per study” as CSV").click()
    with open(download.value.path(), encoding="utf-8") as file:
        header, *records = list(csv.reader(io.StringIO(file.read())))
    assert len(records) == 1
    record = dict(zip(header, records[0], strict=True))
    # The file says what the table says, with exact numbers: the rate as a fraction.
    assert record["study"] == CONSUMER
    assert [record[k] for k in ("booked", "completed", "no_show")] == [row[1], row[3], row[4]]
    assert float(record["flake_rate"]) == pytest.approx(0.4)


def test_a_backwards_range_is_refused_with_the_form_kept_and_old_days_are_said_to_have_no_data(
    live_app, live_server, page
):
    with live_app.app_context():
        assert demo.seed().seeded
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("lee@example.com")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/reports?from=2026-12-31&to=2026-01-01")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="From must be on or before To")).to_be_visible()
    expect(page.get_by_label("From (UTC day)")).to_have_value("2026-12-31")
    expect(page.get_by_label("To (UTC day, included)")).to_have_value("2026-01-01")
    expect(page.get_by_role("heading", name="At a glance")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("From (UTC day)").fill("2020-03-02")
    page.get_by_label("To (UTC day, included)").fill("2020-03-29")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("There is no data before")).to_contain_text("first activity")
    assert_accessible(page)
