"""Participant use cases. Other areas reach participants only through here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from interviews.db import db
from interviews.participants.models import Participant


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
