"""A PM sets their hours, creates a study and publishes it; then it can be booked."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from interviews.accounts.rules import Role
from interviews.clock import utc_now
from tests.conftest import log_in

STUDY_FORM = {
    "title": "Acme product interview about exports",
    "description": "We want to learn how you get data out of Acme.",
    "duration_minutes": "30",
    "meeting_url": "https://meet.example.com/acme",
    "phone_fallback": "+1 415 555 0100",
    "reward_text": "a $20 gift card",
    "phone_required": "y",
    "questions": "What do you export?\nHow often?",
    "notice_hours": "12",
    "horizon_days": "30",
    "max_per_day": "3",
    "buffer_minutes": "30",
    "step_minutes": "30",
    "slug": "acme-exports",
}

HOURS = {
    "timezone": "America/New_York",
    **{f"day-{d}-on": "1" for d in range(5)},
    **{f"day-{d}-start": "10:00" for d in range(5)},
    **{f"day-{d}-end": "16:00" for d in range(5)},
}


def test_a_pm_sets_hours_creates_and_publishes_a_study_that_can_then_be_booked(
    client, make_workspace
):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)

    assert client.post("/availability", data=HOURS).status_code == 302
    hours_page = client.get("/availability").get_data(as_text=True)
    assert "Hours saved" in hours_page
    assert '<option value="America/New_York" selected>' in hours_page
    assert (
        client.get("/api/v1/public/studies/acme-exports/slots").status_code == 404
    )  # not created yet

    new_page = client.get("/studies/new").get_data(as_text=True)
    assert "Acme product interview about" in new_page  # the suggested title
    response = client.post("/studies/new", data={**STUDY_FORM, "host_user_id": str(owner.user_id)})
    assert response.status_code == 302
    study_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Study saved as a draft" in study_page and "(opens when published)" in study_page
    assert client.get("/book/acme-exports").status_code == 404

    study_id = re.search(r"/studies/(\d+)", response.headers["Location"]).group(1)
    client.post(f"/studies/{study_id}/status", data={"status": "published"})
    booking_page = client.get("/book/acme-exports?tz=America/New_York").get_data(as_text=True)
    assert "We want to learn how you get data out of Acme." in booking_page
    assert "<span>10:00</span>" in booking_page and "<span>15:30</span>" in booking_page
    assert "<span>16:00</span>" not in booking_page  # a 30-minute call must end by 16:00
    assert "What do you export?" in booking_page and "How often?" in booking_page

    client.post(f"/studies/{study_id}/status", data={"status": "closed"})
    assert client.get("/book/acme-exports").status_code == 404


def test_a_day_off_removes_that_days_times(client, make_workspace):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    client.post(
        "/availability",
        data={
            **HOURS,
            **{f"day-{d}-on": "1" for d in range(7)},
            "day-5-start": "10:00",
            "day-5-end": "16:00",
            "day-6-start": "10:00",
            "day-6-end": "16:00",
        },
    )
    client.post("/studies/new", data={**STUDY_FORM, "host_user_id": str(owner.user_id)})
    study_id = re.search(r"/studies/(\d+)", client.get("/studies").get_data(as_text=True)).group(1)
    client.post(f"/studies/{study_id}/status", data={"status": "published"})
    off = utc_now().astimezone(ZoneInfo("America/New_York")).date() + timedelta(days=5)

    client.post("/availability/days-off", data={"day": off.isoformat()})

    assert f"{off:%A %-d %B %Y}" in client.get("/availability").get_data(as_text=True)
    slots = client.get(
        f"/api/v1/public/studies/acme-exports/slots?from={off}&to={off}&timezone=America/New_York"
    ).json
    assert slots["slots"] == []
    client.post(f"/availability/days/{off.isoformat()}/remove")
    slots = client.get(
        f"/api/v1/public/studies/acme-exports/slots?from={off}&to={off}&timezone=America/New_York"
    ).json
    assert len(slots["slots"]) == 12  # 10:00, 10:30 ... 15:30


def publish_weekday_study(client, owner):
    """Weekday hours 10:00-16:00 New York and a published 30-minute study, acme-exports."""
    client.post("/availability", data=HOURS)
    client.post("/studies/new", data={**STUDY_FORM, "host_user_id": str(owner.user_id)})
    study_id = re.search(r"/studies/(\d+)", client.get("/studies").get_data(as_text=True)).group(1)
    client.post(f"/studies/{study_id}/status", data={"status": "published"})


def new_york_times(client, day):
    slots = client.get(
        f"/api/v1/public/studies/acme-exports/slots?from={day}&to={day}&timezone=America/New_York"
    ).json["slots"]
    zone = ZoneInfo("America/New_York")
    return [datetime.fromisoformat(s["start"]).astimezone(zone).strftime("%H:%M") for s in slots]


def test_extra_hours_open_a_day_outside_the_weekly_pattern(client, make_workspace):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    publish_weekday_study(client, owner)
    soonest = utc_now().astimezone(ZoneInfo("America/New_York")).date() + timedelta(days=2)
    saturday = soonest + timedelta(days=(5 - soonest.weekday()) % 7)
    assert new_york_times(client, saturday) == []

    page = client.post(
        "/availability/days",
        data={"day": saturday.isoformat(), "start": "09:00", "end": "10:00"},
        follow_redirects=True,
    ).get_data(as_text=True)
    client.post(
        "/availability/days", data={"day": saturday.isoformat(), "start": "14:00", "end": "15:00"}
    )

    assert f"{saturday:%A %-d %B}: open 09:00 to 10:00." in page
    assert new_york_times(client, saturday) == ["09:00", "09:30", "14:00", "14:30"]
    assert "open 09:00–10:00, 14:00–15:00" in client.get("/availability").get_data(as_text=True)

    # Saving the weekly hours again keeps the special day.
    client.post("/availability", data=HOURS)
    assert new_york_times(client, saturday) == ["09:00", "09:30", "14:00", "14:30"]

    client.post(f"/availability/days/{saturday.isoformat()}/remove")
    assert new_york_times(client, saturday) == []


def test_extra_hours_that_end_before_they_start_are_refused(client, make_workspace):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    publish_weekday_study(client, owner)
    day = utc_now().date() + timedelta(days=10)

    page = client.post(
        "/availability/days",
        data={"day": day.isoformat(), "start": "15:00", "end": "14:00"},
        follow_redirects=True,
    ).get_data(as_text=True)

    assert "15:00 to 14:00: the end comes after the start" in page
    assert "No special days planned." in page


def test_bad_hours_are_refused_with_the_day_named_and_nothing_changes(client, make_workspace):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    client.post("/availability", data=HOURS)

    response = client.post(
        "/availability", data={**HOURS, "day-2-start": "17:00", "day-2-end": "09:00"}
    )

    assert response.status_code == 422
    assert "Wednesday: the end comes after the start." in response.get_data(as_text=True)
    page = client.get("/availability").get_data(as_text=True)
    assert 'name="day-2-start" value="10:00"' in page


def test_viewers_cannot_create_studies(client, make_workspace, add_member):
    owner = make_workspace(name="Acme")
    viewer = add_member(owner, role=Role.VIEWER)
    log_in(client, viewer.email)
    assert client.get("/studies/new").status_code == 403
    assert (
        client.post(
            "/studies/new", data={**STUDY_FORM, "host_user_id": str(owner.user_id)}
        ).status_code
        == 403
    )
    assert "New study" not in client.get("/studies").get_data(as_text=True)


def test_editing_a_study_shows_its_current_values_and_changes_what_interviewees_see(
    client, make_workspace
):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    client.post("/availability", data=HOURS)
    created = client.post("/studies/new", data={**STUDY_FORM, "host_user_id": str(owner.user_id)})
    study_path = created.headers["Location"]
    client.post(f"{study_path}/status", data={"status": "published"})

    form_page = client.get(f"{study_path}/edit").get_data(as_text=True)
    assert 'value="Acme product interview about exports"' in form_page
    assert re.search(r'<input[^>]*id="slug"[^>]*value="acme-exports"', form_page)
    assert "What do you export?\nHow often?" in form_page

    changed = {
        **STUDY_FORM,
        "host_user_id": str(owner.user_id),
        "title": "Acme product interview about imports",
        "duration_minutes": "60",
        "slug": "acme-imports",
    }
    response = client.post(f"{study_path}/edit", data=changed)

    assert response.status_code == 302
    assert client.get("/book/acme-exports").status_code == 404
    page = client.get("/book/acme-imports?tz=America/New_York").get_data(as_text=True)
    assert "Acme product interview about imports" in page and "60 minutes with" in page
    assert (
        "<span>15:00</span>" in page and "<span>15:30</span>" not in page
    )  # an hour must end by 16:00


def test_a_taken_booking_link_is_refused_next_to_the_field(client, make_workspace):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    client.post("/studies/new", data={**STUDY_FORM, "host_user_id": str(owner.user_id)})

    response = client.post("/studies/new", data={**STUDY_FORM, "host_user_id": str(owner.user_id)})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="slug-error"' in page and "The link /book/acme-exports is taken" in page


def test_a_study_sets_its_own_reminders_and_switches_follow_ups_off(client, make_workspace):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    client.post("/availability", data=HOURS)
    form = {**STUDY_FORM, "host_user_id": str(owner.user_id), "reminders": "2d, 30m"}
    form.pop("phone_required")

    response = client.post("/studies/new", data=form)

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "48 hours, 30 minutes before" in page and "follow-ups off" in page
    edit = client.get(response.headers["Location"] + "/edit").get_data(as_text=True)
    assert 'value="48h, 30m"' in edit


def test_reminders_that_make_no_sense_are_refused_and_nothing_is_saved(client, make_workspace):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)

    response = client.post(
        "/studies/new",
        data={**STUDY_FORM, "host_user_id": str(owner.user_id), "reminders": "soon"},
    )

    assert response.status_code == 422
    assert "“soon” is not a time before the call; write e.g. 24h, 1h, 10m" in response.get_data(
        as_text=True
    )
    assert "Acme product interview about exports" not in client.get("/studies").get_data(
        as_text=True
    )
