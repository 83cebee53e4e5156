"""Tables owned by the studies area."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.accounts.models import User, Workspace
from interviews.db import UTCDateTime, db, str_enum
from interviews.money import RewardKind


class JoinMode(enum.StrEnum):
    """Where an interview's join link comes from."""

    FIXED = "fixed"  # the study's meeting_url (empty: no video link, phone only)
    PERSONAL = "personal"  # the interview's host's personal room, set on their profile
    GENERATED = "generated"  # a room of its own per interview, from JOIN_ROOM_TEMPLATE


class StudyStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class Study(db.Model):
    __tablename__ = "study"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    # Public: /book/<slug>. Unique across the whole server, since the URL has no workspace.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    host_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    duration_minutes: Mapped[int] = mapped_column(Integer, default=45)
    meeting_url: Mapped[str] = mapped_column(String(500), default="")
    join_mode: Mapped[JoinMode] = mapped_column(
        str_enum(JoinMode, "join_mode"), default=JoinMode.GENERATED, server_default="fixed"
    )
    # The note-takers (colleagues) must be free too: their hours, days off, interviews and
    # calendars block the study's times.
    note_takers_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    phone_fallback: Mapped[str] = mapped_column(String(40), default="")
    # The thank-you every participant is offered (one person may have their own, see
    # compensation.RewardOverride): a kind, an exact amount in minor units, its currency,
    # and a few words. Kind "none" with only words is an offer without a reward owed.
    reward_kind: Mapped[RewardKind] = mapped_column(
        str_enum(RewardKind, "reward_kind"), default=RewardKind.NONE
    )
    reward_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    reward_currency: Mapped[str] = mapped_column(String(3), default="")
    reward_text: Mapped[str] = mapped_column(String(200), default="")
    notice_minutes: Mapped[int] = mapped_column(Integer, default=12 * 60)
    horizon_days: Mapped[int] = mapped_column(Integer, default=30)
    max_per_day: Mapped[int] = mapped_column(Integer, default=3)
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=30)
    step_minutes: Mapped[int] = mapped_column(Integer, default=30)
    phone_required: Mapped[bool] = mapped_column(Boolean, default=True)
    # Extra questions the booking form asks, in order: ["What do you use us for?"].
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Minutes before the call each reminder goes out (PRODUCT.md: 24 h, 1 h, 10 min).
    reminder_offsets: Mapped[list[int]] = mapped_column(JSON, default=lambda: [1440, 60, 10])
    # The nudge 5 minutes in and the "sorry we missed you" 30 minutes in.
    followups_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The study's own words for some messages: {"reminder": {"subject": ..., "body": ...}}.
    message_texts: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    # The note template its interviews are taken on; None: the workspace's Discovery one.
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_template.id", ondelete="SET NULL")
    )
    # Inviting someone interviewed fewer days ago than this warns first (PRODUCT.md: 90).
    cooldown_days: Mapped[int] = mapped_column(Integer, default=90)
    status: Mapped[StudyStatus] = mapped_column(
        str_enum(StudyStatus, "study_status"),
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    workspace: Mapped[Workspace] = relationship()
    host: Mapped[User] = relationship()
    colleagues: Mapped[list[StudyColleague]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="StudyColleague.id"
    )
    # Hosts taking turns with ``host`` (round robin); none: the study has one host.
    rotation: Mapped[list[StudyHost]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="StudyHost.id"
    )


class StudyColleague(db.Model):
    """Someone else on every call of the study (a note-taker): they get the invite too."""

    __tablename__ = "study_colleague"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))

    study: Mapped[Study] = relationship(back_populates="colleagues")
    user: Mapped[User] = relationship()


class StudyHost(db.Model):
    """Another host taking turns with the study's own (round robin): each booking goes to
    one free host, fixed at booking."""

    __tablename__ = "study_host"
    __table_args__ = (UniqueConstraint("study_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    study: Mapped[Study] = relationship(back_populates="rotation")
    user: Mapped[User] = relationship()
