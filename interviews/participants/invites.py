"""Personal invites: a one-person booking link for a study, sent from the PM.

This is how a PM (and, on a map, an actor's owner) recruits someone from the panel.
Someone interviewed within the study's cooldown is only invited once the PM says so;
someone who asked not to be contacted is never invited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.compensation import budgets as reward_budgets
from interviews.compensation import offers
from interviews.db import db, within
from interviews.errors import Conflict, Forbidden, InvalidInput, NotFound
from interviews.mail import service as mail_service
from interviews.participants import service as participants
from interviews.participants.models import ParticipantInvite
from interviews.participants.service import DoNotContact
from interviews.scheduling import links, team
from interviews.scheduling.models import InterviewStatus
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus
from interviews.tokens import hash_secret, new_secret

# Interviews that count as "talked to them" for the cooldown: booked ones too, since
# an upcoming call is contact already.
COUNTS_FOR_COOLDOWN = (InterviewStatus.BOOKED, InterviewStatus.JOINED, InterviewStatus.COMPLETED)


class CooldownWarning(Conflict):
    """They were interviewed within the study's cooldown: confirm to invite anyway."""

    def __init__(self, message: str, recent: list[team.InterviewSummary]) -> None:
        super().__init__(message)
        self.recent = recent


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


def recent_interviews(
    workspace_id: int, participant_id: int, cooldown_days: int, now: datetime
) -> list[team.InterviewSummary]:
    """Their interviews that fall inside the cooldown (and upcoming ones), newest first."""
    since = now - timedelta(days=cooldown_days)
    return [
        item
        for item in team.interviews_of_participant(workspace_id, participant_id)
        if item.status in COUNTS_FOR_COOLDOWN and item.start >= since
    ]


def send_invite(
    actor: accounts.Member,
    participant_id: int,
    study_id: int,
    *,
    note: str = "",
    despite_cooldown: bool = False,
) -> InviteSent:
    """Email one participant a personal link to book a call in a published study.

    Raises Forbidden, NotFound, DoNotContact, Conflict (erased, study not open),
    CooldownWarning (interviewed within the cooldown, unless ``despite_cooldown``).
    """
    participant = participants.editable_row(actor, participant_id)
    if participant.do_not_contact:
        raise DoNotContact(f"{participant.name} asked not to be contacted for research.")
    study = studies.get_study(actor.workspace_id, study_id)
    if study.status is not StudyStatus.PUBLISHED:
        raise Conflict("Publish the study first: a personal link books into its open times.")
    paused = reward_budgets.booking_block(study, participant.id)
    if paused:
        raise reward_budgets.BudgetExhausted(paused)
    note = (note or "").strip()
    if len(note) > 2000:
        raise InvalidInput("Keep the personal note under 2,000 characters.", field="note")
    now = utc_now()
    recent = recent_interviews(actor.workspace_id, participant.id, study.cooldown_days, now)
    if recent and not despite_cooldown:
        latest = recent[0]
        raise CooldownWarning(
            f"{participant.name} was interviewed on {latest.start:%-d %b %Y} ({latest.study_title}), "
            f"within this study's {study.cooldown_days}-day cooldown. "
            "Talking to the same people too often wears them out and narrows what you hear.",
            recent,
        )
    token = new_secret()
    days = current_app.config["PARTICIPANT_INVITE_DAYS"]
    invite = ParticipantInvite(
        workspace_id=actor.workspace_id,
        study_id=study.id,
        participant_id=participant.id,
        token_hash=hash_secret(token),
        created_by=actor.user_id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(invite)
    url = links.link(f"/book/{study.slug}?invite={token}")
    message = mail_service.queue_email(
        kind="participant_invite",
        recipient=participant.email,
        subject=study.title,
        template="participant_invite",
        context={
            "name": participant.name,
            "sender": actor.name,
            "workspace_name": actor.workspace_name,
            "study": study,
            "reward": offers.offer_for(study, participant.id).describe(),
            "note": note,
            "url": url,
            "days": days,
        },
        sender_name=actor.name,
        reply_to=actor.email,
        workspace_id=actor.workspace_id,
        from_person=True,
    )
    db.session.flush()
    invite.mail_message_id = message.id
    db.session.commit()
    return InviteSent(url=url, email=participant.email, delivery=mail_service.dispatch(message.id))


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
