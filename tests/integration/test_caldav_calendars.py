"""CalDAV calendars: a host connects a login, its calendars are found, and their events
keep interviews away within 60 s, read live from the server (Radicale on loopback).

Loopback is refused by default (see test_a_loopback_address_is_refused_by_default), so
these apps set BUSY_FEED_ALLOW_PRIVATE, as development does. The clock the slots and
booking flows read is moved forward by patching their module's ``utc_now``.
"""

from __future__ import annotations

import base64
import logging
import socket
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from interviews.accounts import api_tokens
from interviews.clock import utc_now
from interviews.commands import calendars_rekey
from interviews.db import db
from interviews.flows import booking as booking_flow
from interviews.flows import move as move_flow
from interviews.scheduling import busy_calendars
from interviews.scheduling.models import BusyCalendar, BusyTime, CalDavAccount, Interview
from tests.caldav_server import CalDavServer
from tests.conftest import BERLIN, book_interview, log_in, next_weekday_slot

PASSWORD = "Sup3r-secret-app-pass"
OTHER_KEY = "a-newer-secret-key-for-rotation"


@pytest.fixture
def app(make_app):
    return make_app(BUSY_FEED_ALLOW_PRIVATE=True)


@pytest.fixture
def auth(app, study) -> dict[str, str]:
    with app.app_context():
        _, secret = api_tokens.create_api_token(
            study["dana"].user_id, study["dana"].workspace_id, "calendars"
        )
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def dana_dav(caldav_server: CalDavServer) -> dict[str, str]:
    """Dana's CalDAV login with two event calendars and a task list."""
    caldav_server.add_user("dana", PASSWORD)
    return {
        "work": caldav_server.make_calendar("dana", PASSWORD, "work", "Work"),
        "family": caldav_server.make_calendar("dana", PASSWORD, "family", "Family & friends"),
        "tasks": caldav_server.make_calendar("dana", PASSWORD, "tasks", "Tasks", component="VTODO"),
    }


@pytest.fixture
def clock(monkeypatch) -> Callable[[float], None]:
    """Move the booking flow's clock forward by some seconds (cumulative)."""
    moved = timedelta(0)

    def advance(seconds: float) -> None:
        nonlocal moved
        moved += timedelta(seconds=seconds)

    monkeypatch.setattr(booking_flow, "utc_now", lambda: utc_now() + moved)
    return advance


def event(uid: str, start: datetime, minutes: int = 60, summary: str = "Dentist") -> str:
    stamp = "%Y%m%dT%H%M%S"
    end = start + timedelta(minutes=minutes)
    return (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\n"
        f"UID:{uid}\nDTSTAMP:20260101T000000Z\n"
        f"DTSTART;TZID=Europe/Berlin:{start.astimezone(BERLIN).strftime(stamp)}\n"
        f"DTEND;TZID=Europe/Berlin:{end.astimezone(BERLIN).strftime(stamp)}\n"
        f"SUMMARY:{summary}\nEND:VEVENT\nEND:VCALENDAR\n"
    )


def berlin_times(client, day: date) -> list[str]:
    response = client.get(
        f"/api/v1/public/studies/dashboards/slots?from={day}&to={day}&timezone=Europe/Berlin"
    )
    assert response.status_code == 200, response.json
    return [
        datetime.fromisoformat(s["start"]).astimezone(BERLIN).strftime("%H:%M")
        for s in response.json["slots"]
    ]


def connect(client, auth, url: str, username: str = "dana", password: str = PASSWORD, **more):
    return client.post(
        "/api/v1/me/calendars",
        json={"kind": "caldav", "url": url, "username": username, "password": password, **more},
        headers=auth,
    )


def calendars(client, auth) -> list[dict]:
    response = client.get("/api/v1/me/calendars", headers=auth)
    assert response.status_code == 200
    return response.json["items"]


# --- discovery -------------------------------------------------------------------------


def test_from_the_server_root_every_event_calendar_is_found_and_blocks(
    client, auth, caldav_server, dana_dav
):
    response = connect(client, auth, caldav_server.url)

    assert response.status_code == 201, response.json
    found = {item["name"]: item for item in response.json["items"]}
    assert set(found) == {"Work", "Family & friends"}  # not the task list
    assert found["Work"]["url"] == dana_dav["work"]
    assert all(item["kind"] == "caldav" and item["blocks"] for item in found.values())
    assert not any(item["write"] for item in found.values())
    assert [c["name"] for c in calendars(client, auth)] == ["Work", "Family & friends"]


def test_from_the_principal_address_the_calendars_are_found(client, auth, caldav_server, dana_dav):
    response = connect(client, auth, caldav_server.url + "dana/")

    assert response.status_code == 201, response.json
    assert sorted(item["name"] for item in response.json["items"]) == ["Family & friends", "Work"]


def test_a_calendars_own_address_adds_that_calendar_and_can_receive_interviews(
    app, client, auth, caldav_server, dana_dav
):
    response = connect(client, auth, dana_dav["family"], write=True)

    assert response.status_code == 201, response.json
    [item] = response.json["items"]
    assert (item["name"], item["url"], item["write"]) == (
        "Family & friends",
        dana_dav["family"],
        True,
    )
    with app.app_context():
        [account] = db.session.scalars(select(CalDavAccount)).all()
        assert account.principal_url == caldav_server.url + "dana/"


def test_connecting_the_same_login_again_merges(client, auth, caldav_server, dana_dav):
    assert connect(client, auth, dana_dav["work"]).status_code == 201

    again = connect(client, auth, caldav_server.url)

    assert again.status_code == 201, again.json
    assert sorted(c["name"] for c in calendars(client, auth)) == ["Family & friends", "Work"]


def test_a_task_list_address_is_refused_on_url(client, auth, dana_dav):
    response = connect(client, auth, dana_dav["tasks"])

    assert response.status_code == 422
    assert response.json["error"]["message"].startswith("`url`: That calendar cannot hold events")


def test_a_login_without_calendars_is_refused_on_url(client, auth, caldav_server):
    caldav_server.add_user("lee", "lee-pass")

    response = connect(client, auth, caldav_server.url, username="lee", password="lee-pass")

    assert response.status_code == 422
    assert response.json["error"]["message"] == (
        "`url`: No calendar was found for this login at this address: check the address, "
        "or give the address of a calendar."
    )


def test_a_wrong_password_is_refused_on_password(app, client, auth, caldav_server, dana_dav):
    response = connect(client, auth, caldav_server.url, password="not-the-password")

    assert response.status_code == 422
    message = response.json["error"]["message"]
    assert message.startswith("`password`: The server refused this username and password.")
    assert "not-the-password" not in message
    with app.app_context():
        assert db.session.scalars(select(CalDavAccount)).all() == []


def test_an_unknown_server_name_is_refused_on_url(client, auth):
    response = connect(client, auth, "http://calendar.nowhere.invalid/dav/")

    assert response.status_code == 422
    assert response.json["error"]["message"] == (
        "`url`: No server with that name was found: check the address."
    )


def test_a_closed_port_is_refused_on_url(client, auth):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # released: nothing listens there

    response = connect(client, auth, f"http://127.0.0.1:{port}/")

    assert response.status_code == 422
    assert response.json["error"]["message"].startswith("`url`: The server refused the connection")


def test_a_loopback_address_is_refused_by_default(make_app, study, caldav_server, dana_dav):
    app = make_app()  # BUSY_FEED_ALLOW_PRIVATE off, as in production
    with app.app_context():
        _, secret = api_tokens.create_api_token(
            study["dana"].user_id, study["dana"].workspace_id, "x"
        )
    client = app.test_client()
    before = caldav_server.requests()

    response = connect(client, {"Authorization": f"Bearer {secret}"}, caldav_server.url)

    assert response.status_code == 422
    assert "127.0.0.1 is this server itself" in response.json["error"]["message"]
    assert caldav_server.requests() == before  # nothing was sent there


def test_credentials_in_the_address_are_refused(client, auth, caldav_server, dana_dav):
    url = caldav_server.url.replace("http://", f"http://dana:{PASSWORD}@")

    response = connect(client, auth, url)

    assert response.status_code == 422
    message = response.json["error"]["message"]
    assert message.startswith("`url`: Leave the user name and password out of the address")
    assert PASSWORD not in message


# --- live busy time --------------------------------------------------------------------


def test_an_event_added_after_connecting_blocks_its_slot_within_a_minute(
    client, auth, caldav_server, dana_dav, study, clock
):
    day = next_weekday_slot(10)
    assert connect(client, auth, dana_dav["work"]).status_code == 201
    assert "10:00" in berlin_times(client, day.date())

    caldav_server.put_event(dana_dav["work"], "dana", PASSWORD, event("dentist", day))
    clock(61)
    times = berlin_times(client, day.date())

    assert "10:00" not in times and "10:30" not in times
    assert "09:00" in times and "11:00" in times


def test_within_a_minute_the_server_is_not_asked_again(
    client, auth, caldav_server, dana_dav, study, clock
):
    day = next_weekday_slot(10)
    assert connect(client, auth, caldav_server.url).status_code == 201
    caldav_server.put_event(dana_dav["family"], "dana", PASSWORD, event("school", day))

    assert "10:00" not in berlin_times(client, day.date())
    reports = caldav_server.requests("REPORT")
    assert reports >= 2  # each calendar read (the first request of a login may meet a 401)
    clock(30)
    caldav_server.put_event(
        dana_dav["work"], "dana", PASSWORD, event("standup", day.replace(hour=14))
    )
    times = berlin_times(client, day.date())

    assert caldav_server.requests("REPORT") == reports
    assert "14:00" in times  # the copy read 30 s ago does not have it yet
    clock(31)
    assert "14:00" not in berlin_times(client, day.date())
    assert caldav_server.requests("REPORT") > reports


def test_recurring_events_and_free_time_are_read_as_the_calendar_means(
    client, auth, caldav_server, dana_dav, study
):
    day = next_weekday_slot(10)
    weekly = event("weekly", day.replace(hour=12)).replace(
        "SUMMARY:Dentist", "RRULE:FREQ=WEEKLY;COUNT=4\nSUMMARY:Lunch"
    )
    free = event("free", day.replace(hour=15)).replace("SUMMARY:", "TRANSP:TRANSPARENT\nSUMMARY:")
    caldav_server.put_event(dana_dav["work"], "dana", PASSWORD, weekly)
    caldav_server.put_event(dana_dav["work"], "dana", PASSWORD, free)
    assert connect(client, auth, dana_dav["work"]).status_code == 201

    next_week = berlin_times(client, day.date() + timedelta(days=7))

    assert "12:00" not in next_week and "11:00" in next_week
    assert "15:00" in berlin_times(client, day.date())


def test_a_calendar_that_does_not_block_is_not_read_and_frees_its_time(
    client, auth, caldav_server, dana_dav, study
):
    day = next_weekday_slot(10)
    caldav_server.put_event(dana_dav["work"], "dana", PASSWORD, event("dentist", day))
    [work] = connect(client, auth, dana_dav["work"]).json["items"]
    assert "10:00" not in berlin_times(client, day.date())
    reports = caldav_server.requests("REPORT")

    response = client.patch(
        f"/api/v1/me/calendars/{work['id']}", json={"blocks": False}, headers=auth
    )

    assert response.status_code == 200 and response.json["blocks"] is False
    assert "10:00" in berlin_times(client, day.date())
    assert caldav_server.requests("REPORT") == reports


def test_our_own_interview_written_into_a_blocking_calendar_does_not_block_its_move(
    app, client, auth, caldav_server, dana_dav, study
):
    """The interview's event, written into the calendar that also blocks Dana's time, is
    read back as ours: it neither blocks twice nor stops the interview moving half an
    hour later, over its own old time."""
    day = next_weekday_slot(10)
    assert connect(client, auth, dana_dav["work"], write=True).status_code == 201
    booked = book_interview(client, day)
    [(_, written)] = caldav_server.events(dana_dav["work"], "dana", PASSWORD)
    with app.app_context():
        uid = db.session.get(Interview, booked["interview_id"]).ics_uid
    assert uid in written

    with app.app_context():
        moved = move_flow.move_interview(
            booked["interview_id"], (day + timedelta(minutes=30)).isoformat()
        )

    assert moved.start == day + timedelta(minutes=30)
    [(_, rewritten)] = caldav_server.events(dana_dav["work"], "dana", PASSWORD)
    assert "SEQUENCE:1" in rewritten


def test_with_the_server_down_the_last_copy_blocks_the_host_sees_why_and_booking_works(
    app, client, auth, caldav_server, dana_dav, study, clock
):
    day = next_weekday_slot(10)
    caldav_server.put_event(dana_dav["work"], "dana", PASSWORD, event("dentist", day))
    assert connect(client, auth, dana_dav["work"]).status_code == 201
    assert "10:00" not in berlin_times(client, day.date())

    caldav_server.stop()
    try:
        clock(61)
        times = berlin_times(client, day.date())
        [shown] = calendars(client, auth)
        booked = book_interview(client, day.replace(hour=14), "priya@example.com", "Priya")
        busy = client.post(
            "/api/v1/public/studies/dashboards/bookings",
            json={
                "name": "Lee",
                "email": "lee@example.com",
                "phone": "+4930123456",
                "timezone": "Europe/Berlin",
                "start": day.isoformat(),
            },
        )
    finally:
        caldav_server.start()

    assert "10:00" not in times and "14:00" in times
    assert shown["status"] == "failing"
    assert shown["error"].startswith("The server refused the connection")
    assert datetime.fromisoformat(booked["start"]) == day.replace(hour=14)
    assert busy.status_code == 409  # the re-check at booking still sees the dentist
    with app.app_context():
        [calendar] = db.session.scalars(select(BusyCalendar)).all()
        assert calendar.failures >= 1
        assert calendar.fetched_at is not None  # the good copy's time, kept
    clock(61)
    berlin_times(client, day.date())
    [shown] = calendars(client, auth)
    assert (shown["status"], shown["error"]) == ("ok", None)


def test_a_server_that_does_not_answer_costs_the_timeout_and_shows_it(
    make_app, study, caldav_server, dana_dav, clock
):
    app = make_app(BUSY_FEED_ALLOW_PRIVATE=True, CALDAV_TIMEOUT=1)
    client = app.test_client()
    with app.app_context():
        _, secret = api_tokens.create_api_token(
            study["dana"].user_id, study["dana"].workspace_id, "x"
        )
    auth = {"Authorization": f"Bearer {secret}"}
    day = next_weekday_slot(10)
    caldav_server.put_event(dana_dav["work"], "dana", PASSWORD, event("dentist", day))
    assert connect(client, auth, dana_dav["work"]).status_code == 201
    assert "10:00" not in berlin_times(client, day.date())
    # A server that takes connections but never answers (its backlog holds them).
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        with app.app_context():
            calendar = db.session.scalars(select(BusyCalendar)).one()
            calendar.url = f"http://127.0.0.1:{port}/dana/work/"
            db.session.commit()
        clock(61)
        times = berlin_times(client, day.date())
        [shown] = calendars(client, auth)

    assert "10:00" not in times and "14:00" in times
    assert shown["error"] == "The server did not answer within 1 second."


# --- the password stays secret ---------------------------------------------------------


def test_the_password_is_in_no_answer_page_log_line_or_table(
    app, client, auth, caldav_server, dana_dav, study, clock, caplog
):
    caplog.set_level(logging.DEBUG)
    day = next_weekday_slot(10)
    basic = base64.b64encode(f"dana:{PASSWORD}".encode()).decode()
    answers = [
        connect(client, auth, caldav_server.url, password=PASSWORD + "-wrong"),
        connect(client, auth, caldav_server.url, write=True),
    ]
    berlin_times(client, day.date())
    caldav_server.stop()
    try:
        clock(61)
        berlin_times(client, day.date())
    finally:
        caldav_server.start()
    answers.append(client.get("/api/v1/me/calendars", headers=auth))
    item = answers[-1].json["items"][0]
    answers.append(
        client.patch(f"/api/v1/me/calendars/{item['id']}", json={"write": True}, headers=auth)
    )
    pages = app.test_client()
    log_in(pages, study["dana"].email)
    page = pages.get("/availability")

    assert answers[1].status_code == 201 and page.status_code == 200
    for said in [*(a.get_data(as_text=True) for a in answers), page.get_data(as_text=True)]:
        assert PASSWORD not in said and basic not in said
    assert caplog.records, "nothing was logged: the check below would prove nothing"
    assert PASSWORD not in caplog.text and basic not in caplog.text
    with app.app_context():
        stored = db.session.scalars(select(CalDavAccount)).one()
        assert stored.password_encrypted and PASSWORD not in stored.password_encrypted
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(text(f'SELECT * FROM "{table.name}"')):
                assert PASSWORD not in repr(tuple(row)), table.name


# --- key rotation ----------------------------------------------------------------------


def test_a_password_sealed_under_an_old_key_opens_with_the_fallback_and_rekey_reseals_it(
    app, make_app, client, auth, caldav_server, dana_dav, study
):
    day = next_weekday_slot(10)
    caldav_server.put_event(dana_dav["work"], "dana", PASSWORD, event("dentist", day))
    assert connect(client, auth, dana_dav["work"]).status_code == 201
    old_key = app.config["SECRET_KEY"]
    rotated = make_app(
        BUSY_FEED_ALLOW_PRIVATE=True, SECRET_KEY=OTHER_KEY, SECRET_KEY_FALLBACKS=[old_key]
    )
    rotated_client = rotated.test_client()

    assert "10:00" not in berlin_times(rotated_client, day.date())
    [shown] = calendars(rotated_client, auth)
    assert shown["status"] == "ok"
    result = rotated.test_cli_runner().invoke(calendars_rekey)
    assert result.exit_code == 0, result.output
    assert "sealed under the current key: 1" in result.output

    # The old key can go now: the new one alone opens the password.
    new_only = make_app(BUSY_FEED_ALLOW_PRIVATE=True, SECRET_KEY=OTHER_KEY)
    with new_only.app_context():
        db.session.execute(text("DELETE FROM busy_time"))
        db.session.execute(text("UPDATE busy_calendar SET fetched_at = NULL"))
        db.session.commit()
    assert "10:00" not in berlin_times(new_only.test_client(), day.date())
    [shown] = calendars(new_only.test_client(), auth)
    assert shown["status"] == "ok"


def test_a_password_no_key_opens_shows_a_clear_error_not_a_500(
    make_app, client, auth, caldav_server, dana_dav, study
):
    assert connect(client, auth, dana_dav["work"]).status_code == 201
    lost = make_app(BUSY_FEED_ALLOW_PRIVATE=True, SECRET_KEY="a-key-that-never-sealed-it")
    lost_client = lost.test_client()
    day = next_weekday_slot(10)

    assert "10:00" in berlin_times(lost_client, day.date())  # slots still answer
    [shown] = calendars(lost_client, auth)
    assert shown["status"] == "failing"
    assert "The saved password cannot be read" in shown["error"]
    result = lost.test_cli_runner().invoke(calendars_rekey)
    assert result.exit_code == 1
    assert "1 password(s) cannot be opened with any key" in result.output
    # Entering the password again mends it.
    assert connect(lost_client, auth, dana_dav["work"]).status_code == 201
    [shown] = calendars(lost_client, auth)
    assert shown["status"] == "ok"


# --- the API ---------------------------------------------------------------------------


def test_the_list_shows_both_kinds_without_a_feeds_secret(
    app, client, auth, caldav_server, dana_dav, study
):
    with app.app_context():
        busy_calendars.add_busy_calendar(
            study["dana"].user_id,
            "https://calendar.example.com/private-abc123def456ghi789/basic.ics",
        )
    connect(client, auth, dana_dav["work"])

    items = calendars(client, auth)

    assert [(i["kind"], i["name"]) for i in items] == [
        ("ical", "calendar.example.com/private…ic.ics"),
        ("caldav", "Work"),
    ]
    assert "abc123def456ghi789" not in str(items)
    assert items[0]["write"] is False and items[0]["last_read_at"] is None


def test_one_calendar_at_most_receives_interviews(
    app, client, auth, caldav_server, dana_dav, study
):
    items = connect(client, auth, caldav_server.url, write=True).json["items"]
    work, family = (
        next(i for i in items if i["name"] == name) for name in ("Work", "Family & friends")
    )
    assert work["write"] and not family["write"]

    response = client.patch(
        f"/api/v1/me/calendars/{family['id']}", json={"write": True}, headers=auth
    )

    assert response.status_code == 200 and response.json["write"] is True
    assert {i["name"]: i["write"] for i in calendars(client, auth)} == {
        "Work": False,
        "Family & friends": True,
    }
    with app.app_context():
        feed = busy_calendars.add_busy_calendar(
            study["dana"].user_id, "https://calendar.example.com/feed.ics"
        )
    refused = client.patch(f"/api/v1/me/calendars/{feed}", json={"write": True}, headers=auth)
    assert refused.status_code == 422
    assert "only into a CalDAV calendar" in refused.json["error"]["message"]


def test_removing_the_last_calendar_of_a_login_removes_the_login(
    app, client, auth, caldav_server, dana_dav, study
):
    day = next_weekday_slot(10)
    caldav_server.put_event(dana_dav["work"], "dana", PASSWORD, event("dentist", day))
    items = connect(client, auth, caldav_server.url).json["items"]
    assert "10:00" not in berlin_times(client, day.date())

    for n, item in enumerate(items):
        response = client.delete(f"/api/v1/me/calendars/{item['id']}", headers=auth)
        assert response.status_code == 204
        with app.app_context():
            accounts = db.session.scalars(select(CalDavAccount)).all()
            assert len(accounts) == (1 if n < len(items) - 1 else 0)

    assert calendars(client, auth) == []
    assert "10:00" in berlin_times(client, day.date())
    with app.app_context():
        assert db.session.scalars(select(BusyTime)).all() == []


def test_another_persons_calendar_answers_404(
    app, client, auth, caldav_server, dana_dav, study, make_workspace
):
    [work] = connect(client, auth, dana_dav["work"]).json["items"]
    stranger = make_workspace(name="Elsewhere", owner_name="Eve Stranger")
    with app.app_context():
        _, secret = api_tokens.create_api_token(stranger.user_id, stranger.workspace_id, "x")
    theirs = {"Authorization": f"Bearer {secret}"}

    assert client.get("/api/v1/me/calendars", headers=theirs).json == {"items": []}
    assert (
        client.patch(
            f"/api/v1/me/calendars/{work['id']}", json={"blocks": False}, headers=theirs
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/me/calendars/{work['id']}", headers=theirs).status_code == 404
    assert calendars(client, auth)[0]["blocks"] is True


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            {"kind": "caldav", "url": "https://dav.example.com/", "username": "dana"},
            "`password` is required.",
        ),
        (
            {
                "kind": "ical",
                "url": "https://x.example.com/a.ics",
                "username": "a",
                "password": "b",
            },
            "`kind`",
        ),
        (
            {"kind": "caldav", "url": "ftp://dav.example.com/", "username": "d", "password": "p"},
            "`url`:",
        ),
        (
            {"kind": "caldav", "url": "https://dav.example.com/", "username": " ", "password": "p"},
            "`username`:",
        ),
        (
            {
                "kind": "caldav",
                "url": "https://dav.example.com/",
                "username": "d",
                "password": "p",
                "write": "yes",
            },
            "`write`",
        ),
    ],
)
def test_a_body_that_does_not_fit_is_refused_naming_the_field(client, auth, body, said):
    response = client.post("/api/v1/me/calendars", json=body, headers=auth)

    assert response.status_code == 422
    assert said in response.json["error"]["message"]


def test_too_many_calendars_are_refused(app, client, auth, caldav_server, dana_dav, study):
    with app.app_context():
        for n in range(busy_calendars.MAX_CALENDARS_PER_HOST - 1):
            busy_calendars.add_busy_calendar(
                study["dana"].user_id, f"https://calendar.example.com/{n}.ics"
            )

    response = connect(client, auth, caldav_server.url)  # two more: one too many

    assert response.status_code == 409
    assert "up to 10" in response.json["error"]["message"]
    with app.app_context():
        assert db.session.scalars(select(CalDavAccount)).all() == []
    assert connect(client, auth, dana_dav["work"]).status_code == 201
