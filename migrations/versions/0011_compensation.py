"""Compensation: study reward offers, per-person offers, rewards with history, budgets

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 20:01:08.493189
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reward_budget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("allocated_minor", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["study.id"],
            name=op.f("fk_reward_budget_study_id_study"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["user_account.id"],
            name=op.f("fk_reward_budget_updated_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_reward_budget_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_budget")),
        sa.UniqueConstraint(
            "workspace_id", "study_id", "currency", name=op.f("uq_reward_budget_workspace_id")
        ),
    )
    with op.batch_alter_table("reward_budget", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reward_budget_study_id"), ["study_id"], unique=False)

    op.create_table(
        "reward_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "gift_card",
                "product_credit",
                "donation",
                "none",
                name="reward_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_reward_override_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_reward_override_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["study.id"],
            name=op.f("fk_reward_override_study_id_study"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_reward_override_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_override")),
        sa.UniqueConstraint("study_id", "participant_id", name=op.f("uq_reward_override_study_id")),
    )
    with op.batch_alter_table("reward_override", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reward_override_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reward_override_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "reward",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "gift_card",
                "product_credit",
                "donation",
                "none",
                name="reward_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "owed",
                "sent",
                "declined",
                "donated",
                "withdrawn",
                name="reward_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("owed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_reward_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_reward_participant_id_participant"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["study_id"], ["study.id"], name=op.f("fk_reward_study_id_study"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_reward_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward")),
        sa.UniqueConstraint("interview_id", name=op.f("uq_reward_interview_id")),
    )
    with op.batch_alter_table("reward", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reward_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reward_study_id"), ["study_id"], unique=False)
        batch_op.create_index(
            "ix_reward_workspace_status_owed_at",
            ["workspace_id", "status", "owed_at"],
            unique=False,
        )

    op.create_table(
        "reward_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reward_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "owed",
                "sent",
                "declined",
                "donated",
                "withdrawn",
                name="reward_status",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "owed",
                "sent",
                "declined",
                "donated",
                "withdrawn",
                name="reward_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("method_masked", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["user_account.id"],
            name=op.f("fk_reward_event_actor_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reward_id"],
            ["reward.id"],
            name=op.f("fk_reward_event_reward_id_reward"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_event")),
    )
    with op.batch_alter_table("reward_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reward_event_reward_id"), ["reward_id"], unique=False)

    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reward_kind",
                sa.Enum(
                    "gift_card",
                    "product_credit",
                    "donation",
                    "none",
                    name="reward_kind",
                    native_enum=False,
                    length=20,
                ),
                nullable=False,
                server_default="none",
            )
        )
        batch_op.add_column(sa.Column("reward_amount_minor", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("reward_currency", sa.String(length=3), nullable=False, server_default="")
        )
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interview_workspace_id_status", ["workspace_id", "status"], unique=False
        )


def downgrade():
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.drop_index("ix_interview_workspace_id_status")
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.drop_column("reward_currency")
        batch_op.drop_column("reward_amount_minor")
        batch_op.drop_column("reward_kind")

    with op.batch_alter_table("reward_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reward_event_reward_id"))

    op.drop_table("reward_event")
    with op.batch_alter_table("reward", schema=None) as batch_op:
        batch_op.drop_index("ix_reward_workspace_status_owed_at")
        batch_op.drop_index(batch_op.f("ix_reward_study_id"))
        batch_op.drop_index(batch_op.f("ix_reward_participant_id"))

    op.drop_table("reward")
    with op.batch_alter_table("reward_override", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reward_override_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_reward_override_participant_id"))

    op.drop_table("reward_override")
    with op.batch_alter_table("reward_budget", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reward_budget_study_id"))

    op.drop_table("reward_budget")
