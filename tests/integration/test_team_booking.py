"""Hosts taking turns (round robin) and note-takers who must be free, as the people
involved meet them: the booking page, the times offered, who the booking goes to, the
emails and pages that name the host, and the study form that sets it up."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from interviews.accounts import api_tokens
from interviews.accounts.rules import Role
from interviews.db import db
from interviews.errors import InvalidInput
from interviews.message_plan import MessageKind
from interviews.messaging.models import OutboxMessage
from interviews.scheduling import busy_calendars, hours
from interviews.scheduling.models import Interview
from interviews.studies import service as studies
from interviews.studies.models import Study, StudyStatus
from tests.conftest import BERLIN, book_interview, log_in, next_weekday_slot
from tests.integration.html_forms import read_page


def change_study(app, owner, slug: str = "dashboards", **changes) -> None:
    """Change a study through the same update the study form makes; the rest stays."""
    with app.app_context():
        study_id = db.session.scalar(select(Study.id).filter_by(slug=slug))
        view = studies.get_study(owner.workspace_id, study_id)
        fields = {
            "title": view.title,
            "host_user_id": view.host.user_id,
            "description": view.description,
            "meeting_url": view.meeting_url,
            "phone_fallback": view.phone_fallback,
            "reward_text": view.reward_text,
            "questions": view.questions,
            "colleague_user_ids": tuple(c.user_id for c in view.colleagues),
            "rotation_host_user_ids": tuple(p.user_id for p in view.hosts[1:]),
            "note_takers_required": view.note_takers_required,
            "slug": view.slug,
        }
        studies.update_study(owner, study_id, studies.StudyDraft(**{**fields, **changes}))


def weekday_hours(app, user_id: int, zone: str = "Europe/Berlin", start=time(9), end=time(17)):
    with app.app_context():
        hours.set_availability(user_id, timezone=zone, weekly=[(d, start, end) for d in range(5)])


@pytest.fixture
def rotation(app, study):
    """The `study` fixture's study with Sam (Berlin, weekdays 09-17) taking turns with
    Dana; nobody takes notes."""
    weekday_hours(app, study["sam"].user_id)
    change_study(
        app,
        study["dana"],
        rotation_host_user_ids=(study["sam"].user_id,),
        colleague_user_ids=(),
    )
    return study


def host_of(app, interview_id: int) -> int:
    with app.app_context():
        return db.session.get(Interview, interview_id).host_id


def berlin_times(client, day, slug: str = "dashboards") -> list[str]:
    response = client.get(
        f"/api/v1/public/studies/{slug}/slots?from={day}&to={day}&timezone=Europe/Berlin"
    )
    assert response.status_code == 200, response.json
    return [
        datetime.fromisoformat(s["start"]).astimezone(BERLIN).strftime("%H:%M")
        for s in response.json["slots"]
    ]


def token_of(booking: dict) -> str:
    return booking["manage_url"].rsplit("/", 1)[1]


# --- round robin -------------------------------------------------------------------------


def test_the_booking_page_names_every_host_taking_turns(client, rotation):
    page = client.get("/book/dashboards").get_data(as_text=True)
    assert "45 minutes with Dana Reyes or Sam Rivera" in page


def test_a_booking_goes_to_the_free_host_with_fewer_interviews_then_by_name(app, client, rotation):
    dana, sam = rotation["dana"].user_id, rotation["sam"].user_id
    day = next_weekday_slot(10)
    first = book_interview(client, day, email="a@customer.example")
    second = book_interview(client, day + timedelta(hours=2), email="b@customer.example")
    third = book_interview(client, day + timedelta(hours=4), email="c@customer.example")
    # 0-0: Dana before Sam by name; then Sam has fewer; then 1-1 again: Dana.
    assert [host_of(app, b["interview_id"]) for b in (first, second, third)] == [dana, sam, dana]


def test_a_booking_goes_to_the_only_free_host_whatever_their_load(app, client, rotation):
    dana, sam = rotation["dana"], rotation["sam"]
    day = next_weekday_slot(10)
    # Sam hosts a study of his own too: two interviews there count as his load.
    with app.app_context():
        own = studies.create_study(
            dana, studies.StudyDraft(title="Sam's study", host_user_id=sam.user_id, slug="sams")
        )
        studies.set_status(dana, own.id, StudyStatus.PUBLISHED)
    for n, hour in enumerate((10, 14)):
        response = client.post(
            "/api/v1/public/studies/sams/bookings",
            json={
                "name": f"Kim {n}",
                "email": f"kim{n}@other.example",
                "phone": "+1 415 555 2671",
                "timezone": "Europe/Berlin",
                "start": (day + timedelta(hours=hour - 10)).isoformat(),
            },
        )
        assert response.status_code == 201, response.json
    lighter = book_interview(client, day + timedelta(hours=2), email="a@customer.example")
    assert host_of(app, lighter["interview_id"]) == dana.user_id

    # Dana takes a day off: that day's times are still offered, and they are all Sam's.
    off = (day + timedelta(days=1)).date()
    while off.weekday() >= 5:
        off += timedelta(days=1)
    with app.app_context():
        hours.set_day(dana.user_id, off, [])
    assert berlin_times(client, off)[0] == "09:00"
    only = book_interview(
        client, datetime.combine(off, time(11), tzinfo=BERLIN), email="b@customer.example"
    )
    assert host_of(app, only["interview_id"]) == sam.user_id


def test_the_interviewee_and_the_team_hear_from_and_about_the_assigned_host(
    app, client, rotation, sent_mail
):
    dana, sam = rotation["dana"], rotation["sam"]
    start = next_weekday_slot(10)
    book_interview(client, start, email="first@customer.example", name="First Person")
    booked = book_interview(client, start, email="pat@customer.example")  # Dana is taken
    assert host_of(app, booked["interview_id"]) == sam.user_id

    mails = [m for m in sent_mail() if m.kind in ("confirmation", "invite_team")]
    confirmation = next(m for m in mails if m.recipient == "pat@customer.example")
    assert (confirmation.sender_name, confirmation.reply_to) == ("Sam Rivera", sam.email)
    assert "call with Sam Rivera" in confirmation.text_body
    assert "Dana Reyes" not in confirmation.text_body
    event = Calendar.from_ical(confirmation.attachments[0].content).walk("VEVENT")[0]
    assert str(event["organizer"]) == f"mailto:{sam.email}"
    # The team's invite for it goes to Sam; Dana hears only of her own interview.
    about_pat = [m for m in mails if m.kind == "invite_team" and "Pat Customer" in m.subject]
    assert [m.recipient for m in about_pat] == [sam.email]
    with app.app_context():
        reminders = db.session.scalars(
            select(OutboxMessage.recipient_user_id).where(
                OutboxMessage.interview_id == booked["interview_id"],
                OutboxMessage.kind == MessageKind.HOST_REMINDER,
            )
        ).all()
    assert reminders and set(reminders) == {sam.user_id}

    manage = client.get(f"/manage/{token_of(booked)}").get_data(as_text=True)
    assert "<dt>With</dt><dd>Sam Rivera</dd>" in manage
    ics = client.get(f"/api/v1/public/manage/{token_of(booked)}/invite.ics")
    assert f"mailto:{sam.email}" in ics.get_data(as_text=True)

    log_in(client, dana.email)
    page = client.get(f"/interviews/{booked['interview_id']}").get_data(as_text=True)
    assert "<dt>Host</dt><dd>Sam Rivera" in page

    client.post(f"/manage/{token_of(booked)}/cancel", data={"reason": "Away"})
    cancelled = client.get(f"/manage/{token_of(booked)}").get_data(as_text=True)
    assert "<dt>With</dt><dd>Sam Rivera</dd>" in cancelled
    told = [m for m in sent_mail() if m.kind.startswith("cancelled")]
    assert {m.recipient for m in told} == {"pat@customer.example", sam.email}


def test_a_move_keeps_its_host_and_offers_only_their_times(app, client, rotation, sent_mail):
    sam = rotation["sam"]
    start = next_weekday_slot(10)
    book_interview(client, start, email="first@customer.example")  # Dana's
    booked = book_interview(client, start, email="pat@customer.example")
    assert host_of(app, booked["interview_id"]) == sam.user_id
    # Sam is off the next weekday; Dana is free all of it.
    off = (start + timedelta(days=1)).date()
    while off.weekday() >= 5:
        off += timedelta(days=1)
    with app.app_context():
        hours.set_day(sam.user_id, off, [])
    assert berlin_times(client, off)[0] == "09:00"  # the study still offers Dana's times
    token = token_of(booked)
    offered = client.get(
        f"/api/v1/public/manage/{token}/slots?from={off}&to={off}&timezone=Europe/Berlin"
    )
    assert offered.json["slots"] == []
    refused = client.post(
        f"/api/v1/public/manage/{token}/reschedule",
        json={"start": datetime.combine(off, time(11), tzinfo=BERLIN).isoformat()},
    )
    assert refused.status_code == 409

    moved = client.post(
        f"/api/v1/public/manage/{token}/reschedule",
        json={"start": (start + timedelta(hours=3)).isoformat()},
    )
    assert moved.status_code == 200, moved.json
    assert host_of(app, booked["interview_id"]) == sam.user_id
    notices = [m for m in sent_mail() if m.kind.startswith("rescheduled")]
    assert {m.recipient for m in notices} == {"pat@customer.example", sam.email}
    assert all("Dana Reyes" not in m.text_body for m in notices)


# --- note-takers who must be free ----------------------------------------------------------


def calendar_with(start: datetime, end: datetime) -> bytes:
    """A calendar holding one busy event."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Busy//EN\r\n"
        "BEGIN:VEVENT\r\nUID:busy@test\r\n"
        f"DTSTART:{start.astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{end.astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}\r\n"
        "SUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@pytest.mark.parametrize("required", [True, False])
def test_a_required_note_takers_week_removes_times_and_an_optional_ones_does_not(
    app, client, study, required
):
    dana, sam = study["dana"], study["sam"]
    # Sam takes notes from London, 9 to 15 there (10 to 16 in Berlin), on weekdays.
    weekday_hours(app, sam.user_id, zone="Europe/London", start=time(9), end=time(15))
    change_study(app, dana, note_takers_required=required)
    days = [next_weekday_slot(10).date()]
    while len(days) < 4:
        following = days[-1] + timedelta(days=1)
        days.append(following if following.weekday() < 5 else following + timedelta(days=2))
    hours_day, off_day, interview_day, busy_day = days

    def at(day, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=BERLIN)

    with app.app_context():
        hours.set_day(sam.user_id, off_day, [])  # a day off
        calendar = busy_calendars.add_busy_calendar(
            sam.user_id, "https://calendar.example/sam.ics", seeded=True
        )
        busy_calendars.store_copy(calendar, calendar_with(at(busy_day, 13), at(busy_day, 14)))
        # Sam hosts a study of his own, with an interview at 12:00 (Berlin) that day.
        own = studies.create_study(
            dana,
            studies.StudyDraft(title="Sam's study", host_user_id=sam.user_id, slug="sams"),
        )
        studies.set_status(dana, own.id, StudyStatus.PUBLISHED)
    booked = client.post(
        "/api/v1/public/studies/sams/bookings",
        json={
            "name": "Kim Other",
            "email": "kim@other.example",
            "phone": "+1 415 555 2671",
            "timezone": "Europe/Berlin",
            "start": at(interview_day, 12).isoformat(),
        },
    )
    assert booked.status_code == 201, booked.json

    dana_hours = [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)][:-1]  # to 16:00
    if not required:
        for day in days:
            assert berlin_times(client, day) == dana_hours
        return
    sam_hours = [t for t in dana_hours if "10:00" <= t <= "15:15"]  # over by 16:00 Berlin
    assert berlin_times(client, hours_day) == sam_hours
    assert berlin_times(client, off_day) == []
    # His 12:00-12:45 interview and the study's 30-minute buffer either side of it.
    assert berlin_times(client, interview_day) == [
        t for t in sam_hours if not "10:45" < t < "13:15"
    ]
    # The dentist, 13:00-14:00: no 45-minute call may overlap it.
    assert berlin_times(client, busy_day) == [t for t in sam_hours if not "12:15" < t < "14:00"]
    refused = client.post(
        "/api/v1/public/studies/dashboards/bookings",
        json={
            "name": "Pat Customer",
            "email": "pat@customer.example",
            "phone": "+1 415 555 2671",
            "timezone": "Europe/Berlin",
            "start": at(hours_day, 9).isoformat(),  # Dana is free; Sam is not working yet
        },
    )
    assert refused.status_code == 409


# --- the study form and the API --------------------------------------------------------------


def selected(page: str, name: str) -> list[str]:
    """The values of the selected options of the select ``name``."""
    found = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert found, name
    options = re.findall(r"<option([^>]*)>", found.group(1))
    return [
        re.search(r'value="([^"]*)"', attrs).group(1) for attrs in options if "selected" in attrs
    ]


def checked(page: str, name: str) -> bool:
    found = re.search(rf'<input([^>]*name="{name}"[^>]*)>', page)
    assert found, name
    return "checked" in found.group(1)


def test_the_study_form_sets_hosts_taking_turns_and_required_note_takers(
    app, client, study, add_member
):
    dana, sam = study["dana"], study["sam"]
    kim = add_member(dana, role=Role.RESEARCHER, name="Kim Novak")
    log_in(client, dana.email)
    with app.app_context():
        study_id = db.session.scalar(select(Study.id).filter_by(slug="dashboards"))
    path = f"/studies/{study_id}/edit"
    form = read_page(client.get(path).get_data(as_text=True))
    data = {i.name: i.value for i in form.inputs if i.name and i.tag != "select"}
    data.update(
        host_user_id=str(dana.user_id),
        reward_kind="none",
        rotation_host_user_ids=[str(sam.user_id)],
        colleague_user_ids=[str(kim.user_id)],
        note_takers_required="y",
        title="",  # refused: everything else typed stays
    )
    data = {k: v for k, v in data.items() if v != ""} | {"title": ""}

    refused = client.post(path, data=data)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert read_page(page).summary and read_page(page).summary[0][0] == "title"
    assert selected(page, "rotation_host_user_ids") == [str(sam.user_id)]
    assert selected(page, "colleague_user_ids") == [str(kim.user_id)]
    assert checked(page, "note_takers_required")

    outsider = client.post(
        path, data={**data, "title": "Dashboards", "rotation_host_user_ids": ["999999"]}
    )
    assert outsider.status_code == 422
    assert "rotation_host_user_ids" in read_page(outsider.get_data(as_text=True)).field_errors

    saved = client.post(path, data={**data, "title": "Dashboards"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    show = client.get(f"/studies/{study_id}").get_data(as_text=True)
    assert "taking turns: Dana Reyes, Sam Rivera, with Kim Novak (who must be free too)" in show
    edit = client.get(path).get_data(as_text=True)
    assert selected(edit, "rotation_host_user_ids") == [str(sam.user_id)]

    with app.app_context():
        _, secret = api_tokens.create_api_token(dana.user_id, dana.workspace_id, "crm")
    answer = client.get(
        f"/api/v1/studies/{study_id}", headers={"Authorization": f"Bearer {secret}"}
    ).json
    assert answer["host"]["name"] == "Dana Reyes"
    assert [h["name"] for h in answer["hosts"]] == ["Dana Reyes", "Sam Rivera"]
    assert [c["name"] for c in answer["colleagues"]] == ["Kim Novak"]
    assert answer["note_takers_required"] is True


def test_a_host_taking_turns_must_be_a_member_and_is_nobodys_note_taker(app, study, make_workspace):
    dana, sam = study["dana"], study["sam"]
    stranger = make_workspace(name="Elsewhere", owner_name="Olive Other")
    with pytest.raises(InvalidInput) as refused:
        change_study(app, dana, rotation_host_user_ids=(stranger.user_id,))
    assert refused.value.field == "rotation_host_user_ids"
    change_study(app, dana, rotation_host_user_ids=(sam.user_id, sam.user_id, dana.user_id))
    with app.app_context():
        view = studies.published_study("dashboards")
    assert [p.name for p in view.hosts] == ["Dana Reyes", "Sam Rivera"]
    assert view.colleagues == ()  # Sam hosts in turn: he is not also taking notes
    # Saving again keeps the rotation (its rows are kept, not re-made).
    change_study(app, dana)
    with app.app_context():
        assert [p.name for p in studies.published_study("dashboards").hosts] == [
            "Dana Reyes",
            "Sam Rivera",
        ]
