"""Hosts' secret calendar subscription links

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 08:21:40.811848
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_feed_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_calendar_feed_link_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_link_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feed_link_user_id")),
    )


def downgrade():
    op.drop_table("calendar_feed_link")
