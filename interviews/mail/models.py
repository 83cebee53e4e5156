"""Every outgoing email is a row: the dev mailbox lists them, delivery claims them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.db import UTCDateTime, db, str_enum


class MailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class MailMessage(db.Model):
    """One email, and the outbox row for it: the sweep finds what is due and not held.

    ``due_at`` is when it may next be tried; None means an interview message owns the
    row and schedules its tries itself (messaging.service). ``lease_expires_at`` is how
    long a hand-off to a worker, or a worker's send, holds the row. ``attempted_at`` is
    written and committed before each attempt speaks to the mail server, so a row found
    *sending* after its lease ran out is known to have had an attempt whose outcome is
    unknown.
    """

    __tablename__ = "mail_message"
    __table_args__ = (Index("ix_mail_message_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Which workspace the message belongs to (None for account mail such as resets).
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    # Keyed so that a retried delivery is recognisable downstream (Message-ID).
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    sender_name: Mapped[str] = mapped_column(String(120))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    # Sent from the person's own address (their domain is one the mail server may send
    # as, MAIL_SENDER_DOMAINS); None: from MAIL_DEFAULT_SENDER with their name.
    from_address: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    backend: Mapped[str] = mapped_column(String(20))
    status: Mapped[MailStatus] = mapped_column(
        str_enum(MailStatus, "mail_status"),
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    attachments: Mapped[list[MailAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="MailAttachment.id"
    )


class MailAttachment(db.Model):
    """A file sent with a message: the calendar invite (.ics), for now."""

    __tablename__ = "mail_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("mail_message.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(120))
    # e.g. "text/calendar; method=REQUEST": the method tells mail clients what to do.
    content_type: Mapped[str] = mapped_column(String(120))
    content: Mapped[str] = mapped_column(Text)

    message: Mapped[MailMessage] = relationship(back_populates="attachments")
