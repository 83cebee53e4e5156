"""Sending interview messages from the outbox."""

from __future__ import annotations

from interviews.messaging import service as messaging
from workers.app import worker_app


def send_messages(message_ids: list[int]) -> str:
    """Send each of these outbox messages. Each is claimed first, so a retry, or a second
    job with the same ids, sends nothing twice."""
    with worker_app().app_context():
        outcomes = [messaging.send(message_id) for message_id in message_ids]
        sent = sum(1 for outcome in outcomes if outcome is not None)
        return f"{sent} of {len(message_ids)} handled"
