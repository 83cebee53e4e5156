"""A no-show, recovered: the host marks it from the reminder's link, the interviewee rebooks
from "sorry we missed you", and the study counts the no-show as recovered once completed."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from interviews.db import db
from interviews.messaging import service as messaging
from interviews.scheduling.models import Interview
from tests.conftest import PASSWORD, book_interview, next_weekday_slot, started_minutes_ago
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e


def open_mail(page, base_url: str, subject: str) -> str:
    """Open the newest mailbox message with this subject; its text part."""
    page.goto(f"{base_url}/dev/mailbox")
    page.get_by_role("link", name=subject).first.click()
    return page.locator("pre.mail-text").first.inner_text()


def test_host_marks_a_no_show_from_the_reminder_and_the_interviewee_rebooks(
    live_app, live_server, page, new_context, study
):
    start = next_weekday_slot(10)
    interview_id = book_interview(live_app.test_client(), start)["interview_id"]
    with live_app.app_context():
        messaging.dispatch_due(start - timedelta(minutes=10))  # the reminders go out
    started_minutes_ago(live_app, interview_id, 4)

    # Dana opens her reminder in the mailbox and follows "They did not show up".
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(study["dana"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    text = open_mail(page, live_server, "In 10 minutes: interview with Pat Customer")
    page.locator('pre.mail-text a[href*="status=no_show"]').click()
    expect(page.get_by_role("heading", name="How did it go with Pat Customer?")).to_be_visible()
    expect(page.get_by_label("They did not show up")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Record it").click()
    expect(page.get_by_text("Marked no-show")).to_be_visible()
    assert "They did not show up:" in text

    # The interviewee's "sorry we missed you" carries a link to book again.
    text = open_mail(
        page, live_server, "Sorry we missed you: Northwind product interview about dashboards"
    )
    rebook = re.search(r"pick a new time that suits you: (\S+)", text).group(1)
    phone = new_context(
        viewport={"width": 375, "height": 740}, timezone_id="Europe/Berlin"
    ).new_page()
    phone.goto(rebook)
    expect(phone.get_by_text("Sorry we missed you last time.")).to_be_visible()
    assert_accessible(phone)
    phone.locator("fieldset.day").first.locator("label.slot").first.click()
    phone.get_by_label("Your name").fill("Pat Customer")
    phone.get_by_label("Email").fill("pat@customer.example")
    phone.get_by_label("Phone").fill("+1 415 555 2671")
    phone.get_by_role("button", name="Book this time").click()
    expect(phone.get_by_text("You are booked.")).to_be_visible()

    # The new call happens; Dana marks it completed; the study counts the recovery.
    with live_app.app_context():
        again = db.session.scalar(
            db.select(Interview.id).where(Interview.rebooked_from_id == interview_id)
        )
    assert again is not None
    started_minutes_ago(live_app, again, 50)
    page.goto(f"{live_server}/interviews/{again}")
    page.get_by_role("button", name="Completed").click()
    expect(page.get_by_text("Marked completed")).to_be_visible()
    expect(page.get_by_role("cell", name="thank-you")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Northwind product interview about dashboards").first.click()
    expect(
        page.get_by_text("1 of 1 no-show came back through the follow-up and completed.")
    ).to_be_visible()
    assert_accessible(page)


def test_a_pm_rewrites_the_reminder_and_previews_it(live_app, live_server, page, study):
    with live_app.app_context():
        from interviews.studies import service as studies

        study_id = studies.published_study("dashboards").id
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(study["dana"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/studies/{study_id}")
    page.get_by_role("link", name="the words they use").click()
    assert_accessible(page)

    reminder = page.get_by_role("region", name="Reminder (each one before the call) default")
    reminder.get_by_label("Subject").fill("Talk soon, {{ participant.name }}")
    reminder.get_by_role("button", name="Preview reminder").click()
    preview = page.get_by_role("status", name="Preview of reminder (each one before the call)")
    expect(preview).to_contain_text("Subject: Talk soon, Pat Example")
    assert_accessible(page)
    page.get_by_role("region", name=re.compile("^Reminder")).get_by_role(
        "button", name="Save reminder"
    ).click()
    expect(page.get_by_text("Saved: messages not yet sent use the new words.")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Reminder (each one before the call) your words")
    ).to_be_visible()
