"""Sending interview messages from the outbox."""

from __future__ import annotations

from interviews.messaging import service as messaging
from workers.app import worker_app


def send_messages(message_ids: list[int]) -> str:
    """Send each of these outbox messages. Each is claimed first, so a retry, or a second
    job with the same ids, sends nothing twice."""
    with worker_app().app_context():
        handled = messaging.send_batch(message_ids)
        return f"{handled} of {len(message_ids)} handled"
