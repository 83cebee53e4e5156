"""The database handle, the model base, and the column type every instant uses."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, Enum, MetaData, event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints make Alembic migrations deterministic on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The largest id a row can have: primary keys are `integer` on PostgreSQL (and a
# bigger number overflows SQLite's driver), so no larger number can name anything.
MAX_ID = 2**31 - 1


def within(column: Any, start: datetime | None, end: datetime | None) -> list[Any]:
    """The conditions keeping ``column`` in [start, end); an open end adds none. Every
    report's range is this half-open window, so a day is never counted twice."""
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


def str_enum(cls: type[enum.Enum], name: str) -> Enum:
    """A column for a str Enum: stores the values ("owner"), as plain strings, so a new
    member is a code change, not a database type migration."""
    return Enum(
        cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone reached the database layer."""


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: stored as UTC, always read back as an aware UTC datetime.

    PostgreSQL keeps it as ``timestamptz``; SQLite has no time zones, so the
    value is written as naive UTC and the zone is put back on read. A naive
    datetime is refused outright: guessing its zone is how reminders go out an
    hour late after a DST change.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError(
                f"naive datetime {value.isoformat()} refused: pass an aware datetime (UTC)"
            )
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite: enforce foreign keys and let readers and a writer work side by side."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class SchemaBehindError(RuntimeError):
    """The database has not had every migration applied."""


def migration_heads(migrations_dir: Path) -> set[str]:
    config = AlembicConfig()
    config.set_main_option("script_location", str(migrations_dir))
    return set(ScriptDirectory.from_config(config).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def check_schema_current(engine: Engine, migrations_dir: Path) -> None:
    """Raise SchemaBehindError, naming the command to run, unless the schema is at head."""
    heads = migration_heads(migrations_dir)
    current = current_revisions(engine)
    if current != heads:
        where = ", ".join(sorted(current)) or "empty (no tables yet)"
        raise SchemaBehindError(
            f"The database schema is behind (at {where}; code expects {', '.join(sorted(heads))}). "
            "Run `interviews db upgrade` (or `flask --app interviews db upgrade`) and start again."
        )
