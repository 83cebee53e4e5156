"""The outbox: every message an interview will get, with its due time and what became of it.

The database is the source of truth for what must happen later: Redis can be flushed
and a worker can die mid-send; the dispatcher finds the row again.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interviews.db import UTCDateTime, db, str_enum
from interviews.message_plan import Audience, MessageKind


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its due time (or for its retry)
    QUEUED = "queued"  # handed to a worker; the lease says until when that hand-off holds
    SENDING = "sending"  # a worker claimed it; the lease says until when the claim holds
    SENT = "sent"
    FAILED = "failed"  # every attempt failed; the error says why
    VOID = "void"  # no longer wanted: the interview moved, was cancelled, or they joined


OPEN_STATUSES = (OutboxStatus.PENDING, OutboxStatus.QUEUED, OutboxStatus.SENDING)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, "message_kind"))
    audience: Mapped[Audience] = mapped_column(str_enum(Audience, "message_audience"))
    # Team members are named by user (their address may change before it is sent).
    recipient_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE")
    )
    # Filled in when it is sent: who it actually went to.
    recipient: Mapped[str | None] = mapped_column(String(254))
    offset_minutes: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus, "outbox_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The Message-ID it goes out with, the same on every attempt: a retry is recognisable.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    mail_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_message.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
