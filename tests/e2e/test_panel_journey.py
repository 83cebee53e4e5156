"""Recruiting from the panel: a PM adds someone with what the product knows about them,
records their consent, sends a personal booking link, and the person books from the
email on their phone; the profile then shows the booking and the prep shows the facts."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible
from tests.e2e.navigation import nav_link

pytestmark = pytest.mark.e2e


def test_pm_adds_a_participant_and_recruits_them_with_a_personal_link(
    live_app, live_server, page, new_context, study
):
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(study["dana"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    nav_link(page, "Participants").click()
    expect(page.get_by_text("Nobody yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add a participant").click()
    page.get_by_label("Name").fill("Hannah Berg")
    page.get_by_label("Email").fill("hannah@fjordfish.example")
    page.get_by_label("Phone").fill("+47 22 12 34 56")
    page.get_by_label("Company").fill("Fjord Fish")
    page.get_by_label("Role").fill("CFO")
    page.get_by_label("Segment").fill("enterprise")
    page.get_by_label("Time zone").fill("Europe/Oslo")
    page.locator("#attribute-key-1").fill("plan")
    page.locator("#attribute-value-1").fill("Enterprise")
    page.locator("#attribute-key-2").fill("support tickets")
    page.locator("#attribute-value-2").fill("1 open: month-end exports")
    assert_accessible(page)
    page.get_by_role("button", name="Add to the panel").click()
    expect(page.get_by_text("Hannah Berg is on the panel.")).to_be_visible()
    expect(page.get_by_text("CFO at Fjord Fish")).to_be_visible()

    # Consent, with the words she agreed to.
    page.get_by_text("Record a consent").click()
    page.get_by_label("For").select_option(label="Invitations to future research")
    page.get_by_label("The words they agreed to").fill("Happy to help with research, by email.")
    page.get_by_label("How").fill("email")
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_text("Invitations to future research: given")).to_be_visible()
    assert_accessible(page)

    # A personal link, from Dana, with a note.
    page.get_by_label("A personal note (optional)").fill("Your ticket about exports caught my eye.")
    page.get_by_role("button", name="Send a personal booking link").click()
    expect(
        page.get_by_text("Personal booking link sent to hannah@fjordfish.example.")
    ).to_be_visible()
    page.goto(f"{live_server}/dev/mailbox")
    page.get_by_role("link", name="Northwind product interview about dashboards").first.click()
    text = page.locator("pre.mail-text").first.inner_text()
    assert "Your ticket about exports caught my eye." in text
    link = re.search(r"(http\S+/book/dashboards\?invite=\S+)", text).group(1)

    # Hannah books on her phone: the page knows her, the link books only her, once.
    phone = new_context(
        viewport={"width": 375, "height": 740}, timezone_id="Europe/Oslo"
    ).new_page()
    phone.goto(link)
    expect(phone.get_by_text("Hi Hannah Berg, this link is just for you")).to_be_visible()
    expect(phone.get_by_label("Your name")).to_have_value("Hannah Berg")
    assert_accessible(phone)
    phone.locator("fieldset.day").first.locator("label.slot").first.click()
    phone.get_by_role("button", name="Book this time").click()
    expect(phone.get_by_text("You are booked.")).to_be_visible()
    phone.goto(link)
    expect(phone.get_by_text("already used to book a call")).to_be_visible()

    # Back on the profile: the invite is booked; the prep before the call has her facts.
    page.goto(f"{live_server}/participants")
    page.get_by_role("link", name="Hannah Berg").click()
    page.get_by_role("link", name="booked").click()
    page.get_by_role("link", name="Prep").click()
    expect(page.get_by_text("1 open: month-end exports")).to_be_visible()
    assert_accessible(page)
