"""Transcripts and highlights: an interview's transcript as timed segments (searched like
the library: an FTS5 table kept by triggers on SQLite, a stored tsvector with a GIN index
on PostgreSQL), and the highlights that tie a takeaway to the words and moment it quotes.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-16 09:00:00.000000

The search SQL repeats interviews/notes/search.py (the words are cut as the library's
are), because migrations never import app code.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# ASCII punctuation becomes spaces, so PostgreSQL cuts text into the words FTS5 does.
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
PG_DOCUMENT_SQL = (
    "to_tsvector('simple'::regconfig, translate(text, "
    f"'{PUNCTUATION.replace(chr(39), chr(39) * 2)}', '{' ' * len(PUNCTUATION)}'))"
)


def upgrade():
    op.create_table(
        "transcript",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("speakers", sa.JSON(), nullable=False),
        sa.Column("without_consent", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_transcript_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_transcript_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_transcript_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript")),
        sa.UniqueConstraint("interview_id", name=op.f("uq_transcript_interview_id")),
    )
    op.create_index(op.f("ix_transcript_workspace_id"), "transcript", ["workspace_id"])

    op.create_table(
        "transcript_segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transcript_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start_ms", sa.Integer(), nullable=True),
        sa.Column("end_ms", sa.Integer(), nullable=True),
        sa.Column("speaker", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcript.id"],
            name=op.f("fk_transcript_segment_transcript_id_transcript"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_transcript_segment_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_transcript_segment_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_segment")),
        sa.UniqueConstraint(
            "transcript_id", "position", name=op.f("uq_transcript_segment_transcript_id")
        ),
    )
    op.create_index(
        op.f("ix_transcript_segment_workspace_id"), "transcript_segment", ["workspace_id"]
    )
    op.create_index(
        op.f("ix_transcript_segment_interview_id"), "transcript_segment", ["interview_id"]
    )

    op.create_table(
        "transcript_highlight",
        sa.Column("takeaway_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("start_ms", sa.Integer(), nullable=True),
        sa.Column("end_ms", sa.Integer(), nullable=True),
        sa.Column("speaker", sa.String(length=200), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["takeaway_id"],
            ["takeaway.id"],
            name=op.f("fk_transcript_highlight_takeaway_id_takeaway"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["transcript_segment.id"],
            name=op.f("fk_transcript_highlight_segment_id_transcript_segment"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("takeaway_id", name=op.f("pk_transcript_highlight")),
    )
    op.create_index(
        op.f("ix_transcript_highlight_segment_id"), "transcript_highlight", ["segment_id"]
    )

    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE transcript_segment_fts USING fts5(text, "
            "content='transcript_segment', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 0')"
        )
        op.execute(
            "CREATE TRIGGER transcript_segment_fts_insert AFTER INSERT ON transcript_segment "
            "BEGIN INSERT INTO transcript_segment_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER transcript_segment_fts_delete AFTER DELETE ON transcript_segment "
            "BEGIN INSERT INTO transcript_segment_fts(transcript_segment_fts, rowid, text) "
            "VALUES ('delete', old.id, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER transcript_segment_fts_update AFTER UPDATE OF text "
            "ON transcript_segment BEGIN "
            "INSERT INTO transcript_segment_fts(transcript_segment_fts, rowid, text) "
            "VALUES ('delete', old.id, old.text); "
            "INSERT INTO transcript_segment_fts(rowid, text) VALUES (new.id, new.text); END"
        )
    else:
        op.execute(
            "ALTER TABLE transcript_segment ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({PG_DOCUMENT_SQL}) STORED"
        )
        op.execute(
            "CREATE INDEX ix_transcript_segment_search ON transcript_segment "
            "USING gin (search_vector)"
        )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("update", "delete", "insert"):
            op.execute(f"DROP TRIGGER IF EXISTS transcript_segment_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS transcript_segment_fts")
    op.drop_table("transcript_highlight")
    op.drop_table("transcript_segment")
    op.drop_table("transcript")
