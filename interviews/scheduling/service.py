"""Scheduling's interviews: the booking form, the hosts' booking locks, the new row, the
manage link and interviews held before the desk. A person's interviews for privacy
requests are person_records.py.

The use cases that book, move, cancel an interview and record how it went (planning its
messages and owing its reward in the same transaction) are in interviews/flows/: booking,
move, cancel, attendance. This module gives them the parts; ``lock_hosts`` is how double
booking is prevented. Which times are free is free_times.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update

from interviews import dates
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import Conflict, InvalidInput, NotFound, refuse_all
from interviews.participants import service as participants
from interviews.scheduling import free_times, links
from interviews.scheduling.models import ICS_UID_DOMAIN, HostSchedule, Interview, InterviewStatus
from interviews.scheduling.slots import Interval
from interviews.studies import service as studies
from interviews.studies.models import JoinMode
from interviews.tokens import hash_secret, new_secret


class SlotTaken(Conflict):
    code = "slot_taken"


@dataclass(frozen=True)
class Booking:
    interview_id: int
    start: datetime
    end: datetime
    manage_url: str
    ics_url: str


@dataclass(frozen=True)
class ManagedInterview:
    """What the participant's manage page shows: their interview and its study."""

    interview_id: int
    study: studies.StudyView
    participant_name: str
    start: datetime
    end: datetime
    timezone: str
    status: InterviewStatus
    manage_url: str
    ics_url: str
    reward: str = ""  # the thank-you they are promised, in words
    join_url: str = ""  # where the call is joined ("" for none)

    @property
    def upcoming(self) -> bool:
        """Still to happen: it can be moved or cancelled."""
        return self.status is InterviewStatus.BOOKED


# --- booking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingRequest:
    name: str
    email: str
    timezone: str
    start: str
    phone: str = ""
    answers: tuple[str, ...] = ()
    rebook: str | None = None  # the token of a "sorry we missed you" link
    invite: str | None = None  # the token of a personal booking link (one person, once)


def parse_start(value: str) -> datetime:
    """The chosen slot's start, an instant with its offset. Raises InvalidInput."""
    return dates.parse_instant(value, "`start`", "start")


def _clean_details(
    study: studies.StudyView, request: BookingRequest
) -> tuple[str, str, str, list[InvalidInput]]:
    """The person's name, email and phone cleaned, and every problem found with them and
    the answers (all at once, not one per attempt)."""
    problems: list[InvalidInput] = []

    def checked(clean, raw: str) -> str:
        try:
            return clean(raw or "")
        except participants.InvalidField as error:
            message = (
                "Enter your name (at most 120 characters)."
                if error.field == "name"
                else error.message
            )
            problems.append(InvalidInput(message, field=error.field))
            return ""

    name = checked(participants.clean_name, request.name)
    email = checked(participants.normalise_email, request.email)
    phone = checked(participants.normalise_phone, request.phone)
    if not (request.phone or "").strip() and study.phone_required:
        problems.append(
            InvalidInput(
                "Enter a phone number, so the host can call if the video link fails.",
                field="phone",
            )
        )
    answers = list(request.answers or ())
    if len(answers) > len(study.questions) or any(len(a) > 2000 for a in answers):
        problems.append(
            InvalidInput("Answer each question in at most 2,000 characters.", field="answers")
        )
    return name, email, phone, problems


def booking_detail_problems(slug: str, request: BookingRequest) -> list[InvalidInput]:
    """What is wrong with the person's details on a booking form, without booking: the
    form shows these with its own errors (a missing time), all at once. Raises NotFound."""
    return _clean_details(studies.published_study(slug), request)[3]


def clean_request(
    study: studies.StudyView, request: BookingRequest
) -> tuple[str, str, str, str, datetime, list[dict[str, str]]]:
    """A booking form cleaned: (name, email, phone, time zone, start, the answers paired
    with their questions). Raises InvalidInput with every problem at once."""
    name, email, phone, problems = _clean_details(study, request)
    refuse_all(problems)
    timezone = dates.parse_timezone(request.timezone or "UTC")
    answers = list(request.answers or ())
    paired = [
        {"question": q, "answer": (answers[i] if i < len(answers) else "").strip()}
        for i, q in enumerate(study.questions)
    ]
    return name, email, phone, timezone, parse_start(request.start), paired


def lock_hosts(user_ids: Iterable[int]) -> None:
    """Take the booking lock of everyone a booking involves (the hosts it may go to, the
    note-takers who must be free): the transaction's first statements, writes.

    Bumping each one's schedule row takes its write lock (a row lock on PostgreSQL, the
    database write lock on SQLite) before anything is read, so the caller re-checks the
    slot against fresh data and writes in the same transaction: no double booking. One
    row at a time in ascending user id, the order every booking takes them in, so two
    bookings sharing people queue up instead of deadlocking.

    Raises SlotTaken when there is nobody, or one of them has no schedule."""
    db.session.rollback()  # start clean, so nothing was read before the lock
    ids = sorted(set(user_ids))
    if not ids:
        raise SlotTaken("This study has no open times right now.")
    for user_id in ids:
        locked = db.session.execute(
            update(HostSchedule)
            .where(HostSchedule.user_id == user_id)
            .values(booking_version=HostSchedule.booking_version + 1)
        ).rowcount
        if not locked:
            db.session.rollback()
            raise SlotTaken("This study has no open times right now.")


def new_interview(
    study: studies.StudyView,
    participant,
    start: datetime,
    status: InterviewStatus,
    timezone: str,
    now: datetime,
    *,
    answers: list[dict[str, str]] | None = None,
    rebooked_from_id: int | None = None,
    host_id: int | None = None,
) -> Interview:
    """A new interview row of the study, flushed (it has its id). ``host_id``: the host
    it went to (round robin), fixed from now on; None: the study's host."""
    interview = Interview(
        workspace_id=study.workspace_id,
        study_id=study.id,
        participant=participant,
        host_id=study.host.user_id if host_id is None else host_id,
        start_at=start,
        end_at=start + study.duration,
        status=status,
        participant_timezone=timezone,
        answers=answers or [],
        manage_token_hash=new_secret(),  # a link of its own is made by whoever needs one
        ics_uid=f"{new_secret()[:24]}@{ICS_UID_DOMAIN}",
        ics_sequence=0,
        rebooked_from_id=rebooked_from_id,
        # Its own room, made now so every message carries the same one (a move keeps it).
        join_url=links.new_room_url() if study.join_mode is JoinMode.GENERATED else None,
        created_at=now,
        updated_at=now,
    )
    db.session.add(interview)
    db.session.flush()
    return interview


def missed_interview(study_id: int, rebook_token: str) -> int:
    """The no-show a "sorry we missed you" link of this study rebooks. Raises NotFound for
    a forged token or another study's, as a bad personal link does: a link that does not
    say what it claims is refused rather than quietly booked as a fresh interview."""
    missed_id = links.rebooked_interview_id(rebook_token)
    missed = db.session.get(Interview, missed_id) if missed_id is not None else None
    if missed is None or missed.study_id != study_id:
        raise NotFound("This rebooking link is not valid. Pick a time on the study's page.")
    return missed.id


# --- the participant's manage link -------------------------------------------------------


class SameTime(InvalidInput):
    """A move to the time the interview already has: nothing would change."""

    code = "same_time"


@dataclass(frozen=True)
class CancelledInterview:
    """What a cancelled interview's manage link still says: when it was, that it was
    cancelled and when, and whether the study takes bookings (a way to book again)."""

    study: studies.StudyView
    start: datetime
    end: datetime
    timezone: str
    cancelled_at: datetime
    bookable: bool


def by_token(token: str) -> Interview:
    """The interview behind a live manage link. Raises NotFound for a bad or retired one."""
    interview = db.session.scalar(
        select(Interview).where(Interview.manage_token_hash == hash_secret(token))
    )
    if interview is None or interview.manage_token_revoked_at is not None:
        raise NotFound(
            "This link no longer works: the interview was cancelled or the link is wrong."
        )
    return interview


def cancelled_interview(token: str) -> CancelledInterview:
    """A cancelled interview behind a (retired) manage link; ``bookable`` says only that
    its study is published (whether its budget takes bookings is compensation's to say).
    Raises NotFound for a link that was never one, or belongs to an interview that is not
    cancelled."""
    interview = db.session.scalar(
        select(Interview).where(Interview.manage_token_hash == hash_secret(token))
    )
    if interview is None or interview.status is not InterviewStatus.CANCELLED:
        raise NotFound(
            "This link no longer works: it may be mistyped or incomplete, or from an old email."
        )
    study = studies.interview_study(interview.workspace_id, interview.study_id, interview.host_id)
    return CancelledInterview(
        study=study,
        start=interview.start_at,
        end=interview.end_at,
        timezone=interview.participant_timezone,
        cancelled_at=interview.cancelled_at or interview.updated_at,
        bookable=study.status is studies.StudyStatus.PUBLISHED,
    )


def reschedule_slots(token: str, first: date, last: date, timezone: str) -> list[Interval]:
    """Slots the participant may move to: never their current time (moving there would
    change nothing), though it does not block the times that overlap it."""
    return free_times.slots_around(by_token(token), first, last, timezone)


def record_held_interview(
    study_id: int,
    *,
    name: str,
    email: str,
    timezone: str,
    start: datetime,
    status: InterviewStatus,
    rebooked_from_id: int | None = None,
) -> int:
    """Record an interview that already happened (or was missed), e.g. one held before
    the team used this tool. Nothing is sent about it. Raises InvalidInput when it is not
    over yet or its status is not completed or no_show."""
    now = utc_now()
    study = studies.study_by_id(study_id)
    if status not in (InterviewStatus.COMPLETED, InterviewStatus.NO_SHOW):
        raise InvalidInput("A past interview was completed or a no-show.", field="status")
    if start + study.duration > now:
        raise InvalidInput("Only an interview that is over can be recorded.", field="start")
    participant = participants.record_participant(
        study.workspace_id, email=email, name=name, phone="", timezone=timezone, now=now
    )
    interview = new_interview(
        study, participant, start, status, timezone, now, rebooked_from_id=rebooked_from_id
    )
    interview.manage_token_revoked_at = now  # nothing left to move or cancel
    db.session.commit()
    return interview.id


def booking_of(interview: Interview, token: str) -> Booking:
    """What a booking or a move answers with: the interview's time and its links."""
    return Booking(
        interview_id=interview.id,
        start=interview.start_at,
        end=interview.end_at,
        manage_url=links.manage_url(token),
        ics_url=links.ics_url(token),
    )
