"""A PM copies a study's booking link with one click, and a study list with a title
typed without spaces still fits a phone."""

import pytest
from playwright.sync_api import expect

from interviews.studies import service as studies
from interviews.studies.models import StudyStatus
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

LONG_TITLE = "Month-End-Close-" + "Reconciliation" * 13  # 198 characters, no spaces


def log_in(page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server}/")


def test_a_pm_copies_the_booking_link_and_a_long_title_fits_a_phone(
    live_app, live_server, new_context, study
):
    dana = study["dana"]
    with live_app.app_context():
        long_one = studies.create_study(
            dana, studies.StudyDraft(title=LONG_TITLE, host_user_id=dana.user_id)
        )
        studies.set_status(dana, long_one.id, StudyStatus.PUBLISHED)
    booking_link = f"{live_server}/book/dashboards"

    desk = new_context(
        viewport={"width": 1280, "height": 800}, permissions=["clipboard-read", "clipboard-write"]
    ).new_page()
    log_in(desk, live_server, dana.email)
    desk.goto(f"{live_server}/studies")
    desk.get_by_role("link", name="Northwind product interview about dashboards").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(
        "Northwind product interview about dashboards"
    )
    field = desk.get_by_role("textbox", name="Booking link", exact=True)
    expect(field).to_have_value(booking_link)
    expect(desk.get_by_text("open", exact=True)).to_be_visible()
    assert_accessible(desk)

    desk.get_by_role("button", name="Copy Booking link", exact=True).click()

    expect(desk.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert desk.evaluate("navigator.clipboard.readText()") == booking_link
    # Clicking the field selects all of it, ready for Ctrl/Cmd+C.
    field.click()
    assert desk.evaluate("window.getSelection().toString() || document.activeElement.value") == (
        booking_link
    )
    assert desk.evaluate(
        "document.activeElement.selectionStart === 0 && "
        "document.activeElement.selectionEnd === document.activeElement.value.length"
    )

    phone = new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    log_in(page, live_server, dana.email)
    page.goto(f"{live_server}/studies")
    expect(page.get_by_role("link", name=LONG_TITLE)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    )
    # The title wraps inside its cell instead of widening the table past its scroller.
    wrap = page.locator(".table-wrap").first
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth + 1"), wrap.evaluate(
        "w => [w.scrollWidth, w.clientWidth]"
    )
    assert_accessible(page)
