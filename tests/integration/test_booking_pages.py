"""The interviewee's pages: booking without JavaScript, and the emailed manage link."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from interviews.db import db
from interviews.scheduling.models import Interview, InterviewStatus
from tests.conftest import next_weekday_slot

NEW_YORK = ZoneInfo("America/New_York")


def form_for(start, **changes):
    form = {
        "name": "Pat Customer",
        "email": "pat@customer.example",
        "phone": "+1 415 555 2671",
        "tz": "America/New_York",
        "start": start.astimezone(UTC).isoformat(),
        "answer-0": "Weekly revenue reviews",
    }
    form.update(changes)
    return form


def interviews(app):
    with app.app_context():
        return db.session.scalars(select(Interview)).all()


def test_the_booking_page_shows_the_study_and_times_in_the_viewers_zone(client, study):
    start = next_weekday_slot(9)
    day = start.astimezone(NEW_YORK).date()
    page = client.get(f"/book/dashboards?tz=America/New_York&from={day}").get_data(as_text=True)

    assert "<h1>Northwind product interview about dashboards</h1>" in page
    assert "45 minutes with Dana Reyes" in page
    assert "We are redesigning dashboards" in page
    assert "a $20 gift card" in page
    assert "What do you use dashboards for?" in page
    # 09:00 in Berlin is 03:00 in New York; the radio posts the instant back in UTC.
    assert f'value="{start.astimezone(UTC).isoformat()}"' in page
    assert re.search(
        r'value="' + re.escape(start.astimezone(UTC).isoformat()) + r'"[^>]*>\s*<span>03:00</span>',
        page,
    )
    phone_input = re.search(r'<input[^>]*id="phone"[^>]*>', page).group(0)
    assert " required" in phone_input  # the study asks for a phone number


def test_booking_from_the_page_leads_to_the_manage_page_with_a_confirmation(
    app, client, study, sent_mail
):
    start = next_weekday_slot(10)
    response = client.post("/book/dashboards", data=form_for(start))

    assert response.status_code == 302
    manage_path = response.headers["Location"]
    assert manage_path.startswith("/manage/")
    page = client.get(manage_path).get_data(as_text=True)
    assert "You are booked." in page
    local = start.astimezone(NEW_YORK)
    assert f"{local:%H:%M}" in page and "America/New York" in page
    [interview] = interviews(app)
    assert interview.answers == [
        {"question": "What do you use dashboards for?", "answer": "Weekly revenue reviews"}
    ]
    assert any(m.kind == "confirmation" and manage_path in m.text_body for m in sent_mail())


def test_a_slot_taken_meanwhile_shows_a_friendly_message_and_fresh_times(app, client, study):
    start = next_weekday_slot(10)
    client.post("/book/dashboards", data=form_for(start))

    response = app.test_client().post(
        "/book/dashboards", data=form_for(start, email="late@customer.example")
    )

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "that time was just taken" in page
    assert f'value="{start.astimezone(UTC).isoformat()}"' not in page
    assert 'value="late@customer.example"' in page  # what they typed is kept
    assert len(interviews(app)) == 1


def test_invalid_details_are_shown_next_to_their_fields_and_nothing_is_booked(app, client, study):
    response = client.post("/book/dashboards", data=form_for(next_weekday_slot(10), phone="12"))

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="phone-error"' in page and "phone number with its country code" in page
    assert interviews(app) == []


def test_rescheduling_and_cancelling_from_the_manage_page(app, client, study, sent_mail):
    start = next_weekday_slot(10)
    manage_path = client.post("/book/dashboards", data=form_for(start)).headers["Location"]
    later = start + timedelta(hours=2)

    response = client.post(
        f"{manage_path}/reschedule",
        data={"start": later.astimezone(UTC).isoformat(), "tz": "America/New_York"},
    )
    assert response.status_code == 302
    assert "Moved." in client.get(manage_path).get_data(as_text=True)
    [interview] = interviews(app)
    assert interview.start_at == later

    response = client.post(f"{manage_path}/cancel", data={"reason": "Something came up"})
    assert response.status_code == 200
    assert "Your interview is cancelled" in response.get_data(as_text=True)
    [interview] = interviews(app)
    assert interview.status is InterviewStatus.CANCELLED
    assert interview.cancel_reason == "Something came up"

    dead = client.get(manage_path)
    assert dead.status_code == 404
    assert "This link no longer works" in dead.get_data(as_text=True)


def test_a_made_up_manage_link_is_a_friendly_404(client):
    response = client.get("/manage/not-a-real-token")
    assert response.status_code == 404
    assert "This link no longer works" in response.get_data(as_text=True)


def test_an_unknown_booking_link_is_a_friendly_404(client):
    response = client.get("/book/no-such-study")
    assert response.status_code == 404
    assert "This booking link is not open" in response.get_data(as_text=True)


def test_the_booking_form_is_protected_against_cross_site_posts(make_app, study):
    app = make_app(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/book/dashboards", data=form_for(next_weekday_slot(10)))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Interview)) == 0


def test_the_week_links_never_lead_before_today(client, study):
    page = client.get("/book/dashboards?tz=UTC").get_data(as_text=True)
    assert "Earlier days" not in page
    assert "Later days" in page
    later = client.get("/book/dashboards?tz=UTC&from=2099-01-01").get_data(as_text=True)
    assert "from=2098-12-25" in later
