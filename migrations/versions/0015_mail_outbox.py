"""Every email is swept like an interview message: a due time, a lease while a worker
holds it, and the moment its last attempt began talking to the mail server.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 00:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_mail_message_status_due_at", ["status", "due_at"], unique=False)
    # Mail no interview message owns becomes the sweep's: what is still waiting was
    # stranded before (a flushed queue, a retry parked in RQ's scheduler) and now goes.
    op.execute(
        "UPDATE mail_message SET due_at = created_at "
        "WHERE id NOT IN ("
        "SELECT mail_message_id FROM outbox_message WHERE mail_message_id IS NOT NULL)"
    )


def downgrade():
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_message_status_due_at")
        batch_op.drop_column("attempted_at")
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("due_at")
