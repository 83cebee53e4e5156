"""An interviewee books on a phone, then reschedules from the link in their email."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e


def test_interviewee_books_on_a_phone_and_reschedules_from_the_emailed_link(
    live_server, new_context, study
):
    phone = new_context(
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        timezone_id="America/New_York",
    ).new_page()

    # The booking page picks up the phone's time zone by itself.
    phone.goto(f"{live_server}/book/dashboards")
    expect(phone).to_have_url(re.compile(r"tz=America%2FNew_York"))
    expect(
        phone.get_by_role("heading", name="Northwind product interview about dashboards")
    ).to_be_visible()
    expect(phone.get_by_text("a $20 gift card")).to_be_visible()
    assert_accessible(phone)
    assert phone.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )

    # Pick the first open time, fill in the details, book.
    first_time = phone.locator("fieldset.day").first.locator("label.slot").first
    booked_label = first_time.inner_text()
    first_time.click()
    phone.get_by_label("Your name").fill("Pat Customer")
    phone.get_by_label("Email").fill("pat@customer.example")
    phone.get_by_label("Phone").fill("+1 415 555 2671")
    phone.get_by_label("What do you use dashboards for?").fill("Weekly revenue reviews")
    phone.get_by_role("button", name="Book this time").click()

    expect(phone.get_by_text("You are booked.")).to_be_visible()
    expect(phone.get_by_text(booked_label, exact=False).first).to_be_visible()
    assert_accessible(phone)

    # The confirmation, as kept by the development mailbox (the host's workspace sees it).
    host = new_context().new_page()
    host.goto(f"{live_server}/login")
    host.get_by_label("Email").fill(study["dana"].email)
    host.get_by_label("Password").fill(PASSWORD)
    host.get_by_role("button", name="Log in").click()
    host.goto(f"{live_server}/dev/mailbox")
    host.get_by_role("link", name="Confirmed: Northwind product interview about dashboards").click()
    expect(host.get_by_role("link", name="interview.ics")).to_be_visible()
    text = host.locator("pre.mail-text").first.inner_text()
    manage_link = re.search(r"Reschedule or cancel here: (\S+)", text).group(1)

    # From the email's link, the interviewee moves the call to a later time.
    phone.goto(manage_link)
    expect(phone.get_by_role("heading", name="Need another time?")).to_be_visible()
    assert_accessible(phone)
    later_time = phone.locator("fieldset.day").last.locator("label.slot").last
    new_start = datetime.fromisoformat(later_time.locator("input").get_attribute("value"))
    later_time.click()
    phone.get_by_role("button", name="Move to this time").click()

    expect(phone.get_by_text("Moved. The updated calendar invite is on its way")).to_be_visible()
    local = new_start.astimezone(ZoneInfo("America/New_York"))
    expect(phone.get_by_text(f"{local:%A %-d %B %Y, %H:%M}")).to_be_visible()

    # The host and the note-taker have the news too.
    host.goto(f"{live_server}/dev/mailbox")
    moved = host.get_by_role("row").filter(
        has=host.get_by_role("link", name=re.compile(r"^Moved: interview with Pat"))
    )
    expect(moved).to_have_count(2)
    expect(moved.filter(has_text=study["dana"].email)).to_have_count(1)
    expect(moved.filter(has_text=study["sam"].email)).to_have_count(1)

    # ...and Dana's agenda shows the call at its new time, in her own zone.
    host.goto(f"{live_server}/agenda")
    dana_local = new_start.astimezone(ZoneInfo("Europe/Berlin"))
    entry = host.get_by_role("listitem").filter(has_text="Pat Customer")
    expect(entry).to_contain_text(f"{dana_local:%H:%M}")
    expect(host.get_by_role("heading", name=f"{dana_local:%A %-d %B}")).to_be_visible()
    assert_accessible(host)
