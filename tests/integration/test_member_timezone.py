"""A member's time zone is a profile setting, proposed from their browser when they join,
and "your time" is never silently UTC."""

from __future__ import annotations

import re
from datetime import time

from interviews.accounts import invites as member_invites
from interviews.accounts.models import Role
from interviews.scheduling import hours
from tests.conftest import PASSWORD, book_interview, log_in, next_weekday_slot


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _invite_path(app, owner, email: str) -> str:
    with app.app_context():
        sent = member_invites.invite_member(owner, email=email, role=Role.RESEARCHER)
    return "/invite/" + sent.link.rsplit("/", 1)[1]


def test_signing_up_from_a_new_york_browser_saves_new_york(app, client):
    client.post(
        "/signup",
        data={
            "workspace_name": "Northwind",
            "name": "Nia Park",
            "email": "nia@northwind.example",
            "password": PASSWORD,
            "timezone": "America/New_York",
        },
    )

    agenda = _text(client.get("/agenda"))
    profile = client.get("/profile").get_data(as_text=True)

    assert "in your time (America/New York)" in agenda
    assert re.search(r'<option selected value="America/New_York">', profile) or re.search(
        r'<option value="America/New_York" selected>', profile
    )


def test_a_teammate_joining_from_a_new_york_browser_reads_interviews_in_new_york_time(
    app, client, study
):
    start = next_weekday_slot(10)  # 10:00 in Berlin
    booking = book_interview(client, start)
    path = _invite_path(app, study["dana"], "nia@northwind.example")
    teammate = app.test_client()

    teammate.post(path, data={"name": "Nia", "password": PASSWORD, "timezone": "America/New_York"})

    page = _text(teammate.get(f"/interviews/{booking['interview_id']}"))
    local = start.astimezone(hours.dates.zone_of("America/New_York"))
    assert f"{local:%H:%M}–" in page
    assert "(your time, America/New York)" in page


def test_joining_another_workspace_keeps_a_zone_already_chosen(app, study, make_workspace):
    with app.app_context():
        hours.set_timezone(study["sam"].user_id, "Europe/Lisbon")
    other = make_workspace(name="Second")
    with app.app_context():
        sent = member_invites.invite_member(other, email=study["sam"].email, role=Role.VIEWER)
    client = app.test_client()
    log_in(client, study["sam"].email)

    client.post("/invite/" + sent.link.rsplit("/", 1)[1], data={"timezone": "Asia/Tokyo"})

    with app.app_context():
        assert hours.saved_timezone(study["sam"].user_id) == "Europe/Lisbon"


def test_without_a_zone_pages_say_utc_and_link_to_set_it(app, client, make_workspace):
    owner = make_workspace()
    log_in(client, owner.email)

    page = client.get("/agenda").get_data(as_text=True)

    assert 'in your time (UTC (<a href="/profile#zone-timezone">set your time zone</a>))' in page
    assert "You have not set a time zone yet" in _text(client.get("/profile"))


def test_the_profile_sets_the_zone_that_hours_and_pages_use(app, client, study):
    log_in(client, study["dana"].email)

    response = client.post(
        "/profile/timezone", data={"zone-timezone": "Asia/Tokyo", "zone-next": "/agenda"}
    )

    assert response.status_code == 302 and response.headers["Location"] == "/agenda"
    assert "in your time (Asia/Tokyo)" in _text(client.get("/agenda"))
    with app.app_context():
        kept = hours.hours_of(study["dana"].user_id)
        assert kept.timezone == "Asia/Tokyo"  # one zone per person: her hours too
        assert (0, time(9), time(17)) in kept.weekly


def test_a_zone_that_is_not_one_is_refused_on_the_profile(app, client, study):
    log_in(client, study["dana"].email)

    response = client.post("/profile/timezone", data={"zone-timezone": "Mars/Olympus"})

    assert response.status_code == 422
    assert "Your time zone" in _text(response).split("There is a problem")[1]
    with app.app_context():
        assert hours.saved_timezone(study["dana"].user_id) == "Europe/Berlin"


def test_the_banner_offering_the_browsers_zone_is_on_the_agenda(client, study):
    log_in(client, study["dana"].email)

    page = client.get("/agenda").get_data(as_text=True)

    banner = re.search(r"<div[^>]*data-timezone-banner[^>]*>", page).group(0)
    assert 'data-saved-timezone="Europe/Berlin"' in banner and "hidden" in banner
    assert 'action="/profile/timezone"' in page


def _banners(page: str) -> list[str]:
    return re.findall(r"<div[^>]*data-timezone-banner[^>]*>", page)


def test_every_signed_in_page_with_times_offers_a_utc_member_the_browsers_zone(app, client, study):
    # Sam never set a zone: the pages read times in UTC, so the banner is on each of them,
    # hidden until member-timezone.js finds the browser elsewhere.
    booking = book_interview(client, next_weekday_slot(10))
    log_in(client, study["sam"].email)
    participants = client.get("/participants").get_data(as_text=True)
    participant = re.search(r'href="(/participants/\d+)"', participants).group(1)
    interview = booking["interview_id"]

    for path in (
        "/",
        f"/interviews/{interview}/notes",
        "/participants",
        participant,
        "/agenda",
        f"/interviews/{interview}",
        "/profile",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        (banner,) = _banners(page)  # one, also where the page had its own before
        assert 'data-saved-timezone=""' in banner and " hidden" in banner, path
        assert 'action="/profile/timezone"' in page, path
        assert f'name="zone-next" value="{path}"' in page, path
        assert "member-timezone.js" in page, path


def test_the_banner_takes_the_browsers_zone_and_returns_to_the_page(app, client, study):
    log_in(client, study["sam"].email)

    response = client.post(
        "/profile/timezone", data={"zone-timezone": "Europe/Lisbon", "zone-next": "/participants"}
    )

    assert response.status_code == 302 and response.headers["Location"] == "/participants"
    (banner,) = _banners(client.get("/").get_data(as_text=True))
    assert 'data-saved-timezone="Europe/Lisbon"' in banner
    assert "times in your zone (Europe/Lisbon)" in _text(client.get("/"))


def test_signed_out_pages_have_no_time_zone_banner(client):
    for path in ("/login", "/signup", "/password/forgot"):
        assert _banners(client.get(path).get_data(as_text=True)) == [], path
