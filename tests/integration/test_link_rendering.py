"""A stored address that is not http(s) is never rendered as a link, anywhere.

The forms refuse such addresses now, but rows saved before (or written by hand) may hold
one: here the study's video link and the recording link are written straight into the
database as ``javascript:alert(1)``. Then every page, every email of an interview's life
and every calendar file is read back (HTML parsed, .ics parsed with icalendar) and must
carry no such link.
"""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from interviews.accounts import api_tokens
from interviews.db import db
from interviews.messaging import service as messaging
from interviews.notes.models import InterviewNotes
from interviews.scheduling import calendar_feed
from interviews.studies.models import Study
from tests.conftest import book_interview, log_in, next_weekday_slot, started_minutes_ago

SCRIPT = "javascript:alert(1)"
PARTICIPANT = "pat@customer.example"


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "area", "form", "iframe"):
            self.found += [
                value or "" for name, value in attrs if name in ("href", "src", "action")
            ]


def hrefs(html: str) -> list[str]:
    """Every link a browser would follow in ``html`` (a, area, form, iframe; entities
    decoded). The layout's own <link rel="icon" href="data:,"> is not one."""
    parser = _Hrefs()
    parser.feed(html)
    return parser.found


def assert_no_script_links(html: str, where: str, *, has_links: bool = True) -> None:
    found = hrefs(html)
    assert found or not has_links, f"{where}: no links at all, so nothing was checked"
    bad = [h for h in found if "javascript" in h.lower() or "data:" in h.lower()]
    assert not bad, f"{where}: {bad}"
    schemes = {h.split(":", 1)[0] for h in found if ":" in h.split("/", 1)[0]}
    assert schemes <= {"http", "https", "mailto", "tel"}, f"{where}: {schemes}"


def calendar_texts(ics: str) -> list[str]:
    """URL, LOCATION and DESCRIPTION of every event of an .ics, parsed back."""
    calendar = Calendar.from_ical(ics)
    texts = []
    for event in calendar.walk("VEVENT"):
        for name in ("URL", "LOCATION", "DESCRIPTION"):
            if event.get(name) is not None:
                texts.append(f"{name}:{event.get(name)}")
    return texts


def store_script_link(app) -> None:
    with app.app_context():
        db.session.execute(
            update(Study).where(Study.slug == "dashboards").values(meeting_url=SCRIPT)
        )
        db.session.commit()


def sweep(app, at) -> None:
    with app.app_context():
        messaging.dispatch_due(at)


@pytest.fixture
def interview_with_script_links(app, client, study):
    """A booking of a study whose stored video link, and recording link, are script."""
    store_script_link(app)
    start = next_weekday_slot(10)
    booking = book_interview(client, start)
    dana = app.test_client()
    log_in(dana, study["dana"].email)
    saved = dana.post(
        f"/interviews/{booking['interview_id']}/recording",
        data={"consent": "1", "url": "https://rec.example/1"},
    )
    assert saved.status_code == 302
    with app.app_context():
        db.session.execute(
            update(InterviewNotes)
            .where(InterviewNotes.interview_id == booking["interview_id"])
            .values(recording_url=SCRIPT)
        )
        db.session.commit()
    return {"booking": booking, "start": start, "dana": dana}


def test_team_pages_show_a_stored_script_link_as_text_not_as_a_link(
    interview_with_script_links,
):
    dana = interview_with_script_links["dana"]
    interview_id = interview_with_script_links["booking"]["interview_id"]

    for path in (f"/interviews/{interview_id}", f"/interviews/{interview_id}/notes"):
        page = dana.get(path).get_data(as_text=True)
        assert_no_script_links(page, path)
        # The PM still sees what is stored, and why it is not a link.
        assert SCRIPT in page and "not a web link, so not linked" in page


def test_the_public_manage_page_and_its_ics_carry_no_script_link(
    client, interview_with_script_links
):
    booking = interview_with_script_links["booking"]
    manage_path = booking["manage_url"].removeprefix("http://desk.test")
    page = client.get(manage_path).get_data(as_text=True)

    assert_no_script_links(page, "manage page")
    assert "alert(1)" not in page
    assert 'href="tel:+49301234567"' in page  # the phone fallback, as a tel: link

    ics = client.get(booking["ics_url"].removeprefix("http://desk.test")).get_data(as_text=True)
    texts = calendar_texts(ics)
    assert texts and not [t for t in texts if "javascript" in t.lower()]
    assert not [t for t in texts if t.startswith("URL:")]


def test_the_booking_form_lands_on_a_confirmation_without_the_script_link(app, client, study):
    store_script_link(app)
    start = next_weekday_slot(11)

    landed = client.post(
        "/book/dashboards",
        data={
            "start": start.isoformat(),
            "name": "Robin Form",
            "email": "robin@customer.example",
            "phone": "+1 415 555 2671",
            "timezone": "America/New_York",
        },
        follow_redirects=True,
    )

    page = landed.get_data(as_text=True)
    assert landed.status_code == 200 and "/manage/" in landed.request.path, page[:500]
    assert_no_script_links(page, "confirmation page")


def test_no_email_of_an_interviews_life_carries_the_script_link(
    app, client, study, sent_mail, interview_with_script_links
):
    start = interview_with_script_links["start"]
    # Reminders, the host's reminder, the nudge and the sorry-we-missed-you.
    for moment in (
        -timedelta(hours=24),
        -timedelta(hours=1),
        -timedelta(minutes=10),
        timedelta(minutes=5),
        timedelta(minutes=30),
    ):
        sweep(app, start + moment)
    # A second booking is moved, then cancelled; a third is completed (thank-you).
    second = book_interview(client, next_weekday_slot(14), email="sky@customer.example")
    token = second["manage_url"].rsplit("/", 1)[1]
    later = next_weekday_slot(15)
    moved = client.post(
        f"/api/v1/public/manage/{token}/reschedule", json={"start": later.isoformat()}
    )
    assert moved.status_code == 200, moved.json
    assert client.post(f"/api/v1/public/manage/{token}/cancel", json={}).status_code == 200
    third = book_interview(client, next_weekday_slot(16), email="lee@customer.example")
    started_minutes_ago(app, third["interview_id"], 60)
    with app.app_context():
        _, secret = api_tokens.create_api_token_for_email(study["dana"].email, "tests")
    done = client.post(
        f"/api/v1/interviews/{third['interview_id']}/attendance",
        json={"status": "completed"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert done.status_code == 200, done.json

    mail = sent_mail()
    kinds = {m.kind for m in mail}
    for kind in (
        "confirmation",
        "invite",
        "rescheduled",
        "cancelled",
        "reminder",
        "host_reminder",
        "followup_nudge",
        "followup_missed",
        "thank_you",
    ):
        assert kind in kinds, sorted(kinds)
    calendars = 0
    for message in mail:
        where = f"{message.kind} to {message.recipient}"
        assert_no_script_links(message.html_body, where, has_links=message.kind != "thank_you")
        assert "alert(1)" not in message.html_body, where
        assert "javascript" not in message.text_body.lower(), where
        for attachment in message.attachments:
            calendars += 1
            texts = calendar_texts(attachment.content)
            assert not [t for t in texts if "javascript" in t.lower()], where
    assert calendars >= 6  # the invites, the moves and the cancellations


def test_the_hosts_subscribed_calendar_carries_no_script_link(
    app, client, interview_with_script_links, study
):
    with app.app_context():
        feed = calendar_feed.new_feed_link(study["dana"].user_id)

    ics = client.get(feed.removeprefix("http://desk.test")).get_data(as_text=True)

    texts = calendar_texts(ics)
    assert any(t.startswith("DESCRIPTION:") for t in texts)
    assert not [t for t in texts if "javascript" in t.lower()]


def test_a_valid_join_link_still_goes_everywhere(app, client, study, sent_mail):
    """The control: an https link is rendered as a link on the pages, in mail and .ics."""
    booking = book_interview(client, next_weekday_slot(10))
    join = "https://meet.example.com/northwind-dana"

    page = client.get(booking["manage_url"].removeprefix("http://desk.test")).get_data(as_text=True)
    assert join in hrefs(page)
    [confirmation] = [m for m in sent_mail() if m.kind == "confirmation"]
    assert join in hrefs(confirmation.html_body)
    assert f"Join: {join}" in confirmation.text_body
    ics = client.get(booking["ics_url"].removeprefix("http://desk.test")).get_data(as_text=True)
    assert f"URL:{join}" in calendar_texts(ics) and f"LOCATION:{join}" in calendar_texts(ics)
    with app.app_context():
        assert db.session.scalar(select(Study.meeting_url)) == join
