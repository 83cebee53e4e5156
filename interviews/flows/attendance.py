"""Record how an interview went, which plans its follow-ups and thank-you and owes its reward.

One transaction: the interview's status, its messages planned again (the follow-ups stop,
or "sorry we missed you" goes now) and the reward owed or withdrawn
(``compensation.follow_attendance``), so an interview is never completed without its
reward or the other way round. What is due at once is sent after the commit.
"""

from __future__ import annotations

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.compensation import service as compensation
from interviews.db import db
from interviews.errors import NotFound
from interviews.messaging import outbox
from interviews.messaging import service as messaging
from interviews.scheduling import lifecycle, team
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies


def mark_attendance(interview_id: int, status: InterviewStatus) -> bool:
    """Record how the interview went; follow-ups and the thank-you follow from it.

    Returns False when it already said so. Raises Conflict (cancelled, not started).
    """
    interview = db.session.get(Interview, interview_id)
    now = utc_now()
    previous = interview.status
    if not lifecycle.set_attendance(interview, status, now):
        return False
    study = studies.interview_study(interview.workspace_id, interview.study_id, interview.host_id)
    due_now = outbox.plan_attendance(interview, study, status, now)
    compensation.follow_attendance(interview, previous, study, now)
    db.session.commit()
    messaging.send_soon(due_now)
    return True


def mark_attendance_by_member(
    actor: accounts.Member, interview_id: int, status: str
) -> team.InterviewSummary:
    """A team member says how it went: joined, no_show or completed.

    Raises Forbidden, NotFound, InvalidInput (another status), Conflict (cancelled, or not
    started yet)."""
    interview = team.editable_interview(actor, interview_id)
    mark_attendance(interview.id, lifecycle.parse_attendance(status))
    return team.summary_of(interview.id)


def mark_attendance_by_link(token: str, status: str) -> team.InterviewSummary:
    """The host's one-click link from their reminder.

    Raises NotFound for a bad or old link, or one whose sender is no longer on the
    interview's workspace as an editor; InvalidInput, Conflict as mark_attendance_by_member."""
    interview_id, user_id = lifecycle.attendance_link_subject(token)
    interview = db.session.get(Interview, interview_id)
    member = accounts.current_member(user_id, interview.workspace_id) if interview else None
    if member is None or member.workspace_id != interview.workspace_id or not member.can_edit:
        raise NotFound("This link is not valid.")
    return mark_attendance_by_member(member, interview_id, status)
