"""Invite one person: a personal booking link for a published study, emailed from
the PM, once the budget, the cooldown and their wish not to be contacted allow it."""

from __future__ import annotations

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.compensation import budgets, offers
from interviews.db import db
from interviews.errors import Conflict, InvalidInput
from interviews.mail import service as mail
from interviews.participants import invites
from interviews.scheduling import cooldown, links
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus


def send_invite(
    actor: accounts.Member,
    participant_id: int,
    study_id: int,
    *,
    note: str = "",
    despite_cooldown: bool = False,
) -> invites.InviteSent:
    """Email one participant a personal link to book a call in a published study.

    Raises Forbidden, NotFound, DoNotContact, Conflict (erased, study not open),
    BudgetExhausted, InvalidInput (the note), CooldownWarning (interviewed within the
    cooldown, unless ``despite_cooldown``).
    """
    participant = invites.invitable(actor, participant_id)
    study = studies.get_study(actor.workspace_id, study_id)
    if study.status is not StudyStatus.PUBLISHED:
        raise Conflict("Publish the study first: a personal link books into its open times.")
    paused = budgets.booking_block(study, participant.id)
    if paused:
        raise budgets.BudgetExhausted(paused)
    note = (note or "").strip()
    if len(note) > 2000:
        raise InvalidInput("Keep the personal note under 2,000 characters.", field="note")
    now = utc_now()
    recent = cooldown.recent_interviews(
        actor.workspace_id, participant.id, study.cooldown_days, now
    )
    if recent and not despite_cooldown:
        latest = recent[0]
        raise cooldown.CooldownWarning(
            f"{participant.name} was interviewed on {latest.start:%-d %b %Y} ({latest.study_title}), "
            f"within this study's {study.cooldown_days}-day cooldown. "
            "Talking to the same people too often wears them out and narrows what you hear.",
            recent,
        )
    invite, token = invites.add_invite(actor, study.id, participant.id, now)
    url = links.link(f"/book/{study.slug}?invite={token}")
    message = mail.queue_email(
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
            "days": (invite.expires_at - invite.created_at).days,  # how long the link works
        },
        sender_name=actor.name,
        reply_to=actor.email,
        workspace_id=actor.workspace_id,
        from_person=True,
    )
    db.session.flush()
    invite.mail_message_id = message.id
    db.session.commit()
    return invites.InviteSent(url=url, email=participant.email, delivery=mail.dispatch(message.id))
