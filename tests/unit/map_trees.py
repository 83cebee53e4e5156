"""A hypothesis strategy for random impact maps, shared by the SVG and export tests."""

from __future__ import annotations

from itertools import count

from hypothesis import strategies as st

from interviews.maps.rules import CHILD_KIND, NodeKind
from interviews.maps.tree import Goal, MapTree, NodeRecord, build_tree

titles = st.text(st.characters(exclude_categories=()), max_size=40)


@st.composite
def trees(draw) -> MapTree:
    """Random maps of up to about 60 nodes with any text at all in their titles."""
    ids = count(1)
    records: list[NodeRecord] = []
    counts: dict[int, tuple[int, int]] = {}

    def add(kind: NodeKind, parent: int | None) -> None:
        node_id = next(ids)
        records.append(NodeRecord(node_id, kind, parent, draw(titles)))
        counts[node_id] = (draw(st.integers(0, 6)), draw(st.integers(0, 4)))
        child = CHILD_KIND[kind]
        if child is not None:
            for _ in range(draw(st.integers(0, 3 if kind is NodeKind.ACTOR else 2))):
                add(child, node_id)

    for _ in range(draw(st.integers(0, 3))):
        add(NodeKind.ACTOR, None)
    return build_tree(1, Goal(draw(titles)), records, counts, threshold=2)
