"""An interview's public links and calendar invite, as every message about it shows them.

The manage link's token is derived from the server's secret and a per-interview nonce,
so a reminder sent days after booking carries the very link the confirmation did,
while the database holds only the token's hash. A new nonce retires the old link.

The join link (the call's address) is decided in one place, ``join_link``, for the
invite, every email, the pages and the calendars alike.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import b32encode, urlsafe_b64encode
from datetime import datetime
from typing import Protocol

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from interviews.accounts import service as accounts
from interviews.addresses import web_link
from interviews.scheduling.invites import InviteDetails, Person
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.scheduling.pages import local_when
from interviews.studies import service as studies
from interviews.studies.models import JoinMode
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


# --- the join link ---------------------------------------------------------------------

ROOM_PREFIX = "interview-"
# 15 random bytes: 120 bits, 24 characters of base32 (a-z and 2-7): nobody guesses a
# room, and a room name survives any video service's rules (lowercase letters, digits).
ROOM_BYTES = 15


class JoinSettings(Protocol):
    """What decides a study's join links: a StudyView, or the study row itself."""

    @property
    def join_mode(self) -> JoinMode | str: ...

    @property
    def meeting_url(self) -> str: ...


def _room_url(name: str) -> str:
    return current_app.config["JOIN_ROOM_TEMPLATE"].replace("{room}", ROOM_PREFIX + name)


def _room_name(raw: bytes) -> str:
    return b32encode(raw[:ROOM_BYTES]).decode().lower()


def new_room_url() -> str:
    """A room of its own for a new interview, from the JOIN_ROOM_TEMPLATE setting
    (https://meet.jit.si/interview-<24 random letters and digits> by default)."""
    return _room_url(_room_name(secrets.token_bytes(ROOM_BYTES)))


def _derived_room_url(interview: Interview) -> str:
    """The room of an interview booked before its study made rooms per interview (its
    join_url is empty): derived from the server's secret, the same on every message and
    page without writing anything while reading, and as unguessable as a manage link."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"room:{interview.id}:{interview.ics_uid}".encode()
    return _room_url(_room_name(hmac.new(key, message, hashlib.sha256).digest()))


def join_link(study: JoinSettings, interview: Interview) -> str:
    """Where the interview's call is joined: the one answer the invite, every email and
    reminder, the pages and the calendars give. "" for none: a phone-only study, a host
    who has no video room (yet), and a cancelled interview, whose link is never shown
    again.

    fixed: the study's video link; personal: the room of the interview's own host (with
    round robin, not necessarily the study's first host); generated: the room made for
    this interview when it was booked (it keeps it when moved). Only an http(s) address
    is ever given out.
    """
    if interview.status is InterviewStatus.CANCELLED:
        return ""
    mode = JoinMode(study.join_mode)
    if mode is JoinMode.PERSONAL:
        address = accounts.personal_room(interview.host_id)
    elif mode is JoinMode.GENERATED:
        address = interview.join_url or _derived_room_url(interview)
    else:
        address = study.meeting_url
    return web_link(address) or ""


def sample_join_link(study: studies.StudyView) -> str:
    """The join link a preview of the study's texts shows: what a real interview's
    would look like (the host's room, a made-up room, or the fixed link)."""
    if study.join_mode is JoinMode.PERSONAL:
        return web_link(accounts.personal_room(study.host.user_id)) or ""
    if study.join_mode is JoinMode.GENERATED:
        return _room_url("sample-room")
    return web_link(study.meeting_url) or ""


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
    join = join_link(study, interview)
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
