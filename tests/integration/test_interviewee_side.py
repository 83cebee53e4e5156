"""The interviewee's side on a phone: the manage link's choices, a cancelled link, the
booking form's errors, and attendance that waits for the interview to start."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from interviews.accounts import api_tokens
from interviews.db import db
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus
from tests.conftest import book_interview, log_in, next_weekday_slot, started_minutes_ago


def _text(response) -> str:
    """The page's words, tags dropped and spacing collapsed: what a person reads."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _manage_token(booking) -> str:
    return booking["manage_url"].rsplit("/", 1)[1]


def _radio_values(page: str) -> set[str]:
    return set(re.findall(r'<input type="radio" name="start" value="([^"]+)"', page))


def test_the_manage_page_never_offers_the_interviews_own_time(client, study):
    start = next_weekday_slot(10)
    token = _manage_token(book_interview(client, start))
    day = start.astimezone(UTC).date()

    page = client.get(f"/manage/{token}?tz=Europe/Berlin&from={day}").get_data(as_text=True)

    offered = _radio_values(page)
    assert start.astimezone(UTC).isoformat() not in offered
    # Times overlapping it stay open (it does not block itself): 30 minutes later is there.
    assert (start + timedelta(minutes=30)).astimezone(UTC).isoformat() in offered


def test_the_reschedule_slots_endpoint_has_the_public_shape_without_the_current_time(client, study):
    start = next_weekday_slot(10)
    token = _manage_token(book_interview(client, start))
    day = start.astimezone(UTC).date().isoformat()

    response = client.get(
        f"/api/v1/public/manage/{token}/slots?from={day}&to={day}&timezone=Asia/Tokyo"
    )
    public = client.get(
        f"/api/v1/public/studies/dashboards/slots?from={day}&to={day}&timezone=Asia/Tokyo"
    )

    assert response.status_code == 200
    assert set(response.json) == set(public.json) == {"timezone", "slots"}
    assert response.json["timezone"] == "Asia/Tokyo"
    starts = [datetime.fromisoformat(s["start"]) for s in response.json["slots"]]
    assert starts and start not in starts
    assert all(set(s) == {"start", "end"} for s in response.json["slots"])
    document = client.get("/api/v1/openapi.json").json
    described = document["paths"]["/api/v1/public/manage/{token}/slots"]["get"]
    assert "never" in described["description"]


def test_moving_to_the_same_time_is_refused_and_sends_nothing(app, client, study, sent_mail):
    start = next_weekday_slot(10)
    token = _manage_token(book_interview(client, start))
    before = len(sent_mail())

    page = client.post(
        f"/manage/{token}/reschedule",
        data={"start": start.astimezone(UTC).isoformat(), "tz": "Asia/Tokyo"},
    )
    api = client.post(
        f"/api/v1/public/manage/{token}/reschedule", json={"start": start.isoformat()}
    )

    assert page.status_code == 422
    assert "Your interview is already at that time" in _text(page)
    assert 'class="error-summary"' in page.get_data(as_text=True)
    assert api.status_code == 422
    assert api.json["error"]["code"] == "same_time"
    assert len(sent_mail()) == before
    assert not [m for m in sent_mail() if m.kind.startswith("rescheduled")]
    with app.app_context():
        interview = db.session.scalar(select(Interview))
        assert (interview.start_at, interview.ics_sequence) == (start, 0)


def test_a_cancelled_link_says_so_and_when_and_offers_to_book_again(client, study):
    token = _manage_token(book_interview(client, next_weekday_slot(10)))
    cancelled = client.post(f"/manage/{token}/cancel", data={"reason": "Travelling"})
    assert "Book another time" in _text(cancelled)

    later = client.get(f"/manage/{token}")

    words = _text(later)
    assert later.status_code == 404  # a dead link stays a 404 page (shared/API.md)
    assert "Your interview is cancelled" in words
    assert re.search(r"was cancelled on \w+day \d{1,2} \w+ 20\d\d at \d\d:\d\d", words)
    assert "Northwind product interview about dashboards" in words
    page = later.get_data(as_text=True)
    assert re.search(r'href="/book/dashboards\?tz=America/New_York"[^>]*>Book another time<', page)
    assert "Go to the overview" not in page and 'href="/"' not in page.split("<main")[1]


def test_a_cancelled_link_of_a_closed_study_offers_no_booking(app, client, study):
    token = _manage_token(book_interview(client, next_weekday_slot(10)))
    client.post(f"/manage/{token}/cancel", data={})
    with app.app_context():
        view = studies.published_study("dashboards")
        studies.set_status(study["dana"], view.id, StudyStatus.CLOSED)

    words = _text(client.get(f"/manage/{token}"))

    assert "Your interview is cancelled" in words
    assert "Book another time" not in words
    assert "is not taking new bookings now" in words and "Reply to any email from Dana" in words


def test_a_made_up_manage_link_does_not_send_the_interviewee_to_the_team_login(client):
    page = client.get("/manage/not-a-real-token").get_data(as_text=True)

    assert "This link does not work" in page
    assert "Go to the overview" not in page


def _book_form(start, **changes):
    form = {
        "name": "Haru Sato",
        "email": "haru@customer.example",
        "phone": "+81 90-1234-5678",
        "tz": "Asia/Tokyo",
        "start": start.astimezone(UTC).isoformat(),
        "answer-0": "Monthly close",
    }
    form.update(changes)
    return form


def test_booking_form_shows_every_error_at_once_at_the_top_and_keeps_what_was_typed(
    app, client, study
):
    start = next_weekday_slot(10)

    response = client.post(
        "/book/dashboards",
        data=_book_form(start, name="", email="haru@", phone="+81 90 0000 0000"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    assert "autofocus" in page.split('class="error-summary"')[1].split(">")[0]
    assert 'href="#name"' in summary and 'href="#email"' in summary and 'href="#phone"' in summary
    assert "not valid in Japan (+81)" in summary and "+81 90-1234-5678" in summary
    assert 'value="haru@"' in page and 'value="+81 90 0000 0000"' in page
    assert "Monthly close" in page
    assert page.index('class="error-summary"') < page.index("<h1>")  # first thing in view
    with app.app_context():
        assert db.session.scalars(select(Interview)).all() == []


def test_phone_errors_name_the_country_with_an_example(client, study):
    start = next_weekday_slot(10)
    expected = {
        "+81 90 0000 0000": ("not valid in Japan (+81)", "+81 90-1234-5678"),
        "+81 90 1234": ("too short for Japan (+81)", "+81 90-1234-5678"),
        "+1 415 555": ("too short for North America (+1)", "+1 201-555-0123"),
        "+49 30 12": ("not valid in Germany (+49)", "+49 1512 3456789"),
        "+49 151 0000 0000 0000 00": ("too long for Germany (+49)", "+49 1512 3456789"),
    }
    for phone, (problem, example) in expected.items():
        words = _text(client.post("/book/dashboards", data=_book_form(start, phone=phone)))
        assert problem in words, phone
        assert example in words, phone


def test_a_japanese_mobile_number_books(app, client, study):
    start = next_weekday_slot(10)

    response = client.post("/book/dashboards", data=_book_form(start))

    assert response.status_code == 302
    with app.app_context():
        interview = db.session.scalar(select(Interview))
        assert interview.participant.phone == "+819012345678"


def test_completed_and_no_show_wait_for_the_interview_to_start(app, client, study):
    booking = book_interview(client, next_weekday_slot(10))
    log_in(client, study["dana"].email)
    interview_id = booking["interview_id"]

    page = _text(client.get(f"/interviews/{interview_id}"))
    assert "You can record it once the interview starts" in page
    assert "No-show" not in page.split("How did it go?")[1].split("Messages")[0]

    for status in ("completed", "no_show", "joined"):
        client.post(f"/interviews/{interview_id}/attendance", data={"status": status})
    with app.app_context():
        assert db.session.get(Interview, interview_id).status is InterviewStatus.BOOKED


def test_only_joined_is_offered_just_before_the_start_and_the_api_refuses_the_rest(
    app, client, study
):
    booking = book_interview(client, next_weekday_slot(10))
    interview_id = booking["interview_id"]
    started_minutes_ago(app, interview_id, -10)  # starts in 10 minutes
    with app.app_context():
        _, token = api_tokens.create_api_token(
            study["dana"].user_id, study["dana"].workspace_id, "attendance test"
        )
    headers = {"Authorization": f"Bearer {token}"}
    log_in(client, study["dana"].email)

    section = _text(client.get(f"/interviews/{interview_id}")).split("How did it go?")[1]
    section = section.split("Messages")[0]
    refused = client.post(
        f"/api/v1/interviews/{interview_id}/attendance",
        json={"status": "completed"},
        headers=headers,
    )
    joined = client.post(
        f"/api/v1/interviews/{interview_id}/attendance", json={"status": "joined"}, headers=headers
    )

    assert "They joined" in section and "Completed" not in section.split("once it has")[1]
    assert refused.status_code == 409
    assert refused.json["error"]["message"] == (
        "The interview has not started yet; mark it completed once it has."
    )
    assert joined.status_code == 200 and joined.json["status"] == "joined"

    started_minutes_ago(app, interview_id, 5)
    done = client.post(
        f"/api/v1/interviews/{interview_id}/attendance",
        json={"status": "completed"},
        headers=headers,
    )
    assert done.status_code == 200 and done.json["status"] == "completed"
