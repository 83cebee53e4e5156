"""The Flask app a worker process runs jobs in, built from the same environment as the web app."""

from __future__ import annotations

from flask import Flask

from interviews.app import create_app

_app: Flask | None = None


def worker_app() -> Flask:
    global _app
    if _app is None:
        _app = create_app()
    return _app


def use_app(app: Flask | None) -> None:
    """Run jobs in this app (tests, or a worker embedded in a web process)."""
    global _app
    _app = app
