"""The team's impact-map pages: the list of maps, one map drawn as SVG with the chosen
node's evidence beside it, and the forms that grow and change a map."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from interviews.accounts import service as accounts
from interviews.errors import InvalidInput, NotFound
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
from interviews.maps.tree import MapTree
from interviews.web import (
    Refused,
    editor_required,
    id_from,
    login_required,
    require_fresh_form,
)
from interviews.web.accounts.forms import EmptyForm

bp = Blueprint("maps", __name__)


def _score(name: str) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 3:
        return 0  # not a score: refused by the service, with the form's other problems
    return int(raw)


# Where each form's inputs are on the page, by the field names the services use: a
# refused form's errors link to them. The goal form's ids start "goal-" on both pages.
_GOAL_INPUTS = {
    name: f"goal-{name}" for name in ("statement", "metric", "current", "target", "deadline")
}
_CHILD_INPUTS = {"statement": "child-goal", "metric": "child-metric"}
# A node form's inputs start with its prefix on the map page (templates/maps/_node_fields.html):
# "edit" for the chosen node, "add" for the level under it, "actor" for a new actor.
_NODE_SUFFIXES = {
    "title": "title",
    "description": "description",
    "stage": "stage",
    "segment_rule": "rule",
    "direction": "direction",
    "metric": "metric",
    "how_might_we": "hmw",
    "status": "status",
    "experiment_kind": "type",
    "impact": "impact",
    "confidence": "confidence",
    "ease": "ease",
    "result": "result",
    "result_note": "note",
}


def _node_refused(error: InvalidInput, prefix: str, fallback: str = "") -> Refused:
    ids = {field: f"{prefix}-{suffix}" for field, suffix in _NODE_SUFFIXES.items()}
    return Refused.of(error, ids, form=prefix, fallback=fallback or f"{prefix}-title")


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


def _index(refused: Refused | None = None, status: int = 200):
    """The list of maps; ``refused`` is a refused "start a map" or threshold form."""
    return render_template(
        "maps/index.html",
        maps=maps.list_maps(g.member.workspace_id),
        threshold=accounts.pattern_threshold(g.member.workspace_id),
        form=EmptyForm(),
        refused=refused,
    ), status


@bp.get("/maps")
@login_required
def index():
    """Every impact map of the workspace, and a form to start one."""
    return _index()


@bp.post("/maps")
@editor_required
def create():
    """Start a map from its goal, on its own or from another map's output."""
    require_fresh_form()
    from_output = id_from(request.form.get("from_output"))
    try:
        map_id = maps.create_map(g.member, _goal_draft(), from_output_id=from_output)
    except InvalidInput as error:
        # Re-rendered where the form is, as typed: the output's map, or the list.
        if from_output:
            output = maps.node_in(g.member.workspace_id, from_output)
            # Only an output's page has the child map's form; any other node's, its heading.
            fallback = "child-goal" if output.kind is NodeKind.OUTPUT else "node-heading"
            refused = Refused.of(error, _CHILD_INPUTS, form="child", fallback=fallback)
            return _map_page(output.map_id, output.id, refused)
        return _index(Refused.of(error, _GOAL_INPUTS, form="goal", fallback="goal-statement"), 422)
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
    except InvalidInput as error:
        refused = Refused.of(error, {"pattern_threshold": "threshold"}, "threshold", "threshold")
        return _index(refused, 422)
    flash(f"Evidence from {value} or more people now counts as a pattern.", "success")
    return redirect(url_for("maps.index"))


def _links_from(url: str):
    """The links of the map page at ``url``: a node chosen, a branch folded."""

    def href(params: dict) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        anchor = "#evidence" if params.get("node") else "#map"
        return f"{url}?{urlencode(query)}{anchor}" if query else url + anchor

    return href


@lru_cache(maxsize=32)
def _drawing(tree: MapTree, folded: frozenset[int], selected: int | None, url: str) -> str:
    """The map's SVG, remembered by everything it is drawn from: the tree as read on this
    request (its nodes, their evidence, the threshold), the folds, the chosen node and
    the page's address. A changed map is a different tree, so it is drawn again; the
    same map, opened again, is not (drawing 500 nodes took a third of the page's time)."""
    return svg.render_svg(tree, folded=folded, selected=selected, href=_links_from(url))


@bp.get("/maps/<int:map_id>")
@login_required
def show(map_id: int):
    """The map as a tree; the chosen node's evidence, path sentence and forms beside it."""
    return _map_page(map_id, id_from(request.args.get("node")))


def _map_page(map_id: int, selected: int | None, refused: Refused | None = None):
    """The map page with the node ``selected`` chosen. ``refused`` is a form of the page
    that was refused: shown open, as typed, its errors at the top and at its inputs
    (then the fold comes from the form, and the answer is 422)."""
    workspace_id = g.member.workspace_id
    tree = maps.get_tree(workspace_id, map_id)
    fold = request.form.get("fold", "") if refused else request.args.get("fold", "")
    folded = labels.parse_folded(fold)
    chosen = None
    if selected is not None:
        try:
            chosen = evidence.node_evidence(workspace_id, selected, tree)
        except NotFound:
            chosen = None
        if chosen is None or chosen.map_id != tree.id:
            chosen, selected = None, None
    url = url_for("maps.show", map_id=tree.id)  # hundreds of links: built from one url_for
    href = _links_from(url)
    drawing = _drawing(tree, folded, selected, url)
    sort = request.args.get("sort", "ice")
    sort = sort if sort in evidence.EXPERIMENT_SORTS else "ice"
    return render_template(
        "maps/map.html",
        tree=tree,
        drawing=drawing,
        href=href,
        chosen=chosen,
        fold=fold,
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
        refused=refused,
    ), 422 if refused else 200


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
    except InvalidInput as error:
        refused = Refused.of(error, _GOAL_INPUTS, form="goal", fallback="goal-statement")
        return _map_page(map_id, None, refused)
    flash("Goal saved.", "success")
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
        # The actor form stands alone; the next level's is under its parent, chosen.
        if parent is None:
            return _map_page(map_id, None, _node_refused(error, "actor"))
        # Nothing goes under an experiment: its page has no form to add one, only its heading.
        last = maps.node_in(g.member.workspace_id, parent).kind is NodeKind.EXPERIMENT
        return _map_page(
            map_id, parent, _node_refused(error, "add", "node-heading" if last else "")
        )
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
    except InvalidInput as error:
        node = maps.node_in(g.member.workspace_id, node_id)
        return _map_page(node.map_id, node.id, _node_refused(error, "edit"))
    flash(f"{kind.value.capitalize()} saved.", "success")
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
