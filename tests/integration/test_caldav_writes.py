"""Interviews written into the team's own CalDAV calendars (a real Radicale): a booking
puts the event there, a move updates it, a cancel removes it, and an outage, a lost
answer or two dispatchers at once never lose a write or make a second event."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import icalendar
import pytest
from rq import Queue
from sqlalchemy import select, update

from interviews import dispatcher
from interviews.clock import utc_now
from interviews.db import db
from interviews.flows import cancel as cancel_flow
from interviews.flows import move as move_flow
from interviews.flows import privacy as privacy_flow
from interviews.scheduling import calendar_writes
from interviews.scheduling.event_resource import resource_url
from interviews.scheduling.models import (
    BusyCalendar,
    CalDavAccount,
    CalendarKind,
    CalendarWrite,
    CalendarWriteAction,
    CalendarWriteStatus,
    Interview,
    WrittenEvent,
)
from interviews.secret_box import seal
from tests.caldav_server import CalDavServer
from tests.conftest import book_interview, next_weekday_slot
from workers.app import use_app
from workers.calendars import write_calendar_events

JOIN = "https://meet.example.com/northwind-dana"


@pytest.fixture
def app(make_app):
    # Radicale listens on loopback: allowed as in development (see the last test).
    return make_app(BUSY_FEED_ALLOW_PRIVATE=True)


class Calendar:
    """One person's calendar on the Radicale server, as the test reads it back."""

    def __init__(self, server: CalDavServer, user: str, password: str, url: str) -> None:
        self.server, self.user, self.password, self.url = server, user, password, url

    def events(self) -> list[tuple[str, icalendar.Calendar]]:
        return [
            (href, icalendar.Calendar.from_ical(text))
            for href, text in self.server.events(self.url, self.user, self.password)
        ]

    def only_event(self) -> tuple[str, icalendar.Event]:
        [(href, calendar)] = self.events()
        [event] = calendar.walk("VEVENT")
        return href, event


def connect(app, server: CalDavServer, member, user: str, *, write: bool = True) -> Calendar:
    """The member's CalDAV account on the test server, with one calendar that receives
    the interviews (and does not block time, so only writes talk to the server)."""
    password = f"{user}-password"
    server.add_user(user, password)
    url = server.make_calendar(user, password, "work", "Work")
    with app.app_context():
        account = CalDavAccount(
            user_id=member.user_id,
            server_url=server.url,
            username=user,
            password_encrypted=seal(password, app.config["SECRET_KEY"]),
            created_at=utc_now(),
        )
        db.session.add(account)
        db.session.add(
            BusyCalendar(
                user_id=member.user_id,
                kind=CalendarKind.CALDAV,
                account=account,
                url=url,
                name="Work",
                blocks=False,
                write=write,
                created_at=utc_now(),
            )
        )
        db.session.commit()
    return Calendar(server, user, password, url)


def writes(app) -> list[CalendarWrite]:
    with app.app_context():
        rows = db.session.scalars(select(CalendarWrite).order_by(CalendarWrite.id)).all()
        db.session.expunge_all()
        return list(rows)


def interview_of(app, interview_id: int) -> Interview:
    with app.app_context():
        interview = db.session.get(Interview, interview_id)
        db.session.expunge(interview)
        return interview


def sweep_writes(app, later: timedelta = timedelta(0)) -> int:
    with app.app_context():
        return calendar_writes.dispatch_due(utc_now() + later)


def move(app, interview_id: int, start: datetime) -> None:
    with app.app_context():
        move_flow.move_interview(interview_id, start.isoformat())


def test_a_booking_appears_in_the_host_and_note_takers_calendars_as_the_invite_event(
    app, client, study, caldav_server, sent_mail
):
    dana = connect(app, caldav_server, study["dana"], "dana")
    sam = connect(app, caldav_server, study["sam"], "sam")
    start = next_weekday_slot(10)

    booking = book_interview(client, start, name="Pat Customer")

    interview = interview_of(app, booking["interview_id"])
    href, event = dana.only_event()
    assert href == "/dana/work/" + resource_url("", interview.ics_uid).rsplit("/", 1)[1]
    assert str(event["UID"]) == interview.ics_uid
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == start + timedelta(minutes=45)
    assert int(event["SEQUENCE"]) == 0
    assert "Pat Customer" in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == JOIN and str(event["URL"]) == JOIN
    # The host's own event: no iTIP method, nobody for a scheduling server to invite,
    # and not the interviewee's private manage link.
    [(_, calendar)] = dana.events()
    assert "METHOD" not in calendar
    assert "ATTENDEE" not in event and "ORGANIZER" not in event
    assert "/manage/" not in str(event["DESCRIPTION"])
    assert f"http://desk.test/interviews/{interview.id}" in str(event["DESCRIPTION"])
    # The note-taker's calendar has the same event.
    _, sams = sam.only_event()
    assert str(sams["UID"]) == interview.ics_uid and sams.decoded("DTSTART") == start
    # ... under the UID of the invite the interviewee was emailed.
    [invite] = [
        a for m in sent_mail() for a in m.attachments if m.recipient == "pat@customer.example"
    ]
    [emailed] = icalendar.Calendar.from_ical(invite.content).walk("VEVENT")
    assert str(emailed["UID"]) == interview.ics_uid
    assert {(w.action, w.status) for w in writes(app)} == {
        (CalendarWriteAction.PUT, CalendarWriteStatus.DONE)
    }


def test_a_move_updates_the_same_event_and_a_cancel_removes_it(app, client, study, caldav_server):
    dana = connect(app, caldav_server, study["dana"], "dana")
    start = next_weekday_slot(10)
    booking = book_interview(client, start)
    href, _ = dana.only_event()

    later = start + timedelta(hours=3)
    move(app, booking["interview_id"], later)

    moved_href, event = dana.only_event()
    assert moved_href == href
    assert event.decoded("DTSTART") == later
    assert event.decoded("DTEND") == later + timedelta(minutes=45)
    assert int(event["SEQUENCE"]) == 1

    with app.app_context():
        cancel_flow.cancel_interview(db.session.get(Interview, booking["interview_id"]), "")

    assert dana.events() == []
    assert [w.status for w in writes(app)] == [CalendarWriteStatus.DONE] * 3


def test_an_event_changed_in_the_calendar_app_is_written_over_by_a_move(
    app, client, study, caldav_server
):
    dana = connect(app, caldav_server, study["dana"], "dana")
    start = next_weekday_slot(10)
    booking = book_interview(client, start)
    href, event = dana.only_event()
    # Dana gives the event an alarm in her calendar app: its ETag changes.
    edited = dana.events()[0][1]
    edited.walk("VEVENT")[0].add_component(
        icalendar.Alarm({"ACTION": "DISPLAY", "TRIGGER": "-PT15M", "DESCRIPTION": "Soon"})
    )
    caldav_server.put_event(
        dana.url, dana.user, dana.password, edited.to_ical().decode(), href=href.rsplit("/")[-1]
    )

    later = start + timedelta(hours=2)
    move(app, booking["interview_id"], later)

    [(moved_href, _)] = dana.events()
    assert moved_href == href
    assert dana.only_event()[1].decoded("DTSTART") == later
    assert writes(app)[-1].status is CalendarWriteStatus.DONE


def test_with_the_server_down_a_booking_succeeds_and_its_event_is_written_once_when_it_is_back(
    app, client, study, caldav_server
):
    dana = connect(app, caldav_server, study["dana"], "dana")
    caldav_server.stop()
    start = next_weekday_slot(10)

    booking = book_interview(client, start)  # the booking does not wait for the calendar

    [row] = writes(app)
    assert row.status is CalendarWriteStatus.PENDING and row.attempts == 1
    assert row.error == "The calendar server could not be reached."
    with app.app_context():
        [problem] = calendar_writes.write_problems(study["dana"].user_id)
    assert problem.interview_id == booking["interview_id"] and not problem.failed
    assert problem.error == row.error and problem.next_try == row.due_at
    with app.app_context():
        assert calendar_writes.write_problems(study["sam"].user_id) == []

    caldav_server.start()
    assert sweep_writes(app) == 0  # not due yet: the retry waits 30 s
    with app.app_context():
        report = dispatcher.sweep(utc_now() + timedelta(seconds=31))
    assert report.calendar_writes == 1

    _, event = dana.only_event()
    assert event.decoded("DTSTART") == start
    [row] = writes(app)
    assert row.status is CalendarWriteStatus.DONE and row.attempts == 2 and row.error is None
    assert sweep_writes(app, timedelta(hours=1)) == 0
    assert len(dana.events()) == 1
    with app.app_context():
        assert calendar_writes.write_problems(study["dana"].user_id) == []


def test_an_attempt_whose_answer_was_lost_is_written_over_not_doubled(
    app, client, study, caldav_server
):
    dana = connect(app, caldav_server, study["dana"], "dana")
    caldav_server.stop()
    start = next_weekday_slot(10)
    booking = book_interview(client, start)
    caldav_server.start()
    # The worker's PUT reached the server, then the worker died before recording it: the
    # event is there, no ETag of it is known, and the row is still sending.
    [row] = writes(app)
    uid = interview_of(app, booking["interview_id"]).ics_uid
    name = resource_url(dana.url, uid).rsplit("/", 1)[1]
    caldav_server.put_event(dana.url, dana.user, dana.password, row.body, href=name)
    assert [h for h, _ in dana.events()] == [f"/dana/work/{name}"]
    with app.app_context():
        db.session.execute(
            update(CalendarWrite).values(
                status=CalendarWriteStatus.SENDING,
                lease_expires_at=utc_now() - timedelta(seconds=1),
            )
        )
        db.session.commit()

    assert sweep_writes(app) == 1

    assert len(dana.events()) == 1
    [row] = writes(app)
    assert row.status is CalendarWriteStatus.DONE
    # The ETag was read back: the next change is a plain conditional update.
    later = start + timedelta(hours=1)
    move(app, booking["interview_id"], later)
    _, event = dana.only_event()
    assert event.decoded("DTSTART") == later
    assert [w.status for w in writes(app)] == [CalendarWriteStatus.DONE] * 2


def test_the_emailed_invite_filed_in_the_calendar_is_updated_not_doubled(
    app, client, study, caldav_server
):
    dana = connect(app, caldav_server, study["dana"], "dana")
    caldav_server.stop()
    start = next_weekday_slot(10)
    book_interview(client, start)
    caldav_server.start()
    # Dana's mail app put the invite into this calendar, under a name of its own.
    [row] = writes(app)
    caldav_server.put_event(dana.url, dana.user, dana.password, row.body, href="from-mail.ics")

    assert sweep_writes(app, timedelta(minutes=1)) == 1

    [(href, _)] = dana.events()
    assert href == "/dana/work/from-mail.ics"
    with app.app_context():
        [written] = db.session.scalars(select(WrittenEvent)).all()
        assert written.href.endswith("/dana/work/from-mail.ics")
    later = start + timedelta(hours=1)
    move(app, row.interview_id, later)
    [(href, calendar)] = dana.events()
    assert href == "/dana/work/from-mail.ics"
    assert calendar.walk("VEVENT")[0].decoded("DTSTART") == later


def test_two_dispatchers_at_once_write_the_event_once(app, client, study, caldav_server):
    dana = connect(app, caldav_server, study["dana"], "dana")
    caldav_server.stop()
    book_interview(client, next_weekday_slot(10))
    caldav_server.start()
    later = utc_now() + timedelta(minutes=1)
    ready = threading.Barrier(2)
    handled: list[int] = []

    def sweep() -> None:
        with app.app_context():
            ready.wait()
            handled.append(calendar_writes.dispatch_due(later))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(handled) == [0, 1]
    assert len(dana.events()) == 1
    [row] = writes(app)
    assert row.status is CalendarWriteStatus.DONE and row.attempts == 2


def test_a_refused_login_is_shown_to_the_host_and_written_once_it_is_fixed(
    app, client, study, caldav_server
):
    dana = connect(app, caldav_server, study["dana"], "dana")
    start = next_weekday_slot(10)
    booking = book_interview(client, start)
    caldav_server.add_user("dana", "changed-elsewhere")  # Dana changed her password

    later = start + timedelta(hours=1)
    move(app, booking["interview_id"], later)

    with app.app_context():
        [problem] = calendar_writes.write_problems(study["dana"].user_id)
    assert problem.error.startswith("The calendar server refused the login")
    assert "dana-password" not in problem.error and not problem.failed

    caldav_server.add_user("dana", dana.password)  # she enters it again
    assert dana.only_event()[1].decoded("DTSTART") == start  # not moved yet
    assert sweep_writes(app, timedelta(minutes=1)) == 1

    assert dana.only_event()[1].decoded("DTSTART") == later


def test_a_write_that_never_succeeds_is_failed_after_its_attempts(
    make_app, client, study, caldav_server
):
    app = make_app(CALENDAR_WRITE_MAX_ATTEMPTS=2, BUSY_FEED_ALLOW_PRIVATE=True)
    connect(app, caldav_server, study["dana"], "dana")
    caldav_server.stop()
    book_interview(app.test_client(), next_weekday_slot(10))

    assert sweep_writes(app, timedelta(minutes=1)) == 1

    [row] = writes(app)
    assert row.status is CalendarWriteStatus.FAILED and row.attempts == 2
    with app.app_context():
        [problem] = calendar_writes.write_problems(study["dana"].user_id)
        assert problem.failed and problem.next_try is None
        assert calendar_writes.dispatch_due(utc_now() + timedelta(days=2)) == 0


def test_a_removed_calendar_gets_nothing_more(app, client, study, caldav_server):
    dana = connect(app, caldav_server, study["dana"], "dana")
    start = next_weekday_slot(10)
    first = book_interview(client, start)
    caldav_server.stop()
    book_interview(client, start + timedelta(hours=2), email="lee@customer.example")
    assert [w.status for w in writes(app)] == [
        CalendarWriteStatus.DONE,
        CalendarWriteStatus.PENDING,
    ]
    caldav_server.start()

    with app.app_context():
        db.session.delete(db.session.scalar(select(BusyCalendar)))
        db.session.commit()
    move(app, first["interview_id"], start + timedelta(hours=4))

    assert writes(app) == []  # the pending write went with the calendar
    assert sweep_writes(app, timedelta(hours=1)) == 0
    _, event = dana.only_event()  # what was written stays as it was
    assert event.decoded("DTSTART") == start


def test_a_cancel_before_anything_was_written_voids_the_put_and_removes_nothing(
    redis_app, study, caldav_server
):
    app = redis_app()
    dana = connect(app, caldav_server, study["dana"], "dana")
    booking = book_interview(app.test_client(), next_weekday_slot(10))
    [row] = writes(app)
    assert row.status is CalendarWriteStatus.PENDING and row.attempts == 0  # for a worker

    with app.app_context():
        cancel_flow.cancel_interview(db.session.get(Interview, booking["interview_id"]), "")

    [row] = writes(app)
    assert row.status is CalendarWriteStatus.VOID
    use_app(app)
    try:  # the job the booking enqueued runs late, after the cancel
        assert write_calendar_events([row.id]) == "0 of 1 handled"
    finally:
        use_app(None)
    assert dana.events() == []
    assert writes(app)[0].attempts == 0


def test_with_redis_a_worker_writes_the_booking(
    redis_app, redis, namespace, study, caldav_server, run_worker
):
    app = redis_app()
    dana = connect(app, caldav_server, study["dana"], "dana")
    start = next_weekday_slot(10)

    book_interview(app.test_client(), start)

    assert dana.events() == []  # not written by the web request
    [row] = writes(app)
    [job] = [
        job
        for job in Queue(namespace, connection=redis).get_jobs()
        if job.func_name == "workers.calendars.write_calendar_events"
    ]
    assert job.args == ([row.id],)

    run_worker(SECRET_KEY=app.config["SECRET_KEY"], BUSY_FEED_ALLOW_PRIVATE="true")

    _, event = dana.only_event()
    assert event.decoded("DTSTART") == start
    [row] = writes(app)
    assert row.status is CalendarWriteStatus.DONE and row.attempts == 1


def test_an_event_name_is_made_of_safe_characters_and_names_one_uid():
    calendar = "https://dav.example.com/cal/work/"
    assert resource_url(calendar, "abc-DEF_1.2") == calendar + "abc-DEF_1.2.ics"
    odd = resource_url(calendar, "a/b@c d")
    assert odd.startswith(calendar) and odd.endswith(".ics")
    assert "/" not in odd.removeprefix(calendar) and "@" not in odd and " " not in odd
    assert odd != resource_url(calendar, "a-b@c d")
    assert resource_url("https://dav.example.com/cal/work", "x") == calendar + "x.ics"


def test_erasing_the_interviewee_takes_their_name_out_of_the_calendars_event(
    app, client, study, caldav_server
):
    dana = connect(app, caldav_server, study["dana"], "dana")
    booking = book_interview(client, next_weekday_slot(10), name="Pat Customer")
    assert "Pat Customer" in str(dana.only_event()[1]["SUMMARY"])
    interview = interview_of(app, booking["interview_id"])

    with app.app_context():
        privacy_flow.erase(
            study["dana"],
            interview.participant_id,
            confirm_email="pat@customer.example",
            now=utc_now(),
        )

    href, event = dana.only_event()
    assert "Pat Customer" not in event.to_ical().decode()
    assert str(event["UID"]) == interview.ics_uid  # the same event, rewritten in place
    assert len(dana.events()) == 1
    # The outbox keeps no copy of the old text either.
    assert [w.status for w in writes(app)] == [CalendarWriteStatus.DONE] * 2
    assert not any("Pat Customer" in w.body for w in writes(app))


def test_no_write_goes_to_a_private_address_unless_the_set_up_allows_it(
    app, make_app, study, caldav_server
):
    """A server may hand out any address (in discovery, or as an event's name): a write
    is held to the rule every read is. Here the calendar is on loopback and the app that
    takes the booking is set up as production is."""
    dana = connect(app, caldav_server, study["dana"], "dana")
    production_like = make_app()  # BUSY_FEED_ALLOW_PRIVATE off

    book_interview(production_like.test_client(), next_weekday_slot(10))

    assert dana.events() == []
    [write] = writes(app)
    assert write.status is CalendarWriteStatus.FAILED
    assert "127.0.0.1 is this server itself" in write.error
