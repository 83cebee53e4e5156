"""The library's version also rises when a person's name, email, phone, company or
erasure changes: a shared report keeps the words that name everyone behind its map
(thousands on a big map, read and indexed on every view) with the library's kept
counts, and those words are made of these columns. Before, only a person's segment
raised it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 22:20:00.000000
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

BEFORE = ("segment",)
AFTER = ("segment", "name", "email", "phone", "company", "erased_at")
BUMP_SQLITE = (
    "INSERT OR IGNORE INTO library_version (id, version) VALUES (1, 0); "
    "UPDATE library_version SET version = version + 1 WHERE id = 1;"
)


def _watch(columns: tuple[str, ...]) -> None:
    """Make the participant's trigger fire on updates of ``columns`` (and on deletes)."""
    watched = ", ".join(columns)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS participant_library_changed ON participant")
        op.execute(
            f"CREATE TRIGGER participant_library_changed AFTER UPDATE OF {watched} OR DELETE "
            "ON participant FOR EACH STATEMENT EXECUTE FUNCTION library_changed()"
        )
        return
    op.execute("DROP TRIGGER IF EXISTS participant_library_changed_update")
    op.execute(
        f"CREATE TRIGGER participant_library_changed_update AFTER UPDATE OF {watched} "
        f"ON participant BEGIN {BUMP_SQLITE} END"
    )


def upgrade():
    _watch(AFTER)


def downgrade():
    _watch(BEFORE)
