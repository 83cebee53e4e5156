"""Every interview gets a join link nobody has to paste: a study's fixed address, the
interview's host's own video room, or a room generated for that interview alone.

Whichever it is, the same link reaches the interviewee and the team everywhere: the
confirmation (text and HTML) and its calendar invite (parsed back: LOCATION and URL),
every reminder, the follow-up nudge, the manage page, the interview and notes pages and
the host's calendar feed.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from interviews.accounts import api_tokens
from interviews.accounts import service as accounts
from interviews.db import db
from interviews.messaging import service as messaging
from interviews.scheduling.models import Interview
from interviews.studies import service as studies
from interviews.studies.models import JoinMode, Study
from tests.conftest import book_interview, log_in, next_weekday_slot
from tests.integration.test_caldav_writes import connect as connect_caldav
from tests.integration.test_studies_and_hours import STUDY_FORM

PAT = "pat@customer.example"
FIXED = "https://meet.example.com/northwind-dana"  # the `study` fixture's video link
DANA_ROOM = "https://rooms.example.com/dana-reyes"
SAM_ROOM = "https://rooms.example.com/sam-rivera"
# A generated room: the default template, "interview-" and 24 base32 characters (120 bits).
GENERATED = re.compile(r"https://meet\.jit\.si/interview-[a-z2-7]{24}")


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.found += [value or "" for name, value in attrs if name == "href"]


def hrefs(html: str) -> list[str]:
    """The links a reader can click in ``html``, entities decoded."""
    parser = _Hrefs()
    parser.feed(html)
    return parser.found


def events(ics: bytes | str) -> list:
    return Calendar.from_ical(ics).walk("VEVENT")


def ics_of(mail) -> list:
    [attachment] = mail.attachments
    assert attachment.filename == "interview.ics"
    return events(attachment.content)


def mails(sent_mail, recipient: str, kind: str) -> list:
    return [m for m in sent_mail() if m.recipient == recipient and m.kind == kind]


def sweep(app, at) -> None:
    with app.app_context():
        messaging.dispatch_due(at)


def set_room(app, user_id: int, room: str) -> None:
    with app.app_context():
        accounts.set_personal_room(user_id, room)


def set_join_mode(app, owner, mode: JoinMode, slug: str = "dashboards") -> None:
    """Change the study's join link as the study form does; all else stays as it was."""
    with app.app_context():
        study_id = db.session.scalar(select(Study.id).filter_by(slug=slug))
        view = studies.get_study(owner.workspace_id, study_id)
        draft = studies.StudyDraft(
            title=view.title,
            host_user_id=view.host.user_id,
            description=view.description,
            meeting_url=view.meeting_url,
            phone_fallback=view.phone_fallback,
            reward_text=view.reward_text,
            questions=view.questions,
            colleague_user_ids=tuple(c.user_id for c in view.colleagues),
            slug=view.slug,
            join_mode=mode,
        )
        assert studies.update_study(owner, view.id, draft).join_mode is mode


def interview_row(app, interview_id: int) -> Interview:
    with app.app_context():
        row = db.session.get(Interview, interview_id)
        db.session.expunge(row)
        return row


def feed_path(client) -> str:
    page = client.post("/availability/calendar-link", follow_redirects=True).get_data(as_text=True)
    return re.search(
        r'id="feed-link"[^>]*value="http://desk\.test(/calendar/[^"]+\.ics)"', page
    ).group(1)


def assert_everywhere(app, client, study, sent_mail, booking, start, link: str) -> None:
    """``link`` is the join link of every message, page and calendar of the booking."""
    interview_id = booking["interview_id"]
    [confirmation] = mails(sent_mail, PAT, "confirmation")
    assert f"Join: {link}" in confirmation.text_body
    assert link in hrefs(confirmation.html_body)
    [event] = ics_of(confirmation)
    assert (str(event["location"]), str(event["url"])) == (link, link)
    assert f"Join: {link}" in str(event["description"])
    team_invite = [m for m in sent_mail() if m.recipient == study["dana"].email][0]
    assert f"Join: {link}" in team_invite.text_body and link in hrefs(team_invite.html_body)

    public_ics = client.get(booking["ics_url"].removeprefix("http://desk.test"))
    [event] = events(public_ics.data)
    assert (str(event["location"]), str(event["url"])) == (link, link)
    manage = client.get(booking["manage_url"].removeprefix("http://desk.test"))
    assert link in hrefs(manage.get_data(as_text=True))

    sweep(app, start - timedelta(hours=24))
    [reminder] = mails(sent_mail, PAT, "reminder")
    assert f"Join: {link}" in reminder.text_body and link in hrefs(reminder.html_body)
    sweep(app, start - timedelta(minutes=10))
    [host_reminder] = mails(sent_mail, study["dana"].email, "host_reminder")
    assert f"Join: {link}" in host_reminder.text_body
    sweep(app, start + timedelta(minutes=5))
    [nudge] = mails(sent_mail, PAT, "followup_nudge")
    assert f"Join now: {link}" in nudge.text_body and link in hrefs(nudge.html_body)

    team = app.test_client()
    log_in(team, study["dana"].email)
    page = team.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert link in hrefs(page)
    notes = team.get(f"/interviews/{interview_id}/notes").get_data(as_text=True)
    assert link in hrefs(notes) and "Join the call" in notes
    [event] = events(team.get(feed_path(team)).data)
    assert (str(event["location"]), str(event["url"])) == (link, link)


def test_a_fixed_address_is_the_join_link_everywhere(app, client, study, sent_mail):
    start = next_weekday_slot(10)
    booking = book_interview(client, start)

    assert_everywhere(app, client, study, sent_mail, booking, start, FIXED)
    assert interview_row(app, booking["interview_id"]).join_url is None


def test_each_hosts_own_room_is_the_join_link_everywhere(app, client, study, sent_mail):
    set_room(app, study["dana"].user_id, DANA_ROOM)
    set_join_mode(app, study["dana"], JoinMode.PERSONAL)
    start = next_weekday_slot(10)
    booking = book_interview(client, start)

    assert_everywhere(app, client, study, sent_mail, booking, start, DANA_ROOM)
    assert FIXED not in " ".join(m.text_body for m in sent_mail())


def test_a_room_made_for_the_interview_is_the_join_link_everywhere(app, client, study, sent_mail):
    set_join_mode(app, study["dana"], JoinMode.GENERATED)
    start = next_weekday_slot(10)
    booking = book_interview(client, start)

    room = interview_row(app, booking["interview_id"]).join_url
    assert GENERATED.fullmatch(room)
    assert_everywhere(app, client, study, sent_mail, booking, start, room)
    # The study's old fixed address is kept for a switch back, but no longer sent.
    assert FIXED not in " ".join(m.text_body for m in sent_mail())


def test_the_room_made_for_the_interview_is_in_the_hosts_caldav_event(
    make_app, study, caldav_server
):
    # Radicale listens on loopback: allowed as in development.
    app = make_app(BUSY_FEED_ALLOW_PRIVATE=True)
    set_join_mode(app, study["dana"], JoinMode.GENERATED)
    calendar = connect_caldav(app, caldav_server, study["dana"], "dana")

    booking = book_interview(app.test_client(), next_weekday_slot(10))

    room = interview_row(app, booking["interview_id"]).join_url
    _, event = calendar.only_event()
    assert (str(event["LOCATION"]), str(event["URL"])) == (room, room)


def test_generated_rooms_differ_per_interview_and_a_moved_interview_keeps_its_room(
    app, client, study, sent_mail
):
    set_join_mode(app, study["dana"], JoinMode.GENERATED)
    start = next_weekday_slot(10)
    first = book_interview(client, start)
    second = book_interview(client, start + timedelta(hours=2), email="quinn@customer.example")
    rooms = [interview_row(app, b["interview_id"]).join_url for b in (first, second)]
    assert all(GENERATED.fullmatch(r) for r in rooms) and rooms[0] != rooms[1]

    token = first["manage_url"].rsplit("/", 1)[1]
    moved = client.post(
        f"/api/v1/public/manage/{token}/reschedule",
        json={"start": (start + timedelta(hours=4)).isoformat()},
    )

    assert moved.status_code == 200
    assert interview_row(app, first["interview_id"]).join_url == rooms[0]
    [notice] = [m for m in sent_mail() if m.recipient == PAT and m.kind.startswith("rescheduled")]
    assert f"Join: {rooms[0]}" in notice.text_body
    [event] = ics_of(notice)
    assert str(event["location"]) == rooms[0] and int(event["sequence"]) == 1


def test_the_room_template_setting_shapes_every_generated_room(make_app, study, sent_mail):
    custom = make_app(JOIN_ROOM_TEMPLATE="https://video.example.org/rooms/{room}?lang=en")
    set_join_mode(custom, study["dana"], JoinMode.GENERATED)

    booking = book_interview(custom.test_client(), next_weekday_slot(10))

    room = interview_row(custom, booking["interview_id"]).join_url
    assert re.fullmatch(r"https://video\.example\.org/rooms/interview-[a-z2-7]{24}\?lang=en", room)
    [confirmation] = mails(sent_mail, PAT, "confirmation")
    assert f"Join: {room}" in confirmation.text_body


def test_personal_rooms_follow_the_interviews_own_host(app, client, study, sent_mail):
    """With round robin an interview's host need not be the study's first host: the
    link is the room of whoever hosts this interview."""
    set_room(app, study["dana"].user_id, DANA_ROOM)
    set_room(app, study["sam"].user_id, SAM_ROOM)
    set_join_mode(app, study["dana"], JoinMode.PERSONAL)
    start = next_weekday_slot(10)
    booking = book_interview(client, start)
    with app.app_context():  # as if the rotation had given this booking to Sam
        db.session.execute(
            update(Interview)
            .where(Interview.id == booking["interview_id"])
            .values(host_id=study["sam"].user_id)
        )
        db.session.commit()

    sweep(app, start - timedelta(hours=24))

    [reminder] = mails(sent_mail, PAT, "reminder")
    assert f"Join: {SAM_ROOM}" in reminder.text_body and DANA_ROOM not in reminder.text_body
    manage = client.get(booking["manage_url"].removeprefix("http://desk.test"))
    assert SAM_ROOM in hrefs(manage.get_data(as_text=True))
    [event] = events(client.get(booking["ics_url"].removeprefix("http://desk.test")).data)
    assert str(event["location"]) == SAM_ROOM


def test_an_interview_booked_before_its_study_made_rooms_gets_one_that_stays_the_same(
    app, client, study, sent_mail
):
    start = next_weekday_slot(10)
    booking = book_interview(client, start)  # the study still has its fixed link
    set_join_mode(app, study["dana"], JoinMode.GENERATED)
    manage_path = booking["manage_url"].removeprefix("http://desk.test")

    first_look = [h for h in hrefs(client.get(manage_path).get_data(as_text=True)) if "jit.si" in h]
    sweep(app, start - timedelta(hours=24))

    [room] = first_look
    assert GENERATED.fullmatch(room)
    assert room in hrefs(client.get(manage_path).get_data(as_text=True))
    [reminder] = mails(sent_mail, PAT, "reminder")
    assert f"Join: {room}" in reminder.text_body


def test_a_cancelled_interviews_link_is_never_shown_again(app, client, study, sent_mail):
    set_join_mode(app, study["dana"], JoinMode.GENERATED)
    booking = book_interview(client, next_weekday_slot(10))
    room = interview_row(app, booking["interview_id"]).join_url
    token = booking["manage_url"].rsplit("/", 1)[1]

    assert client.post(f"/api/v1/public/manage/{token}/cancel", json={}).status_code == 200

    cancelled = [m for m in sent_mail() if m.kind.startswith("cancelled")]
    assert {m.recipient for m in cancelled} >= {PAT, study["dana"].email}
    for mail in cancelled:
        assert room not in mail.text_body and room not in mail.html_body
        assert all(room not in e.to_ical().decode() for e in ics_of(mail))
    team = app.test_client()
    log_in(team, study["dana"].email)
    page = team.get(f"/interviews/{booking['interview_id']}").get_data(as_text=True)
    assert "Interview with Pat Customer" in page and room not in page


def test_the_api_tells_the_join_mode_and_each_interviews_link(app, client, study):
    set_join_mode(app, study["dana"], JoinMode.GENERATED)
    booking = book_interview(client, next_weekday_slot(10))
    with app.app_context():
        _, secret = api_tokens.create_api_token_for_email(study["dana"].email, "tests")
    headers = {"Authorization": f"Bearer {secret}"}

    [listed] = client.get("/api/v1/studies", headers=headers).json["items"]
    [interview] = client.get("/api/v1/interviews", headers=headers).json["items"]

    assert listed["join_mode"] == "generated"
    assert interview["join_url"] == interview_row(app, booking["interview_id"]).join_url


def test_a_studys_own_words_get_the_interviews_link_by_either_name(app, client, study, sent_mail):
    """Texts saved before rooms came per interview print {{ study.meeting_url }}: it now
    says where this interview is joined, as {{ join_url }} does."""
    set_join_mode(app, study["dana"], JoinMode.GENERATED)
    log_in(client, study["dana"].email)
    with app.app_context():
        study_id = studies.published_study("dashboards").id
    saved = client.post(
        f"/studies/{study_id}/messages",
        data={
            "kind": "reminder",
            "action": "save",
            "subject": "Soon: {{ study.title }}",
            "body": "Old name: {{ study.meeting_url }}\nNew name: {{ join_url }}",
        },
    )
    assert saved.status_code == 302
    start = next_weekday_slot(10)
    booking = book_interview(client, start)

    sweep(app, start - timedelta(hours=24))

    room = interview_row(app, booking["interview_id"]).join_url
    [reminder] = mails(sent_mail, PAT, "reminder")
    assert reminder.text_body == f"Old name: {room}\nNew name: {room}"
    assert FIXED not in reminder.text_body


# --- the study form -----------------------------------------------------------------------


def test_a_new_study_offers_a_room_per_interview_and_one_with_only_a_video_link_is_fixed(
    app, client, make_workspace
):
    owner = make_workspace()
    log_in(client, owner.email)
    form = client.get("/studies/new").get_data(as_text=True)
    assert re.search(
        r'<option selected value="generated">|<option value="generated" selected', form
    )

    # A form posted without the choice (an older page, a script), with a video link: fixed.
    made = client.post("/studies/new", data={**STUDY_FORM, "host_user_id": owner.user_id})
    assert made.status_code == 302
    rooms = {**STUDY_FORM, "host_user_id": owner.user_id, "slug": "acme-rooms"}
    # A video link pasted while the choice says "a new room" would go unused: said, not lost.
    unused = client.post("/studies/new", data={**rooms, "join_mode": "generated"})
    assert unused.status_code == 422
    page = unused.get_data(as_text=True)
    assert 'id="meeting_url-error"' in page and "This video link would not be sent" in page
    assert 'value="https://meet.example.com/acme"' in page
    generated = client.post(
        "/studies/new", data={**rooms, "join_mode": "generated", "meeting_url": ""}
    )
    assert generated.status_code == 302

    with app.app_context():
        modes = dict(db.session.execute(select(Study.slug, Study.join_mode)).all())
    assert modes == {"acme-exports": JoinMode.FIXED, "acme-rooms": JoinMode.GENERATED}
    shown = client.get(generated.headers["Location"]).get_data(as_text=True)
    assert "a new video room for each interview" in shown
    edit = client.get(generated.headers["Location"] + "/edit").get_data(as_text=True)
    assert re.search(r'<option selected value="generated">', edit)
    assert not re.search(r'<option selected value="fixed">', edit)


def test_each_hosts_own_room_is_refused_while_the_host_has_none_naming_them(
    app, client, make_workspace
):
    owner = make_workspace(owner_name="Olive Owner")
    log_in(client, owner.email)
    data = {
        **STUDY_FORM,
        "host_user_id": owner.user_id,
        "join_mode": "personal",
        "meeting_url": "",
    }

    refused = client.post("/studies/new", data=data)

    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="join_mode-error"' in page and "Olive Owner has no video room yet" in page
    assert "error-summary" in page and 'value="Acme product interview about exports"' in page
    with app.app_context():
        assert db.session.scalar(select(Study.id)) is None

    set_room(app, owner.user_id, "https://rooms.example.com/olive")
    assert client.post("/studies/new", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Study.join_mode)) is JoinMode.PERSONAL


# --- the profile's video room ---------------------------------------------------------------


def test_a_host_sets_their_video_room_on_the_profile(app, client, make_workspace):
    owner = make_workspace()
    log_in(client, owner.email)

    saved = client.post(
        "/profile/room", data={"room-personal_room_url": "  https://rooms.example.com/olive \n"}
    )

    assert saved.status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    assert "Video room saved" in page
    assert 'value="https://rooms.example.com/olive"' in page and 'maxlength="500"' in page
    with app.app_context():
        assert accounts.personal_room(owner.user_id) == "https://rooms.example.com/olive"

    assert client.post("/profile/room", data={"room-personal_room_url": ""}).status_code == 302
    with app.app_context():
        assert accounts.personal_room(owner.user_id) == ""


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("javascript:alert(1)", "can run code"),
        ("ftp://rooms.example.com/olive", "“ftp:” links are not accepted"),
        ("https://rooms.example.com/" + "x" * 500, "longer than 500 characters"),
    ],
)
def test_a_video_room_that_is_not_a_web_link_is_refused_and_kept_as_typed(
    app, client, make_workspace, typed, says
):
    owner = make_workspace()
    set_room(app, owner.user_id, "https://rooms.example.com/olive")
    log_in(client, owner.email)

    refused = client.post("/profile/room", data={"room-personal_room_url": typed})

    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="room-personal_room_url-error"' in page and says in page
    assert "error-summary" in page and 'aria-invalid="true"' in page
    assert f'value="{typed[:60]}' in page
    with app.app_context():
        assert accounts.personal_room(owner.user_id) == "https://rooms.example.com/olive"
