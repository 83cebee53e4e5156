"""Importing the panel from a spreadsheet: a PM uploads a CSV file, checks the guessed
columns, starts the import and watches the progress bar move without reloading, then
reads the result with the rows that were skipped."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from interviews.clock import utc_now
from interviews.db import db
from interviews.participants import import_runs
from interviews.participants.models import ImportStatus, ParticipantImport
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e


def test_pm_imports_a_spreadsheet_and_watches_it_land(
    live_app, live_server, page, make_workspace, tmp_path
):
    owner = make_workspace(name="Northwind", owner_name="Dana Reyes")
    rows = [f"person{i}@customer.example;Person {i};Pro" for i in range(1200)]
    rows.insert(10, "not-an-address;Nobody;Free")  # row 12 of the file
    path = tmp_path / "panel export.csv"
    path.write_bytes(("E-mail;Full name;Plan\r\n" + "\r\n".join(rows) + "\r\n").encode("cp1252"))

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/participants/import")
    assert_accessible(page)
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map the columns").click()

    expect(page.get_by_role("heading", name="Map the columns of panel export.csv")).to_be_visible()
    expect(page.get_by_label("E-mail")).to_have_value("email")
    expect(page.get_by_label("Full name")).to_have_value("name")
    expect(page.get_by_label("Plan")).to_have_value("attribute")
    assert_accessible(page)
    import_id = int(page.url.rsplit("/", 1)[1])

    # Started as the mapping form does, minus the hand-off, so this test says when
    # each part of the work happens while the page is open.
    with live_app.app_context():
        row = db.session.scalar(select(ParticipantImport).where(ParticipantImport.id == import_id))
        row.mapping = {"E-mail": "email", "Full name": "name", "Plan": "attribute"}
        row.status = ImportStatus.QUEUED
        row.lease_expires_at = utc_now() + timedelta(minutes=5)
        db.session.commit()
    page.reload()
    expect(page.get_by_text("Waiting for a worker to start…")).to_be_visible()
    assert_accessible(page)

    with live_app.app_context():
        import_runs.run_import(import_id, chunks=1)
    bar = page.get_by_label("Rows imported")
    expect(bar).to_have_attribute("value", "500")  # updated in place by the script
    expect(page.locator('[data-field="processed"]')).to_have_text("500")
    expect(page.locator('[data-field="created"]')).to_have_text("499")
    expect(page.locator('[data-field="errors"]')).to_have_text("1")  # row 12

    with live_app.app_context():
        import_runs.run_import(import_id)
    expect(
        page.get_by_role("heading", name=re.compile("Import of panel export.csv: done"))
    ).to_be_visible()
    expect(page.get_by_text("1,201 of 1,201 rows read")).to_be_visible()
    expect(page.get_by_role("row", name="12 The email address is not valid.")).to_be_visible()
    assert_accessible(page)
