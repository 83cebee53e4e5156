"""Personal invites: a one-person booking link for a study, sent from the PM.

This is how a PM (and, on a map, an actor's owner) recruits someone from the panel.
Someone who asked not to be contacted is never invited. Sending one (the budget, the
cooldown, the email) is a use case across areas: flows.invites.send_invite.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import db, within
from interviews.errors import Conflict, Forbidden, NotFound
from interviews.mail import service as mail_service
from interviews.participants import service as participants
from interviews.participants.models import Participant, ParticipantInvite
from interviews.participants.service import DoNotContact
from interviews.studies import service as studies
from interviews.tokens import hash_secret, new_secret


@dataclass(frozen=True)
class InviteView:
    id: int
    study_id: int
    study_title: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    interview_id: int | None
    created_by: str | None

    @property
    def state(self) -> str:
        if self.used_at:
            return "booked"
        if self.revoked_at:
            return "withdrawn"
        return "open"


@dataclass(frozen=True)
class InviteSent:
    url: str
    email: str
    delivery: mail_service.Dispatched


def invitable(actor: accounts.Member, participant_id: int) -> Participant:
    """The participant's row, once it is sure they may be invited at all. Raises
    Forbidden, NotFound, Conflict (erased), DoNotContact."""
    participant = participants.editable_row(actor, participant_id)
    if participant.do_not_contact:
        raise DoNotContact(f"{participant.name} asked not to be contacted for research.")
    return participant


def add_invite(
    actor: accounts.Member, study_id: int, participant_id: int, now: datetime
) -> tuple[ParticipantInvite, str]:
    """Inside the caller's transaction: a new personal invite from ``actor``, working
    for PARTICIPANT_INVITE_DAYS, and the secret its link carries (only its hash is kept)."""
    token = new_secret()
    days = current_app.config["PARTICIPANT_INVITE_DAYS"]
    invite = ParticipantInvite(
        workspace_id=actor.workspace_id,
        study_id=study_id,
        participant_id=participant_id,
        token_hash=hash_secret(token),
        created_by=actor.user_id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(invite)
    return invite, token


def invites_of(workspace_id: int, participant_id: int) -> list[InviteView]:
    """A participant's personal invites, newest first."""
    rows = db.session.scalars(
        select(ParticipantInvite)
        .where(
            ParticipantInvite.workspace_id == workspace_id,
            ParticipantInvite.participant_id == participant_id,
        )
        .order_by(ParticipantInvite.created_at.desc(), ParticipantInvite.id.desc())
    ).all()
    titles = {s.id: s.title for s in studies.list_studies(workspace_id)}
    names = {m.user_id: m.name for m in accounts.members(workspace_id)}
    return [
        InviteView(
            id=row.id,
            study_id=row.study_id,
            study_title=titles.get(row.study_id, "a study"),
            created_at=row.created_at,
            expires_at=row.expires_at,
            used_at=row.used_at,
            revoked_at=row.revoked_at,
            interview_id=row.interview_id,
            created_by=names.get(row.created_by) if row.created_by else None,
        )
        for row in rows
    ]


def withdraw_invite(actor: accounts.Member, invite_id: int) -> None:
    """The link stops working at once. Raises Forbidden, NotFound, Conflict (already used)."""
    if not actor.can_edit:
        raise Forbidden("Viewers cannot change invites.")
    invite = db.session.get(ParticipantInvite, invite_id)
    if invite is None or invite.workspace_id != actor.workspace_id:
        raise NotFound("No such invite in this workspace.")
    if invite.used_at is not None:
        raise Conflict(
            "That invite was already used to book; move or cancel the interview instead."
        )
    if invite.revoked_at is None:
        invite.revoked_at = utc_now()
        db.session.commit()


# --- what the reports dashboard counts -----------------------------------------------------


def invites_sent(
    workspace_id: int,
    sent_from: datetime | None,
    sent_before: datetime | None,
    study_id: int | None = None,
) -> list[int | None]:
    """The interview each personal invite sent in [from, before) booked (None: not
    booked, or its interview is gone), one entry per invite, of one study if given."""
    query = select(ParticipantInvite.interview_id).where(
        ParticipantInvite.workspace_id == workspace_id,
        *within(ParticipantInvite.created_at, sent_from, sent_before),
    )
    if study_id is not None:
        query = query.where(ParticipantInvite.study_id == study_id)
    return list(db.session.scalars(query))


def interviews_booked_by_invite(workspace_id: int, study_id: int | None = None) -> set[int]:
    """Ids of the interviews that were booked through a personal invite, whenever sent."""
    query = select(ParticipantInvite.interview_id).where(
        ParticipantInvite.workspace_id == workspace_id,
        ParticipantInvite.interview_id.is_not(None),
    )
    if study_id is not None:
        query = query.where(ParticipantInvite.study_id == study_id)
    return set(db.session.scalars(query))
