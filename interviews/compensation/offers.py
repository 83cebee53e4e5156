"""What a person is offered, and what they were given: one person's own offer, and the
lookups other areas read.

Messaging reads these while it writes a reminder or an "on its way" email, and the
participants area while it sends a personal invite, so this module imports nothing that
sends: the use cases that owe and settle rewards are in service.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.compensation.models import Reward, RewardOverride
from interviews.compensation.rules import RewardStatus, how_it_arrives
from interviews.db import db
from interviews.errors import Forbidden, InvalidInput, NotFound
from interviews.money import Money, Offer
from interviews.participants.models import Participant
from interviews.studies import service as studies
from interviews.studies.models import Study
from interviews.studies.service import StudyView


def offer_of_override(row: RewardOverride) -> Offer:
    money = Money.from_minor(row.amount_minor, row.currency) if row.amount_minor else None
    return Offer(row.kind, money, row.text)


def override_of(study_id: int, participant_id: int | None) -> Offer | None:
    """This person's own offer in the study, or None when they get the study's."""
    if participant_id is None:
        return None
    row = db.session.scalar(
        select(RewardOverride).where(
            RewardOverride.study_id == study_id, RewardOverride.participant_id == participant_id
        )
    )
    return offer_of_override(row) if row else None


def offer_for(study: StudyView, participant_id: int | None) -> Offer:
    """What this person is promised for an interview in the study: their own offer if
    they have one, else the study's."""
    return override_of(study.id, participant_id) or study.offer


@dataclass(frozen=True)
class Given:
    """A reward as the interviewee hears of it."""

    money: Money
    kind: str
    status: RewardStatus
    note: str
    settled_at: datetime | None
    delivery: str = ""  # how it reaches them, in a sentence (see how_it_arrives)


def given_for_interview(interview_id: int) -> Given | None:
    """The interview's reward, if one is owed or was settled."""
    row = db.session.scalar(select(Reward).where(Reward.interview_id == interview_id))
    if row is None:
        return None
    return Given(
        Money.from_minor(row.amount_minor, row.currency),
        row.kind.value,
        row.status,
        row.note,
        row.settled_at,
        how_it_arrives(row.kind.value, row.status, row.note),
    )


# --- one person's own offer ---------------------------------------------------------------


@dataclass(frozen=True)
class OverrideView:
    study_id: int
    study_title: str
    offer: Offer


def set_override(
    actor: accounts.Member,
    study_id: int,
    participant_id: int,
    offer: Offer,
    now: datetime | None = None,
) -> OverrideView:
    """Offer one person something other than the study's offer (an executive's amount,
    or a donation). Interviews already completed keep what they owe. Raises Forbidden,
    NotFound, InvalidInput (no amount)."""
    if not actor.can_edit:
        raise Forbidden("Viewers can see rewards but not change them.")
    study = studies.get_study(actor.workspace_id, study_id)
    person = db.session.get(Participant, participant_id)
    if person is None or person.workspace_id != actor.workspace_id or person.erased_at:
        raise NotFound("No such participant in this workspace.")
    if not offer.owes:
        raise InvalidInput("Give this person's reward an amount.", field="reward_amount")
    row = db.session.scalar(
        select(RewardOverride).where(
            RewardOverride.study_id == study_id, RewardOverride.participant_id == participant_id
        )
    ) or RewardOverride(
        workspace_id=actor.workspace_id, study_id=study_id, participant_id=participant_id
    )
    row.kind, row.text = offer.kind, offer.text
    row.amount_minor, row.currency = offer.money.minor, offer.money.currency
    row.created_by, row.created_at = actor.user_id, now or utc_now()
    db.session.add(row)
    db.session.commit()
    return OverrideView(study.id, study.title, offer)


def clear_override(actor: accounts.Member, study_id: int, participant_id: int) -> None:
    """Back to the study's offer for this person. Raises Forbidden."""
    if not actor.can_edit:
        raise Forbidden("Viewers can see rewards but not change them.")
    row = db.session.scalar(
        select(RewardOverride).where(
            RewardOverride.workspace_id == actor.workspace_id,
            RewardOverride.study_id == study_id,
            RewardOverride.participant_id == participant_id,
        )
    )
    if row is not None:
        db.session.delete(row)
        db.session.commit()


def overrides_of(workspace_id: int, participant_id: int) -> list[OverrideView]:
    """The studies in which this person has an offer of their own."""
    rows = db.session.execute(
        select(RewardOverride, Study.title)
        .join(Study, Study.id == RewardOverride.study_id)
        .where(
            RewardOverride.workspace_id == workspace_id,
            RewardOverride.participant_id == participant_id,
        )
        .order_by(Study.title)
    ).all()
    return [OverrideView(r.study_id, title, offer_of_override(r)) for r, title in rows]
