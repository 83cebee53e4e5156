"""Team endpoints of impact maps: the list, one map as a tree with evidence, exports.

They hang on the team blueprint of api/views.py (same bearer-token check);
interviews/api/__init__.py imports this module so the routes exist whenever the API does.
"""

from __future__ import annotations

from typing import Literal

from flask import Response, g, jsonify
from pydantic import BaseModel, Field

from interviews.api.contract import Instant, Query, operation
from interviews.api.views import NOT_FOUND, bp
from interviews.maps import exports
from interviews.maps import service as maps
from interviews.maps.rules import (
    Direction,
    ExperimentKind,
    ExperimentResult,
    ExperimentStatus,
    OutputStatus,
    Stage,
    Strength,
)


class Evidence(BaseModel):
    """Takeaways linked to the node, the distinct people behind them, and what that makes
    it: an assumption (none), an anecdote (fewer people than the workspace's threshold,
    3 by default) or a pattern."""

    takeaways: int = Field(ge=0)
    participants: int = Field(ge=0)
    strength: Strength


class Goal(BaseModel):
    statement: str
    metric: str
    current: float | None
    target: float | None
    deadline: str | None = Field(json_schema_extra={"format": "date"})


Score = int | None


class Experiment(BaseModel):
    id: int
    evidence: Evidence
    title: str
    type: ExperimentKind | None
    impact: Score = Field(ge=1, le=10)
    confidence: Score = Field(ge=1, le=10)
    ease: Score = Field(ge=1, le=10)
    ice: float | None = Field(description="The mean of the three scores")
    status: ExperimentStatus | None
    result: ExperimentResult | None
    result_note: str


class Output(BaseModel):
    id: int
    evidence: Evidence
    title: str
    status: OutputStatus | None
    verdict: ExperimentResult | None = Field(
        description="What its finished experiments say; invalidated wins"
    )
    description: str
    child_map_ids: list[int]
    experiments: list[Experiment]


class Outcome(BaseModel):
    id: int
    evidence: Evidence
    behaviour: str
    direction: Direction | None
    metric: str
    how_might_we: str
    how_might_we_warning: str | None = Field(
        description="Set when the phrasing names a feature, not a behaviour"
    )
    outputs: list[Output]


class SegmentRule(BaseModel):
    segment: str
    attributes: dict[str, str]


class Actor(BaseModel):
    id: int
    evidence: Evidence
    name: str
    stage: Stage | None
    behaviour: str
    segment_rule: SegmentRule | None
    outcomes: list[Outcome]


class ImpactMap(BaseModel):
    id: int
    goal: Goal
    pattern_threshold: int = Field(ge=1)
    actors: list[Actor]


class MapSummary(BaseModel):
    id: int
    goal: Goal
    nodes: int = Field(ge=0)
    parent_map_id: int | None
    updated_at: Instant


class Maps(BaseModel):
    items: list[MapSummary]
    total: int = Field(ge=0)


@bp.get("/maps")
@operation("listMaps", ok=(200, Maps, "Maps, most recently changed first"))
def map_list():
    """The workspace's impact maps: goal, node count, the map each grew from."""
    items = [
        {
            "id": m.id,
            "goal": m.goal.as_json(),
            "nodes": m.nodes,
            "parent_map_id": m.parent_map_id,
            "updated_at": m.updated_at.isoformat(),
        }
        for m in maps.list_maps(g.api_member.workspace_id)
    ]
    return jsonify(items=items, total=len(items))


@bp.get("/maps/<int:map_id>")
@operation("getMap", ok=(200, ImpactMap, "The map"), errors={404: NOT_FOUND})
def map_tree(map_id: int):
    """One map as a tree, every node with its evidence.

    Goal, actors, their outcomes, outputs and experiments, each with its evidence
    (takeaways, distinct people, strength).
    """
    return jsonify(maps.get_tree(g.api_member.workspace_id, map_id).as_json())


class ExportQuery(Query):
    format: Literal["json", "mermaid", "freemind"] = Field(
        "json",
        description="json (the tree with evidence counts), mermaid (a flowchart) or freemind "
        "(.mm, opens in FreeMind and MindMup)",
    )


@bp.get("/maps/<int:map_id>/export")
@operation(
    "exportMap",
    ok=(200, None, "The file, as an attachment"),
    errors={404: NOT_FOUND},
    media={
        "application/json": {"schema": {"type": "object"}},
        "text/plain": {"schema": {"type": "string"}},
        "application/x-freemind": {"schema": {"type": "string"}},
    },
)
def map_export(map_id: int, query: ExportQuery):
    """The map as JSON, Mermaid or FreeMind (.mm)."""
    content, mimetype, extension = exports.export(
        maps.get_tree(g.api_member.workspace_id, map_id), query.format
    )
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="impact-map-{map_id}.{extension}"'},
    )
