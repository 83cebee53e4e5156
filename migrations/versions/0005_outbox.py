"""Outbox of interview messages, study reminder settings, rebooking links

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:41:27.913741
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "confirmation",
                "invite",
                "reminder",
                "host_reminder",
                "rescheduled",
                "cancelled",
                "followup_nudge",
                "followup_missed",
                "thank_you",
                name="message_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "audience",
            sa.Enum(
                "participant",
                "host",
                "colleague",
                name="message_audience",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("recipient_user_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=True),
        sa.Column("offset_minutes", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "queued",
                "sending",
                "sent",
                "failed",
                "void",
                name="outbox_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("mail_message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_outbox_message_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mail_message_id"],
            ["mail_message.id"],
            name=op.f("fk_outbox_message_mail_message_id_mail_message"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"],
            ["user_account.id"],
            name=op.f("fk_outbox_message_recipient_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_outbox_message_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_message_idempotency_key")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_message_interview_id"), ["interview_id"], unique=False
        )
        batch_op.create_index("ix_outbox_message_status_due_at", ["status", "due_at"], unique=False)

    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.add_column(sa.Column("manage_nonce", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("rebooked_from_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_interview_rebooked_from_id"), ["rebooked_from_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_interview_rebooked_from_id_interview"),
            "interview",
            ["rebooked_from_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("study", schema=None) as batch_op:
        # Studies that exist get PRODUCT.md's defaults: 24 h, 1 h and 10 min; follow-ups on.
        batch_op.add_column(
            sa.Column(
                "reminder_offsets",
                sa.JSON(),
                nullable=False,
                server_default=sa.text("'[1440, 60, 10]'"),
            )
        )
        batch_op.add_column(
            sa.Column("followups_enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade():
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.drop_column("followups_enabled")
        batch_op.drop_column("reminder_offsets")

    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_interview_rebooked_from_id_interview"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_interview_rebooked_from_id"))
        batch_op.drop_column("rebooked_from_id")
        batch_op.drop_column("manage_nonce")

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_status_due_at")
        batch_op.drop_index(batch_op.f("ix_outbox_message_interview_id"))

    op.drop_table("outbox_message")
