"""Participant panel: profiles, consent, imports, personal invites, audit

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 16:59:38.425520
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["user_account.id"],
            name=op.f("fk_audit_entry_actor_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_audit_entry_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_entry_workspace_id_at", ["workspace_id", "at"], unique=False
        )

    op.create_table(
        "participant_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "mapping",
                "queued",
                "running",
                "done",
                "failed",
                name="import_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("merged_count", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_participant_import_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_participant_import_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_import")),
    )
    with op.batch_alter_table("participant_import", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participant_import_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "participant_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "research",
                "recording",
                "contact",
                name="consent_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_participant_consent_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["user_account.id"],
            name=op.f("fk_participant_consent_recorded_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_participant_consent_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_consent")),
    )
    with op.batch_alter_table("participant_consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participant_consent_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participant_consent_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "participant_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("interview_id", sa.Integer(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mail_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_participant_invite_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_participant_invite_interview_id_interview"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mail_message_id"],
            ["mail_message.id"],
            name=op.f("fk_participant_invite_mail_message_id_mail_message"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_participant_invite_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["study.id"],
            name=op.f("fk_participant_invite_study_id_study"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_participant_invite_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_invite")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_participant_invite_token_hash")),
    )
    with op.batch_alter_table("participant_invite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participant_invite_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participant_invite_study_id"), ["study_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participant_invite_workspace_id"), ["workspace_id"], unique=False
        )

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("company", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("role", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("segment", sa.String(length=60), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("attributes", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(
            sa.Column("do_not_contact", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("do_not_contact_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("erased_email_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_participant_segment"), ["segment"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_participant_erased_email_hash"), ["erased_email_hash"], unique=False
        )

    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cooldown_days", sa.Integer(), nullable=False, server_default="90")
        )


def downgrade():
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.drop_column("cooldown_days")

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_erased_email_hash"))
        batch_op.drop_index(batch_op.f("ix_participant_segment"))
        batch_op.drop_column("erased_email_hash")
        batch_op.drop_column("erased_at")
        batch_op.drop_column("do_not_contact_at")
        batch_op.drop_column("do_not_contact")
        batch_op.drop_column("attributes")
        batch_op.drop_column("segment")
        batch_op.drop_column("role")
        batch_op.drop_column("company")

    with op.batch_alter_table("participant_invite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_invite_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_participant_invite_study_id"))
        batch_op.drop_index(batch_op.f("ix_participant_invite_participant_id"))

    op.drop_table("participant_invite")
    with op.batch_alter_table("participant_consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_consent_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_participant_consent_participant_id"))

    op.drop_table("participant_consent")
    with op.batch_alter_table("participant_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_import_workspace_id"))

    op.drop_table("participant_import")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_workspace_id_at")

    op.drop_table("audit_entry")
