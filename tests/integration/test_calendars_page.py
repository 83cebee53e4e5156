"""The calendars section of /availability, as a host uses it: connecting a CalDAV login
(a real Radicale), choosing which calendar blocks time and which receives interviews,
seeing a failing server or write, and refusals that keep what was typed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from interviews.clock import utc_now
from interviews.db import db
from interviews.scheduling.models import (
    BusyCalendar,
    CalDavAccount,
    CalendarWrite,
    CalendarWriteAction,
    CalendarWriteStatus,
)
from tests.caldav_server import CalDavServer
from tests.conftest import book_interview, log_in, next_weekday_slot
from tests.integration.html_forms import read_page

PASSWORD = "Page-app-password-42"


@pytest.fixture
def app(make_app):
    # Radicale listens on loopback: allowed as in development.
    return make_app(BUSY_FEED_ALLOW_PRIVATE=True)


@pytest.fixture
def dana_dav(caldav_server: CalDavServer) -> dict[str, str]:
    caldav_server.add_user("dana", PASSWORD)
    return {
        "work": caldav_server.make_calendar("dana", PASSWORD, "work", "Work"),
        "family": caldav_server.make_calendar("dana", PASSWORD, "family", "Family"),
    }


@pytest.fixture
def dana(client, study):
    log_in(client, study["dana"].email)
    return study["dana"]


def connect(client, url: str, username: str = "dana", password: str = PASSWORD, write=False):
    data = {"url": url, "username": username, "password": password}
    if write:
        data["write"] = "y"
    return client.post("/availability/caldav", data=data)


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_connecting_a_login_lists_its_calendars_read_live_and_the_one_taking_interviews(
    app, client, dana, caldav_server, dana_dav
):
    response = connect(client, caldav_server.url, write=True)

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Connected: Work and Family now keep interviews away, read live." in page
    assert "Your interviews are written into Work." in page
    assert page.count("CalDAV ·") == 2
    assert "Your interviews are written into it." in page
    assert "Stop writing interviews into Work" in page
    assert "Write my interviews into Family" in page
    assert PASSWORD not in page


def test_a_refused_login_says_so_on_the_password_keeps_the_rest_and_writes_nothing(
    app, client, dana, caldav_server, dana_dav
):
    response = connect(client, caldav_server.url, password="not-the-password")

    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    [(target, message)] = page.summary
    assert target == "caldav-password"
    assert "password" in message.lower()
    assert "caldav-password" in page.field_errors
    assert page.value("url", "/availability/caldav") == caldav_server.url
    assert page.value("username", "/availability/caldav") == "dana"
    # A password is never sent back into the page, right or wrong.
    assert page.value("password", "/availability/caldav") == ""
    assert "not-the-password" not in response.get_data(as_text=True)
    assert rows(app, CalDavAccount) == 0 and rows(app, BusyCalendar) == 0


def test_every_empty_field_is_named_at_once(app, client, dana):
    response = client.post("/availability/caldav", data={"url": "", "username": "", "password": ""})

    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    assert [target for target, _ in page.summary] == [
        "caldav-url",
        "caldav-username",
        "caldav-password",
    ]
    assert all(target in page.ids for target, _ in page.summary)


def test_the_inputs_carry_the_servers_limits(app, client, dana):
    page = read_page(client.get("/availability").get_data(as_text=True))
    limits = {i.name: i.maxlength for i in page.inputs if i.form_action == "/availability/caldav"}
    assert limits["username"] == 254 and limits["password"] == 1000


def test_a_calendar_can_stop_blocking_and_another_take_the_interviews(
    app, client, dana, caldav_server, dana_dav
):
    connect(client, caldav_server.url, write=True)
    with app.app_context():
        ids = {
            c.name: c.id for c in db.session.scalars(select(BusyCalendar).order_by(BusyCalendar.id))
        }

    stop = client.post(f"/availability/calendars/{ids['Family']}/settings", data={"blocks": "off"})
    switch = client.post(f"/availability/calendars/{ids['Family']}/settings", data={"write": "on"})

    assert stop.status_code == switch.status_code == 302
    page = client.get("/availability").get_data(as_text=True)
    assert "Family no longer keeps interviews away." in page
    assert "Your interviews are written into Family from now on." in page
    with app.app_context():
        calendars = {c.name: c for c in db.session.scalars(select(BusyCalendar))}
        assert (calendars["Family"].blocks, calendars["Family"].write) == (False, True)
        assert (calendars["Work"].blocks, calendars["Work"].write) == (True, False)


def test_another_hosts_calendar_is_not_found(app, client, study, caldav_server, dana_dav):
    log_in(client, study["dana"].email)
    connect(client, caldav_server.url)
    with app.app_context():
        calendar_id = db.session.scalar(select(BusyCalendar.id).limit(1))
    client.post("/logout")
    log_in(client, study["sam"].email)

    assert (
        client.post(
            f"/availability/calendars/{calendar_id}/settings", data={"blocks": "off"}
        ).status_code
        == 404
    )
    assert client.post(f"/availability/calendars/{calendar_id}/remove").status_code == 404


def test_removing_the_last_calendar_of_a_login_forgets_the_login(
    app, client, dana, caldav_server, dana_dav
):
    connect(client, dana_dav["work"])
    with app.app_context():
        calendar_id = db.session.scalar(select(BusyCalendar.id))

    response = client.post(f"/availability/calendars/{calendar_id}/remove")

    assert response.status_code == 302
    assert rows(app, BusyCalendar) == 0 and rows(app, CalDavAccount) == 0


def test_a_write_that_keeps_failing_is_shown_with_when_it_is_tried_again(
    app, client, dana, caldav_server, dana_dav
):
    connect(client, dana_dav["work"], write=True)
    caldav_server.stop()
    try:
        booking = book_interview(client, next_weekday_slot(11))
    finally:
        caldav_server.start()

    page = client.get("/availability").get_data(as_text=True)

    with app.app_context():
        [write] = db.session.scalars(select(CalendarWrite)).all()
        assert (write.action, write.status) == (
            CalendarWriteAction.PUT,
            CalendarWriteStatus.PENDING,
        )
    assert "1 interview could not be written into your calendar." in page
    assert f"/interviews/{booking['interview_id']}" in page
    assert "putting it into Work" in page
    assert "nothing is lost meanwhile" in page


def test_a_failing_server_is_shown_with_the_copy_that_keeps_blocking(
    app, client, dana, caldav_server, dana_dav
):
    connect(client, dana_dav["work"])
    day = next_weekday_slot(10).date()
    client.get(
        f"/api/v1/public/studies/dashboards/slots?from={day}&to={day}&timezone=Europe/Berlin"
    )
    with app.app_context():
        calendar = db.session.scalar(select(BusyCalendar))
        calendar.error, calendar.checked_at, calendar.failures = (
            "The server did not answer.",
            utc_now(),
            1,
        )
        db.session.commit()

    page = client.get("/availability").get_data(as_text=True)

    assert "failed: The server did not answer." in page
    assert "keeps blocking, and people can still book." in page
