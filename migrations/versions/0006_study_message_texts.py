"""Studies' own words for the messages interviewees get

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 10:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("message_texts", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade():
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.drop_column("message_texts")
