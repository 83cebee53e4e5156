"""Impact-map use cases: maps and their goal, and a map read as a tree with evidence.
One transaction each; views, the API and the demo call these. Beside this module:
nodes.py (the levels under the goal), evidence.py (linking takeaways), roadmaps.py,
outreach.py ("find people like this") and loop.py (closing the loop)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from interviews import dates
from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import MAX_ID, db
from interviews.errors import Conflict, Forbidden, InvalidInput, NotFound, refuse_all
from interviews.maps.models import ImpactMap, MapNode, RoadmapTheme
from interviews.maps.rules import (
    NodeKind,
    OutputStatus,
)
from interviews.maps.tree import Goal, MapTree, NodeRecord, build_tree
from interviews.notes import links


def require_editor(actor: accounts.Member, what: str) -> None:
    """Raises Forbidden for a viewer, saying what they cannot do."""
    if not actor.can_edit:
        raise Forbidden(f"Viewers can read maps but not {what}.")


def map_in(workspace_id: int, map_id: int) -> ImpactMap:
    """The map of this workspace (for this area's other modules). Raises NotFound."""
    row = db.session.get(ImpactMap, map_id) if 0 < map_id <= MAX_ID else None
    if row is None or row.workspace_id != workspace_id:
        raise NotFound("No such map in this workspace.")
    return row


def node_in(workspace_id: int, node_id: int) -> MapNode:
    """The node of this workspace (for this area's other modules). Raises NotFound."""
    row = db.session.get(MapNode, node_id) if 0 < node_id <= MAX_ID else None
    if row is None or row.workspace_id != workspace_id:
        raise NotFound("No such actor, outcome, output or experiment in this workspace.")
    return row


# --- the goal ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalDraft:
    statement: str
    metric: str = ""
    current: str = ""  # as typed: "1,200", "12.5"
    target: str = ""
    deadline: str = ""  # YYYY-MM-DD


def _number(text: str, field: str, what: str) -> Decimal | None:
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInput(f"The {what} is a number, like 1200 or 12.5.", field=field) from None
    if not value.is_finite() or abs(value) >= Decimal(10) ** 16:
        raise InvalidInput(f"The {what} is too large a number.", field=field)
    if value != value.quantize(Decimal("0.0001")):
        raise InvalidInput(f"The {what} has more than four decimals.", field=field)
    return value


MAX_GOAL = 300  # the columns' sizes: the forms' maxlength says the same
MAX_METRIC = 200


def _clean_goal(draft: GoalDraft) -> Goal:
    """The goal as typed, checked. Raises InvalidInput carrying every problem found, so
    a form can show them all at once."""
    problems: list[InvalidInput] = []
    statement = " ".join(draft.statement.split())
    if not statement:
        problems.append(
            InvalidInput(
                "Write the goal (WHY): the business impact, e.g. “Grow weekly active teams”.",
                field="statement",
            )
        )
    elif len(statement) > MAX_GOAL:
        problems.append(
            InvalidInput(f"Keep the goal under {MAX_GOAL} characters.", field="statement")
        )
    metric = " ".join(draft.metric.split())
    if len(metric) > MAX_METRIC:
        problems.append(
            InvalidInput(f"Keep the metric under {MAX_METRIC} characters.", field="metric")
        )
    current = target = deadline = None
    try:
        current = _number(draft.current, "current", "current value")
    except InvalidInput as problem:
        problems.append(problem)
    try:
        target = _number(draft.target, "target", "target")
    except InvalidInput as problem:
        problems.append(problem)
    if draft.deadline.strip():
        try:
            deadline = dates.parse_day(draft.deadline, "The deadline", "deadline")
        except InvalidInput as problem:
            problems.append(problem)
    refuse_all(problems)
    return Goal(statement, metric, current, target, deadline)


@dataclass(frozen=True)
class MapSummary:
    id: int
    goal: Goal
    nodes: int
    parent_map_id: int | None
    parent_title: str | None
    updated_at: datetime


def list_maps(workspace_id: int) -> list[MapSummary]:
    """The workspace's maps, most recently changed first, with how many nodes each has
    and where each grew from."""
    counts = dict(
        db.session.execute(
            select(MapNode.map_id, func.count())
            .where(MapNode.workspace_id == workspace_id)
            .group_by(MapNode.map_id)
        ).all()
    )
    rows = db.session.scalars(
        select(ImpactMap)
        .where(ImpactMap.workspace_id == workspace_id)
        .order_by(ImpactMap.updated_at.desc(), ImpactMap.id.desc())
    ).all()
    parents = {
        n.id: n
        for n in db.session.scalars(
            select(MapNode).where(
                MapNode.id.in_([r.parent_node_id for r in rows if r.parent_node_id])
            )
        )
    }
    themes = {
        t.id: t
        for t in db.session.scalars(
            select(RoadmapTheme).where(
                RoadmapTheme.id.in_([r.parent_theme_id for r in rows if r.parent_theme_id])
            )
        )
    }
    summaries = []
    for row in rows:
        parent = parents.get(row.parent_node_id)
        theme = themes.get(row.parent_theme_id)
        summaries.append(
            MapSummary(
                id=row.id,
                goal=_goal_of(row),
                nodes=counts.get(row.id, 0),
                parent_map_id=parent.map_id if parent else None,
                parent_title=parent.title if parent else (theme.title if theme else None),
                updated_at=row.updated_at,
            )
        )
    return summaries


def _goal_of(row: ImpactMap) -> Goal:
    return Goal(row.goal, row.metric, row.current_value, row.target_value, row.deadline)


def create_map(
    actor: accounts.Member,
    draft: GoalDraft,
    *,
    from_output_id: int | None = None,
    from_theme_id: int | None = None,
) -> int:
    """A new map with its goal. From an output of another map, or from a roadmap theme,
    the new map is its child: breadcrumbs lead back up. Raises Forbidden, InvalidInput,
    NotFound, Conflict (the output or theme has a map already)."""
    require_editor(actor, "make them")
    goal = _clean_goal(draft)
    parent_node_id = parent_theme_id = None
    if from_output_id is not None:
        output = node_in(actor.workspace_id, from_output_id)
        if output.kind is not NodeKind.OUTPUT:
            raise InvalidInput("Only an output (WHAT) can become the goal of a new map.")
        parent_node_id = output.id
    if from_theme_id is not None:
        theme = db.session.get(RoadmapTheme, from_theme_id) if 0 < from_theme_id <= MAX_ID else None
        if theme is None or theme.workspace_id != actor.workspace_id:
            raise NotFound("No such roadmap theme in this workspace.")
        if db.session.scalar(select(ImpactMap.id).where(ImpactMap.parent_theme_id == theme.id)):
            raise Conflict("That theme has its map already: open it from the roadmap.")
        parent_theme_id = theme.id
    now = utc_now()
    row = ImpactMap(
        workspace_id=actor.workspace_id,
        goal=goal.statement,
        metric=goal.metric,
        current_value=goal.current,
        target_value=goal.target,
        deadline=goal.deadline,
        parent_node_id=parent_node_id,
        parent_theme_id=parent_theme_id,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if parent_theme_id is None:
            raise
        raise Conflict("That theme has its map already: open it from the roadmap.") from None
    return row.id


def update_goal(actor: accounts.Member, map_id: int, draft: GoalDraft) -> Goal:
    """Change the map's goal: statement, metric, current value, target, deadline.
    Raises Forbidden, NotFound, InvalidInput."""
    require_editor(actor, "change them")
    row = map_in(actor.workspace_id, map_id)
    goal = _clean_goal(draft)
    row.goal, row.metric, row.deadline = goal.statement, goal.metric, goal.deadline
    row.current_value, row.target_value = goal.current, goal.target
    row.updated_at = utc_now()
    db.session.commit()
    return goal


def delete_map(actor: accounts.Member, map_id: int) -> None:
    """Remove a map and its nodes (the takeaways stay in the library; maps grown from
    its outputs stay, without their parent). Raises Forbidden, NotFound."""
    require_editor(actor, "delete them")
    row = map_in(actor.workspace_id, map_id)
    db.session.delete(row)
    db.session.commit()


# --- the tree ---------------------------------------------------------------------------


def _record(row: MapNode) -> NodeRecord:
    return NodeRecord(
        id=row.id,
        kind=row.kind,
        parent_id=row.parent_id,
        title=row.title,
        position=row.position,
        description=row.description,
        stage=row.stage,
        segment_rule=row.segment_rule,
        direction=row.direction,
        metric=row.metric,
        how_might_we=row.how_might_we,
        output_status=row.output_status,
        shipped_at=row.shipped_at,
        experiment_kind=row.experiment_kind,
        impact=row.impact,
        confidence=row.confidence,
        ease=row.ease,
        experiment_status=row.experiment_status,
        result=row.result,
        result_note=row.result_note,
    )


def _breadcrumbs(row: ImpactMap) -> tuple[tuple[int, str], ...]:
    """The maps above this one, top first (a loop of parents is cut where it repeats)."""
    trail: list[tuple[int, str]] = []
    seen = {row.id}
    current = row
    while current.parent_node_id is not None:
        node = db.session.get(MapNode, current.parent_node_id)
        parent = db.session.get(ImpactMap, node.map_id) if node else None
        if parent is None or parent.id in seen or len(trail) > 20:
            break
        trail.append((parent.id, parent.goal))
        seen.add(parent.id)
        current = parent
    return tuple(reversed(trail))


def get_tree(workspace_id: int, map_id: int) -> MapTree:
    """The whole map with each node's evidence (takeaways, distinct people, strength
    against the workspace's threshold), maps grown from its outputs, and where it came
    from. Raises NotFound."""
    row = map_in(workspace_id, map_id)
    nodes = db.session.scalars(
        select(MapNode).where(MapNode.map_id == row.id).order_by(MapNode.position, MapNode.id)
    ).all()
    counts = links.counts(workspace_id, [n.id for n in nodes])
    children: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for child_id, node_id, goal in db.session.execute(
        select(ImpactMap.id, ImpactMap.parent_node_id, ImpactMap.goal).where(
            ImpactMap.parent_node_id.in_([n.id for n in nodes if n.kind is NodeKind.OUTPUT])
        )
    ):
        children[node_id].append((child_id, goal))
    parent = None
    if row.parent_node_id is not None:
        output = db.session.get(MapNode, row.parent_node_id)
        if output is not None:
            parent = ("output", output.map_id, output.title)
    elif row.parent_theme_id is not None:
        theme = db.session.get(RoadmapTheme, row.parent_theme_id)
        if theme is not None:
            parent = ("theme", theme.roadmap_id, theme.title)
    return build_tree(
        row.id,
        _goal_of(row),
        [_record(n) for n in nodes],
        counts,
        accounts.pattern_threshold(workspace_id),
        child_maps=children,
        parent=parent,
        breadcrumbs=_breadcrumbs(row),
    )


@dataclass(frozen=True)
class ShippedOutput:
    id: int
    title: str
    map_id: int
    map_goal: str
    shipped_at: datetime


def outputs_shipped(workspace_id: int, start: datetime, end: datetime) -> list[ShippedOutput]:
    """The workspace's outputs marked shipped in [start, end) and still shipped, oldest
    first, each with its map's goal (the weekly digest)."""
    rows = db.session.execute(
        select(MapNode, ImpactMap.goal)
        .join(ImpactMap, ImpactMap.id == MapNode.map_id)
        .where(
            MapNode.workspace_id == workspace_id,
            MapNode.kind == NodeKind.OUTPUT,
            MapNode.output_status == OutputStatus.SHIPPED,
            MapNode.shipped_at >= start,
            MapNode.shipped_at < end,
        )
        .order_by(MapNode.shipped_at, MapNode.id)
    ).all()
    return [ShippedOutput(n.id, n.title, n.map_id, goal, n.shipped_at) for n, goal in rows]
