"""Email delivery jobs."""

from __future__ import annotations

from interviews.mail import service as mail_service
from workers.app import worker_app


def deliver_email(message_id: int) -> str:
    """Deliver one stored message. A retry after success is a no-op: the row is claimed first."""
    with worker_app().app_context():
        return mail_service.deliver(message_id).value
