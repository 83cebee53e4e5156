"""The report a shared link opens: the map, its chosen quotes and what shipped, for a
visitor without an account. Nothing in it points back into the app.

Without the report's opt-in, nobody behind the map is named: quotes say "A
participant", and the names, companies, email addresses and phone numbers of every
person whose takeaways are evidence on the map are withheld from all of its words:
the quotes, and what the team wrote (titles, descriptions, metrics, "How might we",
experiment results), where "Mei loved it" would otherwise name her.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select, update

from interviews.db import db
from interviews.errors import NotFound
from interviews.maps import rules
from interviews.maps.models import MapNode, MapShare
from interviews.maps.rules import NodeKind, OutputStatus
from interviews.maps.service import get_tree
from interviews.maps.shares import WITHHELD, ShareNotFound, attribution, is_live, report_quotes
from interviews.maps.tree import MapTree, Node
from interviews.notes import erasure as notes_erasure
from interviews.notes import kept_counts, links
from interviews.participants import lookalikes
from interviews.participants import service as participants
from interviews.tokens import hash_secret


@dataclass(frozen=True)
class ReportQuote:
    text: str  # the takeaway, what the team learned
    quote: str  # the person's words
    attribution: str
    # When its words were said in the recording ("12:34"), for a highlight of a timed
    # transcript; "" otherwise. Only the time: the report links nowhere into the app.
    at: str = ""


@dataclass(frozen=True)
class SharedReport:
    tree: MapTree
    quotes: Mapping[int, tuple[ReportQuote, ...]]  # by the node they back
    shipped: Mapping[int, datetime]  # shipped output id: when it shipped
    show_names: bool
    generated_at: datetime

    @staticmethod
    def number(value) -> str:
        """The goal's figures as people write them ("1,200")."""
        return rules.format_number(value)

    def experiments(self) -> list[tuple[Node, Node]]:
        """(experiment, its output) in the map's order: every result, the unwelcome ones too."""
        return [(e, o) for o in self.tree.nodes() if o.kind is NodeKind.OUTPUT for e in o.children]

    def count(self, kind: NodeKind) -> int:
        return sum(1 for n in self.tree.nodes() if n.kind is kind)

    def strengths(self, kind: NodeKind) -> dict[str, int]:
        found = {s.value: 0 for s in rules.Strength}
        for node in self.tree.nodes():
            if node.kind is kind:
                found[node.evidence.strength.value] += 1
        return found

    def results(self) -> dict[str, int]:
        found = {r.value: 0 for r in rules.ExperimentResult}
        for experiment, _ in self.experiments():
            if experiment.result is not None:
                found[experiment.result.value] += 1
        return found


def _withholder(workspace_id: int, map_id: int):
    """A function that withholds the names, companies, addresses and phone numbers of
    everyone (not erased) whose takeaways are evidence anywhere on the map from a text.
    notes_erasure.scrubber is erasure's helper; on a report the words are withheld, not
    erased."""

    # Read after the version kept_counts compares (inside the count), so a link made
    # meanwhile is never kept under a version that does not cover it.
    def naming_words() -> list[str]:
        evidence_nodes = select(MapNode.id).where(
            MapNode.map_id == map_id, MapNode.kind.in_(rules.EVIDENCE_KINDS)
        )
        people = links.people_behind(workspace_id, evidence_nodes)
        return participants.naming_words(workspace_id, people)

    # Kept with the library's counts (thousands of people behind a big map: reading them
    # was half of every view). Valid while the library's version stands: it rises with
    # every takeaway, link and person written (name, email, phone, company, erasure:
    # migration 0021); a node removed takes its links with it, a new one has none.
    words = kept_counts.kept(workspace_id, f"naming words of map {map_id}", naming_words)
    if not words:
        return lambda text: text
    scrub = notes_erasure.scrubber(words)
    return lambda text: scrub(text).replace("[erased]", WITHHELD) if text else text


def _withheld_tree(tree: MapTree, clean) -> MapTree:
    """The map with everything the team wrote passed through ``clean``."""

    def node(n: Node) -> Node:
        return replace(
            n,
            title=clean(n.title),
            description=clean(n.description),
            metric=clean(n.metric),
            how_might_we=clean(n.how_might_we),
            result_note=clean(n.result_note),
            children=tuple(node(c) for c in n.children),
        )

    goal = replace(tree.goal, statement=clean(tree.goal.statement), metric=clean(tree.goal.metric))
    return replace(tree, goal=goal, actors=tuple(node(a) for a in tree.actors))


def _report_quotes(
    workspace_id: int, tree: MapTree, quote_ids: list[int], show_names: bool, clean
) -> dict[int, tuple[ReportQuote, ...]]:
    """The chosen quotes that are still evidence on the map, under the node they back,
    their words passed through ``clean``, each said by whom (erased people are no one)."""
    chosen = report_quotes(workspace_id, tree, quote_ids)
    people = lookalikes.people_by_id(
        workspace_id, {t.participant_id for _, t in chosen if t.participant_id}
    )
    by_node: dict[int, list[ReportQuote]] = {}
    for node_id, t in chosen:
        person = people.get(t.participant_id) if t.participant_id else None
        person = None if person is None or person.erased else person
        by_node.setdefault(node_id, []).append(
            ReportQuote(
                text=clean(t.text),
                quote=clean(t.quote.strip()),
                attribution=attribution(
                    show_names,
                    person.name if person else None,
                    person.company if person else None,
                    t.source,
                ),
                at=t.moment.at if t.moment else "",
            )
        )
    return {k: tuple(v) for k, v in by_node.items()}


def open_report(token: str, now: datetime, count_view: bool = True) -> SharedReport:
    """The report behind a live link, counted as one view unless ``count_view`` is off
    (a HEAD request, a link checker: nobody read it). Raises ShareNotFound for an
    unknown, revoked or expired token and for a map that is gone, all alike."""
    if not token or len(token) > 100 or not token.isascii():
        raise ShareNotFound()
    row = db.session.scalar(select(MapShare).where(MapShare.token_hash == hash_secret(token)))
    if row is None or not is_live(row.revoked_at, row.expires_at, now):
        raise ShareNotFound()
    try:
        tree = get_tree(row.workspace_id, row.map_id)
    except NotFound:
        raise ShareNotFound() from None
    shipped = dict(
        db.session.execute(
            select(MapNode.id, MapNode.shipped_at).where(
                MapNode.map_id == tree.id,
                MapNode.kind == NodeKind.OUTPUT,
                MapNode.output_status == OutputStatus.SHIPPED,
                MapNode.shipped_at.is_not(None),
            )
        ).all()
    )
    clean = (lambda text: text) if row.show_names else _withholder(row.workspace_id, tree.id)
    report = SharedReport(
        tree=tree if row.show_names else _withheld_tree(tree, clean),
        quotes=_report_quotes(
            row.workspace_id, tree, list(row.quote_ids or []), row.show_names, clean
        ),
        shipped=shipped,
        show_names=row.show_names,
        generated_at=now,
    )
    if count_view:
        # One UPDATE, not read-add-write: two visitors at once both count.
        db.session.execute(
            update(MapShare)
            .where(MapShare.id == row.id)
            .values(view_count=MapShare.view_count + 1, last_viewed_at=now)
        )
    db.session.commit()
    return report
