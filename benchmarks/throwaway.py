"""A database for one benchmark run: a temporary SQLite file, or a fresh PostgreSQL
database on the server given, dropped afterwards."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from interviews.config import normalise_database_url


@contextmanager
def throwaway_database(server_url: str | None) -> Iterator[tuple[str, Path]]:
    """Yields (database URL, a scratch folder for the app's instance files)."""
    workdir = Path(tempfile.mkdtemp(prefix="interviews-bench-"))
    if not server_url:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}", workdir
        return
    server = make_url(normalise_database_url(server_url))
    name = f"interviews_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False), workdir
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
