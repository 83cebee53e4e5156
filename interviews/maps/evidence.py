"""Evidence on impact maps: what a takeaway can be linked to, linking and unlinking,
one node with the takeaways behind it, and experiments ranked by ICE. The links
themselves are kept by the notes area (notes/links.py); this side checks the nodes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import MAX_ID, db
from interviews.errors import InvalidInput, NotFound
from interviews.maps import rules
from interviews.maps.models import ImpactMap, MapNode
from interviews.maps.rules import NodeKind
from interviews.maps.service import get_tree, node_in, require_editor
from interviews.maps.tree import MapTree, Node
from interviews.notes import links
from interviews.notes.models import LinkKind
from interviews.notes.takeaways import TakeawayView


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
    require_editor(actor, "link evidence")
    node = node_in(actor.workspace_id, node_id)
    if node.kind not in rules.EVIDENCE_KINDS:
        raise InvalidInput("Link takeaways to an actor, an outcome or an output.")
    added = links.link(actor.workspace_id, takeaway_ids, node.id, LinkKind(node.kind.value))
    db.session.get(ImpactMap, node.map_id).updated_at = utc_now()
    db.session.commit()
    return added


def unlink_evidence(actor: accounts.Member, takeaway_id: int, node_id: int) -> None:
    """Raises Forbidden, NotFound (no such link)."""
    require_editor(actor, "unlink evidence")
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


EXPERIMENT_SORTS = ("ice", "impact", "confidence", "ease")


def experiments_by_ice(tree: MapTree, by: str = "ice") -> list[tuple[Node, Node]]:
    """(experiment, its output) pairs, highest ``by`` score first (the ICE mean, or one
    of its three scores), ties by ICE; unscored ones last."""
    by = by if by in EXPERIMENT_SORTS else "ice"
    pairs = [
        (experiment, output)
        for output in tree.nodes()
        if output.kind is NodeKind.OUTPUT
        for experiment in output.children
    ]

    def key(pair: tuple[Node, Node]):
        score = getattr(pair[0], by)
        return (score is None, -(score or 0), -(pair[0].ice or 0), pair[0].id)

    return sorted(pairs, key=key)


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


def links_to(workspace_id: int, node_ids: list[int]) -> tuple[tuple[int, LinkKind], ...]:
    """(node id, level) for each of ``node_ids``, whatever its level, for a form that
    offers one picker of actors, outcomes and outputs. Raises NotFound."""
    refs = {ref.id: ref for ref in node_refs(workspace_id, ids=node_ids)}
    missing = [i for i in node_ids if i not in refs]
    if missing:
        raise NotFound("No such actor, outcome or output in this workspace.", field="node_id")
    return tuple((i, LinkKind(refs[i].kind.value)) for i in dict.fromkeys(node_ids))
