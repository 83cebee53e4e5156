"""Email delivery jobs."""

from __future__ import annotations

from interviews.mail import delivery
from workers.app import worker_app


def deliver_emails(message_ids: list[int]) -> str:
    """Deliver these stored messages over one mail connection. Each is claimed first, so
    a second job with the same ids sends nothing twice; a failure is kept on its row for
    the sweep to retry (RQ retries nothing)."""
    with worker_app().app_context():
        sent = delivery.send_batch(message_ids)
        return f"{sent} of {len(message_ids)} sent"


def deliver_email(message_id: int) -> str:
    """One message: jobs enqueued before deliver_emails existed still run."""
    return deliver_emails([message_id])
