"""The one place the wall clock is read. Services call ``utc_now``; logic takes ``now``."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
