"""The team's side: the agenda, the interview page, changes on the interviewee's behalf."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from interviews.accounts.rules import Role
from tests.conftest import (
    book_interview,
    held_calls,
    log_in,
    next_weekday_slot,
    started_minutes_ago,
)


def book(client, start, email="pat@customer.example", name="Pat Customer"):
    return book_interview(client, start, email, name, answers=["Weekly revenue reviews"])


def test_the_agenda_lists_upcoming_interviews_by_day_in_the_hosts_time(client, study):
    first = next_weekday_slot(10)
    book(client, first)
    book(client, first + timedelta(hours=3), email="quinn@customer.example", name="Quinn Buyer")
    cancelled = book(
        client, first + timedelta(hours=5), email="gone@customer.example", name="Gone Person"
    )
    client.post(
        f"/api/v1/public/manage/{cancelled['manage_url'].rsplit('/', 1)[1]}/cancel", json={}
    )
    log_in(client, study["dana"].email)

    page = client.get("/agenda").get_data(as_text=True)

    assert f"{first:%A %-d %B}" in page
    assert "10:00–10:45" in page and "13:00–13:45" in page  # Dana's Berlin hours
    assert page.index("Pat Customer") < page.index("Quinn Buyer")
    assert "Gone Person" not in page


def test_the_interview_page_has_who_when_and_how_to_reach_them(client, study):
    booking = book(client, next_weekday_slot(10))
    log_in(client, study["sam"].email)

    page = client.get(f"/interviews/{booking['interview_id']}").get_data(as_text=True)

    assert "Interview with Pat Customer" in page
    assert 'href="tel:+14155552671"' in page
    assert 'href="https://meet.example.com/northwind-dana"' in page
    # Sam keeps no hours of his own, so he reads UTC; Pat's own time is New York's.
    start = datetime.fromisoformat(booking["start"])
    for zone in (UTC, ZoneInfo("America/New_York")):
        local = start.astimezone(zone)
        assert f"{local:%H:%M}–{local + timedelta(minutes=45):%H:%M}" in page
    assert "Weekly revenue reviews" in page


def test_the_interview_page_lists_the_persons_other_interviews(client, study):
    first = book(client, next_weekday_slot(10))
    cancelled = book(client, next_weekday_slot(12))
    client.post(
        f"/api/v1/public/manage/{cancelled['manage_url'].rsplit('/', 1)[1]}/cancel", json={}
    )
    other = book(client, next_weekday_slot(14), email="quinn@customer.example", name="Quinn")
    log_in(client, study["dana"].email)

    page = client.get(f"/interviews/{first['interview_id']}").get_data(as_text=True)
    history = page[page.index("Other interviews with Pat Customer") :]

    assert f'href="/interviews/{cancelled["interview_id"]}"' in history
    assert "cancelled" in history
    assert f'href="/interviews/{other["interview_id"]}"' not in history
    quinn = client.get(f"/interviews/{other['interview_id']}").get_data(as_text=True)
    assert "This is the first interview with Quinn." in quinn


def test_another_workspaces_interview_is_a_404(app, client, study, make_workspace):
    booking = book(client, next_weekday_slot(10))
    stranger = make_workspace(name="Elsewhere")
    log_in(client, stranger.email)

    response = client.get(f"/interviews/{booking['interview_id']}")
    assert response.status_code == 404
    assert "Pat Customer" not in response.get_data(as_text=True)
    assert client.post(f"/interviews/{booking['interview_id']}/cancel", data={}).status_code == 404


def test_a_researcher_moves_it_for_them_and_their_link_keeps_working(client, study, sent_mail):
    start = next_weekday_slot(10)
    booking = book(client, start)
    old_token = booking["manage_url"].rsplit("/", 1)[1]
    log_in(client, study["sam"].email)
    later = start + timedelta(hours=2)

    response = client.post(
        f"/interviews/{booking['interview_id']}/reschedule",
        data={"start": later.astimezone(UTC).isoformat()},
    )

    assert response.status_code == 302
    moved_to = later.astimezone(UTC)  # Sam reads UTC
    page = client.get(f"/interviews/{booking['interview_id']}").get_data(as_text=True)
    assert f"{moved_to:%H:%M}–{moved_to + timedelta(minutes=45):%H:%M}" in page
    [moved] = [m for m in sent_mail() if m.kind == "rescheduled"]
    link = re.search(r"Reschedule or cancel here: http://desk\.test(\S+)", moved.text_body).group(1)
    # The link they already have keeps working, and shows the new time.
    assert link == f"/manage/{old_token}"
    manage = client.get(link).get_data(as_text=True)
    assert f"{later.astimezone(ZoneInfo('America/New_York')):%H:%M}" in manage


def test_a_researcher_cancels_for_them_and_they_are_offered_a_new_time(client, study, sent_mail):
    booking = book(client, next_weekday_slot(10))
    log_in(client, study["sam"].email)

    response = client.post(
        f"/interviews/{booking['interview_id']}/cancel", data={"reason": "Dana is ill"}
    )

    assert response.status_code == 302
    assert "cancelled" in client.get(f"/interviews/{booking['interview_id']}").get_data(
        as_text=True
    )
    [to_pat] = [m for m in sent_mail() if m.kind == "cancelled"]
    assert "Dana is ill" in to_pat.text_body
    assert "http://desk.test/book/dashboards" in to_pat.text_body
    assert to_pat.attachments[0].content_type == "text/calendar; method=CANCEL"


def test_a_viewer_sees_the_interview_but_cannot_change_it(app, client, study, add_member):
    booking = book(client, next_weekday_slot(10))
    viewer = add_member(study["dana"], role=Role.VIEWER, name="Vic Viewer")
    log_in(client, viewer.email)

    page = client.get(f"/interviews/{booking['interview_id']}").get_data(as_text=True)
    assert "Interview with Pat Customer" in page and "Move it for them" not in page
    assert client.post(f"/interviews/{booking['interview_id']}/cancel", data={}).status_code == 403
    assert "booked" in client.get(f"/interviews/{booking['interview_id']}").get_data(as_text=True)


def test_a_started_call_is_marked_from_the_agenda(app, client, study, sent_mail):
    booking = book(client, next_weekday_slot(10))
    later = book(client, next_weekday_slot(14), email="quinn@customer.example", name="Quinn")
    started_minutes_ago(app, booking["interview_id"], 40)
    log_in(client, study["dana"].email)

    agenda = client.get("/agenda").get_data(as_text=True)
    assert "Pat Customer did not show up" in agenda
    assert "Quinn did not show up" not in agenda  # not started yet: nothing to mark

    response = client.post(
        f"/interviews/{booking['interview_id']}/attendance",
        data={"status": "no_show", "next": "/agenda"},
    )

    assert response.headers["Location"].endswith("/agenda")
    assert [m.kind for m in sent_mail() if m.recipient == "pat@customer.example"][
        -1
    ] == "followup_missed"
    assert later["interview_id"]


def test_calls_still_to_finish_list_the_newest_twenty_and_show_all_on_request(app, client, study):
    held_calls(app, book(client, next_weekday_slot(10))["interview_id"], 25)
    log_in(client, study["dana"].email)

    def still_to_do(page: str) -> str:
        found = re.search(r'<section aria-labelledby="after-call-heading".*?</section>', page, re.S)
        assert found, "no after-call list"
        return found.group(0)

    first = still_to_do(client.get("/agenda").get_data(as_text=True))
    assert first.count("5 checklist items open") == 20
    newest = (datetime.now(UTC) - timedelta(days=1)).astimezone(ZoneInfo("Europe/Berlin"))
    assert first.index(newest.strftime("%a %-d %b")) < first.index("checklist items open")
    assert "20 of 25 shown, newest first." in first and "Show all 25" in first

    everything = still_to_do(client.get("/agenda?after=all").get_data(as_text=True))
    assert everything.count("5 checklist items open") == 25 and "Show all" not in everything
