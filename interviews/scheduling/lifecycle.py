"""How an interview went: joined, no-show, completed. The rules, and the host's one-click links.

Messaging reads these too (a "sorry we missed you" marks a silent interview a no-show),
so this module imports nothing from messaging: the flows (interviews/flows/) write the plan.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from interviews.errors import Conflict, InvalidInput, NotFound
from interviews.scheduling.models import Interview, InterviewStatus

ATTENDANCE = (InterviewStatus.JOINED, InterviewStatus.NO_SHOW, InterviewStatus.COMPLETED)
# Attendance can be marked from a little before the start (a host who opens the call early).
MARK_FROM_BEFORE_START = timedelta(minutes=15)
# How long the links in the host's reminder work.
ATTENDANCE_LINK_DAYS = 14


def parse_attendance(value: str) -> InterviewStatus:
    """joined, no_show or completed. Raises InvalidInput for anything else."""
    try:
        status = InterviewStatus(value)
    except ValueError:
        status = None
    if status not in ATTENDANCE:
        raise InvalidInput("`status` is one of joined, no_show, completed.", field="status")
    return status


def markable(start_at: datetime, now: datetime) -> tuple[InterviewStatus, ...]:
    """The attendance that can be recorded now: "joined" from a little before the start
    (the person may be early), "no-show" and "completed" only once it has started."""
    if now < start_at - MARK_FROM_BEFORE_START:
        return ()
    if now < start_at:
        return (InterviewStatus.JOINED,)
    return ATTENDANCE


def set_attendance(interview: Interview, status: InterviewStatus, now: datetime) -> bool:
    """Record how the interview went; False when it already said so.

    Raises Conflict for a cancelled interview, or a status it cannot have yet (see
    ``markable``).
    """
    if interview.status is InterviewStatus.CANCELLED:
        raise Conflict("A cancelled interview has no attendance to record.")
    if status not in markable(interview.start_at, now):
        said = {InterviewStatus.NO_SHOW: "a no-show", InterviewStatus.COMPLETED: "completed"}
        raise Conflict(
            f"The interview has not started yet; mark it {said.get(status, 'joined')} once it has."
        )
    if interview.status is status:
        return False
    interview.status = status
    interview.updated_at = now
    return True


def record_no_show(interview: Interview, now: datetime) -> None:
    """Nobody said the person came, 30 minutes in: they did not."""
    interview.status = InterviewStatus.NO_SHOW
    interview.updated_at = now


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="attendance")


def attendance_url(interview: Interview, user_id: int, status: InterviewStatus) -> str:
    """A link for the host's reminder: opens a page that records this status in one click."""
    token = _signer().dumps([interview.id, user_id])
    return f"{current_app.config['BASE_URL']}/attendance/{token}?status={status.value}"


def attendance_link_subject(token: str) -> tuple[int, int]:
    """(interview id, user id) of an attendance link. Raises NotFound for a bad or old one."""
    try:
        interview_id, user_id = _signer().loads(token, max_age=ATTENDANCE_LINK_DAYS * 86400)
    except SignatureExpired:
        raise NotFound("This link has expired; mark the interview from its page instead.") from None
    except (BadSignature, ValueError, TypeError):
        raise NotFound("This link is not valid.") from None
    return int(interview_id), int(user_id)
