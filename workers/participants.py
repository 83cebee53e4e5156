"""Importing participants from an uploaded CSV file."""

from __future__ import annotations

from interviews.participants import import_runs
from workers import defaults
from workers.app import worker_app


def run_import(import_id: int) -> str:
    """Import the next rows of this upload. The import is claimed first, so a retry, or a
    second job with the same id, imports nothing twice; a long file goes on in a new job."""
    app = worker_app()
    with app.app_context():
        chunks = app.config.get("IMPORT_CHUNKS_PER_JOB", defaults.IMPORT_CHUNKS_PER_JOB)
        return import_runs.run_import(import_id, chunks=chunks)
