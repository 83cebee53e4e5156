"""The one table the home page owns: what a workspace's first-run checklist remembers
that no area keeps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from interviews.db import UTCDateTime, db


class FirstRunChecklist(db.Model):
    """One row per workspace, made when the first of these happens.

    Per workspace, not per person or per browser: the checklist is the team's shared
    setup (a study, publishing it, sharing its link), so when someone puts it away, or
    shares the link, every teammate's home says so, on any browser and after any sign-in.
    """

    __tablename__ = "first_run_checklist"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A booking link copied or opened from the home page (a booking ticks "share" anyway).
    link_shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
