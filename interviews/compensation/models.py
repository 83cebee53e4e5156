"""Tables owned by the compensation area: per-person offers, rewards, their history, budgets.

Money is stored as whole minor units (cents) beside its ISO 4217 currency: see money.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.compensation.rules import RewardStatus
from interviews.db import UTCDateTime, db, str_enum
from interviews.money import RewardKind


class RewardOverride(db.Model):
    """One person's own offer in a study (an executive's larger amount, or a donation)."""

    __tablename__ = "reward_override"
    __table_args__ = (UniqueConstraint("study_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RewardKind] = mapped_column(str_enum(RewardKind, "reward_kind"))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="")
    text: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Reward(db.Model):
    """What one interview's participant is owed, and what became of it."""

    __tablename__ = "reward"
    __table_args__ = (
        Index("ix_reward_workspace_status_owed_at", "workspace_id", "status", "owed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    # One reward per interview: completing it twice cannot owe twice.
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), unique=True
    )
    # Cleared when the person is erased: the money stays in the books, not who got it.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[RewardKind] = mapped_column(str_enum(RewardKind, "reward_kind"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[RewardStatus] = mapped_column(str_enum(RewardStatus, "reward_status"))
    # Granted by a PM to a no-show, rather than owed by a completed interview.
    granted: Mapped[bool] = mapped_column(Boolean, default=False)
    # How it was delivered (a gift card code, a transfer reference): kept, shown masked.
    method: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    owed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    events: Mapped[list[RewardEvent]] = relationship(
        back_populates="reward", cascade="all, delete-orphan", order_by="RewardEvent.id"
    )


class RewardEvent(db.Model):
    """One change of a reward, written once and never changed: its history."""

    __tablename__ = "reward_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("reward.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # None: the desk itself (an interview marked completed owes its reward).
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    from_status: Mapped[RewardStatus | None] = mapped_column(
        str_enum(RewardStatus, "reward_status")
    )
    to_status: Mapped[RewardStatus] = mapped_column(str_enum(RewardStatus, "reward_status"))
    method_masked: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    reward: Mapped[Reward] = relationship(back_populates="events")


class Budget(db.Model):
    """Money set aside for rewards in one currency: a study's, or (study None) the
    whole workspace's."""

    __tablename__ = "reward_budget"
    __table_args__ = (UniqueConstraint("workspace_id", "study_id", "currency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    study_id: Mapped[int | None] = mapped_column(
        ForeignKey("study.id", ondelete="CASCADE"), index=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    allocated_minor: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
