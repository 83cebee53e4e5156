"""Mail sent from a person's own address

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 10:33:43.685506
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("from_address", sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.drop_column("from_address")
