"""Privacy requests about a participant, the participants area's part: who may make
them, the erasure claimed and the profile cleared, the record of an erasure, and the
audit trail. Exporting or erasing a person spans areas: the use cases are in
interviews/flows/privacy.py, which call these helpers in their one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Text, cast, or_, select, update

from interviews.accounts import service as accounts
from interviews.db import db
from interviews.errors import Conflict, Forbidden, NotFound
from interviews.participants import personal_data
from interviews.participants.models import (
    AuditEntry,
    Participant,
    ParticipantImport,
    ParticipantInvite,
)

EXPORTED, ERASED = "participant.exported", "participant.erased"
AUDIT_PAGE = 500


class AlreadyErased(Conflict):
    code = "already_erased"


def require_editor(actor: accounts.Member) -> None:
    """Owners and researchers may export or erase a person's data. Raises Forbidden."""
    if not actor.can_edit:
        raise Forbidden("Only owners and researchers can export or erase a participant's data.")


def participant_row(workspace_id: int, participant_id: int) -> Participant:
    """The participant a privacy request is about. Raises NotFound (not in this workspace)."""
    row = db.session.get(Participant, participant_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound("No such participant in this workspace.")
    return row


def record_audit(
    actor: accounts.Member, action: str, participant_id: int, detail: dict, now: datetime
) -> None:
    """Put an export or an erasure on the audit trail, in the caller's transaction."""
    db.session.add(
        AuditEntry(
            workspace_id=actor.workspace_id,
            actor_user_id=actor.user_id,
            actor_name=actor.name,
            action=action,
            subject=f"participant {participant_id}",  # an id: the entry outlives an erasure
            detail=detail,
            at=now,
        )
    )


# --- erasure -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    """An erasure done: when, by whom, and how much it touched (counts, nothing personal)."""

    participant_id: int
    at: datetime
    by: str
    counts: dict[str, int]


@dataclass(frozen=True)
class ErasurePlan:
    """What the confirmation page shows before an erasure, or the erasure once done."""

    participant_id: int
    name: str
    email: str
    interviews: int
    upcoming: int
    consents: int
    takeaways: int
    invites: int
    done: Erasure | None


def erasure_of(workspace_id: int, participant_id: int) -> Erasure | None:
    """Who erased this participant and when, or None while they are not erased."""
    row = participant_row(workspace_id, participant_id)
    if row.erased_at is None:
        return None
    entry = db.session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.workspace_id == workspace_id,
            AuditEntry.action == ERASED,
            AuditEntry.subject == f"participant {participant_id}",
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    if entry is None:  # erased by something that keeps no trail (none does today)
        return Erasure(participant_id, row.erased_at, "the team", {})
    return Erasure(participant_id, entry.at, entry.actor_name, dict(entry.detail or {}))


def open_invites(participant_id: int) -> int:
    """How many personal booking links of theirs are still open (neither revoked nor used)."""
    return len(
        db.session.scalars(
            select(ParticipantInvite.id).where(
                ParticipantInvite.participant_id == participant_id,
                ParticipantInvite.revoked_at.is_(None),
                ParticipantInvite.used_at.is_(None),
            )
        ).all()
    )


def claim_erasure(row: Participant, now: datetime) -> bool:
    """Mark them erased in one statement, in the caller's transaction: of two erasures at
    once, one claims it and does the work. False when they were erased already."""
    claimed = db.session.execute(
        update(Participant)
        .where(Participant.id == row.id, Participant.erased_at.is_(None))
        .values(erased_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(claimed)


def revoke_invites(row: Participant, now: datetime) -> int:
    """Part of an erasure (no commit): revoke their personal booking links; how many."""
    invites = db.session.scalars(
        select(ParticipantInvite).where(
            ParticipantInvite.participant_id == row.id, ParticipantInvite.revoked_at.is_(None)
        )
    ).all()
    for invite in invites:
        invite.revoked_at = now
    return len(invites)


def scrub_imports(workspace_id: int, email: str, scrub: Callable[[str], str]) -> int:
    """Part of an erasure (no commit): CSV imports not yet done still hold the file, their
    row in it included, so each one naming them is scrubbed; how many."""
    like = "%" + email.replace("%", "").replace("_", "\\_") + "%"
    rows = db.session.scalars(
        select(ParticipantImport).where(
            ParticipantImport.workspace_id == workspace_id,
            or_(
                ParticipantImport.content.ilike(like, escape="\\"),
                cast(ParticipantImport.errors, Text).ilike(like, escape="\\"),
            ),
        )
    ).all()
    for row in rows:
        row.content = scrub(row.content or "")
        row.errors = [{**e, "message": scrub(str(e.get("message", "")))} for e in row.errors or []]
        row.failure = scrub(row.failure) if row.failure else row.failure
    return len(rows)


def clear_profile(row: Participant, now: datetime) -> int:
    """Part of an erasure (no commit): the profile keeps only its id, a placeholder
    address and do-not-contact; their consents go. Returns how many consents."""
    consents = len(row.consents)
    row.consents.clear()  # delete-orphan: the rows go, wording and all
    row.name = personal_data.ERASED_NAME
    row.erased_email_hash = personal_data.email_fingerprint(
        current_app.config["SECRET_KEY"].encode(), row.email
    )
    row.email = personal_data.erased_email(row.id)
    row.phone = row.company = row.role = row.segment = ""
    row.attributes = {}
    row.timezone = "UTC"
    row.do_not_contact = True  # never invited or booked again, whatever else changes
    row.do_not_contact_at = row.do_not_contact_at or now
    row.erased_at = row.updated_at = now
    return consents


# --- the audit trail ---------------------------------------------------------------------


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor_name: str
    action: str
    subject: str
    detail: dict[str, Any]

    @property
    def label(self) -> str:
        return personal_data.ACTIONS.get(self.action, self.action)


def audit_log(actor: accounts.Member) -> list[AuditLine]:
    """The workspace's audit trail, newest first (the latest 500). Owners only: it is
    the record of who took or removed people's data. Raises Forbidden."""
    if not actor.can_manage_members:
        raise Forbidden("Only owners can read the audit trail.")
    rows = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.workspace_id == actor.workspace_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(AUDIT_PAGE)
    ).all()
    return [AuditLine(r.at, r.actor_name, r.action, r.subject, dict(r.detail or {})) for r in rows]
