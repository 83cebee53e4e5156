"""Putting jobs on the RQ queue the app is configured for."""

from __future__ import annotations

from typing import Any

from flask import current_app
from redis import Redis
from rq import Queue, Retry

from workers import defaults


def queue_for(redis_url: str, name: str) -> Queue:
    return Queue(name, connection=Redis.from_url(redis_url))


def enqueue(func: str, *args: Any) -> None:
    """Enqueue a job by dotted path, with the standard timeouts and retries."""
    config = current_app.config
    queue = queue_for(config["REDIS_URL"], config["RQ_QUEUE_NAME"])
    intervals = defaults.MAIL_RETRY_INTERVALS_SECONDS
    queue.enqueue(
        func,
        *args,
        job_timeout=defaults.JOB_TIMEOUT_SECONDS,
        result_ttl=defaults.RESULT_TTL_SECONDS,
        failure_ttl=defaults.FAILURE_TTL_SECONDS,
        retry=Retry(max=len(intervals), interval=intervals),
    )
