"""A new workspace signs up and follows the home page's first-run checklist to a first
booking made on a phone in Tokyo; the header stays one row on a laptop and folds into a
menu on a phone."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible
from tests.e2e.navigation import nav_link, open_menu

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


def checklist(page: Page):
    return page.get_by_role("region", name=re.compile(r"^Get started"))


def step(page: Page, label: str):
    return checklist(page).get_by_role("listitem").filter(has_text=label)


def assert_nav_is_one_row(page: Page) -> None:
    """Every top-level item of the header (links and menu buttons) shares one top."""
    tops = page.evaluate(
        """() => [...document.querySelectorAll('.nav > li')].map(li => {
             const item = li.querySelector(':scope > a, :scope > details > summary');
             const box = item.getBoundingClientRect();
             return [item.textContent.trim(), Math.round(box.top), box.width > 0];
           })"""
    )
    assert len(tops) == 5, tops
    assert all(visible for _, _, visible in tops), tops
    assert len({top for _, top, _ in tops}) == 1, f"the header wraps: {tops}"


def assert_fits(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_a_new_workspace_follows_the_checklist_to_a_first_booking_from_tokyo(
    live_server, new_context
):
    laptop = new_context(viewport=LAPTOP, timezone_id="Europe/Berlin")
    laptop.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = laptop.new_page()

    # Sign up: a brand-new workspace, welcomed (not "welcome back").
    page.goto(f"{live_server}/signup")
    page.get_by_label("Workspace name").fill("Kestrel Labs")
    page.get_by_label("Your name").fill("Kim Tanaka")
    page.get_by_label("Work email").fill("kim@kestrel.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_role("status").filter(has_text="Welcome, Kim Tanaka")).to_be_visible()
    expect(page.get_by_text("Welcome back")).to_have_count(0)

    # Home: the checklist, nothing done yet; the header is one row.
    nav_link(page, "Home").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", name="What needs you now", level=1)).to_be_visible()
    expect(checklist(page)).to_contain_text("Get started: 0 of 5 done")
    expect(nav_link(page, "Home")).to_have_attribute("aria-current", "page")
    assert_nav_is_one_row(page)
    assert_accessible(page)
    page.screenshot(path="/tmp/home-new-1280.png", full_page=True)

    # Keyboard: Tab reaches a group, Enter opens it, its links follow.
    page.locator(".brand").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("summary", has_text="Interviews")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Agenda", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Agenda", exact=True)).to_be_hidden()

    # 1. Hours: weekdays 09:00-17:00 in Berlin.
    step(page, "Set your hours").get_by_role("link", name="Set your hours").click()
    expect(page).to_have_url(f"{live_server}/availability")
    expect(nav_link(page, "Hours")).to_have_attribute("aria-current", "page")
    expect(page.locator("summary", has_text="Interviews")).to_have_attribute("aria-current", "true")
    assert_accessible(page)
    page.get_by_label("Your time zone").select_option("Europe/Berlin")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        page.get_by_label(day, exact=True).check()
    page.get_by_role("button", name="Save hours").click()
    nav_link(page, "Home").click()
    expect(checklist(page)).to_contain_text("1 of 5 done")
    expect(step(page, "Set your hours")).to_contain_text("(done)")

    # 2. A study, saved as a draft; 3. published from its page.
    step(page, "Create a study").get_by_role("link", name="Create a study").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Kestrel product interview about onboarding")
    page.get_by_role("button", name="Save as draft").click()
    nav_link(page, "Home").click()
    expect(checklist(page)).to_contain_text("2 of 5 done")
    not_booking = page.get_by_role("region", name="Studies not taking bookings")
    expect(not_booking).to_contain_text("Kestrel product interview about onboarding")
    expect(not_booking).to_contain_text("Draft: the booking link opens when you publish it.")
    assert_accessible(page)
    step(page, "Publish it").get_by_role("link", name="Publish it").click()
    page.get_by_role("button", name="Publish: open the booking link").click()
    nav_link(page, "Home").click()
    expect(checklist(page)).to_contain_text("3 of 5 done")
    expect(not_booking).to_contain_text("Every published study is taking bookings.")

    # 4. Copy the booking link from the checklist: copying it ticks "share".
    link_field = checklist(page).get_by_role("textbox", name=re.compile("Booking link"))
    link = link_field.input_value()
    assert re.fullmatch(rf"{re.escape(live_server)}/book/[a-z0-9-]+", link), link
    checklist(page).get_by_role("button", name=re.compile("^Copy")).click()
    expect(checklist(page).get_by_role("status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == link
    page.wait_for_load_state("networkidle")
    page.reload()
    expect(checklist(page)).to_contain_text("4 of 5 done")
    expect(step(page, "Share the booking link")).to_contain_text("(done)")

    # An interviewee in Tokyo books from the copied link on a phone.
    phone = new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Asia/Tokyo"
    ).new_page()
    phone.goto(link)
    expect(phone).to_have_url(re.compile(r"tz=Asia%2FTokyo"))
    assert_accessible(phone)
    phone.locator("fieldset.day").first.locator("label.slot").first.click()
    phone.get_by_label("Your name").fill("Aiko Mori")
    phone.get_by_label("Email").fill("aiko@customer.example")
    phone_field = phone.get_by_label("Phone")
    if phone_field.count():
        phone_field.fill("+81 90 1234 5678")
    phone.get_by_role("button", name="Book this time").click()
    expect(phone.get_by_text("You are booked.")).to_be_visible()
    assert_accessible(phone)

    # Back home, the call is listed with its prep and notes links.
    page.reload()
    calls = page.get_by_role("region", name="Today's calls")
    expect(
        calls.get_by_role("link", name=re.compile(r"\d\d:\d\d–\d\d:\d\d Aiko Mori$"))
    ).to_be_visible()
    expect(calls.get_by_role("link", name="Prep for Aiko Mori")).to_be_visible()
    expect(calls).to_contain_text("you host")
    assert_accessible(page)
    page.screenshot(path="/tmp/home-booked-1280.png", full_page=True)

    # The last step is up to them: the list can be put away.
    page.get_by_role("button", name="Dismiss this list").click()
    expect(page.get_by_role("status").filter(has_text="put away")).to_be_visible()
    expect(checklist(page)).to_have_count(0)
    assert_accessible(page)

    # On a phone the header folds into one Menu that reaches every page.
    page.set_viewport_size(PHONE)
    menu = page.locator("details.site-menu > summary")
    expect(menu).to_be_visible()
    expect(page.get_by_role("link", name="Agenda", exact=True)).to_be_hidden()
    assert_fits(page)
    page.screenshot(path="/tmp/home-375.png", full_page=True)
    menu.click()
    open_menu(page, "Interviews").get_by_role("link", name="Agenda").click()
    expect(page).to_have_url(f"{live_server}/agenda")
    expect(page.get_by_role("heading", name="Agenda", level=1)).to_be_visible()
    assert_fits(page)
    assert_accessible(page)
    nav_link(page, "Team").click()
    expect(page).to_have_url(f"{live_server}/team")
    expect(nav_link(page, "Team")).to_have_attribute("aria-current", "page")
    page.screenshot(path="/tmp/menu-375.png")
    assert_accessible(page)
