"""Interview templates, notes, takeaways and tags

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-24 14:57:10.795292
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "interview_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "discovery", "jtbd", "custom", name="template_kind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_interview_template_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_template")),
    )
    with op.batch_alter_table("interview_template", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_template_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_tag_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.UniqueConstraint("workspace_id", "key", name=op.f("uq_tag_workspace_id")),
    )
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tag_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "template_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_template_version_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["interview_template.id"],
            name=op.f("fk_template_version_template_id_interview_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_version")),
        sa.UniqueConstraint("template_id", "number", name=op.f("uq_template_version_template_id")),
    )
    with op.batch_alter_table("template_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_template_version_template_id"), ["template_id"], unique=False
        )

    op.create_table(
        "interview_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("template_version_id", sa.Integer(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("note_taker_id", sa.Integer(), nullable=True),
        sa.Column("recording_consent", sa.Boolean(), nullable=False),
        sa.Column("recording_consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recording_url", sa.String(length=500), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_interview_notes_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["note_taker_id"],
            ["user_account.id"],
            name=op.f("fk_interview_notes_note_taker_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_version_id"],
            ["template_version.id"],
            name=op.f("fk_interview_notes_template_version_id_template_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["user_account.id"],
            name=op.f("fk_interview_notes_updated_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_interview_notes_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_notes")),
        sa.UniqueConstraint("interview_id", name=op.f("uq_interview_notes_interview_id")),
    )
    with op.batch_alter_table("interview_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_notes_note_taker_id"), ["note_taker_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_interview_notes_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "takeaway",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("importance", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "interview",
                "sales",
                "support",
                "account_management",
                "survey",
                "other",
                name="takeaway_source",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_takeaway_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_takeaway_interview_id_interview"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_takeaway_participant_id_participant"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_takeaway_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_takeaway")),
    )
    with op.batch_alter_table("takeaway", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_takeaway_interview_id"), ["interview_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_takeaway_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_takeaway_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "takeaway_tag",
        sa.Column("takeaway_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tag.id"], name=op.f("fk_takeaway_tag_tag_id_tag"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["takeaway_id"],
            ["takeaway.id"],
            name=op.f("fk_takeaway_tag_takeaway_id_takeaway"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("takeaway_id", "tag_id", name=op.f("pk_takeaway_tag")),
    )
    with op.batch_alter_table("takeaway_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_takeaway_tag_tag_id"), ["tag_id"], unique=False)

    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_study_template_id_interview_template"),
            "interview_template",
            ["template_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_study_template_id_interview_template"), type_="foreignkey"
        )
        batch_op.drop_column("template_id")

    with op.batch_alter_table("takeaway_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_takeaway_tag_tag_id"))

    op.drop_table("takeaway_tag")
    with op.batch_alter_table("takeaway", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_takeaway_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_takeaway_participant_id"))
        batch_op.drop_index(batch_op.f("ix_takeaway_interview_id"))

    op.drop_table("takeaway")
    with op.batch_alter_table("interview_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_notes_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_interview_notes_note_taker_id"))

    op.drop_table("interview_notes")
    with op.batch_alter_table("template_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_template_version_template_id"))

    op.drop_table("template_version")
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tag_workspace_id"))

    op.drop_table("tag")
    with op.batch_alter_table("interview_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_template_workspace_id"))

    op.drop_table("interview_template")
