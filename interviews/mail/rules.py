"""When a failed email is tried again, and when it is given up: pure rules, shared by
every kind of mail (interview messages and the app's own)."""

from __future__ import annotations

from datetime import timedelta


def retry_wait(attempts: int, first_wait_seconds: int, longest_wait_seconds: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: the first wait, doubling each time,
    never longer than the longest wait (a mail server down for hours is tried every
    ``longest_wait_seconds``, not once a day)."""
    if attempts < 1:
        raise ValueError("a wait follows a failed attempt; attempts must be at least 1")
    # Capping the exponent first keeps a very high attempt count from making a huge int.
    doubled = first_wait_seconds * 2 ** min(attempts - 1, 32)
    return timedelta(seconds=min(doubled, max(longest_wait_seconds, first_wait_seconds)))


def gives_up(attempts: int, max_attempts: int, permanent: bool) -> bool:
    """Whether a failed try was the last: the server refused this message for good (a 5xx
    answer to its recipient or its content), or it has had every attempt it gets."""
    return permanent or attempts >= max_attempts


def patience(max_attempts: int, first_wait_seconds: int, longest_wait_seconds: int) -> timedelta:
    """How long a message keeps being tried before it is marked failed: the sum of the
    waits between its attempts (what the README promises for an outage)."""
    return sum(
        (retry_wait(n, first_wait_seconds, longest_wait_seconds) for n in range(1, max_attempts)),
        timedelta(0),
    )
