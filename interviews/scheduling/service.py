"""Scheduling use cases: host availability, free slots, booking, rescheduling, cancelling.

Double booking is prevented in the database: a booking's first statement bumps the
host's schedule row, which takes that host's write lock (a row lock on PostgreSQL,
the database write lock on SQLite) before anything is read. The slot is then
re-checked against fresh data and the interview inserted, all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update

from interviews import dates
from interviews.clock import utc_now
from interviews.compensation import budgets as reward_budgets
from interviews.compensation import service as compensation
from interviews.db import db
from interviews.errors import Conflict, InvalidInput, NotFound, refuse_all
from interviews.messaging import outbox
from interviews.messaging import service as messaging
from interviews.participants import service as participants
from interviews.scheduling import busy_calendars, hours, lifecycle, links
from interviews.scheduling.invites import build_invite
from interviews.scheduling.models import (
    ACTIVE_STATUSES,
    HostSchedule,
    Interview,
    InterviewStatus,
)
from interviews.scheduling.slots import (
    Interval,
    SlotQuery,
    free_slots,
)
from interviews.studies import service as studies
from interviews.tokens import hash_secret, new_secret

MAX_RANGE_DAYS = 62
# Days outside these cannot hold a slot, and far ones overflow datetime arithmetic.
EARLIEST_DAY, LATEST_DAY = dates.EARLIEST_DAY, dates.LATEST_DAY


class SlotTaken(Conflict):
    code = "slot_taken"


# A study whose reward budget is spent takes no bookings; views catch it from here.
BudgetExhausted = reward_budgets.BudgetExhausted


def bookings_paused(study: studies.StudyView) -> bool:
    """The study's budget cannot cover another reward: its booking page offers no times."""
    return reward_budgets.booking_block(study) is not None


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

    @property
    def upcoming(self) -> bool:
        """Still to happen: it can be moved or cancelled."""
        return self.status is InterviewStatus.BOOKED


# --- availability ------------------------------------------------------------------------


def _booked(host_id: int, start: datetime, end: datetime) -> list[Interval]:
    """The host's interviews (every study, every workspace) that hold time in [start, end)."""
    rows = db.session.execute(
        select(Interview.start_at, Interview.end_at).where(
            Interview.host_id == host_id,
            Interview.status.in_(ACTIVE_STATUSES),
            Interview.end_at > start,
            Interview.start_at < end,
        )
    )
    return [Interval(row.start_at, row.end_at) for row in rows]


def _slots(
    study: studies.StudyView,
    start: datetime,
    end: datetime,
    now: datetime,
    ignore: Interval | None = None,
) -> list[Interval]:
    availability = hours.availability_of(study.host.user_id)
    if availability is None:
        return []
    # A day's cap and the buffer reach past the range: read a margin either side.
    margin = timedelta(days=2)
    return free_slots(
        SlotQuery(
            availability=availability,
            limits=study.limits,
            now=now,
            booked=_booked(study.host.user_id, start - margin, end + margin),
            busy=busy_calendars.busy_between(study.host.user_id, start, end),
            range_start=start,
            range_end=end,
            ignore=ignore,
        )
    )


def day_range(first: date, last: date, timezone: str) -> tuple[datetime, datetime]:
    """Local days first..last in ``timezone`` as a UTC [start, end) range."""
    if not (first >= EARLIEST_DAY and last <= LATEST_DAY):
        raise InvalidInput(f"Ask for days {dates.WINDOW}.", field="from")
    if last < first:
        raise InvalidInput("`to` is before `from`.", field="to")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidInput(f"Ask for at most {MAX_RANGE_DAYS} days at a time.", field="to")
    zone = dates.zone_of(timezone)
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def public_slots(slug: str, first: date, last: date, timezone: str) -> list[Interval]:
    """Free slots of a published study on the viewer's local days first..last."""
    study = studies.published_study(slug)
    start, end = day_range(first, last, hours.parse_timezone(timezone))
    if reward_budgets.booking_block(study):
        return []  # the budget cannot cover another reward: no new times (the PM is told)
    return _slots(study, start, end, utc_now())


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


def _parse_start(value: str) -> datetime:
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


def _clean_request(
    study: studies.StudyView, request: BookingRequest
) -> tuple[str, str, str, str, datetime, list[dict[str, str]]]:
    name, email, phone, problems = _clean_details(study, request)
    refuse_all(problems)
    timezone = hours.parse_timezone(request.timezone or "UTC")
    answers = list(request.answers or ())
    paired = [
        {"question": q, "answer": (answers[i] if i < len(answers) else "").strip()}
        for i, q in enumerate(study.questions)
    ]
    return name, email, phone, timezone, _parse_start(request.start), paired


def _lock_host(host_id: int) -> None:
    """Take the host's booking lock: the transaction's first statement, a write."""
    db.session.rollback()  # start clean, so nothing was read before the lock
    locked = db.session.execute(
        update(HostSchedule)
        .where(HostSchedule.user_id == host_id)
        .values(booking_version=HostSchedule.booking_version + 1)
    ).rowcount
    if not locked:
        db.session.rollback()
        raise SlotTaken("This study has no open times right now.")


def book(slug: str, request: BookingRequest) -> Booking:
    """Book a free slot of a published study. Raises NotFound, InvalidInput, SlotTaken."""
    study = studies.published_study(slug)
    invited = None
    if request.invite:
        # A personal link books its own person, whatever address the form says.
        invited = participants.invited_person(request.invite, study.id)
        request = replace(request, email=invited.email)
    rebooked_from_id = missed_interview(study.id, request.rebook) if request.rebook else None
    name, email, phone, timezone, start, answers = _clean_request(study, request)
    participants.ensure_contactable(study.workspace_id, email)
    end = start + study.duration
    _lock_host(study.host.user_id)
    now = utc_now()
    if Interval(start, end) not in _slots(study, start, end, now):
        db.session.rollback()
        raise SlotTaken(
            "Sorry, that time was just taken or is no longer open. Please pick another."
        )
    try:  # under the host's lock: two bookings cannot both take the last of the budget
        reward_budgets.ensure_bookable(study, invited.participant_id if invited else None)
    except reward_budgets.BudgetExhausted:
        db.session.rollback()
        raise
    participant = participants.record_participant(
        study.workspace_id, email=email, name=name, phone=phone, timezone=timezone, now=now
    )
    interview = _new_interview(
        study,
        participant,
        start,
        InterviewStatus.BOOKED,
        timezone,
        now,
        answers=answers,
        rebooked_from_id=rebooked_from_id,
    )
    if request.invite:
        participants.use_invite(request.invite, study.id, interview.id, now)
    token = links.new_manage_token(interview)
    due_now = outbox.plan_booking(interview, study, now)
    db.session.commit()
    messaging.send_soon(due_now)
    reward_budgets.tell_host_if_paused(study)
    return _booking(interview, token)


def _new_interview(
    study: studies.StudyView,
    participant,
    start: datetime,
    status: InterviewStatus,
    timezone: str,
    now: datetime,
    *,
    answers: list[dict[str, str]] | None = None,
    rebooked_from_id: int | None = None,
) -> Interview:
    """A new interview row of the study, flushed (it has its id)."""
    interview = Interview(
        workspace_id=study.workspace_id,
        study_id=study.id,
        participant=participant,
        host_id=study.host.user_id,
        start_at=start,
        end_at=start + study.duration,
        status=status,
        participant_timezone=timezone,
        answers=answers or [],
        manage_token_hash=new_secret(),  # a link of its own is made by whoever needs one
        ics_uid=f"{new_secret()[:24]}@interview-desk",
        ics_sequence=0,
        rebooked_from_id=rebooked_from_id,
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


def _by_token(token: str) -> Interview:
    interview = db.session.scalar(
        select(Interview).where(Interview.manage_token_hash == hash_secret(token))
    )
    if interview is None or interview.manage_token_revoked_at is not None:
        raise NotFound(
            "This link no longer works: the interview was cancelled or the link is wrong."
        )
    return interview


def managed(token: str) -> ManagedInterview:
    """The interview behind a manage link. Raises NotFound for a bad or retired link."""
    interview = _by_token(token)
    study = studies.get_study(interview.workspace_id, interview.study_id)
    return ManagedInterview(
        interview_id=interview.id,
        study=study,
        participant_name=interview.participant.name,
        start=interview.start_at,
        end=interview.end_at,
        timezone=interview.participant_timezone,
        status=interview.status,
        manage_url=links.manage_url(token),
        ics_url=links.ics_url(token),
        reward=compensation.offer_for(study, interview.participant_id).describe(),
    )


def cancelled_by_link(token: str) -> CancelledInterview:
    """A cancelled interview behind a (retired) manage link. Raises NotFound for a link
    that was never one, or belongs to an interview that is not cancelled."""
    interview = db.session.scalar(
        select(Interview).where(Interview.manage_token_hash == hash_secret(token))
    )
    if interview is None or interview.status is not InterviewStatus.CANCELLED:
        raise NotFound(
            "This link no longer works: it may be mistyped or incomplete, or from an old email."
        )
    study = studies.get_study(interview.workspace_id, interview.study_id)
    return CancelledInterview(
        study=study,
        start=interview.start_at,
        end=interview.end_at,
        timezone=interview.participant_timezone,
        cancelled_at=interview.cancelled_at or interview.updated_at,
        bookable=study.status is studies.StudyStatus.PUBLISHED and not bookings_paused(study),
    )


def reschedule_slots(token: str, first: date, last: date, timezone: str) -> list[Interval]:
    """Slots the participant may move to: never their current time (moving there would
    change nothing), though it does not block the times that overlap it."""
    return slots_around(_by_token(token), first, last, timezone)


def reschedule(token: str, start_value: str) -> Booking:
    """Move the interview to another free slot; everyone gets the updated invite.

    Raises NotFound, InvalidInput (a bad time, or the interview already happened), SlotTaken.
    """
    return _reschedule(_by_token(token).id, start_value, token)


def _reschedule(interview_id: int, start_value: str, token: str | None) -> Booking:
    interview = db.session.get(Interview, interview_id)
    study = studies.get_study(interview.workspace_id, interview.study_id)
    start = _parse_start(start_value)
    end = start + study.duration
    if interview.status is not InterviewStatus.BOOKED:
        raise InvalidInput("Only an upcoming interview can be moved.", field="start")
    if start == interview.start_at:
        # Refused before anything is written: a "move" to the same time sends nobody a
        # "Moved" email about a time that did not change.
        raise SameTime(
            "Your interview is already at that time. Pick a different time to move it.",
            field="start",
        )
    _lock_host(study.host.user_id)
    interview = db.session.get(Interview, interview_id)  # re-read under the lock
    now = utc_now()
    current = Interval(interview.start_at, interview.end_at)
    if Interval(start, end) not in _slots(study, start, end, now, ignore=current):
        db.session.rollback()
        raise SlotTaken(
            "Sorry, that time was just taken or is no longer open. Please pick another."
        )
    token = links.manage_token(interview)
    interview.start_at, interview.end_at = start, end
    interview.ics_sequence += 1
    interview.updated_at = now
    due_now = outbox.plan_reschedule(interview, study, now)
    db.session.commit()
    messaging.send_soon(due_now)
    return _booking(interview, token)


def cancel(token: str, reason: str = "") -> None:
    """Cancel the interview: its time frees up, the link retires, everyone is told."""
    _cancel(_by_token(token), reason, token)


def cancel_interview(interview: Interview, reason: str) -> None:
    """Cancel from the team side (no manage link involved)."""
    _cancel(interview, reason, None)


def move_interview(interview_id: int, start_value: str) -> Booking:
    """Move from the team side; the interviewee's email carries a fresh manage link."""
    return _reschedule(interview_id, start_value, None)


def slots_around(interview: Interview, first: date, last: date, timezone: str) -> list[Interval]:
    """Times an interview could move to: its own time does not block the ones overlapping
    it, and is not offered itself."""
    study = studies.get_study(interview.workspace_id, interview.study_id)
    start, end = day_range(first, last, hours.parse_timezone(timezone))
    current = Interval(interview.start_at, interview.end_at)
    found = _slots(study, start, end, utc_now(), ignore=current)
    return [slot for slot in found if slot.start != interview.start_at]


def _cancel(interview: Interview, reason: str, token: str | None) -> None:
    if interview.status is not InterviewStatus.BOOKED:
        raise InvalidInput("Only an upcoming interview can be cancelled.", field="reason")
    study = studies.get_study(interview.workspace_id, interview.study_id)
    now = utc_now()
    interview.status = InterviewStatus.CANCELLED
    interview.cancelled_at = now
    interview.cancel_reason = (reason or "").strip()[:2000] or None
    interview.manage_token_revoked_at = now
    interview.ics_sequence += 1
    interview.updated_at = now
    due_now = outbox.plan_cancel(interview, study, now)
    db.session.commit()
    messaging.send_soon(due_now)


def invite_ics(token: str) -> str:
    """The interview's current calendar invite (METHOD REQUEST, current SEQUENCE)."""
    interview = _by_token(token)
    study = studies.get_study(interview.workspace_id, interview.study_id)
    return build_invite(links.invite_details(study, interview, token, utc_now()), method="REQUEST")


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
    interview = _new_interview(
        study, participant, start, status, timezone, now, rebooked_from_id=rebooked_from_id
    )
    interview.manage_token_revoked_at = now  # nothing left to move or cancel
    db.session.commit()
    return interview.id


# --- attendance ------------------------------------------------------------------------------


def mark_attendance(interview_id: int, status: InterviewStatus) -> bool:
    """Record how the interview went; follow-ups and the thank-you follow from it.

    Returns False when it already said so. Raises Conflict (cancelled, not started).
    """
    interview = db.session.get(Interview, interview_id)
    now = utc_now()
    previous = interview.status
    if not lifecycle.set_attendance(interview, status, now):
        return False
    study = studies.get_study(interview.workspace_id, interview.study_id)
    due_now = outbox.plan_attendance(interview, study, status, now)
    compensation.follow_attendance(interview, previous, study, now)
    db.session.commit()
    messaging.send_soon(due_now)
    return True


def _booking(interview: Interview, token: str) -> Booking:
    return Booking(
        interview_id=interview.id,
        start=interview.start_at,
        end=interview.end_at,
        manage_url=links.manage_url(token),
        ics_url=links.ics_url(token),
    )


# --- a participant's interviews, for privacy requests ----------------------------------------


@dataclass(frozen=True)
class ParticipantInterview:
    """One interview as the person it was with may ask to see it (a data export)."""

    id: int
    study_id: int
    study_title: str
    start: datetime
    end: datetime
    status: InterviewStatus
    timezone: str
    answers: list[dict[str, str]]
    cancel_reason: str | None
    cancelled_at: datetime | None
    booked_at: datetime


def interview_records_of(workspace_id: int, participant_id: int) -> list[ParticipantInterview]:
    """A participant's interviews in this workspace, oldest first, with what they wrote
    when booking: the record a data export or an erasure works from (pages list them
    with ``team.interviews_of_participant``)."""
    rows = db.session.scalars(
        select(Interview)
        .where(Interview.workspace_id == workspace_id, Interview.participant_id == participant_id)
        .order_by(Interview.start_at, Interview.id)
    ).all()
    return [
        ParticipantInterview(
            id=row.id,
            study_id=row.study_id,
            study_title=row.study.title,
            start=row.start_at,
            end=row.end_at,
            status=row.status,
            timezone=row.participant_timezone,
            answers=list(row.answers or []),
            cancel_reason=row.cancel_reason,
            cancelled_at=row.cancelled_at,
            booked_at=row.created_at,
        )
        for row in rows
    ]


def erase_participant_details(workspace_id: int, participant_id: int, now: datetime) -> list[int]:
    """Part of erasing a person, inside the caller's transaction (no commit): their
    interviews stay, so a study's numbers still count them, but their booking answers,
    cancel reasons and time zone go and their manage links stop working. Returns the
    interview ids."""
    rows = db.session.scalars(
        select(Interview).where(
            Interview.workspace_id == workspace_id, Interview.participant_id == participant_id
        )
    ).all()
    for row in rows:
        row.answers = []
        row.cancel_reason = None
        row.participant_timezone = "UTC"
        # A new hash and no nonce: the old link cannot come back, even if un-revoked.
        row.manage_token_hash = new_secret()
        row.manage_nonce = None
        row.manage_token_revoked_at = row.manage_token_revoked_at or now
        row.updated_at = now
    return [row.id for row in rows]
