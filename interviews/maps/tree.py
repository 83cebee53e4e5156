"""A map as a plain tree of frozen dataclasses: what the page, the SVG, the exports and
the API all read. Built from plain node records and evidence counts; no database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from interviews.maps.rules import (
    Direction,
    Evidence,
    ExperimentKind,
    ExperimentResult,
    ExperimentStatus,
    NodeKind,
    OutputStatus,
    PathStep,
    SegmentRule,
    Stage,
    evidence,
    format_number,
    how_might_we_warning,
    ice_score,
    output_verdict,
    path_sentence,
)


@dataclass(frozen=True)
class Goal:
    statement: str
    metric: str = ""
    current: Decimal | None = None
    target: Decimal | None = None
    deadline: date | None = None

    def as_json(self) -> dict:
        return {
            "statement": self.statement,
            "metric": self.metric,
            "current": _number(self.current),
            "target": _number(self.target),
            "deadline": self.deadline.isoformat() if self.deadline else None,
        }

    def describe(self) -> str:
        """ "weekly active teams: 240 now, 400 by 30 June 2027"."""
        parts = []
        if self.current is not None:
            parts.append(f"{format_number(self.current)} now")
        if self.target is not None:
            target = f"{format_number(self.target)}"
            if self.deadline:
                target += f" by {self.deadline.day} {self.deadline:%B %Y}"
            parts.append(target)
        elif self.deadline:
            parts.append(f"by {self.deadline.day} {self.deadline:%B %Y}")
        text = ", ".join(parts)
        if self.metric:
            return f"{self.metric}: {text}" if text else self.metric
        return text


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral() else float(normal)


@dataclass(frozen=True)
class NodeRecord:
    """One map_node row as plain data (what the service reads and the tree is built from)."""

    id: int
    kind: NodeKind
    parent_id: int | None
    title: str
    position: int = 0
    description: str = ""
    stage: Stage | None = None
    segment_rule: Mapping | None = None
    direction: Direction | None = None
    metric: str = ""
    how_might_we: str = ""
    output_status: OutputStatus | None = None
    shipped_at: datetime | None = None
    experiment_kind: ExperimentKind | None = None
    impact: int | None = None
    confidence: int | None = None
    ease: int | None = None
    experiment_status: ExperimentStatus | None = None
    result: ExperimentResult | None = None
    result_note: str = ""


@dataclass(frozen=True)
class Node:
    id: int
    kind: NodeKind
    title: str
    evidence: Evidence
    children: tuple[Node, ...] = ()
    description: str = ""
    stage: Stage | None = None
    segment_rule: SegmentRule | None = None
    direction: Direction | None = None
    metric: str = ""
    how_might_we: str = ""
    output_status: OutputStatus | None = None
    verdict: ExperimentResult | None = None  # outputs: what their experiments said
    experiment_kind: ExperimentKind | None = None
    impact: int | None = None
    confidence: int | None = None
    ease: int | None = None
    experiment_status: ExperimentStatus | None = None
    result: ExperimentResult | None = None
    result_note: str = ""
    child_maps: tuple[tuple[int, str], ...] = ()  # (map id, goal) of maps grown from it

    @property
    def ice(self) -> float | None:
        return ice_score(self.impact, self.confidence, self.ease)

    @property
    def hmw_warning(self) -> str | None:
        return how_might_we_warning(self.how_might_we) if self.kind is NodeKind.OUTCOME else None

    @property
    def status(self) -> str | None:
        """The one status word of this level: the output's or the experiment's."""
        if self.output_status is not None:
            return self.output_status.value
        if self.experiment_status is not None:
            return self.experiment_status.value
        return None

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def as_json(self) -> dict:
        """The node in the API's shape: level-specific fields, then its children under
        the next level's plural name."""
        data: dict = {"id": self.id, "evidence": self.evidence.as_json()}
        if self.kind is NodeKind.ACTOR:
            data |= {
                "name": self.title,
                "stage": self.stage.value if self.stage else None,
                "behaviour": self.description,
                "segment_rule": self.segment_rule.as_json() if self.segment_rule else None,
                "outcomes": [c.as_json() for c in self.children],
            }
        elif self.kind is NodeKind.OUTCOME:
            data |= {
                "behaviour": self.title,
                "direction": self.direction.value if self.direction else None,
                "metric": self.metric,
                "how_might_we": self.how_might_we,
                "how_might_we_warning": self.hmw_warning,
                "outputs": [c.as_json() for c in self.children],
            }
        elif self.kind is NodeKind.OUTPUT:
            data |= {
                "title": self.title,
                "status": self.status,
                "verdict": self.verdict.value if self.verdict else None,
                "description": self.description,
                "child_map_ids": [m for m, _ in self.child_maps],
                "experiments": [c.as_json() for c in self.children],
            }
        else:
            data |= {
                "title": self.title,
                "type": self.experiment_kind.value if self.experiment_kind else None,
                "impact": self.impact,
                "confidence": self.confidence,
                "ease": self.ease,
                "ice": self.ice,
                "status": self.status,
                "result": self.result.value if self.result else None,
                "result_note": self.result_note,
            }
        return data


@dataclass(frozen=True)
class MapTree:
    id: int
    goal: Goal
    actors: tuple[Node, ...]
    threshold: int
    parent: tuple[str, int, str] | None = None  # ("output" | "theme", id, title)
    breadcrumbs: tuple[tuple[int, str], ...] = field(default=())  # ancestor maps, top first

    def nodes(self) -> Iterator[Node]:
        for actor in self.actors:
            yield from actor.walk()

    def find(self, node_id: int) -> Node | None:
        return next((n for n in self.nodes() if n.id == node_id), None)

    def path_to(self, node_id: int) -> list[Node]:
        """The node and its ancestors, the actor first; empty when it is not on this map."""

        def search(nodes: Iterable[Node], trail: list[Node]) -> list[Node]:
            for node in nodes:
                if node.id == node_id:
                    return [*trail, node]
                found = search(node.children, [*trail, node])
                if found:
                    return found
            return []

        return search(self.actors, [])

    def sentence(self, node_id: int) -> str:
        """The path from the goal to ``node_id`` as one sentence."""
        steps = [
            PathStep(n.kind, n.title, n.direction, n.experiment_kind, n.result)
            for n in self.path_to(node_id)
        ]
        return path_sentence(self.goal.statement, self.goal.deadline, steps)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "goal": self.goal.as_json(),
            "pattern_threshold": self.threshold,
            "actors": [a.as_json() for a in self.actors],
        }


def build_tree(
    map_id: int,
    goal: Goal,
    records: Iterable[NodeRecord],
    counts: Mapping[int, tuple[int, int]],
    threshold: int,
    child_maps: Mapping[int, list[tuple[int, str]]] | None = None,
    parent: tuple[str, int, str] | None = None,
    breadcrumbs: tuple[tuple[int, str], ...] = (),
) -> MapTree:
    """The tree of ``records`` (any order; by position then id within a parent), each
    node with its evidence from ``counts`` {node id: (takeaways, distinct participants)}.
    A record whose parent is missing is left out rather than shown at the wrong level."""
    by_parent: dict[int | None, list[NodeRecord]] = defaultdict(list)
    for record in records:
        by_parent[record.parent_id].append(record)
    child_maps = child_maps or {}

    def make(record: NodeRecord) -> Node:
        children = tuple(
            make(r) for r in sorted(by_parent.get(record.id, []), key=lambda r: (r.position, r.id))
        )
        takeaways, people = counts.get(record.id, (0, 0))
        verdict = (
            output_verdict(c.result for c in children) if record.kind is NodeKind.OUTPUT else None
        )
        return Node(
            id=record.id,
            kind=record.kind,
            title=record.title,
            evidence=evidence(takeaways, people, threshold),
            children=children,
            description=record.description,
            stage=record.stage,
            segment_rule=SegmentRule.from_json(record.segment_rule)
            if record.kind is NodeKind.ACTOR
            else None,
            direction=record.direction,
            metric=record.metric,
            how_might_we=record.how_might_we,
            output_status=record.output_status,
            verdict=verdict,
            experiment_kind=record.experiment_kind,
            impact=record.impact,
            confidence=record.confidence,
            ease=record.ease,
            experiment_status=record.experiment_status,
            result=record.result,
            result_note=record.result_note,
            child_maps=tuple(child_maps.get(record.id, ())),
        )

    actors = tuple(
        make(r)
        for r in sorted(by_parent.get(None, []), key=lambda r: (r.position, r.id))
        if r.kind is NodeKind.ACTOR
    )
    return MapTree(map_id, goal, actors, threshold, parent, breadcrumbs)
