"""Takeaway search: an FTS5 table kept by triggers (SQLite), a tsvector + GIN (PostgreSQL)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 20:50:00.000000

The SQL here is the SQL of interviews/notes/search.py, repeated because migrations never
import app code: both databases must cut text into the same words.

SQLite: a batch migration that rebuilds the ``takeaway`` table (copy, drop, rename)
drops these triggers with the old table; such a migration must create them again.
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = "key, text, quote, context"
# ASCII punctuation becomes spaces, so PostgreSQL cuts text into the words FTS5 does.
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
PG_DOCUMENT_SQL = (
    "to_tsvector('simple'::regconfig, translate("
    "key || ' ' || text || ' ' || quote || ' ' || context, "
    f"'{PUNCTUATION.replace(chr(39), chr(39) * 2)}', '{' ' * len(PUNCTUATION)}'))"
)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE takeaway_fts USING fts5({COLUMNS}, content='takeaway', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
        )
        new = "new.id, new.key, new.text, new.quote, new.context"
        old = "'delete', old.id, old.key, old.text, old.quote, old.context"
        op.execute(
            "CREATE TRIGGER takeaway_fts_insert AFTER INSERT ON takeaway BEGIN "
            f"INSERT INTO takeaway_fts(rowid, {COLUMNS}) VALUES ({new}); END"
        )
        op.execute(
            "CREATE TRIGGER takeaway_fts_delete AFTER DELETE ON takeaway BEGIN "
            f"INSERT INTO takeaway_fts(takeaway_fts, rowid, {COLUMNS}) VALUES ({old}); END"
        )
        op.execute(
            f"CREATE TRIGGER takeaway_fts_update AFTER UPDATE OF {COLUMNS} ON takeaway BEGIN "
            f"INSERT INTO takeaway_fts(takeaway_fts, rowid, {COLUMNS}) VALUES ({old}); "
            f"INSERT INTO takeaway_fts(rowid, {COLUMNS}) VALUES ({new}); END"
        )
        op.execute("INSERT INTO takeaway_fts(takeaway_fts) VALUES ('rebuild')")
    else:
        # Stored, so that ranking reads each match's words instead of parsing it again.
        op.execute(
            "ALTER TABLE takeaway ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({PG_DOCUMENT_SQL}) STORED"
        )
        op.execute("CREATE INDEX ix_takeaway_search ON takeaway USING gin (search_vector)")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("takeaway_fts_update", "takeaway_fts_delete", "takeaway_fts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS takeaway_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_takeaway_search")
        op.execute("ALTER TABLE takeaway DROP COLUMN IF EXISTS search_vector")
