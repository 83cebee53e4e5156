"""The interviewee's side on a 375 px phone in Tokyo (a refused phone number, the manage
page, a cancel and booking again), and a teammate joining from a New York browser."""

from __future__ import annotations

import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from interviews.accounts import invites as member_invites
from interviews.accounts.models import Role
from interviews.studies import service as studies
from tests.conftest import PASSWORD, book_interview, next_weekday_slot
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("JOURNEY_SCREENSHOTS")  # a folder: take the pages' pictures there
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def snap(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png")


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth == window.innerWidth")


def with_long_words(app, owner) -> None:
    """The study's join link and thank-you as long as real ones get: nothing to break on."""
    with app.app_context():
        view = studies.published_study("dashboards")
        draft = studies.StudyDraft(
            title=view.title,
            host_user_id=view.host.user_id,
            description=view.description,
            meeting_url="https://meet.example.com/j/northwind-dashboards-research-"
            "9f8e7d6c5b4a39281706f5e4d3c2b1a0?pwd=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
            phone_fallback=view.phone_fallback,
            questions=view.questions,
            colleague_user_ids=tuple(c.user_id for c in view.colleagues),
            slug=view.slug,
            offer=studies.parse_offer(
                "gift_card", "25.00", "USD", "Amazon.co.jp-or-Starbucks-eGift-of-your-choosing"
            ),
        )
        studies.update_study(owner, view.id, draft)


def test_a_phone_in_tokyo_books_after_a_refused_number_then_cancels_and_can_book_again(
    app, live_server, new_context, study
):
    with_long_words(app, study["dana"])
    phone = new_context(**PHONE, timezone_id="Asia/Tokyo").new_page()
    phone.goto(f"{live_server}/book/dashboards")
    expect(phone).to_have_url(re.compile(r"tz=Asia%2FTokyo"))
    assert_accessible(phone)

    first_time = phone.locator("fieldset.day").first.locator("label.slot").first
    booked_start = first_time.locator("input").get_attribute("value")
    first_time.click()
    phone.get_by_label("Your name").fill("Haru Sato")
    phone.get_by_label("Email").fill("haru@customer.example")
    phone.get_by_label("Phone").fill("+81 90 0000 0000")
    phone.get_by_role("button", name="Book this time").click()

    # The errors are at the top, in view and focused; what was typed is still there.
    summary = phone.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("not valid in Japan (+81)")
    expect(summary).to_contain_text("+81 90-1234-5678")
    expect(phone.get_by_label("Phone")).to_have_value("+81 90 0000 0000")
    expect(phone.get_by_label("Your name")).to_have_value("Haru Sato")
    expect(phone.locator(f'input[name=start][value="{booked_start}"]')).to_be_checked()
    assert fits_the_screen(phone)
    snap(phone, "book-errors-375")
    assert_accessible(phone)

    phone.get_by_label("Phone").fill("+81 90-1234-5678")
    phone.get_by_role("button", name="Book this time").click()
    expect(phone.get_by_text("You are booked.")).to_be_visible()
    manage_link = phone.url

    # The manage page fits the phone and does not offer the time it already has.
    expect(phone.get_by_role("heading", name="Need another time?")).to_be_visible()
    assert fits_the_screen(phone)
    start = datetime.fromisoformat(booked_start).astimezone(ZoneInfo("Asia/Tokyo"))
    expect(phone.get_by_text(f"{start:%A %-d %B %Y, %H:%M}")).to_be_visible()
    expect(phone.locator("input[name=start]").first).to_be_attached()
    expect(phone.locator(f'input[name=start][value="{booked_start}"]')).to_have_count(0)
    if SHOTS:
        phone.screenshot(path=f"{SHOTS}/manage-375.png", full_page=True)
    assert_accessible(phone)

    phone.get_by_role("button", name="Cancel the interview").click()
    expect(phone.get_by_role("heading", name="Your interview is cancelled")).to_be_visible()
    assert fits_the_screen(phone)
    assert_accessible(phone)

    # The emailed link, opened again later, says so and offers to book again.
    phone.goto(manage_link)
    expect(phone.get_by_text(re.compile(r"your interview was cancelled on \w+day"))).to_be_visible()
    expect(phone.get_by_role("link", name="Go to the overview")).to_have_count(0)
    assert fits_the_screen(phone)
    snap(phone, "cancelled-375")
    assert_accessible(phone)
    phone.get_by_role("link", name="Book another time").click()
    expect(phone).to_have_url(re.compile(r"/book/dashboards\?tz=Asia/Tokyo"))
    expect(phone.locator("label.slot").first).to_be_visible()
    assert_accessible(phone)


def test_a_teammate_joining_from_new_york_gets_new_york_time(
    app, client, live_server, new_context, study
):
    start = next_weekday_slot(10)  # 10:00 in Berlin
    booking = book_interview(client, start)
    with app.app_context():
        sent = member_invites.invite_member(
            study["dana"], email="nia@northwind.example", role=Role.RESEARCHER
        )
    invite_path = "/invite/" + sent.link.rsplit("/", 1)[1]

    nia = new_context(timezone_id="America/New_York").new_page()
    nia.goto(live_server + invite_path)
    assert_accessible(nia)
    nia.get_by_label("Your name").fill("Nia Park")
    nia.get_by_label("Password").fill(PASSWORD)
    nia.get_by_role("button", name="Create account and join").click()

    nia.goto(f"{live_server}/profile")
    expect(nia.get_by_role("combobox", name="Your time zone")).to_have_value("America/New_York")
    expect(nia.locator("[data-timezone-banner]")).to_be_hidden()  # browser and profile agree
    nia.get_by_role("heading", name="Time zone").scroll_into_view_if_needed()
    snap(nia, "profile-zone")
    assert_accessible(nia)

    nia.goto(f"{live_server}/interviews/{booking['interview_id']}")
    local = start.astimezone(ZoneInfo("America/New_York"))
    expect(nia.get_by_text(f"{local:%A %-d %B %Y, %H:%M}").first).to_be_visible()
    expect(nia.get_by_text("(your time, America/New York)")).to_be_visible()
    assert_accessible(nia)

    # Travelling: a browser in Lisbon is offered its zone; taking it changes the pages.
    travelling = new_context(timezone_id="Europe/Lisbon").new_page()
    travelling.goto(f"{live_server}/login")
    travelling.get_by_label("Email").fill("nia@northwind.example")
    travelling.get_by_label("Password").fill(PASSWORD)
    travelling.get_by_role("button", name="Log in").click()
    travelling.goto(f"{live_server}/agenda")
    banner = travelling.locator("[data-timezone-banner]")
    expect(banner).to_contain_text("Your browser is in Europe/Lisbon; use it?")
    snap(travelling, "agenda-banner-1280")
    assert_accessible(travelling)
    banner.get_by_role("button", name="Use Europe/Lisbon").click()
    expect(travelling.get_by_text("in your time (Europe/Lisbon)")).to_be_visible()
    expect(travelling.locator("[data-timezone-banner]")).to_be_hidden()
