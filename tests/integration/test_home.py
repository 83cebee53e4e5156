"""The PM's home at /: what needs them now, each block made from real data through the
services, the first-run checklist, and nothing of another workspace."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.compensation import budgets
from interviews.compensation.models import Reward
from interviews.db import db
from interviews.notes import takeaways
from interviews.scheduling import busy_calendars, hours
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus
from tests.conftest import (
    PASSWORD,
    book_interview,
    give_offer,
    held_calls,
    log_in,
    next_weekday_slot,
    started_minutes_ago,
)


def text_of(page: str) -> str:
    """The page as a person reads it: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def block(page: str, heading_id: str) -> str:
    """One card of the home page (its <section>), as text."""
    found = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, flags=re.S
    )
    assert found, f"no {heading_id} block"
    return text_of(found.group(0))


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_brand_new_workspace_sees_the_checklist_and_helpful_empty_blocks(client, make_workspace):
    owner = make_workspace(name="Kestrel Labs", owner_name="Kim Tanaka")
    log_in(client, owner.email)
    page = home(client)
    checklist = block(page, "first-run-heading")
    assert "Get started: 0 of 5 done" in checklist
    for step in ("Set your hours", "Create a study", "Publish it", "Share the booking link"):
        assert step in checklist
    assert "Connect a calendar" in checklist
    assert "No calls today." in block(page, "today-heading")
    assert "Nothing waiting" in block(page, "waiting-heading")
    assert "Every takeaway is evidence on a map." in block(page, "unlinked-heading")
    assert "No reward is owed" in block(page, "rewards-heading")
    assert "No studies yet. Create one" in block(page, "studies-heading")
    assert "No call was due yet this month" in block(page, "no-show-heading")


def test_the_checklist_ticks_from_real_state_and_goes_away_once_all_is_done(app, client, study):
    dana = study["dana"]
    log_in(client, dana.email)
    # The study fixture saved Dana's hours, created and published a study.
    assert "Get started: 3 of 5 done" in block(home(client), "first-run-heading")

    book_interview(client, next_weekday_slot(10))  # the link reached someone
    checklist = block(home(client), "first-run-heading")
    assert "Get started: 4 of 5 done" in checklist
    assert "Share the booking link (done)" in checklist
    assert "Connect a calendar (to do)" in checklist

    with app.app_context():
        busy_calendars.add_busy_calendar(
            dana.user_id, "https://calendar.example.com/dana.ics", seeded=True
        )
    page = home(client)
    assert "Get started" not in page
    assert "Today's calls" in page


def test_opening_the_booking_page_from_the_checklist_counts_as_sharing(client, study):
    log_in(client, study["dana"].email)
    page = home(client)
    opener = re.search(r'href="(/home/studies/\d+/booking-page)"', page).group(1)
    response = client.get(opener)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/book/dashboards")
    assert "Share the booking link (done)" in block(home(client), "first-run-heading")


def test_a_dismissed_checklist_stays_away(client, make_workspace):
    owner = make_workspace()
    log_in(client, owner.email)
    response = client.post("/home/checklist/dismiss")
    assert response.status_code == 302
    page = home(client)
    assert "put away" in page
    assert "Get started" not in page


def test_hours_that_are_only_a_zone_do_not_tick_set_your_hours(app, client, make_workspace):
    owner = make_workspace()
    with app.app_context():
        hours.set_weekly_hours(owner.user_id, timezone="Asia/Tokyo", weekly=[])
    log_in(client, owner.email)
    page = home(client)
    assert "Set your hours (to do)" in block(page, "first-run-heading")
    assert "times in your zone (Asia/Tokyo)" in text_of(page)


def test_todays_and_next_calls_show_who_when_in_my_zone_with_join_and_prep_links(
    app, client, study
):
    later = book_interview(client, next_weekday_slot(10))
    now_call = book_interview(client, next_weekday_slot(14), "lee@customer.example", "Lee Now")
    started_minutes_ago(app, now_call["interview_id"], 5)
    log_in(client, study["sam"].email)
    page = home(client)
    calls = block(page, "today-heading")
    today, upcoming = calls.split(" Next ")
    assert "Lee Now" in today and "Pat Customer" not in today
    assert "with Dana Reyes" in today  # Sam is not the host
    when = next_weekday_slot(10)  # Dana's hours are Berlin's, and so is Sam's view (UTC)
    assert "Pat Customer" in upcoming
    assert f"{when.astimezone(studies_zone(app, study)):%a %-d %b %H:%M}" in upcoming
    assert 'href="https://meet.example.com/northwind-dana"' in page
    assert f'href="/interviews/{later["interview_id"]}/prep"' in page
    assert f'href="/interviews/{now_call["interview_id"]}/notes"' in page


def studies_zone(app, study):
    """The zone Sam reads times in (Sam set no hours: UTC)."""

    from interviews.scheduling import team

    with app.app_context():
        return ZoneInfo(team.viewer_timezone(study["sam"].user_id))


def test_calls_held_wait_for_notes_and_checklist_and_unmarked_ones_ask_how_it_went(
    app, client, study
):
    held = book_interview(client, next_weekday_slot(10))
    unmarked = book_interview(client, next_weekday_slot(14), "lee@customer.example", "Lee Gone")
    started_minutes_ago(app, held["interview_id"], 50)
    started_minutes_ago(app, unmarked["interview_id"], 180)
    log_in(client, study["dana"].email)
    client.post(f"/interviews/{held['interview_id']}/attendance", data={"status": "completed"})

    waiting = block(home(client), "waiting-heading")
    assert "Pat Customer" in waiting and "No notes yet" in waiting
    assert "5 checklist items open" in waiting
    assert "Lee Gone" in waiting and "Say how it went" in waiting

    for item in (
        "notes_cleaned",
        "takeaways_added",
        "thank_you_sent",
        "reward_delivered",
        "followup_asked",
    ):
        client.post(
            f"/interviews/{held['interview_id']}/checklist", data={"item": item, "done": "1"}
        )
    waiting = block(home(client), "waiting-heading")
    assert "5 checklist items open" not in waiting
    assert "Pat Customer" in waiting and "No notes yet" in waiting  # still no notes


def test_a_busy_month_shows_the_six_newest_calls_waiting_and_counts_the_rest(app, client, study):
    # Ten calls held over the last ten days, none with notes yet (a busy team's month
    # holds hundreds: the page must not list them all).
    held_calls(app, book_interview(client, next_weekday_slot(10))["interview_id"], 10)
    log_in(client, study["dana"].email)

    waiting = block(home(client), "waiting-heading")
    shown = re.findall(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+ \w+", waiting)
    assert len(shown) == 6
    newest = (utc_now() - timedelta(days=1)).astimezone(ZoneInfo("Europe/Berlin"))
    assert shown[0] == newest.strftime("%a %-d %b")
    assert "And 4 more on the agenda" in waiting


def test_takeaways_linked_to_no_map_are_counted_with_the_newest_shown(app, client, study):
    dana = study["dana"]
    with app.app_context():
        for text in ("Exports take minutes", "Nobody finds the filter"):
            takeaways.add_takeaway(
                dana, takeaways.TakeawayDraft(text=text, source="support", context="Support ticket")
            )
    log_in(client, dana.email)
    loose = block(home(client), "unlinked-heading")
    assert "2 takeaways linked to no map" in loose
    assert "Exports take minutes" in loose and "Nobody finds the filter" in loose
    assert "Link them in the library" in loose


def test_rewards_owed_and_overdue_are_counted_and_lead_to_the_payout_queue(app, client, study):
    give_offer(app, study["dana"])
    first = book_interview(client, next_weekday_slot(10))
    second = book_interview(client, next_weekday_slot(14), "lee@customer.example", "Lee Paid")
    log_in(client, study["dana"].email)
    for booked in (first, second):
        started_minutes_ago(app, booked["interview_id"], 50)
        client.post(
            f"/interviews/{booked['interview_id']}/attendance", data={"status": "completed"}
        )
    with app.app_context():
        reward = db.session.scalar(db.select(Reward).filter_by(interview_id=first["interview_id"]))
        reward.owed_at = utc_now() - timedelta(days=app.config["REWARD_OVERDUE_DAYS"] + 1)
        db.session.commit()
    page = home(client)
    owed = block(page, "rewards-heading")
    assert "2 owed, 1 overdue" in owed
    assert 'href="/rewards?status=owed"' in page


def test_studies_not_taking_bookings_say_why(app, client, study):
    dana, sam = study["dana"], study["sam"]
    give_offer(app, dana, currency="USD")
    with app.app_context():
        budgets.set_budget(dana, None, "EUR", "100")
        studies.create_study(
            dana, studies.StudyDraft(title="Pricing page draft", host_user_id=dana.user_id)
        )
        sams = studies.create_study(
            sam, studies.StudyDraft(title="Sam's onboarding study", host_user_id=sam.user_id)
        )
        studies.set_status(sam, sams.id, StudyStatus.PUBLISHED)
    log_in(client, dana.email)
    stopped = block(home(client), "studies-heading")
    assert "Northwind product interview about dashboards" in stopped
    assert "New bookings are paused: the workspace's" in stopped
    assert "No times to offer: Sam Rivera has not set any hours." in stopped
    assert "Pricing page draft" in stopped and "Draft: the booking link opens" in stopped
    # The silent reasons first: a paused budget, then no hours, then the draft.
    assert (
        stopped.index("New bookings are paused")
        < stopped.index("No times to offer")
        < stopped.index("Draft:")
    )


def test_this_months_no_show_rate_is_set_against_the_reference_lines(app, client, study):
    came = book_interview(client, next_weekday_slot(10))
    missed = book_interview(client, next_weekday_slot(14), "lee@customer.example", "Lee Away")
    log_in(client, study["dana"].email)
    for booked, status in ((came, "completed"), (missed, "no_show")):
        started_minutes_ago(app, booked["interview_id"], 50)
        client.post(f"/interviews/{booked['interview_id']}/attendance", data={"status": status})
    page = home(client)
    rate = block(page, "no-show-heading")
    assert "50% 1 of 2 calls due" in rate
    assert "Over 40%" in rate
    assert '<meter min="0" max="1" low="0.1" high="0.4" optimum="0" value="0.5"' in page


def test_another_workspaces_calls_takeaways_rewards_and_studies_never_show(
    app, client, study, make_workspace
):
    booked = book_interview(client, next_weekday_slot(10))
    started_minutes_ago(app, booked["interview_id"], 5)
    with app.app_context():
        takeaways.add_takeaway(
            study["dana"],
            takeaways.TakeawayDraft(
                text="Northwind secret", source="support", context="Support ticket"
            ),
        )
        studies.create_study(
            study["dana"],
            studies.StudyDraft(title="Northwind hidden draft", host_user_id=study["dana"].user_id),
        )
    other = make_workspace(name="Elsewhere", owner_name="Eli Else")
    log_in(client, other.email)
    page = home(client)
    for secret in ("Pat Customer", "Northwind secret", "Northwind hidden draft", "Northwind"):
        assert secret not in page
    assert "Get started: 0 of 5 done" in page
    assert "No calls today." in page


@pytest.mark.parametrize("role", [Role.VIEWER])
def test_a_viewer_sees_the_home_without_invitations_to_create(client, study, add_member, role):
    viewer = add_member(study["dana"], role=role, name="Vic Viewer")
    log_in(client, viewer.email)
    page = home(client)
    assert "Nothing booked after today." in page
    assert "Share a study's booking link" not in page


def test_a_first_sign_in_says_welcome_and_a_later_log_in_welcome_back(client, make_workspace):
    signed_up = client.post(
        "/signup",
        data={
            "workspace_name": "Kestrel Labs",
            "name": "Kim Tanaka",
            "email": "kim@kestrel.example",
            "password": PASSWORD,
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Welcome, Kim Tanaka" in signed_up
    assert "Welcome back" not in signed_up and "Welcome back" not in home(client)

    client.post("/logout")
    log_in(client, "kim@kestrel.example")
    assert "Welcome back, Kim Tanaka." in home(client)


def test_a_checklist_put_away_stays_away_for_teammates_in_other_browsers(
    app, client, make_workspace, add_member
):
    owner = make_workspace(name="Kestrel Labs")
    teammate = add_member(owner, role=Role.RESEARCHER)
    theirs = app.test_client()
    log_in(theirs, teammate.email)
    assert "Get started" in home(theirs)
    log_in(client, owner.email)

    client.post("/home/checklist/dismiss")

    # The checklist is the workspace's: put away by one, it is away for the other too,
    # in a session that was open already, and in a new sign-in of the one who put it away.
    assert "Get started" not in home(theirs)
    again = app.test_client()
    log_in(again, owner.email)
    assert "Get started" not in home(again)
    # Another workspace's checklist is its own.
    other = make_workspace(name="Elsewhere")
    elsewhere = app.test_client()
    log_in(elsewhere, other.email)
    assert "Get started: 0 of 5 done" in home(elsewhere)


def test_a_link_copied_in_one_browser_ticks_share_for_the_whole_workspace(app, client, study):
    log_in(client, study["dana"].email)
    copied = re.search(r'data-link-copied="(/home/studies/\d+/link-copied)"', home(client))

    assert client.post(copied.group(1)).status_code == 204

    sam = app.test_client()
    log_in(sam, study["sam"].email)
    assert "Share the booking link (done)" in block(home(sam), "first-run-heading")


def test_a_viewer_neither_sees_nor_puts_away_the_teams_checklist(
    app, client, make_workspace, add_member
):
    owner = make_workspace()
    viewer = add_member(owner, role=Role.VIEWER)
    log_in(client, viewer.email)

    assert "Get started" not in home(client)
    assert client.post("/home/checklist/dismiss").status_code == 403

    owners = app.test_client()
    log_in(owners, owner.email)
    assert "Get started: 0 of 5 done" in home(owners)
