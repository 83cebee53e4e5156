"""Impact-map use cases: maps and their goal, the nodes of each level, evidence links,
output status and experiment results. One transaction each; views, the API, the CLI
and the demo call these. Roadmaps, "find people like this" and closing the loop live
in their own modules beside this one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import MAX_ID, db
from interviews.errors import Conflict, Forbidden, InvalidInput, NotFound
from interviews.maps import rules
from interviews.maps.models import ImpactMap, MapNode, RoadmapTheme
from interviews.maps.rules import (
    CHILD_KIND,
    Direction,
    ExperimentKind,
    ExperimentResult,
    ExperimentStatus,
    NodeKind,
    OutputStatus,
    Stage,
)
from interviews.maps.tree import Goal, MapTree, Node, NodeRecord, build_tree
from interviews.notes import links
from interviews.notes.models import LinkKind
from interviews.notes.takeaways import TakeawayView

MAX_NODES = 2000  # on one map: past this a map is a backlog, not a map


def _can_edit(actor: accounts.Member, what: str) -> None:
    if not actor.can_edit:
        raise Forbidden(f"Viewers can read maps but not {what}.")


def _map_in(workspace_id: int, map_id: int) -> ImpactMap:
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


def _clean_goal(draft: GoalDraft) -> Goal:
    statement = " ".join(draft.statement.split())
    if not statement:
        raise InvalidInput(
            "Write the goal (WHY): the business impact, e.g. “Grow weekly active teams”.",
            field="statement",
        )
    if len(statement) > 300:
        raise InvalidInput("Keep the goal under 300 characters.", field="statement")
    metric = " ".join(draft.metric.split())
    if len(metric) > 200:
        raise InvalidInput("Keep the metric under 200 characters.", field="metric")
    deadline = None
    if draft.deadline.strip():
        try:
            deadline = date.fromisoformat(draft.deadline.strip())
        except ValueError:
            raise InvalidInput("The deadline is a day: YYYY-MM-DD.", field="deadline") from None
    return Goal(
        statement=statement,
        metric=metric,
        current=_number(draft.current, "current", "current value"),
        target=_number(draft.target, "target", "target"),
        deadline=deadline,
    )


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
    _can_edit(actor, "make them")
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
    _can_edit(actor, "change them")
    row = _map_in(actor.workspace_id, map_id)
    goal = _clean_goal(draft)
    row.goal, row.metric, row.deadline = goal.statement, goal.metric, goal.deadline
    row.current_value, row.target_value = goal.current, goal.target
    row.updated_at = utc_now()
    db.session.commit()
    return goal


def delete_map(actor: accounts.Member, map_id: int) -> None:
    """Remove a map and its nodes (the takeaways stay in the library; maps grown from
    its outputs stay, without their parent). Raises Forbidden, NotFound."""
    _can_edit(actor, "delete them")
    row = _map_in(actor.workspace_id, map_id)
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
    row = _map_in(workspace_id, map_id)
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


# --- nodes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeDraft:
    """What a form or the API says about a node. Which fields count depends on the level."""

    title: str
    description: str = ""
    stage: str = ""
    segment_rule: str = ""  # "segment: enterprise, plan: team"
    direction: str = ""
    metric: str = ""
    how_might_we: str = ""
    status: str = ""  # the output's or the experiment's
    experiment_kind: str = ""
    impact: int | None = None
    confidence: int | None = None
    ease: int | None = None
    result: str = ""
    result_note: str = ""


def _choice(enum_cls, value: str, field: str, what: str, *, default=None):
    if not value:
        if default is None:
            names = ", ".join(m.value for m in enum_cls)
            raise InvalidInput(f"Choose the {what}: {names}.", field=field)
        return default
    try:
        return enum_cls(value)
    except ValueError:
        names = ", ".join(m.value for m in enum_cls)
        raise InvalidInput(f"The {what} must be one of: {names}.", field=field) from None


_TITLE_WORDS = {
    NodeKind.ACTOR: "Name the actor (WHO): who can help or hinder, by what they do.",
    NodeKind.OUTCOME: "Write the outcome (HOW): the change in the actor's behaviour.",
    NodeKind.OUTPUT: "Name the output (WHAT): the feature or project.",
    NodeKind.EXPERIMENT: "Name the experiment (WHETHER): what you will try.",
}


def _apply(row: MapNode, kind: NodeKind, draft: NodeDraft) -> None:
    """Check ``draft`` for a node of ``kind`` and write it into ``row``. Raises InvalidInput."""
    title = " ".join(draft.title.split())
    if not title:
        raise InvalidInput(_TITLE_WORDS[kind], field="title")
    if len(title) > 300:
        raise InvalidInput("Keep the title under 300 characters.", field="title")
    description = draft.description.strip()
    if len(description) > 4000:
        raise InvalidInput("Keep the description under 4,000 characters.", field="description")
    if "\x00" in title + description + draft.result_note + draft.how_might_we:
        raise InvalidInput("The text has a NUL character in it.", field="title")
    row.title, row.description = title, description
    if kind is NodeKind.ACTOR:
        row.stage = _choice(Stage, draft.stage, "stage", "stage", default=Stage.ON)
        try:
            rule = rules.parse_rule_text(draft.segment_rule)
        except ValueError as error:
            raise InvalidInput(str(error), field="segment_rule") from None
        row.segment_rule = None if rule.empty else rule.as_json()
    elif kind is NodeKind.OUTCOME:
        row.direction = _choice(
            Direction, draft.direction, "direction", "direction", default=Direction.INCREASE
        )
        metric = " ".join(draft.metric.split())
        hmw = " ".join(draft.how_might_we.split())
        if len(metric) > 200:
            raise InvalidInput("Keep the metric under 200 characters.", field="metric")
        if len(hmw) > 400:
            raise InvalidInput(
                "Keep the “How might we” under 400 characters.", field="how_might_we"
            )
        row.metric, row.how_might_we = metric, hmw
    elif kind is NodeKind.OUTPUT:
        status = _choice(OutputStatus, draft.status, "status", "status", default=OutputStatus.IDEA)
        current = row.output_status or OutputStatus.IDEA
        if row.id is not None and not rules.can_move(current, status):
            allowed = ", ".join(sorted(s.value for s in rules.OUTPUT_MOVES[current]))
            raise InvalidInput(
                f"An output that is {current.value} can move to: {allowed}.", field="status"
            )
        if status is OutputStatus.SHIPPED and row.output_status is not OutputStatus.SHIPPED:
            row.shipped_at = utc_now()
        elif status is not OutputStatus.SHIPPED:
            row.shipped_at = None
        row.output_status = status
    else:
        row.experiment_kind = _choice(
            ExperimentKind, draft.experiment_kind, "experiment_kind", "type",
            default=ExperimentKind.PROTOTYPE_INTERVIEW,
        )  # fmt: skip
        for name in ("impact", "confidence", "ease"):
            value = getattr(draft, name)
            if not rules.valid_score(value):
                raise InvalidInput(f"Score {name} from 1 to 10.", field=name)
            setattr(row, name, value)
        row.experiment_status = _choice(
            ExperimentStatus, draft.status, "status", "status", default=ExperimentStatus.PLANNED
        )
        result = (
            _choice(ExperimentResult, draft.result, "result", "result", default=None)
            if draft.result
            else None
        )
        if result is not None and row.experiment_status is not ExperimentStatus.DONE:
            raise InvalidInput(
                "Record a result once the experiment is done (set its status to done).",
                field="result",
            )
        note = draft.result_note.strip()
        if len(note) > 4000:
            raise InvalidInput("Keep the result note under 4,000 characters.", field="result_note")
        row.result, row.result_note = result, note


def add_node(actor: accounts.Member, map_id: int, parent_id: int | None, draft: NodeDraft) -> int:
    """Add the next level under ``parent_id`` (an actor under the goal when None; an
    outcome under an actor; an output under an outcome; an experiment under an output).
    Raises Forbidden, NotFound, InvalidInput."""
    _can_edit(actor, "change them")
    impact_map = _map_in(actor.workspace_id, map_id)
    parent = None
    if parent_id is not None:
        parent = node_in(actor.workspace_id, parent_id)
        if parent.map_id != impact_map.id:
            raise NotFound("That node is on another map.")
    kind = CHILD_KIND[parent.kind if parent else None]
    if kind is None:
        raise InvalidInput("Experiments are the last level: nothing goes under them.")
    size = db.session.scalar(select(func.count()).where(MapNode.map_id == impact_map.id))
    if size >= MAX_NODES:
        raise InvalidInput(f"A map holds at most {MAX_NODES:,} nodes: split it into linked maps.")
    now = utc_now()
    last = db.session.scalar(
        select(func.max(MapNode.position)).where(
            MapNode.map_id == impact_map.id,
            MapNode.parent_id.is_(None) if parent is None else MapNode.parent_id == parent.id,
        )
    )
    row = MapNode(
        workspace_id=actor.workspace_id,
        map_id=impact_map.id,
        parent_id=parent.id if parent else None,
        kind=kind,
        position=(last or 0) + 1,
        created_at=now,
        updated_at=now,
    )
    _apply(row, kind, draft)
    db.session.add(row)
    impact_map.updated_at = now
    db.session.commit()
    return row.id


def update_node(actor: accounts.Member, node_id: int, draft: NodeDraft) -> NodeKind:
    """Change a node: its words and, for its level, stage and segment rule, direction
    and "How might we", status (outputs move idea → planned → building → shipped, or
    dropped), or an experiment's scores and result. Raises Forbidden, NotFound,
    InvalidInput."""
    _can_edit(actor, "change them")
    row = node_in(actor.workspace_id, node_id)
    _apply(row, row.kind, draft)
    now = utc_now()
    row.updated_at = now
    db.session.get(ImpactMap, row.map_id).updated_at = now
    db.session.commit()
    return row.kind


def delete_node(actor: accounts.Member, node_id: int) -> int:
    """Remove a node and everything under it; its evidence stays in the library.
    Returns the map's id. Raises Forbidden, NotFound."""
    _can_edit(actor, "change them")
    row = node_in(actor.workspace_id, node_id)
    map_id = row.map_id
    # The database removes what hangs under it and its evidence links (ON DELETE CASCADE).
    db.session.delete(row)
    db.session.get(ImpactMap, map_id).updated_at = utc_now()
    db.session.commit()
    return map_id


@dataclass(frozen=True)
class NodeRef:
    """A node named for pickers and labels elsewhere (the library's bulk link, facets)."""

    id: int
    kind: NodeKind
    title: str
    map_id: int
    map_goal: str

    @property
    def label(self) -> str:
        return f"{self.title} ({self.map_goal})"


def node_refs(
    workspace_id: int, kinds: tuple[NodeKind, ...] = rules.EVIDENCE_KINDS, ids=None
) -> list[NodeRef]:
    """The workspace's actors, outcomes and outputs (or ``ids`` of them), by map then
    position: what a takeaway can be linked to."""
    query = (
        select(MapNode.id, MapNode.kind, MapNode.title, ImpactMap.id, ImpactMap.goal)
        .join(ImpactMap, ImpactMap.id == MapNode.map_id)
        .where(MapNode.workspace_id == workspace_id, MapNode.kind.in_(kinds))
        .order_by(ImpactMap.goal, ImpactMap.id, MapNode.position, MapNode.id)
    )
    if ids is not None:
        query = query.where(MapNode.id.in_([i for i in ids if 0 < i <= MAX_ID]))
    return [NodeRef(*row) for row in db.session.execute(query)]


# --- evidence ---------------------------------------------------------------------------


def link_evidence(actor: accounts.Member, takeaway_ids: list[int], node_id: int) -> int:
    """Link takeaways to an actor, outcome or output as its evidence (linking twice
    changes nothing). Returns how many links are new. Raises Forbidden, NotFound,
    InvalidInput (an experiment: its evidence is its result)."""
    _can_edit(actor, "link evidence")
    node = node_in(actor.workspace_id, node_id)
    if node.kind not in rules.EVIDENCE_KINDS:
        raise InvalidInput("Link takeaways to an actor, an outcome or an output.")
    added = links.link(actor.workspace_id, takeaway_ids, node.id, LinkKind(node.kind.value))
    db.session.get(ImpactMap, node.map_id).updated_at = utc_now()
    db.session.commit()
    return added


def unlink_evidence(actor: accounts.Member, takeaway_id: int, node_id: int) -> None:
    """Raises Forbidden, NotFound (no such link)."""
    _can_edit(actor, "unlink evidence")
    node = node_in(actor.workspace_id, node_id)
    if not links.unlink(actor.workspace_id, takeaway_id, node.id):
        raise NotFound("That takeaway is not linked there.")
    db.session.commit()


@dataclass(frozen=True)
class NodeEvidence:
    node: Node
    map_id: int
    sentence: str
    takeaways: list[TakeawayView]


def node_evidence(workspace_id: int, node_id: int, tree: MapTree | None = None) -> NodeEvidence:
    """One node with the takeaways behind it (quotes included) and the path from the
    goal down to it as a sentence. Raises NotFound."""
    row = node_in(workspace_id, node_id)
    tree = (
        tree if tree is not None and tree.id == row.map_id else get_tree(workspace_id, row.map_id)
    )
    node = tree.find(row.id)
    if node is None:  # an orphan cut off from the tree (its parent is gone)
        raise NotFound("No such node on this map.")
    found = links.evidence_of(workspace_id, row.id) if row.kind in rules.EVIDENCE_KINDS else []
    return NodeEvidence(
        node=node, map_id=row.map_id, sentence=tree.sentence(row.id), takeaways=found
    )


def experiments_by_ice(tree: MapTree) -> list[tuple[Node, Node]]:
    """(experiment, its output) pairs, best ICE score first; unscored ones last."""
    pairs = [
        (experiment, output)
        for output in tree.nodes()
        if output.kind is NodeKind.OUTPUT
        for experiment in output.children
    ]
    return sorted(pairs, key=lambda p: (p[0].ice is None, -(p[0].ice or 0), p[0].id))


def checked_links(
    workspace_id: int, actor_ids: list[int], outcome_ids: list[int], output_ids: list[int] = ()
) -> tuple[tuple[int, LinkKind], ...]:
    """The (node id, level) pairs for a new takeaway's links, each checked to be an
    actor, outcome or output of this workspace as named. Raises NotFound naming the
    field at fault."""
    wanted = [
        *((i, NodeKind.ACTOR, "actor_ids") for i in actor_ids),
        *((i, NodeKind.OUTCOME, "outcome_ids") for i in outcome_ids),
        *((i, NodeKind.OUTPUT, "output_ids") for i in output_ids),
    ]
    if not wanted:
        return ()
    found = {
        ref.id: ref.kind
        for ref in node_refs(workspace_id, rules.EVIDENCE_KINDS, ids=[i for i, _, _ in wanted])
    }
    pairs: dict[int, LinkKind] = {}
    for node_id, kind, field in wanted:
        if found.get(node_id) is not kind:
            raise NotFound(f"No {kind.value} {node_id} in this workspace.", field=field)
        pairs[node_id] = LinkKind(kind.value)
    return tuple(pairs.items())
