"""Participant use cases. Other areas reach participants only through here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from interviews.db import db
from interviews.participants.models import Participant
from interviews.participants.rules import (  # noqa: F401 (other areas validate through here)
    InvalidField,
    clean_name,
    normalise_email,
    normalise_phone,
)


def record_participant(
    workspace_id: int, *, email: str, name: str, phone: str, timezone: str, now: datetime
) -> Participant:
    """The workspace's participant with this email, created or updated with what they gave.

    Adds to the caller's transaction (a booking); the caller commits.
    """
    email = email.strip().lower()
    participant = db.session.scalar(
        select(Participant).where(
            Participant.workspace_id == workspace_id, Participant.email == email
        )
    )
    if participant is None:
        participant = Participant(workspace_id=workspace_id, email=email, created_at=now)
        db.session.add(participant)
    participant.name = name
    if phone:
        participant.phone = phone
    participant.timezone = timezone
    participant.updated_at = now
    return participant


@dataclass(frozen=True)
class ParticipantRef:
    """Who a takeaway or note is from, as other areas see them."""

    id: int
    name: str
    email: str


def find_by_email(workspace_id: int, email: str) -> ParticipantRef | None:
    """The workspace's participant with this email (any case), or None."""
    participant = db.session.scalar(
        select(Participant).where(
            Participant.workspace_id == workspace_id,
            Participant.email == email.strip().lower(),
        )
    )
    return (
        ParticipantRef(participant.id, participant.name, participant.email) if participant else None
    )


def refs(workspace_id: int, ids: set[int]) -> dict[int, ParticipantRef]:
    """Several of the workspace's participants by id (others' ids are left out)."""
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Participant).where(Participant.workspace_id == workspace_id, Participant.id.in_(ids))
    )
    return {p.id: ParticipantRef(p.id, p.name, p.email) for p in rows}


def profile_facts(workspace_id: int, participant_id: int) -> list[tuple[str, str]]:
    """What we know about a participant, as (label, value) lines for prep before a call."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.workspace_id != workspace_id:
        return []
    facts = [("Email", participant.email), ("Time zone", participant.timezone)]
    if participant.phone:
        facts.append(("Phone", participant.phone))
    return facts
