"""On a phone, a form sent with two mistakes: both are listed at the top, what was typed
is still there, the summary has focus and is on screen, and each error link goes to its
field."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}


def _in_viewport(page: Page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= 0 && box.top < window.innerHeight && box.right <= window.innerWidth;
        }""",
        selector,
    )


def test_sign_up_with_two_mistakes_on_a_phone_shows_both_at_the_top_and_keeps_the_input(
    live_server, new_context
):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(f"{live_server}/signup")
    page.get_by_label("Workspace name").fill("Northwind")
    page.get_by_label("Your name").fill("Dana Reyes")
    page.get_by_label("Work email").fill("dana at northwind")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create workspace").click()

    expect(page).to_have_title("Error: Create a workspace · Interview Desk")
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There are 2 problems")
    links = summary.get_by_role("link")
    expect(links).to_have_text(
        ["Enter an email address like name@company.com.", "Password must be at least 10 characters"]
    )
    # Focus is on the summary, which is on screen: a screen reader reads it first.
    # (autofocus is applied in a rendering step after load: wait for it, do not sample)
    expect(summary).to_be_focused()
    assert _in_viewport(page, ".error-summary")
    # What was typed is kept (the password is not sent back, as a password field).
    expect(page.get_by_label("Workspace name")).to_have_value("Northwind")
    expect(page.get_by_label("Your name")).to_have_value("Dana Reyes")
    expect(page.get_by_label("Work email")).to_have_value("dana at northwind")
    expect(page.locator("#email-error")).to_have_text(
        "Enter an email address like name@company.com."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="/tmp/fe/signup-errors-375.png", full_page=True)
    assert_accessible(page)

    # Each link moves to its field.
    links.nth(1).click()
    expect(page).to_have_url(f"{live_server}/signup#password")
    assert _in_viewport(page, "#password")
    links.nth(0).click()
    assert page.evaluate("location.hash") == "#email"
    assert _in_viewport(page, "#email")

    # Fixed, it goes through.
    page.get_by_label("Work email").fill("dana@northwind.example")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Create workspace").click()
    expect(page).to_have_url(f"{live_server}/team")
    expect(page.locator(".error-summary")).to_have_count(0)
