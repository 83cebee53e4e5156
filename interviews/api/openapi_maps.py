"""OpenAPI paths and schemas of impact maps: the list, one map as a tree, exports."""

from __future__ import annotations

from typing import Any

from interviews.api.openapi_notes import ID, INVALID, NOT_FOUND, UNAUTHORIZED, _json, _query, _ref
from interviews.maps.rules import (
    Direction,
    ExperimentKind,
    ExperimentResult,
    ExperimentStatus,
    OutputStatus,
    Stage,
    Strength,
)


def _enum(values, nullable: bool = False) -> dict[str, Any]:
    names = [v.value for v in values]
    if nullable:
        return {"type": ["string", "null"], "enum": [*names, None]}
    return {"type": "string", "enum": names}


def _node(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "evidence", *required],
        "properties": {"id": {"type": "integer"}, "evidence": _ref("Evidence"), **properties},
    }


NULLABLE_TEXT = {"type": ["string", "null"]}
SCORE = {"type": ["integer", "null"], "minimum": 1, "maximum": 10}
NUMBER = {"type": ["number", "null"]}

MAP_SCHEMAS: dict[str, Any] = {
    "Evidence": {
        "type": "object",
        "required": ["takeaways", "participants", "strength"],
        "description": "Takeaways linked to the node, the distinct people behind them, and "
        "what that makes it: an assumption (none), an anecdote (fewer people than the "
        "workspace's threshold, 3 by default) or a pattern",
        "properties": {
            "takeaways": {"type": "integer", "minimum": 0},
            "participants": {"type": "integer", "minimum": 0},
            "strength": _enum(Strength),
        },
    },
    "Goal": {
        "type": "object",
        "required": ["statement", "metric", "current", "target", "deadline"],
        "properties": {
            "statement": {"type": "string"},
            "metric": {"type": "string"},
            "current": NUMBER,
            "target": NUMBER,
            "deadline": {"type": ["string", "null"], "format": "date"},
        },
    },
    "Experiment": _node(
        ["title", "type", "impact", "confidence", "ease", "ice", "status", "result"],
        {
            "title": {"type": "string"},
            "type": _enum(ExperimentKind, nullable=True),
            "impact": SCORE,
            "confidence": SCORE,
            "ease": SCORE,
            "ice": {"type": ["number", "null"], "description": "The mean of the three scores"},
            "status": _enum(ExperimentStatus, nullable=True),
            "result": _enum(ExperimentResult, nullable=True),
            "result_note": {"type": "string"},
        },
    ),
    "Output": _node(
        ["title", "status", "experiments"],
        {
            "title": {"type": "string"},
            "status": _enum(OutputStatus, nullable=True),
            "verdict": {
                **_enum(ExperimentResult, nullable=True),
                "description": "What its finished experiments say; invalidated wins",
            },
            "description": {"type": "string"},
            "child_map_ids": {"type": "array", "items": {"type": "integer"}},
            "experiments": {"type": "array", "items": _ref("Experiment")},
        },
    ),
    "Outcome": _node(
        ["behaviour", "outputs"],
        {
            "behaviour": {"type": "string"},
            "direction": _enum(Direction, nullable=True),
            "metric": {"type": "string"},
            "how_might_we": {"type": "string"},
            "how_might_we_warning": {
                **NULLABLE_TEXT,
                "description": "Set when the phrasing names a feature, not a behaviour",
            },
            "outputs": {"type": "array", "items": _ref("Output")},
        },
    ),
    "Actor": _node(
        ["name", "stage", "outcomes"],
        {
            "name": {"type": "string"},
            "stage": _enum(Stage, nullable=True),
            "behaviour": {"type": "string"},
            "segment_rule": {
                "type": ["object", "null"],
                "properties": {
                    "segment": {"type": "string"},
                    "attributes": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
            "outcomes": {"type": "array", "items": _ref("Outcome")},
        },
    ),
    "ImpactMap": {
        "type": "object",
        "required": ["id", "goal", "actors"],
        "properties": {
            "id": {"type": "integer"},
            "goal": _ref("Goal"),
            "pattern_threshold": {"type": "integer", "minimum": 1},
            "actors": {"type": "array", "items": _ref("Actor")},
        },
    },
    "MapSummary": {
        "type": "object",
        "required": ["id", "goal", "nodes", "parent_map_id", "updated_at"],
        "properties": {
            "id": {"type": "integer"},
            "goal": _ref("Goal"),
            "nodes": {"type": "integer", "minimum": 0},
            "parent_map_id": {"type": ["integer", "null"]},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
}

_MAP_ID = {"name": "map_id", "in": "path", "required": True, "schema": ID}

MAP_PATHS: dict[str, Any] = {
    "/api/v1/maps": {
        "get": {
            "operationId": "listMaps",
            "summary": "The workspace's impact maps",
            "responses": {
                "200": _json(
                    "Maps, most recently changed first",
                    {
                        "type": "object",
                        "required": ["items", "total"],
                        "properties": {
                            "items": {"type": "array", "items": _ref("MapSummary")},
                            "total": {"type": "integer"},
                        },
                    },
                ),
                "401": UNAUTHORIZED,
            },
        }
    },
    "/api/v1/maps/{map_id}": {
        "get": {
            "operationId": "getMap",
            "summary": "One map as a tree, every node with its evidence",
            "parameters": [_MAP_ID],
            "responses": {
                "200": _json("The map", _ref("ImpactMap")),
                "401": UNAUTHORIZED,
                "404": NOT_FOUND,
            },
        }
    },
    "/api/v1/maps/{map_id}/export": {
        "get": {
            "operationId": "exportMap",
            "summary": "The map as JSON (the tree with evidence counts), Mermaid or FreeMind",
            "parameters": [
                _MAP_ID,
                _query(
                    "format",
                    {"type": "string", "enum": ["json", "mermaid", "freemind"]},
                    "json (default), mermaid (a flowchart) or freemind (.mm, opens in "
                    "FreeMind and MindMup)",
                ),
            ],
            "responses": {
                "200": {
                    "description": "The file, as an attachment",
                    "content": {
                        "application/json": {"schema": {"type": "object"}},
                        "text/plain": {"schema": {"type": "string"}},
                        "application/x-freemind": {"schema": {"type": "string"}},
                    },
                },
                "401": UNAUTHORIZED,
                "404": NOT_FOUND,
                "422": INVALID,
            },
        }
    },
}
