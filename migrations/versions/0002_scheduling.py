"""Studies, host availability, participants, interviews and mail attachments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 07:45:50.756466
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "host_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("booking_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_host_schedule_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_schedule")),
        sa.UniqueConstraint("user_id", name=op.f("uq_host_schedule_user_id")),
    )
    op.create_table(
        "participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_participant_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant")),
        sa.UniqueConstraint("workspace_id", "email", name=op.f("uq_participant_workspace_id")),
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participant_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "study",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("meeting_url", sa.String(length=500), nullable=False),
        sa.Column("phone_fallback", sa.String(length=40), nullable=False),
        sa.Column("reward_text", sa.String(length=200), nullable=False),
        sa.Column("notice_minutes", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("max_per_day", sa.Integer(), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("step_minutes", sa.Integer(), nullable=False),
        sa.Column("phone_required", sa.Boolean(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft", "published", "closed", name="study_status", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["user_account.id"],
            name=op.f("fk_study_host_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_study_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study")),
        sa.UniqueConstraint("slug", name=op.f("uq_study_slug")),
    )
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_study_host_id"), ["host_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_study_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "availability_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["host_schedule.id"],
            name=op.f("fk_availability_override_schedule_id_host_schedule"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_override")),
    )
    with op.batch_alter_table("availability_override", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_availability_override_schedule_id"), ["schedule_id"], unique=False
        )

    op.create_table(
        "availability_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["host_schedule.id"],
            name=op.f("fk_availability_window_schedule_id_host_schedule"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_window")),
    )
    with op.batch_alter_table("availability_window", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_availability_window_schedule_id"), ["schedule_id"], unique=False
        )

    op.create_table(
        "interview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "booked",
                "cancelled",
                "joined",
                "no_show",
                "completed",
                name="interview_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("participant_timezone", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("manage_token_hash", sa.String(length=64), nullable=False),
        sa.Column("manage_token_revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ics_uid", sa.String(length=120), nullable=False),
        sa.Column("ics_sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["user_account.id"],
            name=op.f("fk_interview_host_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_interview_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["study_id"], ["study.id"], name=op.f("fk_interview_study_id_study"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_interview_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview")),
        sa.UniqueConstraint("ics_uid", name=op.f("uq_interview_ics_uid")),
        sa.UniqueConstraint("manage_token_hash", name=op.f("uq_interview_manage_token_hash")),
    )
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interview_host_id"), ["host_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_interview_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_interview_start_at"), ["start_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_interview_study_id"), ["study_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_interview_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "mail_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["mail_message.id"],
            name=op.f("fk_mail_attachment_message_id_mail_message"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_attachment")),
    )
    with op.batch_alter_table("mail_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mail_attachment_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "study_colleague",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["study.id"],
            name=op.f("fk_study_colleague_study_id_study"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_study_colleague_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_colleague")),
    )
    with op.batch_alter_table("study_colleague", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_study_colleague_study_id"), ["study_id"], unique=False)


def downgrade():
    with op.batch_alter_table("study_colleague", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_study_colleague_study_id"))

    op.drop_table("study_colleague")
    with op.batch_alter_table("mail_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_attachment_message_id"))

    op.drop_table("mail_attachment")
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_interview_study_id"))
        batch_op.drop_index(batch_op.f("ix_interview_start_at"))
        batch_op.drop_index(batch_op.f("ix_interview_participant_id"))
        batch_op.drop_index(batch_op.f("ix_interview_host_id"))

    op.drop_table("interview")
    with op.batch_alter_table("availability_window", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_availability_window_schedule_id"))

    op.drop_table("availability_window")
    with op.batch_alter_table("availability_override", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_availability_override_schedule_id"))

    op.drop_table("availability_override")
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_study_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_study_host_id"))

    op.drop_table("study")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_workspace_id"))

    op.drop_table("participant")
    op.drop_table("host_schedule")
