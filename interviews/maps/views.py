"""The team's impact-map pages: the list of maps, one map drawn as SVG with the chosen
node's evidence beside it, and the forms that grow and change a map."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from interviews.accounts import service as accounts
from interviews.accounts.forms import EmptyForm
from interviews.errors import DomainError, InvalidInput, NotFound
from interviews.maps import evidence, exports, labels, nodes, svg
from interviews.maps import service as maps
from interviews.maps.rules import (
    QUESTION,
    Direction,
    ExperimentKind,
    ExperimentResult,
    ExperimentStatus,
    NodeKind,
    OutputStatus,
    Stage,
)
from interviews.web import (
    editor_required,
    id_from,
    login_required,
    require_fresh_form,
    safe_next,
)

bp = Blueprint("maps", __name__)


def _score(name: str) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 3:
        raise InvalidInput(f"Score {name} from 1 to 10.", field=name)
    return int(raw)


def _node_draft() -> nodes.NodeDraft:
    form = request.form
    return nodes.NodeDraft(
        title=form.get("title", ""),
        description=form.get("description", ""),
        stage=form.get("stage", ""),
        segment_rule=form.get("segment_rule", ""),
        direction=form.get("direction", ""),
        metric=form.get("metric", ""),
        how_might_we=form.get("how_might_we", ""),
        status=form.get("status", ""),
        experiment_kind=form.get("experiment_kind", ""),
        impact=_score("impact"),
        confidence=_score("confidence"),
        ease=_score("ease"),
        result=form.get("result", ""),
        result_note=form.get("result_note", ""),
    )


def _goal_draft() -> maps.GoalDraft:
    form = request.form
    return maps.GoalDraft(
        statement=form.get("statement", ""),
        metric=form.get("metric", ""),
        current=form.get("current", ""),
        target=form.get("target", ""),
        deadline=form.get("deadline", ""),
    )


@bp.get("/maps")
@login_required
def index():
    """Every impact map of the workspace, and a form to start one."""
    return render_template(
        "maps/index.html",
        maps=maps.list_maps(g.member.workspace_id),
        threshold=accounts.pattern_threshold(g.member.workspace_id),
        form=EmptyForm(),
        values={},
    )


@bp.post("/maps")
@editor_required
def create():
    """Start a map from its goal, on its own or from another map's output."""
    require_fresh_form()
    from_output = id_from(request.form.get("from_output"))
    try:
        map_id = maps.create_map(g.member, _goal_draft(), from_output_id=from_output)
    except DomainError as error:
        if error.status_code >= 500:
            raise
        flash(error.message, "error")
        if from_output:
            return redirect(safe_next(request.form.get("back"), url_for("maps.index")))
        return render_template(
            "maps/index.html",
            maps=maps.list_maps(g.member.workspace_id),
            threshold=accounts.pattern_threshold(g.member.workspace_id),
            form=EmptyForm(),
            values=request.form,
        ), error.status_code
    flash("Map started. Add the actors who can help or hinder reaching the goal.", "success")
    return redirect(url_for("maps.show", map_id=map_id))


@bp.post("/maps/threshold")
@login_required
def set_threshold():
    """The owner sets how many distinct people make evidence a pattern."""
    require_fresh_form()
    raw = request.form.get("pattern_threshold", "")
    try:
        value = accounts.set_pattern_threshold(
            g.member, int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else 0
        )
        flash(f"Evidence from {value} or more people now counts as a pattern.", "success")
    except DomainError as error:
        flash(error.message, "error")
    return redirect(url_for("maps.index"))


def _href(map_id: int):
    url = url_for("maps.show", map_id=map_id)  # once: a big map asks for hundreds of links

    def href(params: dict) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        anchor = "#evidence" if params.get("node") else "#map"
        return f"{url}?{urlencode(query)}{anchor}" if query else url + anchor

    return href


@bp.get("/maps/<int:map_id>")
@login_required
def show(map_id: int):
    """The map as a tree; the chosen node's evidence, path sentence and forms beside it."""
    workspace_id = g.member.workspace_id
    tree = maps.get_tree(workspace_id, map_id)
    folded = labels.parse_folded(request.args.get("fold", ""))
    selected = id_from(request.args.get("node"))
    chosen = None
    if selected is not None:
        try:
            chosen = evidence.node_evidence(workspace_id, selected, tree)
        except NotFound:
            chosen = None
        if chosen is None or chosen.map_id != tree.id:
            chosen, selected = None, None
    drawing = svg.render_svg(tree, folded=folded, selected=selected, href=_href(tree.id))
    sort = request.args.get("sort", "ice")
    sort = sort if sort in evidence.EXPERIMENT_SORTS else "ice"
    return render_template(
        "maps/map.html",
        tree=tree,
        drawing=drawing,
        chosen=chosen,
        fold=request.args.get("fold", ""),
        experiments=evidence.experiments_by_ice(tree, sort),
        sort=sort,
        question=QUESTION,
        kinds=NodeKind,
        stages=list(Stage),
        directions=list(Direction),
        output_statuses=list(OutputStatus),
        experiment_kinds=list(ExperimentKind),
        experiment_statuses=list(ExperimentStatus),
        results=list(ExperimentResult),
        form=EmptyForm(),
    )


def _back_to(map_id: int, node_id: int | None = None):
    params = {"node": node_id} if node_id else {}
    fold = request.form.get("fold", "")
    if fold:
        params["fold"] = ",".join(str(i) for i in sorted(labels.parse_folded(fold)))
    return redirect(
        url_for("maps.show", map_id=map_id, **params) + ("#evidence" if node_id else "")
    )


@bp.post("/maps/<int:map_id>/goal")
@editor_required
def edit_goal(map_id: int):
    """Change the goal: statement, metric, current value, target, deadline."""
    require_fresh_form()
    try:
        maps.update_goal(g.member, map_id, _goal_draft())
        flash("Goal saved.", "success")
    except InvalidInput as error:
        flash(error.message, "error")
    return _back_to(map_id)


@bp.post("/maps/<int:map_id>/delete")
@editor_required
def delete(map_id: int):
    """Remove a map; its takeaways stay in the library."""
    require_fresh_form()
    maps.delete_map(g.member, map_id)
    flash("Map removed. Its takeaways are still in the library.", "success")
    return redirect(url_for("maps.index"))


@bp.post("/maps/<int:map_id>/nodes")
@editor_required
def add_node(map_id: int):
    """Add an actor under the goal, or the next level under a node."""
    require_fresh_form()
    parent = id_from(request.form.get("parent_id"))
    try:
        node_id = nodes.add_node(g.member, map_id, parent, _node_draft())
    except InvalidInput as error:
        flash(error.message, "error")
        return _back_to(map_id, parent)
    flash("Added to the map.", "success")
    return _back_to(map_id, node_id)


@bp.post("/maps/nodes/<int:node_id>")
@editor_required
def edit_node(node_id: int):
    """Change a node's words, status, scores or result."""
    require_fresh_form()
    map_id = id_from(request.form.get("map_id"))
    try:
        kind = nodes.update_node(g.member, node_id, _node_draft())
        flash(f"{kind.value.capitalize()} saved.", "success")
    except InvalidInput as error:
        flash(error.message, "error")
    if map_id is None:
        return redirect(url_for("maps.index"))
    return _back_to(map_id, node_id)


@bp.post("/maps/nodes/<int:node_id>/delete")
@editor_required
def delete_node(node_id: int):
    """Remove a node and what hangs under it; its evidence stays in the library."""
    require_fresh_form()
    map_id = nodes.delete_node(g.member, node_id)
    flash("Removed from the map, with everything under it.", "success")
    return _back_to(map_id)


@bp.post("/maps/nodes/<int:node_id>/evidence/<int:takeaway_id>/unlink")
@editor_required
def unlink(node_id: int, takeaway_id: int):
    """This takeaway is not evidence for this node after all."""
    require_fresh_form()
    map_id = id_from(request.form.get("map_id"))
    evidence.unlink_evidence(g.member, takeaway_id, node_id)
    flash("Takeaway unlinked. It is still in the library.", "success")
    return _back_to(map_id, node_id) if map_id else redirect(url_for("maps.index"))


@bp.get("/maps/<int:map_id>/export")
@login_required
def export(map_id: int):
    """Download the map as JSON, Mermaid or FreeMind (.mm)."""
    fmt = request.args.get("format", "json")
    if fmt not in exports.EXPORTS:
        abort(400, "Export as json, mermaid or freemind.")
    tree = maps.get_tree(g.member.workspace_id, map_id)
    content, mimetype, extension = exports.export(tree, fmt)
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="impact-map-{map_id}.{extension}"'},
    )


@bp.get("/maps/<int:map_id>/map.svg")
@login_required
def drawing(map_id: int):
    """The map alone as an SVG file (for slides and documents)."""
    tree = maps.get_tree(g.member.workspace_id, map_id)
    return Response(svg.render_svg(tree), mimetype="image/svg+xml")
