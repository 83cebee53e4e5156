"""Book a time: the interviewee's public side of a study, from its free times to the
manage link's page and calendar invite.

A booking reads the hosts' live calendars for the chosen time, then is one transaction:
the booking locks of every host it may go to and every note-taker who must be there
first (``scheduling.lock_hosts``), then the slot re-checked against fresh data and given
to the free host with the fewest interviews coming up, the budget checked under those
locks, the participant and interview written, and the interview's messages planned in the
outbox. What is due at once is sent after the commit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from interviews import dates
from interviews.clock import utc_now
from interviews.compensation import budgets
from interviews.compensation import service as compensation
from interviews.db import db
from interviews.messaging import outbox
from interviews.messaging import service as messaging
from interviews.participants import service as participants
from interviews.scheduling import calendar_writes, free_times, links
from interviews.scheduling import service as scheduling
from interviews.scheduling.invites import build_invite
from interviews.scheduling.models import InterviewStatus
from interviews.scheduling.slots import Interval
from interviews.studies import service as studies


def bookings_paused(study: studies.StudyView) -> bool:
    """The study's budget cannot cover another reward: its booking page offers no times."""
    return budgets.booking_block(study) is not None


def public_slots(slug: str, first: date, last: date, timezone: str) -> list[Interval]:
    """Free slots of a published study on the viewer's local days first..last.

    Raises NotFound (no such published study), InvalidInput (a bad range or time zone)."""
    study = studies.published_study(slug)
    start, end = free_times.day_range(first, last, dates.parse_timezone(timezone))
    if bookings_paused(study):
        return []  # the budget cannot cover another reward: no new times (the PM is told)
    return free_times.open_slots(study, start, end, utc_now())


def open_slots(study: studies.StudyView, first: date, last: date, timezone: str) -> list[Interval]:
    """Free slots of a study already looked up, on the viewer's local days first..last,
    whatever its budget says (a page that has asked bookings_paused itself).

    Raises InvalidInput (a bad range or time zone)."""
    start, end = free_times.day_range(first, last, dates.parse_timezone(timezone))
    return free_times.open_slots(study, start, end, utc_now())


def book(slug: str, request: scheduling.BookingRequest) -> scheduling.Booking:
    """Book a free slot of a published study, and plan the interview's messages.

    Raises NotFound, InvalidInput, DoNotContact, SlotTaken, budgets.BudgetExhausted."""
    study = studies.published_study(slug)
    invited = None
    if request.invite:
        # A personal link books its own person, whatever address the form says.
        invited = participants.invited_person(request.invite, study.id)
        request = replace(request, email=invited.email)
    rebooked_from_id = (
        scheduling.missed_interview(study.id, request.rebook) if request.rebook else None
    )
    name, email, phone, timezone, start, answers = scheduling.clean_request(study, request)
    participants.ensure_contactable(study.workspace_id, email)
    end = start + study.duration
    # Everyone's live calendars read for this very time, before any lock (it commits).
    free_times.refresh_calendars(study, start, end, now=utc_now(), max_age=timedelta(0))
    locked = free_times.to_lock(study)
    scheduling.lock_hosts(locked)
    now = utc_now()
    free = [
        host_id
        for host_id in free_times.free_hosts_at(study, Interval(start, end), now)
        if host_id in locked  # a host whose lock this booking does not hold is not its to give
    ]
    if not free:
        db.session.rollback()
        raise scheduling.SlotTaken(
            "Sorry, that time was just taken or is no longer open. Please pick another."
        )
    lead = study  # the study's own host hears about its budget
    # The host is fixed here; from now on the study is seen as this interview's.
    study = studies.with_host(study, free_times.choose_host(study, free, now))
    try:  # under the hosts' locks: two bookings cannot both take the last of the budget
        budgets.ensure_bookable(study, invited.participant_id if invited else None)
    except budgets.BudgetExhausted:
        db.session.rollback()
        raise
    participant = participants.record_participant(
        study.workspace_id, email=email, name=name, phone=phone, timezone=timezone, now=now
    )
    interview = scheduling.new_interview(
        study,
        participant,
        start,
        InterviewStatus.BOOKED,
        timezone,
        now,
        answers=answers,
        rebooked_from_id=rebooked_from_id,
        host_id=study.host.user_id,
    )
    if request.invite:
        participants.use_invite(request.invite, study.id, interview.id, now)
    token = links.new_manage_token(interview)
    due_now = outbox.plan_booking(interview, study, now)
    writes = calendar_writes.plan_writes(interview, study, now)
    db.session.commit()
    messaging.send_soon(due_now)
    calendar_writes.send_soon(writes)
    budgets.tell_host_if_paused(lead)
    return scheduling.booking_of(interview, token)


def managed(token: str) -> scheduling.ManagedInterview:
    """The interview behind a manage link, with the reward its person is promised.

    Raises NotFound for a bad or retired link."""
    interview = scheduling.by_token(token)
    study = studies.interview_study(interview.workspace_id, interview.study_id, interview.host_id)
    return scheduling.ManagedInterview(
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
        join_url=links.join_link(study, interview),
    )


def move_slots(
    interview: scheduling.ManagedInterview, first: date, last: date, timezone: str
) -> list[Interval]:
    """The times a managed interview (``managed``) could move to on the viewer's local
    days first..last: its study is not read again. Raises InvalidInput."""
    current = Interval(interview.start, interview.end)
    return free_times.times_to_move_to(interview.study, current, first, last, timezone)


def cancelled_by_link(token: str) -> scheduling.CancelledInterview:
    """A cancelled interview behind a (retired) manage link, and whether its study takes
    bookings now (published, and its budget not spent): a way to book again.

    Raises NotFound for a link that was never one, or belongs to an interview that is not
    cancelled."""
    cancelled = scheduling.cancelled_interview(token)
    return replace(cancelled, bookable=cancelled.bookable and not bookings_paused(cancelled.study))


def invite_ics(token: str) -> str:
    """The interview's current calendar invite (METHOD REQUEST, current SEQUENCE).

    Raises NotFound for a bad or retired link."""
    interview = scheduling.by_token(token)
    study = studies.interview_study(interview.workspace_id, interview.study_id, interview.host_id)
    reward = compensation.offer_for(study, interview.participant_id).describe()
    details = links.invite_details(study, interview, token, utc_now(), reward=reward)
    return build_invite(details, method="REQUEST")
