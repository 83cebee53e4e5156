"""A participant's interviews, for privacy requests: the record a data export shows, and
what an erasure changes (answers, cancel reasons, time zone, manage links)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from interviews.db import db
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.tokens import new_secret


@dataclass(frozen=True)
class ParticipantInterview:
    """One interview as the person it was with may ask to see it (a data export)."""

    id: int
    study_id: int
    study_title: str
    start: datetime
    end: datetime
    status: InterviewStatus
    timezone: str
    answers: list[dict[str, str]]
    cancel_reason: str | None
    cancelled_at: datetime | None
    booked_at: datetime


def interview_records_of(workspace_id: int, participant_id: int) -> list[ParticipantInterview]:
    """A participant's interviews in this workspace, oldest first, with what they wrote
    when booking: the record a data export or an erasure works from (pages list them
    with ``team.interviews_of_participant``)."""
    rows = db.session.scalars(
        select(Interview)
        .where(Interview.workspace_id == workspace_id, Interview.participant_id == participant_id)
        .order_by(Interview.start_at, Interview.id)
    ).all()
    return [
        ParticipantInterview(
            id=row.id,
            study_id=row.study_id,
            study_title=row.study.title,
            start=row.start_at,
            end=row.end_at,
            status=row.status,
            timezone=row.participant_timezone,
            answers=list(row.answers or []),
            cancel_reason=row.cancel_reason,
            cancelled_at=row.cancelled_at,
            booked_at=row.created_at,
        )
        for row in rows
    ]


def interviews_of(workspace_id: int, participant_id: int) -> list[Interview]:
    """A participant's interview rows in this workspace, oldest first: what a use case
    that changes each of them (an erasure) works on, in its own transaction."""
    return list(
        db.session.scalars(
            select(Interview)
            .where(
                Interview.workspace_id == workspace_id,
                Interview.participant_id == participant_id,
            )
            .order_by(Interview.start_at, Interview.id)
        )
    )


def erase_participant_details(workspace_id: int, participant_id: int, now: datetime) -> list[int]:
    """Part of erasing a person, inside the caller's transaction (no commit): their
    interviews stay, so a study's numbers still count them, but their booking answers,
    cancel reasons and time zone go and their manage links stop working. Returns the
    interview ids."""
    rows = db.session.scalars(
        select(Interview).where(
            Interview.workspace_id == workspace_id, Interview.participant_id == participant_id
        )
    ).all()
    for row in rows:
        row.answers = []
        row.cancel_reason = None
        row.participant_timezone = "UTC"
        # A new hash and no nonce: the old link cannot come back, even if un-revoked.
        row.manage_token_hash = new_secret()
        row.manage_nonce = None
        row.manage_token_revoked_at = row.manage_token_revoked_at or now
        row.updated_at = now
    return [row.id for row in rows]
