"""Live busy time from hosts' CalDAV calendars: read for the span asked about, kept at
most CALDAV_FRESH_SECONDS old."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta


def ensure_fresh(
    user_ids: Iterable[int],
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    max_age: timedelta | None = None,
) -> None:
    """Make the stored busy time of these people's blocking CalDAV calendars cover
    [start, end) and be no older than ``max_age`` (default CALDAV_FRESH_SECONDS)."""
