"""Tables owned by the maps area: impact maps and their nodes, outcome roadmaps and
their themes, the record of who was told when an output shipped, and the read-only
links that share a map's report.

A map's goal (WHY) lives on the map itself; everything below it is a ``MapNode``, one
table for the four levels (actor, outcome, output, experiment) so the tree is one
query and evidence links can point at any level by one id.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from interviews.db import UTCDateTime, db, str_enum
from interviews.maps.rules import (
    Direction,
    ExperimentKind,
    ExperimentResult,
    ExperimentStatus,
    NodeKind,
    OutputStatus,
    Stage,
    ThemeStatus,
)


class ImpactMap(db.Model):
    """One impact map: its goal (a lagging metric with an ambition and a date) and, when
    it grew out of another map's output or a roadmap theme, where it came from."""

    __tablename__ = "impact_map"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    goal: Mapped[str] = mapped_column(String(300))
    metric: Mapped[str] = mapped_column(String(200), default="")
    current_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    deadline: Mapped[date | None] = mapped_column(Date)
    # A child map's goal is an output of its parent map, or a roadmap theme.
    parent_node_id: Mapped[int | None] = mapped_column(
        ForeignKey("map_node.id", ondelete="SET NULL", use_alter=True), index=True
    )
    # Unique: a theme opens one map (two people starting it at once cannot make two).
    parent_theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("roadmap_theme.id", ondelete="SET NULL", use_alter=True), index=True, unique=True
    )
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MapNode(db.Model):
    """An actor (WHO), outcome (HOW), output (WHAT) or experiment (WHETHER) on a map.

    ``title`` is the actor's name, the outcome's behaviour change, the output's or the
    experiment's title. The columns that only one level uses are null on the others.
    """

    __tablename__ = "map_node"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    map_id: Mapped[int] = mapped_column(ForeignKey("impact_map.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("map_node.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NodeKind] = mapped_column(str_enum(NodeKind, "map_node_kind"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # actor
    stage: Mapped[Stage | None] = mapped_column(str_enum(Stage, "actor_stage"))
    # {"segment": "enterprise", "attributes": {"plan": "team"}}: who on the panel is one
    segment_rule: Mapped[dict | None] = mapped_column(JSON)
    # outcome
    direction: Mapped[Direction | None] = mapped_column(str_enum(Direction, "outcome_direction"))
    metric: Mapped[str] = mapped_column(String(200), default="")
    how_might_we: Mapped[str] = mapped_column(String(400), default="")
    # output
    output_status: Mapped[OutputStatus | None] = mapped_column(
        str_enum(OutputStatus, "output_status")
    )
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # experiment
    experiment_kind: Mapped[ExperimentKind | None] = mapped_column(
        str_enum(ExperimentKind, "experiment_kind")
    )
    impact: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[int | None] = mapped_column(Integer)
    ease: Mapped[int | None] = mapped_column(Integer)
    experiment_status: Mapped[ExperimentStatus | None] = mapped_column(
        str_enum(ExperimentStatus, "experiment_status")
    )
    result: Mapped[ExperimentResult | None] = mapped_column(
        str_enum(ExperimentResult, "experiment_result")
    )
    result_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Roadmap(db.Model):
    """An outcome roadmap: a challenge, the target condition, where things stand now."""

    __tablename__ = "roadmap"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    challenge: Mapped[str] = mapped_column(String(300))
    target_condition: Mapped[str] = mapped_column(Text, default="")
    current_state: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


theme_outcome = Table(
    "theme_outcome",
    db.metadata,
    Column("theme_id", ForeignKey("roadmap_theme.id", ondelete="CASCADE"), primary_key=True),
    Column("node_id", ForeignKey("map_node.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class RoadmapTheme(db.Model):
    """A theme of a roadmap: a hypothesis, the outcomes it should move, a status and a
    priority (1 first). Its map, once made, has ``parent_theme_id`` pointing here."""

    __tablename__ = "roadmap_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    roadmap_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ThemeStatus] = mapped_column(str_enum(ThemeStatus, "theme_status"))
    priority: Mapped[int] = mapped_column(Integer, default=3)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoopNote(db.Model):
    """One person told, personally, that an output their words led to has shipped."""

    __tablename__ = "loop_note"
    __table_args__ = (UniqueConstraint("node_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    node_id: Mapped[int] = mapped_column(ForeignKey("map_node.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    mail_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_message.id", ondelete="SET NULL")
    )
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sent_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MapShare(db.Model):
    """A read-only link to one map's report. Only the token's hash is kept; revoking or
    expiring it makes the link answer 404. Names and companies show only when opted in."""

    __tablename__ = "map_share"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    map_id: Mapped[int] = mapped_column(ForeignKey("impact_map.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Who it is for ("Leadership review, Q1"), shown to the team beside the link.
    label: Mapped[str] = mapped_column(String(200), default="")
    show_names: Mapped[bool] = mapped_column(Boolean, default=False)
    # The takeaways whose quotes the report shows, in the order chosen.
    quote_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    last_viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
