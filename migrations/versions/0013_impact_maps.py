"""Impact maps: maps and their nodes, roadmaps and themes, takeaways linked as evidence,
the record of who was told an output shipped, and the workspace's pattern threshold.

impact_map and map_node point at each other (a child map grows from an output). SQLite
accepts a reference to a table made later; PostgreSQL gets those two keys once both
tables exist.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 23:08:30.478394
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


FORWARD_KEYS = (
    ("fk_impact_map_parent_node_id_map_node", "map_node", "parent_node_id"),
    ("fk_impact_map_parent_theme_id_roadmap_theme", "roadmap_theme", "parent_theme_id"),
)


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    forward = (
        [
            sa.ForeignKeyConstraint([column], [f"{table}.id"], name=name, ondelete="SET NULL")
            for name, table, column in FORWARD_KEYS
        ]
        if sqlite
        else []
    )
    op.create_table(
        "impact_map",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("goal", sa.String(length=300), nullable=False),
        sa.Column("metric", sa.String(length=200), nullable=False),
        sa.Column("current_value", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("target_value", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("parent_node_id", sa.Integer(), nullable=True),
        sa.Column("parent_theme_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_impact_map_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_impact_map_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_map")),
        *forward,
    )
    with op.batch_alter_table("impact_map", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_impact_map_parent_node_id"), ["parent_node_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_impact_map_parent_theme_id"), ["parent_theme_id"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_impact_map_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "roadmap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("challenge", sa.String(length=300), nullable=False),
        sa.Column("target_condition", sa.Text(), nullable=False),
        sa.Column("current_state", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_roadmap_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap")),
    )
    with op.batch_alter_table("roadmap", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roadmap_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "map_node",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("map_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "actor",
                "outcome",
                "output",
                "experiment",
                name="map_node_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum("on_stage", "off_stage", name="actor_stage", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("segment_rule", sa.JSON(), nullable=True),
        sa.Column(
            "direction",
            sa.Enum("increase", "decrease", name="outcome_direction", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("metric", sa.String(length=200), nullable=False),
        sa.Column("how_might_we", sa.String(length=400), nullable=False),
        sa.Column(
            "output_status",
            sa.Enum(
                "idea",
                "planned",
                "building",
                "shipped",
                "dropped",
                name="output_status",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "experiment_kind",
            sa.Enum(
                "prototype_interview",
                "fake_door",
                "wizard_of_oz",
                "survey",
                "spike",
                "other",
                name="experiment_kind",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("impact", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=True),
        sa.Column("ease", sa.Integer(), nullable=True),
        sa.Column(
            "experiment_status",
            sa.Enum(
                "planned", "running", "done", name="experiment_status", native_enum=False, length=20
            ),
            nullable=True,
        ),
        sa.Column(
            "result",
            sa.Enum(
                "validated",
                "invalidated",
                "inconclusive",
                name="experiment_result",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("result_note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["map_id"],
            ["impact_map.id"],
            name=op.f("fk_map_node_map_id_impact_map"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["map_node.id"],
            name=op.f("fk_map_node_parent_id_map_node"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_map_node_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_node")),
    )
    with op.batch_alter_table("map_node", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_map_node_map_id"), ["map_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_map_node_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_map_node_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "roadmap_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("discovery", "delivery", name="theme_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["roadmap_id"],
            ["roadmap.id"],
            name=op.f("fk_roadmap_theme_roadmap_id_roadmap"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_roadmap_theme_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_theme")),
    )
    with op.batch_alter_table("roadmap_theme", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roadmap_theme_roadmap_id"), ["roadmap_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_roadmap_theme_workspace_id"), ["workspace_id"], unique=False
        )

    if not sqlite:
        for name, table, column in FORWARD_KEYS:
            op.create_foreign_key(name, "impact_map", table, [column], ["id"], ondelete="SET NULL")

    op.create_table(
        "loop_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("mail_message_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sent_by", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mail_message_id"],
            ["mail_message.id"],
            name=op.f("fk_loop_note_mail_message_id_mail_message"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["map_node.id"],
            name=op.f("fk_loop_note_node_id_map_node"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_loop_note_participant_id_participant"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by"],
            ["user_account.id"],
            name=op.f("fk_loop_note_sent_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_loop_note_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loop_note")),
        sa.UniqueConstraint("node_id", "participant_id", name=op.f("uq_loop_note_node_id")),
    )
    with op.batch_alter_table("loop_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_loop_note_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_loop_note_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "theme_outcome",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["map_node.id"],
            name=op.f("fk_theme_outcome_node_id_map_node"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["roadmap_theme.id"],
            name=op.f("fk_theme_outcome_theme_id_roadmap_theme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("theme_id", "node_id", name=op.f("pk_theme_outcome")),
    )
    with op.batch_alter_table("theme_outcome", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_outcome_node_id"), ["node_id"], unique=False)

    op.create_table(
        "takeaway_link",
        sa.Column("takeaway_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "actor",
                "outcome",
                "output",
                name="takeaway_link_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["map_node.id"],
            name=op.f("fk_takeaway_link_node_id_map_node"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["takeaway_id"],
            ["takeaway.id"],
            name=op.f("fk_takeaway_link_takeaway_id_takeaway"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("takeaway_id", "node_id", name=op.f("pk_takeaway_link")),
    )
    with op.batch_alter_table("takeaway_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_takeaway_link_node_id"), ["node_id"], unique=False)

    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pattern_threshold", sa.Integer(), server_default="3", nullable=False)
        )


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        for name, _table, _column in FORWARD_KEYS:
            op.drop_constraint(name, "impact_map", type_="foreignkey")
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("pattern_threshold")

    with op.batch_alter_table("takeaway_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_takeaway_link_node_id"))

    op.drop_table("takeaway_link")
    with op.batch_alter_table("theme_outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_outcome_node_id"))

    op.drop_table("theme_outcome")
    with op.batch_alter_table("loop_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loop_note_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_loop_note_participant_id"))

    op.drop_table("loop_note")
    with op.batch_alter_table("roadmap_theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roadmap_theme_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_roadmap_theme_roadmap_id"))

    op.drop_table("roadmap_theme")
    with op.batch_alter_table("map_node", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_map_node_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_map_node_parent_id"))
        batch_op.drop_index(batch_op.f("ix_map_node_map_id"))

    op.drop_table("map_node")
    with op.batch_alter_table("roadmap", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roadmap_workspace_id"))

    op.drop_table("roadmap")
    with op.batch_alter_table("impact_map", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_impact_map_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_impact_map_parent_theme_id"))
        batch_op.drop_index(batch_op.f("ix_impact_map_parent_node_id"))

    op.drop_table("impact_map")
