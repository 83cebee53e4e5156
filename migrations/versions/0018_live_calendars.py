"""Live calendars: CalDAV accounts whose calendars block time and take interviews, the
outbox of calendar writes, round-robin hosts, note-takers who must be free, and a join
link for every call.

Studies that exist keep their join link as it was ("fixed": the study's meeting address,
none when it is empty); new studies get a room per interview. Busy calendars that exist
are iCal addresses that block time.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-15 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("personal_room_url", sa.String(500), nullable=False, server_default="")
        )

    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "join_mode",
                sa.Enum(
                    "fixed",
                    "personal",
                    "generated",
                    name="join_mode",
                    native_enum=False,
                    length=20,
                ),
                nullable=False,
                server_default="fixed",
            )
        )
        batch_op.add_column(
            sa.Column(
                "note_takers_required", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )

    op.create_table(
        "study_host",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["study.id"],
            name=op.f("fk_study_host_study_id_study"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_study_host_user_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_host")),
        sa.UniqueConstraint("study_id", "user_id", name=op.f("uq_study_host_study_id")),
    )
    with op.batch_alter_table("study_host", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_study_host_study_id"), ["study_id"])

    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.add_column(sa.Column("join_url", sa.String(500), nullable=True))

    op.create_table(
        "caldav_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("server_url", sa.Text(), nullable=False),
        sa.Column("principal_url", sa.Text(), nullable=True),
        sa.Column("username", sa.String(254), nullable=False),
        sa.Column("password_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_caldav_account_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caldav_account")),
    )
    with op.batch_alter_table("caldav_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_caldav_account_user_id"), ["user_id"])

    with op.batch_alter_table("busy_calendar", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum("ical", "caldav", name="calendar_kind", native_enum=False, length=20),
                nullable=False,
                server_default="ical",
            )
        )
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("blocks", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("write", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("covered_from", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("covered_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_busy_calendar_account_id_caldav_account"),
            "caldav_account",
            ["account_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_busy_calendar_account_id"), ["account_id"])

    write_status = sa.Enum(
        "pending",
        "sending",
        "done",
        "failed",
        "void",
        name="calendar_write_status",
        native_enum=False,
        length=20,
    )
    op.create_table(
        "calendar_write",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum("put", "delete", name="calendar_write_action", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("status", write_status, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["busy_calendar.id"],
            name=op.f("fk_calendar_write_calendar_id_busy_calendar"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_calendar_write_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_write")),
    )
    with op.batch_alter_table("calendar_write", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_write_calendar_id"), ["calendar_id"])
        batch_op.create_index(batch_op.f("ix_calendar_write_interview_id"), ["interview_id"])
        batch_op.create_index("ix_calendar_write_status_due_at", ["status", "due_at"])

    op.create_table(
        "written_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
        sa.Column("etag", sa.String(200), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["busy_calendar.id"],
            name=op.f("fk_written_event_calendar_id_busy_calendar"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_written_event_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_written_event")),
        sa.UniqueConstraint(
            "calendar_id", "interview_id", name=op.f("uq_written_event_calendar_id")
        ),
    )
    with op.batch_alter_table("written_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_written_event_calendar_id"), ["calendar_id"])
        batch_op.create_index(batch_op.f("ix_written_event_interview_id"), ["interview_id"])


def downgrade():
    op.drop_table("written_event")
    op.drop_table("calendar_write")
    with op.batch_alter_table("busy_calendar", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_busy_calendar_account_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_busy_calendar_account_id_caldav_account"), type_="foreignkey"
        )
        for column in ("covered_until", "covered_from", "write", "blocks", "account_id", "kind"):
            batch_op.drop_column(column)
    op.drop_table("caldav_account")
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.drop_column("join_url")
    op.drop_table("study_host")
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.drop_column("note_takers_required")
        batch_op.drop_column("join_mode")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("personal_room_url")
