"""Putting jobs on the RQ queue the app is configured for."""

from __future__ import annotations

from typing import Any

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry

from workers import defaults


class QueueUnavailable(RuntimeError):
    """Redis could not take the job; the message says why."""


def queue_for(redis_url: str, name: str) -> Queue:
    connection = Redis.from_url(
        redis_url,
        socket_connect_timeout=defaults.REDIS_TIMEOUT_SECONDS,
        socket_timeout=defaults.REDIS_TIMEOUT_SECONDS,
    )
    return Queue(name, connection=connection)


def enqueue(func: str, *args: Any, retry_intervals: list[int] | None = None) -> None:
    """Enqueue a job by dotted path, with the standard timeouts; retried after each of
    ``retry_intervals`` (seconds) while it fails.

    Raises QueueUnavailable when Redis cannot be reached.
    """
    config = current_app.config
    queue = queue_for(config["REDIS_URL"], config["RQ_QUEUE_NAME"])
    try:
        queue.enqueue(
            func,
            *args,
            job_timeout=defaults.JOB_TIMEOUT_SECONDS,
            result_ttl=defaults.RESULT_TTL_SECONDS,
            failure_ttl=defaults.FAILURE_TTL_SECONDS,
            retry=Retry(max=len(retry_intervals), interval=retry_intervals)
            if retry_intervals
            else None,
        )
    except RedisError as exc:
        # Not the URL: it may carry a password, and this message goes to the log.
        raise QueueUnavailable(f"Redis did not take the job: {exc}") from exc
