"""Tables owned by the notes area: templates (versioned), interview notes, takeaways, tags."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.db import UTCDateTime, db, str_enum


class TemplateKind(enum.StrEnum):
    DISCOVERY = "discovery"
    JTBD = "jtbd"
    CUSTOM = "custom"


class TakeawaySource(enum.StrEnum):
    INTERVIEW = "interview"
    SALES = "sales"
    SUPPORT = "support"
    ACCOUNT_MANAGEMENT = "account_management"
    SURVEY = "survey"
    OTHER = "other"


class InterviewTemplate(db.Model):
    """A note template of the workspace; its sections live in numbered versions."""

    __tablename__ = "interview_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[TemplateKind] = mapped_column(str_enum(TemplateKind, "template_kind"))
    description: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    versions: Mapped[list[TemplateVersion]] = relationship(
        back_populates="template", order_by="TemplateVersion.number"
    )


class TemplateVersion(db.Model):
    """The sections of a template as they were at one edit. Notes point at the version
    they were taken on, so editing a template later rewrites no notes."""

    __tablename__ = "template_version"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("interview_template.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    # [{"heading": ..., "guidance": ..., "prompts": [...]}]
    sections: Mapped[list[dict]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    template: Mapped[InterviewTemplate] = relationship(back_populates="versions")


class InterviewNotes(db.Model):
    """What was written during and after one interview, on one template version."""

    __tablename__ = "interview_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), unique=True
    )
    template_version_id: Mapped[int] = mapped_column(
        ForeignKey("template_version.id", ondelete="RESTRICT")
    )
    # [{"heading": ..., "body": markdown}]
    sections: Mapped[list[dict]] = mapped_column(JSON)
    # Bumped by every save: a save made on an older revision is merged, never blindly kept.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    note_taker_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    recording_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    recording_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recording_url: Mapped[str] = mapped_column(String(500), default="")
    # {"notes_cleaned": "2026-11-24T10:00:00+00:00", ...}: what is done after the call, and when.
    checklist: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    template_version: Mapped[TemplateVersion] = relationship()


takeaway_tag = Table(
    "takeaway_tag",
    db.metadata,
    Column("takeaway_id", ForeignKey("takeaway.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    """A workspace-wide label for takeaways; renamed and merged, never duplicated by case."""

    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(60))  # the name folded: "Onboarding" == "onboarding"


class Takeaway(db.Model):
    """One thing learned: a short statement, maybe a quote, from an interview or elsewhere."""

    __tablename__ = "takeaway"
    # The library's newest-first page without a filter reads this index alone.
    __table_args__ = (Index("ix_takeaway_workspace_newest", "workspace_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview.id", ondelete="SET NULL"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    key: Mapped[str] = mapped_column(String(120), default="")  # a few words to scan by
    text: Mapped[str] = mapped_column(Text)
    quote: Mapped[str] = mapped_column(Text, default="")
    importance: Mapped[int] = mapped_column(Integer, default=2)  # 1 low, 2 medium, 3 high
    source: Mapped[TakeawaySource] = mapped_column(str_enum(TakeawaySource, "takeaway_source"))
    context: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    tags: Mapped[list[Tag]] = relationship(secondary=takeaway_tag, order_by="Tag.key")


class LinkKind(enum.StrEnum):
    """The level of the impact map a takeaway is evidence for."""

    ACTOR = "actor"
    OUTCOME = "outcome"
    OUTPUT = "output"


# A takeaway as evidence for a node of an impact map. The maps area owns the nodes and
# checks them before linking; the kind is kept here so the library can count and filter
# by actor or outcome without reading the maps' tables.
takeaway_link = Table(
    "takeaway_link",
    db.metadata,
    Column("takeaway_id", ForeignKey("takeaway.id", ondelete="CASCADE"), primary_key=True),
    Column("node_id", ForeignKey("map_node.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("kind", str_enum(LinkKind, "takeaway_link_kind"), nullable=False),
)


class LibraryVersion(db.Model):
    """One number, raised by database triggers (migration 0020) on every write that can
    change a facet count of the library: cached counts of an older version are stale."""

    __tablename__ = "library_version"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    version: Mapped[int] = mapped_column(Integer)
    # PostgreSQL: the transaction that raised it last (it raises it once per transaction).
    changed_in: Mapped[int | None] = mapped_column(BigInteger)


class LibraryCount(db.Model):
    """A count over a workspace's whole library, kept (see notes.kept_counts): its
    ``value`` as counted at ``version`` of library_version."""

    __tablename__ = "library_count"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(40), primary_key=True)  # "facets", "evidence"...
    version: Mapped[int] = mapped_column(Integer)
    value: Mapped[Any] = mapped_column(JSON)


class TranscriptFormat(enum.StrEnum):
    """The kind of file a transcript was read from."""

    VTT = "vtt"
    SRT = "srt"
    TEXT = "txt"


class Transcript(db.Model):
    """The words of one interview's recording, as timed segments; one per interview, a
    new file replaces it whole."""

    __tablename__ = "transcript"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), unique=True
    )
    file_format: Mapped[TranscriptFormat] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(200), default="")
    # {speaker as written in the file: "interviewer" | "interviewee" | "other"}
    speakers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Added although no permission to record was on file: the PM said they had it.
    without_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TranscriptSegment(db.Model):
    """One cue or turn of a transcript: who spoke, when (milliseconds from the start of
    the recording; none for plain text) and the words, without markup. The workspace and
    interview are kept on each segment so a search answers without reading transcripts."""

    __tablename__ = "transcript_segment"
    __table_args__ = (UniqueConstraint("transcript_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcript.id", ondelete="CASCADE"))
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    start_ms: Mapped[int | None] = mapped_column(Integer)
    end_ms: Mapped[int | None] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)


class TranscriptHighlight(db.Model):
    """A takeaway made from words of a transcript: the segment its quote starts in, the
    moment and the speaker. The moment and speaker are kept here, so a takeaway keeps
    them when its transcript is replaced or removed (the segment then goes)."""

    __tablename__ = "transcript_highlight"

    takeaway_id: Mapped[int] = mapped_column(
        ForeignKey("takeaway.id", ondelete="CASCADE"), primary_key=True
    )
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("transcript_segment.id", ondelete="SET NULL"), index=True
    )
    start_ms: Mapped[int | None] = mapped_column(Integer)
    end_ms: Mapped[int | None] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(200), default="")
