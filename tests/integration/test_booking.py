"""Booking, rescheduling and cancelling through the public API, as an interviewee would."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from interviews.clock import utc_now
from interviews.db import db
from interviews.participants.models import Participant
from interviews.scheduling import hours
from interviews.scheduling.models import Interview
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus
from tests.conftest import next_weekday_slot


def booking_body(when: datetime, **changes):
    body = {
        "name": "Pat Customer",
        "email": "Pat@Customer.example",
        "phone": "+1 415 555 2671",
        "timezone": "America/New_York",
        "start": when.isoformat(),
        "answers": ["Weekly revenue reviews"],
    }
    body.update(changes)
    return body


def book(client, when, **changes):
    return client.post(
        "/api/v1/public/studies/dashboards/bookings", json=booking_body(when, **changes)
    )


def ics_of(mail) -> Calendar:
    [attachment] = mail.attachments
    assert attachment.filename == "interview.ics"
    assert attachment.content_type.startswith("text/calendar; method=")
    return Calendar.from_ical(attachment.content)


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_slots_are_listed_on_the_viewers_days_in_the_viewers_zone(client, study):
    start = next_weekday_slot(9)
    day = start.astimezone(ZoneInfo("America/New_York")).date()
    response = client.get(
        f"/api/v1/public/studies/dashboards/slots?from={day}&to={day}&timezone=America/New_York"
    )
    assert response.status_code == 200
    slots = response.json["slots"]
    assert response.json["timezone"] == "America/New_York"
    # Berlin 09:00 is 03:00 in New York: the first slot of that New York day.
    first = datetime.fromisoformat(slots[0]["start"])
    assert first == start.astimezone(UTC)
    assert datetime.fromisoformat(slots[0]["end"]) - first == timedelta(minutes=45)
    assert all(
        datetime.fromisoformat(s["start"]).astimezone(ZoneInfo("America/New_York")).date() == day
        for s in slots
    )


def test_booking_confirms_and_sends_invites_to_the_interviewee_host_and_colleague(
    app, client, study, sent_mail
):
    start = next_weekday_slot(10)
    response = book(client, start)

    assert response.status_code == 201, response.json
    body = response.json
    assert datetime.fromisoformat(body["start"]) == start
    assert datetime.fromisoformat(body["end"]) == start + timedelta(minutes=45)
    assert body["manage_url"].startswith("http://desk.test/manage/")
    assert body["ics_url"].startswith("http://desk.test/api/v1/public/manage/")

    mails = {m.recipient: m for m in sent_mail() if m.kind in ("confirmation", "invite_team")}
    assert set(mails) == {"pat@customer.example", study["dana"].email, study["sam"].email}
    confirmation = mails["pat@customer.example"]
    assert confirmation.subject == "Confirmed: Northwind product interview about dashboards"
    assert (confirmation.sender_name, confirmation.reply_to) == ("Dana Reyes", study["dana"].email)
    # Time in the interviewee's zone, and everything they need.
    local = start.astimezone(ZoneInfo("America/New_York"))
    assert (
        f"{local:%H:%M}" in confirmation.text_body
        and "(America/New_York)" in confirmation.text_body
    )
    for needed in (
        "https://meet.example.com/northwind-dana",
        "+49 30 1234567",
        "a $20 gift card",
        body["manage_url"],
    ):
        assert needed in confirmation.text_body

    invite = ics_of(confirmation).walk("VEVENT")[0]
    assert ics_of(confirmation)["method"] == "REQUEST"
    assert invite.decoded("dtstart") == start
    assert int(invite["sequence"]) == 0
    assert str(invite["organizer"]) == f"mailto:{study['dana'].email}"
    assert {str(a) for a in invite.get("attendee")} == {
        "mailto:pat@customer.example",
        f"mailto:{study['sam'].email}",
    }
    assert str(invite["location"]) == "https://meet.example.com/northwind-dana"
    assert "a $20 gift card" in str(invite["description"])

    team = mails[study["dana"].email]
    assert team.subject.startswith("New interview: Pat Customer")
    assert "+14155552671" in team.text_body  # normalised, so the host can call
    assert "Weekly revenue reviews" in team.text_body
    assert f"http://desk.test/interviews/{body['interview_id']}" in team.text_body
    assert str(ics_of(team).walk("VEVENT")[0]["uid"]) == str(invite["uid"])

    with app.app_context():
        participant = db.session.scalar(select(Participant))
        assert (participant.email, participant.phone, participant.timezone) == (
            "pat@customer.example",
            "+14155552671",
            "America/New_York",
        )


def test_a_taken_slot_answers_409_with_fresh_slots_and_books_nothing_more(app, client, study):
    start = next_weekday_slot(10)
    assert book(client, start).status_code == 201

    response = book(client, start, email="other@customer.example")

    assert response.status_code == 409
    assert "just taken" in response.json["error"]["message"]
    fresh = [datetime.fromisoformat(s["start"]) for s in response.json["slots"]]
    assert fresh and start not in fresh
    assert count(app, Interview) == 1


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"email": "not-an-address"}, "Enter an email address"),
        ({"phone": "12"}, "phone number with its country code"),
        ({"phone": ""}, "so the host can call"),
        ({"timezone": "Mars/Olympus"}, "is not a time zone"),
        ({"name": "  "}, "`name` is required"),
        ({"start": "next tuesday"}, "ISO 8601"),
        ({"start": "2026-12-01T10:00:00"}, "needs an offset"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_writes_nothing(
    app, client, study, sent_mail, changes, field_message
):
    response = book(client, next_weekday_slot(10), **changes)

    assert response.status_code == 422
    assert field_message in response.json["error"]["message"]
    assert count(app, Interview) == 0
    assert count(app, Participant) == 0
    assert [m for m in sent_mail() if m.kind in ("confirmation", "invite_team")] == []


def test_a_time_off_the_grid_or_outside_the_hosts_hours_is_not_bookable(client, study):
    assert book(client, next_weekday_slot(10) + timedelta(minutes=7)).status_code == 409
    assert book(client, next_weekday_slot(20)).status_code == 409
    assert book(client, utc_now() + timedelta(hours=1)).status_code == 409  # inside the 12 h notice


def test_an_unpublished_or_unknown_study_is_a_404(app, client, study):
    assert client.get("/api/v1/public/studies/nope/slots").status_code == 404
    with app.app_context():
        studies.set_status(
            study["dana"], studies.published_study("dashboards").id, StudyStatus.CLOSED
        )
    response = book(client, next_weekday_slot(10))
    assert response.status_code == 404
    assert "not open" in response.json["error"]["message"]


def test_rescheduling_keeps_the_uid_bumps_the_sequence_and_frees_the_old_time(
    app, client, study, sent_mail
):
    first = next_weekday_slot(10)
    booked = book(client, first).json
    token = booked["manage_url"].rsplit("/", 1)[1]
    later = first + timedelta(hours=3)

    response = client.post(
        f"/api/v1/public/manage/{token}/reschedule", json={"start": later.isoformat()}
    )

    assert response.status_code == 200
    assert datetime.fromisoformat(response.json["start"]) == later
    assert response.json["manage_url"] == booked["manage_url"]
    moved = [m for m in sent_mail() if m.kind.startswith("rescheduled")]
    assert {m.recipient for m in moved} == {
        "pat@customer.example",
        study["dana"].email,
        study["sam"].email,
    }
    event = ics_of(moved[0]).walk("VEVENT")[0]
    original = ics_of([m for m in sent_mail() if m.kind == "confirmation"][0]).walk("VEVENT")[0]
    assert str(event["uid"]) == str(original["uid"])
    assert int(event["sequence"]) == 1
    assert event.decoded("dtstart") == later
    # The old time is open again for someone else.
    assert book(client, first, email="someone@else.example").status_code == 201

    ics = client.get(f"/api/v1/public/manage/{token}/invite.ics")
    assert ics.mimetype == "text/calendar"
    assert int(Calendar.from_ical(ics.data).walk("VEVENT")[0]["sequence"]) == 1


def test_cancelling_sends_method_cancel_frees_the_slot_and_retires_the_link(
    app, client, study, sent_mail
):
    start = next_weekday_slot(10)
    token = book(client, start).json["manage_url"].rsplit("/", 1)[1]

    response = client.post(
        f"/api/v1/public/manage/{token}/cancel", json={"reason": "Travelling that week"}
    )

    assert response.status_code == 200
    cancelled = [m for m in sent_mail() if m.kind.startswith("cancelled")]
    assert {m.recipient for m in cancelled} == {
        "pat@customer.example",
        study["dana"].email,
        study["sam"].email,
    }
    calendar = ics_of(cancelled[0])
    assert calendar["method"] == "CANCEL"
    assert int(calendar.walk("VEVENT")[0]["sequence"]) == 1
    assert (
        "Travelling that week"
        in [m for m in cancelled if m.recipient == study["dana"].email][0].text_body
    )
    assert "http://desk.test/book/dashboards" in cancelled[0].text_body

    assert client.get(f"/api/v1/public/manage/{token}/invite.ics").status_code == 404
    assert client.post(f"/api/v1/public/manage/{token}/cancel", json={}).status_code == 404
    assert book(client, start, email="next@customer.example").status_code == 201


def test_booking_again_with_the_same_email_is_the_same_participant(app, client, study):
    book(client, next_weekday_slot(10))
    again = book(client, next_weekday_slot(14), email="PAT@customer.example", name="Pat C.")
    assert again.status_code == 201, again.json

    with app.app_context():
        people = db.session.scalars(select(Participant)).all()
        assert [(p.email, p.name) for p in people] == [("pat@customer.example", "Pat C.")]
    assert count(app, Interview) == 2


def test_fifty_people_racing_for_one_slot_book_exactly_one_interview(app, study, sent_mail):
    start = next_weekday_slot(11)
    statuses: list[int] = []
    barrier = threading.Barrier(50)

    def racer(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/public/studies/dashboards/bookings",
            json=booking_body(start, email=f"racer{n}@customer.example", name=f"Racer {n}"),
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [201] + [409] * 49
    assert count(app, Interview) == 1
    assert len([m for m in sent_mail() if m.kind == "confirmation"]) == 1


def race(app, bookings: list[tuple[str, datetime]]) -> list[int]:
    """Everyone books at once (slug, start each): the HTTP statuses they got."""
    statuses: list[int] = []
    barrier = threading.Barrier(len(bookings))

    def racer(n: int, slug: str, start: datetime) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/public/studies/{slug}/bookings",
            json=booking_body(
                start, email=f"racer{n}@customer.example", name=f"Racer {n}", answers=[]
            ),
        )
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=racer, args=(n, slug, start))
        for n, (slug, start) in enumerate(bookings)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def team_study(app, owner, *, slug, host, rotation=(), note_takers=(), required=False):
    with app.app_context():
        view = studies.create_study(
            owner,
            studies.StudyDraft(
                title=f"Study {slug}",
                host_user_id=host,
                rotation_host_user_ids=tuple(rotation),
                colleague_user_ids=tuple(note_takers),
                note_takers_required=required,
                phone_required=False,
                slug=slug,
            ),
        )
        studies.set_status(owner, view.id, StudyStatus.PUBLISHED)


def berlin_weekdays(app, *user_ids: int) -> None:
    with app.app_context():
        for user_id in user_ids:
            hours.set_availability(
                user_id,
                timezone="Europe/Berlin",
                weekly=[(d, time(9), time(17)) for d in range(5)],
            )


def test_fifty_people_racing_for_one_slot_of_two_hosts_book_one_interview_each(
    app, study, sent_mail
):
    dana, sam = study["dana"].user_id, study["sam"].user_id
    berlin_weekdays(app, sam)
    team_study(app, study["dana"], slug="turns", host=dana, rotation=(sam,))
    start = next_weekday_slot(11)

    statuses = race(app, [("turns", start)] * 50)

    assert sorted(statuses) == [201] * 2 + [409] * 48
    with app.app_context():
        booked = db.session.scalars(select(Interview)).all()
        assert sorted(i.host_id for i in booked) == sorted([dana, sam])
        assert {i.start_at for i in booked} == {start}
    assert len([m for m in sent_mail() if m.kind == "confirmation"]) == 2


def test_a_required_note_taker_shared_by_two_studies_is_never_double_booked(app, study, add_member):
    """Dana's and Kim's studies both need Sam taking notes; people race for overlapping
    times in both. Dana and Kim are free; Sam can be on one call only."""
    dana, sam = study["dana"], study["sam"].user_id
    kim = add_member(dana, name="Kim Novak").user_id
    berlin_weekdays(app, sam, kim)
    team_study(app, dana, slug="with-dana", host=dana.user_id, note_takers=(sam,), required=True)
    team_study(app, dana, slug="with-kim", host=kim, note_takers=(sam,), required=True)
    start = next_weekday_slot(11)
    overlapping = start + timedelta(minutes=30)

    statuses = race(app, [("with-dana", start), ("with-kim", overlapping)] * 25)

    assert sorted(statuses) == [201] + [409] * 49
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Interview)) == 1
