"""An interview's public links and calendar invite, as every message about it shows them.

The manage link's token is derived from the server's secret and a per-interview nonce,
so a reminder sent days after booking carries the very link the confirmation did,
while the database holds only the token's hash. A new nonce retires the old link.
"""

from __future__ import annotations

import hashlib
import hmac
from base64 import urlsafe_b64encode
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from interviews.addresses import web_link
from interviews.scheduling.invites import InviteDetails, Person
from interviews.scheduling.models import Interview
from interviews.scheduling.pages import local_when
from interviews.studies import service as studies
from interviews.tokens import hash_secret, new_secret


def link(path: str) -> str:
    return current_app.config["BASE_URL"] + path


def _derive(interview_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"manage:{interview_id}:{nonce}".encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest).decode().rstrip("=")


def new_manage_token(interview: Interview) -> str:
    """Give the (flushed) interview a fresh manage link; an older one stops working."""
    interview.manage_nonce = new_secret()[:32]
    token = _derive(interview.id, interview.manage_nonce)
    interview.manage_token_hash = hash_secret(token)
    return token


def manage_token(interview: Interview) -> str:
    """The interview's current manage-link token (made on first need for old rows)."""
    if interview.manage_nonce is None:
        return new_manage_token(interview)
    return _derive(interview.id, interview.manage_nonce)


def manage_url(token: str) -> str:
    return link(f"/manage/{token}")


def ics_url(token: str) -> str:
    return link(f"/api/v1/public/manage/{token}/invite.ics")


def _rebook_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="rebook")


def rebook_url(interview: Interview, slug: str) -> str:
    """The booking page of the study, carrying which missed interview this rebooks."""
    return link(f"/book/{slug}?rebook={_rebook_signer().dumps(interview.id)}")


def rebooked_interview_id(token: str | None) -> int | None:
    """The missed interview a rebook token names; None for none or a forged one."""
    if not token:
        return None
    try:
        value = _rebook_signer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def when_text(start: datetime, end: datetime, timezone: str) -> str:
    """ "Tuesday 24 November 2026, 09:00–09:45 (Europe/Berlin)" in the reader's zone."""
    return f"{local_when(start, end, timezone)} ({timezone})"


def invite_details(
    study: studies.StudyView,
    interview: Interview,
    token: str | None,
    now: datetime,
    *,
    reward: str,
) -> InviteDetails:
    """The calendar event everyone on the call gets: purpose, join details, reward, link.
    ``reward`` is the thank-you the interviewee is promised, in words ("" for none)."""
    # Only an http(s) join link goes into the event: a calendar app makes links of it.
    join = web_link(study.meeting_url) or ""
    lines = [study.description]
    if join:
        lines.append(f"Join: {join}")
    if study.phone_fallback:
        lines.append(f"If video fails, call {study.phone_fallback}.")
    if reward:
        lines.append(f"Thank you: {reward}")
    if token:
        lines.append(f"Reschedule or cancel: {manage_url(token)}")
    location = join or (f"Phone: {study.phone_fallback}" if study.phone_fallback else "")
    return InviteDetails(
        uid=interview.ics_uid,
        sequence=interview.ics_sequence,
        start=interview.start_at,
        end=interview.end_at,
        summary=study.title,
        description="\n\n".join(line for line in lines if line),
        location=location,
        organizer=Person(study.host.name, study.host.email),
        attendees=(
            Person(interview.participant.name, interview.participant.email),
            *(Person(c.name, c.email) for c in study.colleagues),
        ),
        stamp=now,
        url=join,
    )
