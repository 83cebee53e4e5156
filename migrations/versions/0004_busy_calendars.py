"""Busy calendars hosts paste, and the busy time read from them

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:16:25.969158
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "busy_calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("etag", sa.String(length=200), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_busy_calendar_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_busy_calendar")),
    )
    with op.batch_alter_table("busy_calendar", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_busy_calendar_user_id"), ["user_id"], unique=False)

    op.create_table(
        "busy_time",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["busy_calendar.id"],
            name=op.f("fk_busy_time_calendar_id_busy_calendar"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_busy_time_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_busy_time")),
    )
    with op.batch_alter_table("busy_time", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_busy_time_calendar_id"), ["calendar_id"], unique=False)
        batch_op.create_index(
            "ix_busy_time_user_id_start_at", ["user_id", "start_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("busy_time", schema=None) as batch_op:
        batch_op.drop_index("ix_busy_time_user_id_start_at")
        batch_op.drop_index(batch_op.f("ix_busy_time_calendar_id"))

    op.drop_table("busy_time")
    with op.batch_alter_table("busy_calendar", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_busy_calendar_user_id"))

    op.drop_table("busy_calendar")
