"""Move an interview to another free time, from the manage link or the team's side.

One transaction, as a booking: the booking locks of the interview's own host (a move keeps
it) and of the note-takers who must be there, the new time re-checked against fresh data,
the interview moved and its messages planned again (everyone gets the updated invite).
What is due at once is sent after the commit.
"""

from __future__ import annotations

from datetime import timedelta

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import InvalidInput
from interviews.messaging import outbox
from interviews.messaging import service as messaging
from interviews.scheduling import calendar_writes, free_times, links, team
from interviews.scheduling import service as scheduling
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.scheduling.slots import Interval
from interviews.studies import service as studies


def reschedule(token: str, start_value: str) -> scheduling.Booking:
    """Move the interview to another free slot; everyone gets the updated invite.

    Raises NotFound, InvalidInput (a bad time, or the interview already happened),
    SameTime, SlotTaken."""
    return _reschedule(scheduling.by_token(token).id, start_value, token)


def move_interview(interview_id: int, start_value: str) -> scheduling.Booking:
    """Move from the team side; the interviewee's email carries a fresh manage link.

    Raises InvalidInput (a bad time, or the interview already happened), SameTime,
    SlotTaken."""
    return _reschedule(interview_id, start_value, None)


def reschedule_for_participant(
    actor: accounts.Member, interview_id: int, start: str
) -> scheduling.Booking:
    """Move the interview on the interviewee's behalf; their email carries a fresh manage link.

    Raises Forbidden (a viewer), NotFound (another workspace's interview), InvalidInput,
    SameTime, SlotTaken."""
    return move_interview(team.editable_interview(actor, interview_id).id, start)


def _reschedule(interview_id: int, start_value: str, token: str | None) -> scheduling.Booking:
    interview = db.session.get(Interview, interview_id)
    host_id = interview.host_id  # a move keeps its host
    study = studies.interview_study(interview.workspace_id, interview.study_id, host_id)
    start = scheduling.parse_start(start_value)
    end = start + study.duration
    if interview.status is not InterviewStatus.BOOKED:
        raise InvalidInput("Only an upcoming interview can be moved.", field="start")
    if start == interview.start_at:
        # Refused before anything is written: a "move" to the same time sends nobody a
        # "Moved" email about a time that did not change.
        raise scheduling.SameTime(
            "Your interview is already at that time. Pick a different time to move it.",
            field="start",
        )
    # The new time's live calendars read before any lock (it commits).
    free_times.refresh_calendars(
        study, start, end, now=utc_now(), host_id=host_id, max_age=timedelta(0)
    )
    scheduling.lock_hosts(free_times.to_lock(study, host_id))
    interview = db.session.get(Interview, interview_id)  # re-read under the lock
    now = utc_now()
    current = Interval(interview.start_at, interview.end_at)
    span = Interval(start, end)
    if not free_times.free_hosts_at(study, span, now, ignore=current, host_id=host_id):
        db.session.rollback()
        raise scheduling.SlotTaken(
            "Sorry, that time was just taken or is no longer open. Please pick another."
        )
    token = links.manage_token(interview)
    interview.start_at, interview.end_at = start, end
    interview.ics_sequence += 1
    interview.updated_at = now
    due_now = outbox.plan_reschedule(interview, study, now)
    writes = calendar_writes.plan_writes(interview, study, now)
    db.session.commit()
    messaging.send_soon(due_now)
    calendar_writes.send_soon(writes)
    return scheduling.booking_of(interview, token)
