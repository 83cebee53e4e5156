"""Interview Desk: book and run customer interviews, keep what customers said,
and link it to the impact maps that decide what gets built."""

from interviews.app import create_app

__all__ = ["create_app"]
