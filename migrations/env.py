"""Alembic environment: runs inside the Flask app, on the app's database."""

from alembic import context
from flask import current_app

from interviews.db import UTCDateTime

target_metadata = current_app.extensions["migrate"].db.metadata


def render_item(type_, obj, autogen_context):
    """Write our UTC type as the plain column type it stores, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Made by migration 0012 in raw SQL, outside the models: the SQLite FTS5 table of
# takeaway search (and the shadow tables FTS5 keeps beside it), the PostgreSQL generated
# column and its GIN index. Autogenerate would otherwise offer to drop them.
SEARCH_OBJECTS = ("takeaway_fts", "ix_takeaway_search", "search_vector")


def include_object(obj, name, type_, reflected, compare_to):
    """Leave the search table and index to migration 0012."""
    return not (reflected and name and name.startswith(SEARCH_OBJECTS))


def run_offline() -> None:
    context.configure(
        url=str(current_app.extensions["migrate"].db.engine.url),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """Switch SQLite's foreign keys (the app turns them on for every connection).

    Batch mode rebuilds a table by dropping it, and on SQLite dropping a table with
    foreign keys on deletes every row that references it with ON DELETE CASCADE: a
    rebuilt user_account would take every membership with it. The pragma only takes
    effect outside a transaction, so it is set on the driver's connection before the
    migrations begin and after they commit.
    """
    if connection.dialect.name == "sqlite":
        connection.connection.dbapi_connection.execute(
            f"PRAGMA foreign_keys={'ON' if on else 'OFF'}"
        )


def run_online() -> None:
    engine = current_app.extensions["migrate"].db.engine
    with engine.connect() as connection:
        _sqlite_foreign_keys(connection, on=False)
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
            include_object=include_object,
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
        finally:
            _sqlite_foreign_keys(connection, on=True)


if context.is_offline_mode():
    run_offline()
else:
    run_online()
