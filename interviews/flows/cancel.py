"""Cancel an interview, from the manage link or on the interviewee's behalf.

One transaction: the interview cancelled, its manage link retired and its messages
planned (the upcoming ones dropped, everyone told). What is due at once is sent after
the commit.
"""

from __future__ import annotations

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import InvalidInput
from interviews.messaging import outbox
from interviews.messaging import service as messaging
from interviews.scheduling import calendar_writes, team
from interviews.scheduling import service as scheduling
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies


def cancel(token: str, reason: str = "") -> None:
    """Cancel the interview: its time frees up, the link retires, everyone is told.

    Raises NotFound (a bad or retired link), InvalidInput (not upcoming)."""
    _cancel(scheduling.by_token(token), reason, token)


def cancel_interview(interview: Interview, reason: str) -> None:
    """Cancel from the team side (no manage link involved).

    Raises InvalidInput (not upcoming)."""
    _cancel(interview, reason, None)


def cancel_for_participant(actor: accounts.Member, interview_id: int, reason: str) -> None:
    """Cancel on the interviewee's behalf; they and the team are told as if they had.

    Raises Forbidden (a viewer), NotFound (another workspace's interview), InvalidInput."""
    cancel_interview(team.editable_interview(actor, interview_id), reason)


def _cancel(interview: Interview, reason: str, token: str | None) -> None:
    if interview.status is not InterviewStatus.BOOKED:
        raise InvalidInput("Only an upcoming interview can be cancelled.", field="reason")
    study = studies.interview_study(interview.workspace_id, interview.study_id, interview.host_id)
    now = utc_now()
    interview.status = InterviewStatus.CANCELLED
    interview.cancelled_at = now
    interview.cancel_reason = (reason or "").strip()[:2000] or None
    interview.manage_token_revoked_at = now
    interview.ics_sequence += 1
    interview.updated_at = now
    due_now = outbox.plan_cancel(interview, study, now)
    writes = calendar_writes.plan_writes(interview, study, now)
    db.session.commit()
    messaging.send_soon(due_now)
    calendar_writes.send_soon(writes)
