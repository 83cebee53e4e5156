"""A new team signs up, and a teammate joins from the emailed invite."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible
from tests.e2e.navigation import log_out, nav_link, open_menu

pytestmark = pytest.mark.e2e

OWNER_EMAIL = "dana@northwind.example"


def nav(page: Page, name: str):
    return nav_link(page, name)


def sign_up(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/signup")
    assert_accessible(page)
    page.get_by_label("Workspace name").fill("Northwind")
    page.get_by_label("Your name").fill("Dana Reyes")
    page.get_by_label("Work email").fill(OWNER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create workspace").click()


def test_owner_invites_a_teammate_who_joins_from_the_emailed_link(live_server, page, new_context):
    # Sign up: the owner lands on the team page with a welcome.
    sign_up(page, live_server)
    expect(page).to_have_url(f"{live_server}/team")
    expect(page.get_by_role("status").filter(has_text="Welcome, Dana Reyes")).to_be_visible()
    assert_accessible(page)

    # Log out from the header, then back in.
    log_out(page, "Dana Reyes")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email").fill(OWNER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="What needs you now", level=1)).to_be_visible()
    expect(page.locator(".nav-workspace summary")).to_have_text("Northwind")
    assert_accessible(page)

    # Invite a researcher.
    nav(page, "Team").click()
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Role").select_option("researcher")
    page.get_by_role("button", name="Send invite").click()
    expect(page.get_by_text("Invite sent to sam@example.com")).to_be_visible()
    waiting = page.get_by_role("region", name="Invites waiting for an answer")
    expect(waiting.get_by_role("cell", name="sam@example.com")).to_be_visible()
    assert_accessible(page)

    # The invite is in the development mailbox, from Dana.
    nav(page, "Mailbox (dev)").click()
    assert_accessible(page)
    page.get_by_role("link", name="Dana Reyes invited you to Northwind on Interview Desk").click()
    expect(page.get_by_text("sam@example.com").first).to_be_visible()
    assert_accessible(page)
    text_part = page.locator("pre.mail-text").first.inner_text()
    link = re.search(r"(http://127\.0\.0\.1:\d+/invite/\S+)", text_part).group(1)

    # Sam, in a browser of their own, follows the link and joins.
    sam = new_context().new_page()
    sam.goto(link)
    expect(sam.get_by_role("heading", name="Join Northwind")).to_be_visible()
    assert_accessible(sam)
    sam.get_by_label("Your name").fill("Sam Rivera")
    sam.get_by_label("Password").fill(PASSWORD)
    sam.get_by_role("button", name="Create account and join").click()
    expect(sam.get_by_text("You joined Northwind as researcher.")).to_be_visible()
    expect(sam.get_by_role("heading", name="What needs you now", level=1)).to_be_visible()
    expect(open_menu(sam)).to_contain_text("Sam Rivera, researcher")
    assert_accessible(sam)

    # Dana sees Sam among the members, and no invite left waiting.
    nav(page, "Team").click()
    members = page.get_by_role("region", name="Members")
    expect(members.get_by_role("link", name="Sam Rivera")).to_be_visible()
    expect(page.get_by_text("No invites waiting.")).to_be_visible()


def test_a_wrong_password_shows_an_error_the_person_can_read(live_server, page):
    sign_up(page, live_server)
    log_out(page, "Dana Reyes")

    page.get_by_label("Email").fill(OWNER_EMAIL)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Log in").click()

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_text(
        "That email and password do not match an account."
    )
    expect(page.locator("#email-error")).to_have_text(
        "That email and password do not match an account."
    )
    expect(page.get_by_label("Email")).to_have_value(OWNER_EMAIL)
    assert_accessible(page)


def test_signup_errors_are_announced_next_to_their_fields(live_server, page):
    page.goto(f"{live_server}/signup")
    page.get_by_label("Workspace name").fill("Northwind")
    page.get_by_label("Your name").fill("Dana Reyes")
    page.get_by_label("Work email").fill("not-an-address")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create workspace").click()

    email = page.get_by_label("Work email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email-error")).to_contain_text(
        "Enter an email address like name@company.com."
    )
    expect(page.locator("#password-error")).to_contain_text(
        "Password must be at least 10 characters"
    )
    assert_accessible(page)


PHONE_NAV = [
    ("Home", "/"),
    ("Studies", "/studies"),
    ("Agenda", "/agenda"),
    ("Hours", "/availability"),
    ("Team", "/team"),
    ("Profile & API", "/profile"),
    ("Mailbox (dev)", "/dev/mailbox"),
]


def assert_fits_the_screen(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px on a 375px screen"


def test_on_a_phone_every_page_fits_the_screen_and_the_nav_reaches_each_one(
    live_server, new_context
):
    phone = new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    ).new_page()
    for path in ("/login", "/signup"):
        phone.goto(f"{live_server}{path}")
        assert_fits_the_screen(phone)
        assert_accessible(phone)

    sign_up(phone, live_server)
    # A waiting invite gives the team page its widest table (email, dates, a button).
    phone.get_by_label("Email").fill("sam@example.com")
    phone.get_by_role("button", name="Send invite").tap()
    expect(phone.get_by_text("Invite sent to sam@example.com")).to_be_visible()

    for name, path in PHONE_NAV:
        nav(phone, name).tap()
        expect(phone).to_have_url(f"{live_server}{path}")
        expect(nav(phone, name)).to_have_attribute("aria-current", "page")
        assert_fits_the_screen(phone)
        assert_accessible(phone)


def test_the_accessibility_check_itself_catches_an_unlabelled_field(page):
    """Guards the guard: a form field without a label must fail assert_accessible."""
    page.set_content('<html lang="en"><title>t</title><main><input type="text"></main></html>')
    with pytest.raises(AssertionError, match="critical label"):
        assert_accessible(page)
