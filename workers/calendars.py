"""Reading hosts' busy calendars, and writing interviews into the team's own."""

from __future__ import annotations

from interviews.scheduling import busy_calendars, calendar_writes
from workers.app import worker_app


def refresh_busy_calendar(calendar_id: int) -> str:
    """Fetch one busy calendar and store its busy time. Safe to run twice: it replaces."""
    with worker_app().app_context():
        view = busy_calendars.refresh(calendar_id)
        if view is None:
            return "removed"
        return f"error: {view.error}" if view.error else f"{view.events} events"


def write_calendar_events(write_ids: list[int]) -> str:
    """Put interviews' events into (or remove them from) the team's calendars. Each write
    is claimed first, so a second job with the same ids writes nothing twice."""
    with worker_app().app_context():
        written = calendar_writes.write_batch(write_ids)
        return f"{written} of {len(write_ids)} handled"
