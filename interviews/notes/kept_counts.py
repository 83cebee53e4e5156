"""Counts over a workspace's whole library, kept between requests: counting 100,000
takeaways by tag, month, study, or 20,000 evidence links by node, takes a quarter of a
second, and the library's landing, the home page and every map ask for them.

A kept count is valid for one version of the library: library_version holds a number
that database triggers raise on every write that can change a count (migration 0020:
takeaways, their tags and links, tag names, interviews' studies, people's segments,
cascades and bulk statements included). A count kept at an older version is counted
again. The version is read before counting, so a write committed in between makes a
kept count look older than it is (counted again next time), never newer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from interviews.db import db
from interviews.notes.models import LibraryCount, LibraryVersion

T = TypeVar("T")


def kept(workspace_id: int, name: str, count: Callable[[], T]) -> T:
    """The count called ``name`` of this workspace: as kept, when kept at the library's
    current version, else ``count()`` now (a JSON value), then kept. Keeping it commits
    the session, so it is kept only when the session's transaction has written nothing
    (a caller's unfinished use case is never committed by a read)."""
    version = db.session.scalar(select(LibraryVersion.version).where(LibraryVersion.id == 1))
    version = version or 0  # no row yet: the first write makes it 1
    row = db.session.get(LibraryCount, (workspace_id, name))
    if row is not None and row.version == version:
        return row.value
    value = count()
    if not _written_in_this_transaction():
        _keep(workspace_id, name, version, value)
    return value


def _written_in_this_transaction() -> bool:
    """Whether the session's transaction has written anything (then its reads may see
    what is not committed, and committing it is not a read's to do)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return db.session.scalar(text("SELECT pg_current_xact_id_if_assigned() IS NOT NULL"))
    # pysqlite opens a transaction only for a write; a read-only session has none.
    return bool(connection.connection.dbapi_connection.in_transaction)


def _keep(workspace_id: int, name: str, version: int, value: Any) -> None:
    """Store ``value`` as counted at ``version``, committed. Two requests counting at
    once: the last one stays; if it is the older, the next request counts again."""
    dialect = db.session.get_bind().dialect.name
    upsert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(LibraryCount)
    statement = upsert.values(workspace_id=workspace_id, name=name, version=version, value=value)
    statement = statement.on_conflict_do_update(
        index_elements=[LibraryCount.workspace_id, LibraryCount.name],
        set_={"version": version, "value": statement.excluded.value},
    )
    db.session.execute(statement)
    db.session.commit()
