"""Paying the thank-yous: the PM opens the payout queue, bulk-marks two rewards sent, and
the interviewees' "on its way" emails appear in the dev mailbox; the code stays masked."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.compensation.models import Reward
from interviews.db import db
from interviews.flows import attendance
from tests.conftest import (
    PASSWORD,
    book_interview,
    give_offer,
    next_weekday_slot,
    started_minutes_ago,
)
from tests.e2e.conftest import assert_accessible
from tests.e2e.navigation import nav_link

pytestmark = pytest.mark.e2e

CODE = "AMZN-GIFT-7731-QX"
MASKED = "••••••••••••1-QX"  # what the pages show of CODE: its last four characters
NOTE = "Check your inbox for a message from Amazon."
ON_ITS_WAY = "Your thank-you from Dana Reyes is on its way"
PEOPLE = [  # (name, email, hour of the call)
    ("Ana Alvarez", "ana@customer.example", 10),
    ("Ben Okafor", "ben@customer.example", 13),
    ("Cy Tran", "cy@customer.example", 15),
]


def offer_a_gift_card(app, study) -> None:
    give_offer(app, study["dana"], "gift_card", "20.00", "USD")


def three_completed_interviews(app, study) -> dict[str, int]:
    """Book and complete one interview per person; Ana's reward has been owed 5 days
    (longer than the 3-day promise). Returns each name's reward id."""
    client = app.test_client()
    booked = {
        name: book_interview(client, next_weekday_slot(hour), email=email, name=name)[
            "interview_id"
        ]
        for name, email, hour in PEOPLE
    }
    for interview_id in booked.values():
        started_minutes_ago(app, interview_id, 50)
        with app.app_context():
            attendance.mark_attendance_by_member(study["dana"], interview_id, "completed")
    with app.app_context():
        rewards = {r.interview_id: r for r in db.session.scalars(db.select(Reward)).all()}
        # Backdated: Ana's reward has waited five days, its first history line too.
        ana = rewards[booked["Ana Alvarez"]]
        ana.owed_at = ana.events[0].at = utc_now() - timedelta(days=5)
        db.session.commit()
        return {name: rewards[interview_id].id for name, interview_id in booked.items()}


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_pm_bulk_marks_two_rewards_sent_and_the_interviewees_are_told(
    live_app, live_server, page, study
):
    offer_a_gift_card(live_app, study)
    reward_ids = three_completed_interviews(live_app, study)

    log_in(page, live_server, study["dana"].email)
    nav_link(page, "Rewards").click()
    expect(page.get_by_role("heading", name="Rewards", exact=True)).to_be_visible()
    queue = page.locator("table.rewards")
    expect(queue.locator("caption")).to_have_text("3 owed rewards, oldest first")
    rows = queue.locator("tbody tr")
    # Oldest first: Ana's, owed five days, is at the top and stands out as overdue.
    expect(rows.first).to_contain_text("Ana Alvarez")
    expect(rows.first).to_contain_text("overdue")
    expect(rows.first).to_have_class(re.compile(r"\boverdue\b"))
    expect(rows.filter(has_text="$20.00")).to_have_count(3)
    expect(page.locator("tr.overdue")).to_have_count(1)
    assert_accessible(page)

    # Applying with nothing ticked is refused and changes nothing.
    page.get_by_role("button", name="Apply to the chosen rewards").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Choose at least one reward.")).to_be_visible()
    expect(queue.locator("caption")).to_have_text("3 owed rewards, oldest first")

    # Tick Ana's and Ben's, mark them sent with the gift card code and a note.
    page.get_by_label("Choose Ana Alvarez’s reward").check()
    page.get_by_label("Choose Ben Okafor’s reward").check()
    bulk = page.get_by_role("group", name="With the chosen rewards")
    bulk.get_by_label("Mark them").select_option("sent")
    bulk.get_by_label("Method").fill(CODE)
    bulk.get_by_label("Note").fill(NOTE)
    bulk.get_by_role("button", name="Apply to the chosen rewards").click()
    expect(
        page.get_by_text("2 rewards marked sent. The interviewees are told it is on its way.")
    ).to_be_visible()
    expect(page).to_have_url(f"{live_server}/rewards?status=owed")  # back on the queue

    # Only Cy's is still owed; the two sent ones are on the Sent tab, their code masked.
    expect(queue.locator("caption")).to_have_text("1 owed reward, oldest first")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Cy Tran")
    expect(page.get_by_label("Choose Cy Tran’s reward")).not_to_be_checked()
    page.get_by_role("navigation", name="Reward status").get_by_role(
        "link", name="Sent (2)"
    ).click()
    expect(queue.locator("caption")).to_have_text("2 sent rewards")
    expect(rows).to_have_count(2)
    for name in ("Ana Alvarez", "Ben Okafor"):
        row = rows.filter(has_text=name)
        expect(row).to_contain_text("Sent")
        expect(row).to_contain_text(MASKED)
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(page.locator("tr.overdue")).to_have_count(0)  # sent is no longer overdue
    assert CODE not in page.content()
    assert_accessible(page)

    # Ana's reward page: its history says who marked it sent, the code still masked.
    page.get_by_role("link", name="Ana Alvarez").click()
    expect(page).to_have_url(f"{live_server}/rewards/{reward_ids['Ana Alvarez']}")
    expect(page.get_by_role("heading", name="$20.00 gift card for Ana Alvarez")).to_be_visible()
    history = page.get_by_role("region", name="History")
    expect(history.get_by_role("listitem")).to_have_count(2)
    expect(history.get_by_role("listitem").first).to_contain_text(
        "Owed by the desk (interview marked completed)"
    )
    expect(history.get_by_role("listitem").last).to_contain_text(
        f"Owed → Sent by Dana Reyes, {MASKED}: “{NOTE}”"
    )
    assert CODE not in page.content()
    assert_accessible(page)

    # The dev mailbox: exactly two "on its way" emails, one to each of them.
    page.goto(f"{live_server}/dev/mailbox")
    told = page.get_by_role("row").filter(has=page.get_by_role("link", name=ON_ITS_WAY))
    expect(told).to_have_count(2)
    recipients = sorted(told.nth(i).get_by_role("cell").nth(1).inner_text() for i in range(2))
    assert recipients == ["ana@customer.example", "ben@customer.example"]
    assert_accessible(page)
    told.filter(has_text="ben@customer.example").get_by_role("link", name=ON_ITS_WAY).click()
    expect(page.get_by_role("heading", name=ON_ITS_WAY)).to_be_visible()
    text = page.locator("pre.mail-text").first.inner_text()
    assert text.startswith("Hi Ben Okafor,")
    assert "is on its way: $20.00 as a gift card." in text
    assert NOTE in text
    assert "AMZN" not in text and "7731" not in text  # the code is never emailed
    assert_accessible(page)


def test_a_viewer_sees_the_queue_without_a_way_to_settle_it(
    live_app, live_server, page, study, add_member
):
    offer_a_gift_card(live_app, study)
    three_completed_interviews(live_app, study)
    viewer = add_member(study["dana"], role=Role.VIEWER, name="Vic Viewer")

    log_in(page, live_server, viewer.email)
    nav_link(page, "Rewards").click()
    expect(page.locator("table.rewards tbody tr")).to_have_count(3)
    expect(page.get_by_text("overdue", exact=True)).to_have_count(1)
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_role("group", name="With the chosen rewards")).to_have_count(0)
    expect(page.get_by_role("button", name="Apply to the chosen rewards")).to_have_count(0)
    assert_accessible(page)
