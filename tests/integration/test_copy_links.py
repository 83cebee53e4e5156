"""Every link meant to be shared sits in a copy field: a read-only input holding the link
and a Copy button that copy.js shows (hidden without JavaScript)."""

from __future__ import annotations

import re

from interviews.accounts.rules import Role
from interviews.db import db
from interviews.maps import service as maps
from interviews.studies.models import Study
from tests.conftest import log_in
from tests.integration.test_studies_and_hours import STUDY_FORM

BOOKING_LINK = "http://desk.test/book/dashboards"


def dashboards_id(app) -> int:
    """The `study` fixture's study."""
    with app.app_context():
        return db.session.scalar(db.select(Study.id).filter_by(slug="dashboards"))


def copy_fields(page: str) -> list[tuple[str, str]]:
    """(label, link) of each copy field on the page."""
    boxes = re.findall(r'<div class="copy-link" data-copy-link>.*?</div>', page, re.S)
    found = []
    for box in boxes:
        label = re.search(r'<span class="copy-label[^"]*">([^<]*)</span>', box).group(1)
        link = re.search(r'<input type="text"[^>]*readonly value="([^"]*)"', box).group(1)
        assert re.search(r"<button type=\"button\"[^>]*data-copy-button hidden>Copy", box)
        assert 'role="status"' in box  # where "Copied" is said
        found.append((label, link))
    return found


def test_a_published_studys_booking_link_has_a_copy_field_on_its_page_and_the_list(
    app, client, study
):
    log_in(client, study["dana"].email)

    page = client.get(f"/studies/{dashboards_id(app)}").get_data(as_text=True)
    listing = client.get("/studies").get_data(as_text=True)

    assert copy_fields(page) == [("Booking link", BOOKING_LINK)]
    assert copy_fields(listing) == [
        ("Booking link of Northwind product interview about dashboards", BOOKING_LINK)
    ]
    # The button works from a file the CSP allows (script-src 'self'), never inline code.
    assert '<script src="/static/copy.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " onclick=" not in page and " style=" not in page
    script = client.get("/static/copy.js")
    assert script.status_code == 200 and "navigator.clipboard" in script.get_data(as_text=True)


def test_a_draft_studys_link_is_not_offered_for_copying(client, make_workspace):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    created = client.post(
        "/studies/new",
        data={**STUDY_FORM, "host_user_id": str(owner.user_id), "slug": "exports"},
    )

    page = client.get(created.headers["Location"]).get_data(as_text=True)

    assert copy_fields(page) == []
    assert "(opens when published)" in page


def test_a_personal_invite_link_that_could_not_be_emailed_is_shown_to_copy(
    app, make_app, study, start_mail_server
):
    server = start_mail_server()
    server.refuse.add("mei@northbank.example")
    smtp_app = make_app(**server.settings())
    client = smtp_app.test_client()
    log_in(client, study["sam"].email)
    added = client.post(
        "/participants/new",
        data={"name": "Mei Lin", "email": "mei@northbank.example", "company": "Northbank"},
    )
    participant = added.headers["Location"]

    sent = client.post(
        f"{participant}/invite", data={"study_id": str(dashboards_id(app))}, follow_redirects=True
    )

    page = sent.get_data(as_text=True)
    assert "The invite could not be sent" in page and "Pass them the link below yourself" in page
    [(label, link)] = copy_fields(page)
    assert label == "Their personal booking link"
    assert re.fullmatch(re.escape(BOOKING_LINK) + r"\?invite=[\w-]+", link)
    # Shown once: the link is a secret, like a share link.
    assert copy_fields(client.get(participant).get_data(as_text=True)) == []


def test_a_team_invite_link_is_shown_to_copy_when_the_email_fails(
    make_app, make_workspace, start_mail_server
):
    server = start_mail_server()
    server.refuse.add("sam@example.com")
    app = make_app(**server.settings())
    owner = make_workspace(name="Northwind")
    client = app.test_client()
    log_in(client, owner.email)

    client.post("/team/invites", data={"email": "sam@example.com", "role": "viewer"})

    page = client.get("/team").get_data(as_text=True)
    assert "could not be sent" in page
    [(label, link)] = copy_fields(page)
    assert label == "Invite link" and link.startswith("http://desk.test/invite/")


def test_a_map_share_link_is_shown_once_to_copy(app, client, make_workspace):
    owner = make_workspace(name="Northwind")
    with app.app_context():
        map_id = maps.create_map(owner, maps.GoalDraft("Grow team accounts"))
    log_in(client, owner.email)

    made = client.post(
        f"/maps/{map_id}/shares", data={"label": "Leadership review"}, follow_redirects=True
    )

    [(label, link)] = copy_fields(made.get_data(as_text=True))
    assert label == "Link to copy" and link.startswith("http://desk.test/shared/")
    assert copy_fields(client.get(f"/maps/{map_id}/shares").get_data(as_text=True)) == []


def test_the_private_calendar_link_is_shown_to_copy(client, study):
    log_in(client, study["dana"].email)

    made = client.post("/availability/calendar-link", follow_redirects=True)

    [(label, link)] = copy_fields(made.get_data(as_text=True))
    assert label == "Your calendar link"
    assert re.fullmatch(r"http://desk\.test/calendar/[^/]+\.ics", link)


def test_viewers_see_the_booking_link_to_copy_too(app, client, study, add_member):
    viewer = add_member(study["dana"], role=Role.VIEWER, name="Vic Viewer")
    log_in(client, viewer.email)

    assert copy_fields(client.get("/studies").get_data(as_text=True))[0][1] == BOOKING_LINK
