"""Tables owned by the reports area."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interviews.db import UTCDateTime, db


class DigestSent(db.Model):
    """One member's weekly digest for one week. The unique key is the claim: two sweeps
    racing for the same week cannot both send it."""

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("membership_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("membership.id", ondelete="CASCADE"), index=True
    )
    # The Monday the digest's week began on (the week it reports on).
    week_start: Mapped[date] = mapped_column(Date)
    mail_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_message.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
