"""A person signed in on a laptop and a phone ends sessions from the profile, and a
session cookie copied before a log-out gets nobody in after it."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible
from tests.e2e.navigation import log_out, nav_link
from tests.e2e.test_team_journey import OWNER_EMAIL, sign_up

pytestmark = pytest.mark.e2e

LAPTOP_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
PHONE_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(OWNER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="What needs you now", level=1)).to_be_visible()
    expect(page.locator(".nav-workspace summary")).to_have_text("Northwind")


def test_sessions_are_listed_and_ended_from_the_profile(live_server, new_context):
    laptop = new_context(user_agent=LAPTOP_AGENT).new_page()
    phone = new_context(
        user_agent=PHONE_AGENT, viewport={"width": 375, "height": 740}, is_mobile=True
    ).new_page()
    sign_up(laptop, live_server)
    log_in(phone, live_server)

    # The laptop's profile lists both browsers; only the other one can be ended here.
    laptop.goto(f"{live_server}/profile")
    sessions = laptop.get_by_role("region", name="Where you are signed in")
    expect(sessions.get_by_role("cell", name=re.compile("^Chrome on macOS"))).to_be_visible()
    expect(sessions.get_by_role("cell", name=re.compile("^Safari on iOS"))).to_be_visible()
    expect(sessions.get_by_role("cell", name="this browser")).to_be_visible()
    assert_accessible(laptop)
    sessions.get_by_role("button", name="End session on Safari on iOS").click()
    expect(laptop.get_by_role("status").filter(has_text="That session is ended")).to_be_visible()
    expect(laptop.get_by_text("You are signed in in this browser only.")).to_be_visible()

    # The phone finds itself signed out at its next click, and is told so.
    phone.reload()
    expect(phone).to_have_url(re.compile(r"/login\?next="))
    expect(phone.get_by_text("You were signed out. Log in again.")).to_be_visible()
    assert_accessible(phone)

    # Signed in again on the phone, then "everywhere else" from the laptop.
    log_in(phone, live_server)
    laptop.reload()
    laptop.get_by_role("button", name="Sign out everywhere else").click()
    expect(laptop.get_by_text("1 other session ended")).to_be_visible()
    phone.reload()
    expect(phone).to_have_url(re.compile(r"/login\?next="))
    nav_link(laptop, "Team").click()
    expect(laptop).to_have_url(f"{live_server}/team")


def test_a_session_cookie_copied_before_log_out_gets_nobody_in_after_it(live_server, new_context):
    mine = new_context(user_agent=LAPTOP_AGENT)
    page = mine.new_page()
    sign_up(page, live_server)
    copied = [c for c in mine.cookies() if c["name"] == "session"]
    assert copied
    thief = new_context().new_page()
    thief.context.add_cookies(copied)
    thief.goto(f"{live_server}/")
    expect(thief.get_by_role("heading", name="What needs you now", level=1)).to_be_visible()

    log_out(page, "Dana Reyes")
    expect(page.get_by_text("You are logged out.")).to_be_visible()

    for path in ("/", "/profile", "/participants"):
        thief.context.clear_cookies()
        thief.context.add_cookies(copied)
        thief.goto(f"{live_server}{path}")
        expect(thief).to_have_url(re.compile(r"/login\?next="))
        expect(thief.get_by_role("button", name="Log in")).to_be_visible()
        expect(thief.get_by_text("Northwind")).to_have_count(0)
