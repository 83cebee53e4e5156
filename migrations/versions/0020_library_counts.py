"""Counts over a workspace's whole library are kept (library_count) instead of counted
on every page: the facets of the landing (every takeaway, no words, no filter) and of
one facet clicked (a tag, a source, a study, an actor or an outcome), how many
takeaways are evidence for nothing (the home page), the evidence behind every map node
(the map page); so opening them does not count 100,000 takeaways each time; and
an index on (workspace_id, created_at, id) gives its newest-first page straight away.

Kept counts are valid for one version of the library: library_version holds a number
that triggers raise on every write that can change a count (a takeaway added, removed
or moved to another source, date, interview or person; a tag put on or taken off,
renamed; evidence linked or unlinked; an interview moved to another study; a person's
segment changed; an interview or person deleted). Triggers, not the app, because FK
cascades and bulk statements change these tables too. One number for the whole
database: a write in one workspace makes every workspace count again once,
which keeps the triggers one cheap statement (PostgreSQL: once per statement).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-17 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# (table, what changes a count): INSERT/DELETE always, UPDATE of these columns only.
WATCHED = (
    ("takeaway", True, ("workspace_id", "source", "created_at", "interview_id", "participant_id")),
    ("takeaway_tag", True, ("takeaway_id", "tag_id")),
    ("takeaway_link", True, ("takeaway_id", "node_id", "kind")),
    ("tag", False, ("name",)),
    ("interview", False, ("study_id",)),
    ("participant", False, ("segment",)),
)
BUMP_SQLITE = (
    "INSERT OR IGNORE INTO library_version (id, version) VALUES (1, 0); "
    "UPDATE library_version SET version = version + 1 WHERE id = 1;"
)


def upgrade():
    op.create_table(
        "library_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_in", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_version")),
    )
    op.create_table(
        "library_count",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_library_count_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "name", name=op.f("pk_library_count")),
    )
    op.create_index(
        "ix_takeaway_workspace_newest", "takeaway", ["workspace_id", "created_at", "id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        # Once per transaction: a bulk insert sent row by row runs the statement trigger
        # for every row, and PostgreSQL updating one row 130,000 times in a transaction
        # slows down with every update (each walks the versions it left). One raise is
        # all a transaction needs: readers only compare the committed number.
        op.execute(
            "CREATE FUNCTION library_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "IF NOT EXISTS (SELECT 1 FROM library_version "
            "WHERE id = 1 AND changed_in = txid_current()) THEN "
            "INSERT INTO library_version (id, version, changed_in) "
            "VALUES (1, 1, txid_current()) "
            "ON CONFLICT (id) DO UPDATE "
            "SET version = library_version.version + 1, changed_in = txid_current(); "
            "END IF; "
            "RETURN NULL; "
            "END $$"
        )
        for table, inserts, columns in WATCHED:
            events = ["INSERT"] if inserts else []
            events += [f"UPDATE OF {', '.join(columns)}", "DELETE"]
            op.execute(
                f"CREATE TRIGGER {table}_library_changed AFTER {' OR '.join(events)} "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION library_changed()"
            )
        return
    for table, inserts, columns in WATCHED:
        events = [("insert", "INSERT")] if inserts else []
        events += [("update", f"UPDATE OF {', '.join(columns)}"), ("delete", "DELETE")]
        for name, event in events:
            op.execute(
                f"CREATE TRIGGER {table}_library_changed_{name} AFTER {event} ON {table} "
                f"BEGIN {BUMP_SQLITE} END"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, _, _ in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_library_changed ON {table}")
        op.execute("DROP FUNCTION IF EXISTS library_changed()")
    else:
        for table, _, _ in WATCHED:
            for name in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_library_changed_{name}")
    op.drop_index("ix_takeaway_workspace_newest", table_name="takeaway")
    op.drop_table("library_count")
    op.drop_table("library_version")
