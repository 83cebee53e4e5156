"""Reports: read-only links that share a map's report, the weekly digest opt-in of each
member, and the record of which digests went out (one per member per week).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 07:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "map_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("map_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("show_names", sa.Boolean(), nullable=False),
        sa.Column("quote_ids", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("view_count", sa.Integer(), nullable=False),
        sa.Column("last_viewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_map_share_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["map_id"],
            ["impact_map.id"],
            name=op.f("fk_map_share_map_id_impact_map"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_map_share_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_share")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_map_share_token_hash")),
    )
    with op.batch_alter_table("map_share", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_map_share_workspace_id"), ["workspace_id"])
        batch_op.create_index(batch_op.f("ix_map_share_map_id"), ["map_id"])

    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("weekly_digest", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    op.create_table(
        "digest_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("mail_message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["membership.id"],
            name=op.f("fk_digest_sent_membership_id_membership"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mail_message_id"],
            ["mail_message.id"],
            name=op.f("fk_digest_sent_mail_message_id_mail_message"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_sent")),
        sa.UniqueConstraint(
            "membership_id", "week_start", name=op.f("uq_digest_sent_membership_id")
        ),
    )
    with op.batch_alter_table("digest_sent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_sent_membership_id"), ["membership_id"])


def downgrade():
    with op.batch_alter_table("digest_sent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_sent_membership_id"))
    op.drop_table("digest_sent")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("weekly_digest")
    with op.batch_alter_table("map_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_map_share_map_id"))
        batch_op.drop_index(batch_op.f("ix_map_share_workspace_id"))
    op.drop_table("map_share")
