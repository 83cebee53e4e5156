"""Reading hosts' busy calendars."""

from __future__ import annotations

from interviews.scheduling import busy_calendars
from workers.app import worker_app


def refresh_busy_calendar(calendar_id: int) -> str:
    """Fetch one busy calendar and store its busy time. Safe to run twice: it replaces."""
    with worker_app().app_context():
        view = busy_calendars.refresh(calendar_id)
        if view is None:
            return "removed"
        return f"error: {view.error}" if view.error else f"{view.events} events"
