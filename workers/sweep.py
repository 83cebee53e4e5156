"""The dispatcher sweep as an RQ job, which `rq cron` runs every minute (workers.cron)."""

from __future__ import annotations

from interviews import dispatcher
from workers.app import worker_app


def sweep() -> str:
    """One sweep: claim what is due and enqueue a job for each. Safe to overlap."""
    with worker_app().app_context():
        return str(dispatcher.sweep())
