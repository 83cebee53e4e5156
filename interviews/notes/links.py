"""Takeaways as evidence for impact-map nodes: linking, counting, listing.

The maps area owns the nodes and checks a node is theirs before calling these; here a
node is an id and a level (actor, outcome, output). Writers take part in the caller's
transaction and never commit.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, distinct, func, insert, select
from sqlalchemy.orm import selectinload

from interviews.db import MAX_ID, db
from interviews.errors import InvalidInput, NotFound
from interviews.notes import browse, kept_counts
from interviews.notes.models import LinkKind, Takeaway, takeaway_link
from interviews.notes.tags import MAX_BULK
from interviews.notes.takeaways import TakeawayView, _views


def _own_ids(workspace_id: int, takeaway_ids: list[int]) -> list[int]:
    ids = sorted(set(takeaway_ids))
    if not ids:
        raise InvalidInput("Choose at least one takeaway.", field="takeaway_ids")
    if len(ids) > MAX_BULK:
        raise InvalidInput(f"At most {MAX_BULK} takeaways at once.", field="takeaway_ids")
    usable = [i for i in ids if 0 < i <= MAX_ID]
    found = set(
        db.session.scalars(
            select(Takeaway.id).where(
                Takeaway.workspace_id == workspace_id, Takeaway.id.in_(usable)
            )
        )
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"No takeaway {missing[0]} in this workspace.")
    return ids


def link(workspace_id: int, takeaway_ids: list[int], node_id: int, kind: LinkKind) -> int:
    """Link the takeaways to one node (those linked already stay as they are). Part of
    the caller's transaction. Returns how many links are new. Raises InvalidInput,
    NotFound (a takeaway of another workspace)."""
    ids = _own_ids(workspace_id, takeaway_ids)
    already = set(
        db.session.scalars(
            select(takeaway_link.c.takeaway_id).where(
                takeaway_link.c.node_id == node_id, takeaway_link.c.takeaway_id.in_(ids)
            )
        )
    )
    new = [i for i in ids if i not in already]
    if new:
        db.session.execute(
            insert(takeaway_link),
            [{"takeaway_id": i, "node_id": node_id, "kind": kind} for i in new],
        )
    return len(new)


def unlink(workspace_id: int, takeaway_id: int, node_id: int) -> bool:
    """Remove one link, in the caller's transaction; False when there was none."""
    own = select(Takeaway.id).where(
        Takeaway.workspace_id == workspace_id, Takeaway.id == takeaway_id
    )
    result = db.session.execute(
        delete(takeaway_link).where(
            takeaway_link.c.node_id == node_id, takeaway_link.c.takeaway_id.in_(own)
        )
    )
    return result.rowcount > 0


def counts(workspace_id: int, node_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{node id: (takeaways, distinct participants)} for the nodes that have evidence.
    A takeaway logged from sales or support with no participant counts as a takeaway,
    not as a person. Counted for every node of the workspace at once and kept (see
    kept_counts; it may commit), since every map page asks."""

    def count() -> dict[str, list[int]]:
        rows = db.session.execute(
            select(
                takeaway_link.c.node_id,
                func.count(),
                func.count(distinct(Takeaway.participant_id)),
            )
            .join(Takeaway, Takeaway.id == takeaway_link.c.takeaway_id)
            .where(Takeaway.workspace_id == workspace_id)
            .group_by(takeaway_link.c.node_id)
        ).all()
        return {str(node): [n, people] for node, n, people in rows}  # JSON keys are text

    every_node = kept_counts.kept(workspace_id, "evidence", count)
    return {
        node: (found[0], found[1])
        for node in node_ids
        if (found := every_node.get(str(node))) is not None
    }


def quoted_evidence_for(
    workspace_id: int, takeaway_ids: list[int], node_ids: list[int]
) -> tuple[dict[int, TakeawayView], list[tuple[int, int]]]:
    """Of these takeaways, the ones with a quote that are evidence for any of these
    nodes, by id, and their (takeaway id, node id) links to them: what a report needs of
    the few quotes it shows, without reading every node's evidence."""
    if not takeaway_ids or not node_ids:
        return {}, []
    pairs = db.session.execute(
        select(takeaway_link.c.takeaway_id, takeaway_link.c.node_id)
        .join(Takeaway, Takeaway.id == takeaway_link.c.takeaway_id)
        .where(
            Takeaway.workspace_id == workspace_id,
            Takeaway.id.in_(takeaway_ids),
            takeaway_link.c.node_id.in_(node_ids),
        )
    ).all()
    rows = db.session.scalars(
        select(Takeaway)
        .options(selectinload(Takeaway.tags))
        .where(Takeaway.id.in_({t for t, _ in pairs}))
    ).all()
    quoted = {v.id: v for v in _views(list(rows), workspace_id) if v.quote.strip()}
    return quoted, [(t, node) for t, node in pairs if t in quoted]


def evidence_of(workspace_id: int, node_id: int, limit: int = 200) -> list[TakeawayView]:
    """The takeaways linked to one node, most important then newest first."""
    rows = db.session.scalars(
        select(Takeaway)
        .options(selectinload(Takeaway.tags))
        .join(takeaway_link, takeaway_link.c.takeaway_id == Takeaway.id)
        .where(Takeaway.workspace_id == workspace_id, takeaway_link.c.node_id == node_id)
        .order_by(Takeaway.importance.desc(), Takeaway.created_at.desc(), Takeaway.id.desc())
        .limit(limit)
    ).all()
    return _views(list(rows), workspace_id)


def participants_of(workspace_id: int, node_id: int) -> dict[int, list[int]]:
    """{participant id: [their takeaway ids linked to the node]}: the people whose words
    are behind a node (for closing the loop when it ships)."""
    rows = db.session.execute(
        select(Takeaway.participant_id, Takeaway.id)
        .join(takeaway_link, takeaway_link.c.takeaway_id == Takeaway.id)
        .where(
            Takeaway.workspace_id == workspace_id,
            takeaway_link.c.node_id == node_id,
            Takeaway.participant_id.is_not(None),
        )
        .order_by(Takeaway.id)
    ).all()
    people: dict[int, list[int]] = defaultdict(list)
    for person, takeaway in rows:
        people[person].append(takeaway)
    return dict(people)


def people_behind(workspace_id: int, node_ids):
    """A query of the participants' ids whose takeaways are evidence for any of these
    nodes (ids, or a query of them), for other areas to read people by (a big map has
    thousands: their ids as parameters cost more than the lookup itself)."""
    return (
        select(Takeaway.participant_id)
        .join(takeaway_link, takeaway_link.c.takeaway_id == Takeaway.id)
        .where(
            Takeaway.workspace_id == workspace_id,
            takeaway_link.c.node_id.in_(node_ids),
            Takeaway.participant_id.is_not(None),
        )
        .distinct()
    )


def unlinked(workspace_id: int, limit: int = 5) -> tuple[int, list[TakeawayView]]:
    """Takeaways linked to no node of any map: how many (kept with the library's facet
    counts, see kept_counts), and the newest ``limit`` of them. Evidence that
    no map uses cannot change a decision yet. May commit (see kept_counts.kept)."""
    total = browse.unused_as_evidence_count(workspace_id)
    rows = db.session.scalars(
        select(Takeaway)
        .options(selectinload(Takeaway.tags))
        .where(Takeaway.workspace_id == workspace_id, browse.unused_as_evidence())
        .order_by(Takeaway.created_at.desc(), Takeaway.id.desc())
        .limit(limit)
    ).all()
    return total, _views(list(rows), workspace_id)
