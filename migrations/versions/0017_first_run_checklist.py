"""The first-run checklist remembers per workspace (put away, link shared) in the
database instead of one browser's cookie; every sign-in is recorded on the account.

A checklist put away before this migration was put away in one browser only: it shows
again once, until someone puts it away for the workspace. An account's last sign-in is
filled from its oldest session still kept, so someone signed in when this runs is not
greeted as if for the first time.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-14 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "first_run_checklist",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("link_shared_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_first_run_checklist_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_first_run_checklist")),
    )

    users = sa.table(
        "user_account", sa.column("id"), sa.column("last_login_at", sa.DateTime(timezone=True))
    )
    sessions = sa.table(
        "user_session", sa.column("user_id"), sa.column("created_at", sa.DateTime(timezone=True))
    )
    oldest_session = (
        sa.select(sa.func.min(sessions.c.created_at))
        .where(sessions.c.user_id == users.c.id)
        .scalar_subquery()
    )
    op.execute(
        users.update().where(users.c.last_login_at.is_(None)).values(last_login_at=oldest_session)
    )


def downgrade():
    # The filled-in sign-ins stay: they are true, and the column was there before.
    op.drop_table("first_run_checklist")
