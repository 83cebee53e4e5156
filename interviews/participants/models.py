"""Tables owned by the participants area: the panel, consent, imports, invites, audit."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.db import UTCDateTime, db, str_enum


class Participant(db.Model):
    """A person on the workspace's research panel, one per email address."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("workspace_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    # E.164 ("+4930123456"), so the PM can call when video fails.
    phone: Mapped[str] = mapped_column(String(20), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    company: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(120), default="")
    # A team's own grouping ("smb", "enterprise", "consumer"): free text, filtered on.
    segment: Mapped[str] = mapped_column(String(60), default="", index=True)
    # What the product knows about them, key -> value, in the order given:
    # {"plan": "Pro", "tenure": "3 years", "support tickets": "4"}.
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Asked not to be contacted for research: cannot be invited or booked.
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Erased on request: the row stays (interviews still count in a study's numbers),
    # with nothing personal left in it.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The erased address as a keyed hash (personal_data.email_fingerprint): an import that
    # lists them again is told they asked to be erased, and nothing readable is kept.
    erased_email_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    consents: Mapped[list[Consent]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", order_by="Consent.id"
    )


class ConsentKind(enum.StrEnum):
    RESEARCH = "research"  # to take part in interviews and have notes kept
    RECORDING = "recording"  # to be recorded on calls
    CONTACT = "contact"  # to be invited to future research


class Consent(db.Model):
    """One consent a participant gave, with the exact words they agreed to and when.
    Withdrawing sets ``withdrawn_at``; the row is history and is never rewritten."""

    __tablename__ = "participant_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ConsentKind] = mapped_column(str_enum(ConsentKind, "consent_kind"))
    wording: Mapped[str] = mapped_column(Text)
    # How it was given: "booking form", "in person", "email", "import".
    method: Mapped[str] = mapped_column(String(40), default="")
    given_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    participant: Mapped[Participant] = relationship(back_populates="consents")


class ImportStatus(enum.StrEnum):
    MAPPING = "mapping"  # uploaded; the columns wait to be matched to fields
    QUEUED = "queued"  # mapped; waiting for a worker
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ParticipantImport(db.Model):
    """A CSV file of participants on its way into the panel, done in the background."""

    __tablename__ = "participant_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    filename: Mapped[str] = mapped_column(String(200))
    # The file as uploaded; emptied once the import is done, so it holds no copy of people.
    content: Mapped[str] = mapped_column(Text, default="")
    columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    # CSV column -> field ("email", "name", ..., "attribute", or "" to skip).
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[ImportStatus] = mapped_column(str_enum(ImportStatus, "import_status"))
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    merged_count: Mapped[int] = mapped_column(Integer, default=0)
    # [{"row": 7, "message": "no email address"}]: row numbers as in the file (header = 1).
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    failure: Mapped[str | None] = mapped_column(Text)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ParticipantInvite(db.Model):
    """A personal booking link for one participant and one study. Only its hash is kept."""

    __tablename__ = "participant_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The interview booked through it: a personal link books once.
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview.id", ondelete="SET NULL")
    )
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The message that carried it (mail area), for the profile's history.
    mail_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_message.id", ondelete="SET NULL")
    )


class AuditEntry(db.Model):
    """Who did what to whose data, and when: exports and erasures. Never rewritten.
    Holds no personal data of the subject, so it outlives an erasure."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_workspace_id_at", "workspace_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Kept as written, so the entry still says who after the member leaves.
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))  # "participant.erased", "participant.exported"
    subject: Mapped[str] = mapped_column(String(120))  # "participant 42": an id, never a name
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
