"""Team endpoints of impact maps: the list, one map as a tree with evidence, exports.

They hang on the team blueprint of api/views.py (same bearer-token check);
interviews/api/__init__.py imports this module so the routes exist whenever the API does.
"""

from __future__ import annotations

from flask import Response, g, jsonify, request

from interviews.api.views import bp
from interviews.errors import InvalidInput
from interviews.maps import exports
from interviews.maps import service as maps


@bp.get("/maps")
def map_list():
    """The workspace's maps: goal, node count, the map each grew from."""
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
def map_tree(map_id: int):
    """One map as a tree: goal, actors, their outcomes, outputs and experiments, each
    with its evidence (takeaways, distinct people, strength)."""
    return jsonify(maps.get_tree(g.api_member.workspace_id, map_id).as_json())


@bp.get("/maps/<int:map_id>/export")
def map_export(map_id: int):
    """The map as JSON, Mermaid or FreeMind (.mm)."""
    fmt = request.args.get("format", "json")
    if fmt not in exports.EXPORTS:
        raise InvalidInput("format must be json, mermaid or freemind.", field="format")
    content, mimetype, extension = exports.export(
        maps.get_tree(g.api_member.workspace_id, map_id), fmt
    )
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="impact-map-{map_id}.{extension}"'},
    )
