"""Browsing the takeaway library: one page of takeaways matching a query (words, tag,
source, study, segment, dates, the actor or outcome they are evidence for), best match
or newest first, with facet counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from markupsafe import Markup
from sqlalchemy import String, cast, false, func, literal, select, union_all
from sqlalchemy.orm import selectinload

from interviews.db import db
from interviews.errors import InvalidInput
from interviews.notes import kept_counts
from interviews.notes.models import (
    LinkKind,
    Tag,
    Takeaway,
    TakeawaySource,
    takeaway_link,
    takeaway_tag,
)
from interviews.notes.search import highlight, search_words, text_search
from interviews.notes.tags import tag_key
from interviews.notes.takeaways import TakeawayView, _views
from interviews.participants import service as participants
from interviews.scheduling import team

SORTS = ("relevance", "date")


@dataclass(frozen=True)
class TakeawayQuery:
    q: str = ""
    tag: str = ""
    study_id: int | None = None
    source: str = ""
    interview_id: int | None = None
    participant_id: int | None = None
    segment: str = ""  # the participant's segment on the panel
    since: date | None = None  # added on or after this day (UTC)
    until: date | None = None  # added on or before this day (UTC)
    actor_id: int | None = None  # evidence for this actor of an impact map
    outcome_id: int | None = None  # evidence for this outcome
    # "relevance": best match first when there are words to search, else newest first;
    # "date": newest first always.
    sort: str = "relevance"
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class TakeawayPage:
    items: list[TakeawayView]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def marker(q: str) -> Callable[[str], Markup] | None:
    """What the results' text goes through to show the searched words marked (see
    search.highlight); None when nothing was searched for."""
    words = search_words(q)
    return partial(highlight, words=words) if words else None


def list_takeaways(workspace_id: int, query: TakeawayQuery) -> TakeawayPage:
    """One page of the workspace's takeaways, filtered, best match first when searching
    words (or newest first), with the total and the counts of the filtered set by tag,
    source, study, segment, month, actor and outcome. Words are searched in the key,
    text, quote and context, all of them ANDed, the last as a prefix. Raises
    InvalidInput for an unknown source or sort."""
    if query.sort not in SORTS:
        raise InvalidInput("sort must be relevance or date.", field="sort")
    where = []  # the filters; the workspace's own is added below, as the plan needs it
    # How each filter names the counts kept for it (None: counted every time); see below.
    kept_as: list[str | None] = []
    dialect = db.session.get_bind().dialect.name
    words = search_words(query.q)
    search = text_search(dialect, words, Takeaway.id) if words else None
    search_filter = [search.where] if search is not None else []
    if query.tag.strip():
        # The tag's id first, then EXISTS on it: the planners then know from their
        # statistics how common that tag is, and look the text matches up in it rather
        # than walking every takeaway with the tag (PostgreSQL: 17 ms instead of 170).
        tag_id = db.session.scalar(
            select(Tag.id).where(Tag.workspace_id == workspace_id, Tag.key == tag_key(query.tag))
        )
        where.append(
            select(takeaway_tag.c.takeaway_id)
            .where(takeaway_tag.c.takeaway_id == Takeaway.id, takeaway_tag.c.tag_id == tag_id)
            .exists()
            if tag_id is not None
            else false()
        )
        kept_as.append(f"tag={tag_id}" if tag_id is not None else None)
    if query.source:
        try:
            where.append(Takeaway.source == TakeawaySource(query.source))
            kept_as.append(f"source={query.source}")
        except ValueError:
            names = ", ".join(s.value for s in TakeawaySource)
            raise InvalidInput(f"The source must be one of: {names}.", field="source") from None
    for node_id, kind in ((query.actor_id, LinkKind.ACTOR), (query.outcome_id, LinkKind.OUTCOME)):
        if node_id is not None:
            where.append(
                select(takeaway_link.c.takeaway_id)
                .where(
                    takeaway_link.c.takeaway_id == Takeaway.id,
                    takeaway_link.c.node_id == node_id,
                    takeaway_link.c.kind == kind,
                )
                .exists()
            )
            kept_as.append(f"{kind.value}={node_id}")
    if query.interview_id is not None:
        where.append(Takeaway.interview_id == query.interview_id)
        kept_as.append(None)
    if query.participant_id is not None:
        where.append(Takeaway.participant_id == query.participant_id)
        kept_as.append(None)
    if query.study_id is not None:
        # A subquery, not the study's ids: a study of 2,000 interviews made a statement
        # of 2,000 parameters, sent and planned (twice) on every search.
        studies_of = team.interview_studies(workspace_id)
        where.append(
            Takeaway.interview_id.in_(
                select(studies_of.c.interview_id).where(studies_of.c.study_id == query.study_id)
            )
        )
        kept_as.append(f"study={query.study_id}")
    if query.segment.strip():
        people = participants.segments_of_people(workspace_id)
        where.append(
            Takeaway.participant_id.in_(
                select(people.c.participant_id).where(people.c.segment == query.segment.strip())
            )
        )
        kept_as.append(None)
    # Days far out either way mean "no bound" (date.max + 1 day would overflow); a range
    # that ends before it starts holds nothing.
    if query.since and query.since > date.min:
        where.append(Takeaway.created_at >= datetime.combine(query.since, time(0), tzinfo=UTC))
        kept_as.append(None)
    if query.until and query.until < date.max:
        end = datetime.combine(query.until + timedelta(days=1), time(0), tzinfo=UTC)
        where.append(Takeaway.created_at < end)
        kept_as.append(None)

    limit, offset = max(1, min(query.limit, 200)), max(0, query.offset)
    if search is None and len(kept_as) <= 1 and None not in kept_as:
        # The landing and a click on one facet (a tag, a source, a study, an actor or
        # an outcome): counting thousands of takeaways takes 100-250 ms at 100,000, so
        # those counts are kept.
        name = "facets" + "".join(f"?{key}" for key in kept_as)
        ids, facets = _newest_with_kept_facets(workspace_id, name, where, limit, offset)
        return _page(workspace_id, ids, facets)
    ranked = search is not None and query.sort == "relevance"
    if search is not None and dialect == "sqlite":
        # The matches must drive SQLite's plan: with the workspace's index in reach it
        # walks every takeaway of the workspace and, when ranking joins the FTS table,
        # runs the full-text query once for each (450 ms on 100,000 instead of 8). "+ 0"
        # keeps that index out of reach: it reads the matches and looks each one up by
        # its key.
        own = Takeaway.workspace_id + 0 == workspace_id
    else:
        own = Takeaway.workspace_id == workspace_id
    if ranked:
        matching = select(*MATCHING_COLUMNS, search.rank.label("rank")).select_from(Takeaway)
        if search.ranked_join:
            matching = matching.join(*search.ranked_join)
        matching = matching.where(own, *where, search.match)
    else:
        matching = select(*MATCHING_COLUMNS).where(own, *where, *search_filter)
    ids, facets = _page_and_facets(workspace_id, matching.cte("matching"), ranked, limit, offset)
    return _page(workspace_id, ids, facets)


def _page(workspace_id: int, ids: list[int], facets: dict[str, dict[str, int]]) -> TakeawayPage:
    """The page of these takeaways, in this order, with its facets."""
    found = (
        {
            row.id: row
            for row in db.session.scalars(
                select(Takeaway).options(selectinload(Takeaway.tags)).where(Takeaway.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    rows = [found[i] for i in ids if i in found]
    total = sum(facets["source"].values())  # every takeaway has exactly one source
    return TakeawayPage(items=_views(rows, workspace_id), total=total, facets=facets)


# What the page and every facet need of a matching takeaway: not its words.
MATCHING_COLUMNS = (
    Takeaway.id,
    Takeaway.source,
    Takeaway.interview_id,
    Takeaway.participant_id,
    Takeaway.created_at,
)


def _kept_facets(workspace_id: int, name: str, where: list) -> dict[str, dict[str, int]]:
    """The facet counts of the workspace's takeaways matching ``where``, kept as ``name``
    (kept_counts). May commit: counting again keeps the new counts."""

    def count() -> dict[str, dict[str, int]]:
        matching = select(*MATCHING_COLUMNS).where(Takeaway.workspace_id == workspace_id, *where)
        return _page_and_facets(workspace_id, matching.cte("matching"), False, 1, 0)[1]

    return kept_counts.kept(workspace_id, name, count)


def unused_as_evidence_count(workspace_id: int) -> int:
    """How many of the workspace's takeaways no map uses, as kept (kept_counts). May
    commit: counting again keeps the new count."""

    def count() -> int:
        return (
            db.session.scalar(
                select(func.count())
                .select_from(Takeaway)
                .where(Takeaway.workspace_id == workspace_id, unused_as_evidence())
            )
            or 0
        )

    return kept_counts.kept(workspace_id, "unlinked", count)


def _newest_with_kept_facets(
    workspace_id: int, name: str, where: list, limit: int, offset: int
) -> tuple[list[int], dict]:
    """A page of the takeaways matching ``where``, newest first, from the (workspace,
    created_at, id) index, and their facet counts as kept under ``name``."""
    facets = _kept_facets(workspace_id, name, where)
    ids = db.session.scalars(
        select(Takeaway.id)
        .where(Takeaway.workspace_id == workspace_id, *where)
        .order_by(Takeaway.created_at.desc(), Takeaway.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(ids), facets


def unused_as_evidence():
    """A takeaway linked to no node of any map (a condition on Takeaway)."""
    return (
        ~select(takeaway_link.c.takeaway_id)
        .where(takeaway_link.c.takeaway_id == Takeaway.id)
        .exists()
    )


def _month(column, dialect: str):
    """The UTC calendar month of an instant column as "2026-11", in this database's SQL."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)  # SQLite keeps instants as UTC text


def _page_and_facets(
    workspace_id: int, matching, ranked: bool, limit: int, offset: int
) -> tuple[list[int], dict[str, dict[str, int]]]:
    """The ids of one page of ``matching`` (a CTE of MATCHING_COLUMNS, plus ``rank``
    when ``ranked``), in order, and the counts of all of it by tag, source, study (by
    id), the participant's segment, month added, and the actor and outcome (by node id)
    they are evidence for.

    One statement: the matches are found once (a CTE used by the page and by each
    facet, which SQLite and PostgreSQL both materialise), then the page is its top rows
    and each facet a count over it. Finding the matches is most of the cost of a search, so the
    page is not a query of its own that would find them again."""
    dialect = db.session.get_bind().dialect.name
    newest = (matching.c.created_at.desc(), matching.c.id.desc())
    order = (matching.c.rank, *newest) if ranked else newest
    top = (
        select(matching.c.id, matching.c.created_at, *([matching.c.rank] if ranked else []))
        .order_by(*order)
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    top_order = (top.c.rank,) if ranked else ()
    top_order += (top.c.created_at.desc(), top.c.id.desc())
    studies_of = team.interview_studies(workspace_id)
    people = participants.segments_of_people(workspace_id)
    month = _month(matching.c.created_at, dialect)
    # Evidence is counted by node from the links' key alone, which the index holds (a
    # count that also read each link's level made PostgreSQL hash every link of the
    # workspace: 40,000 of them, 7 ms instead of 0.5). Grouped by "node_id + 0", not the
    # column: SQLite would read every link in node order (its index) to save a sort,
    # instead of the few links of the matches (12 ms instead of 1). Each node's level is
    # then read from one of its links (all of a node's links have its level), by its key.
    node = (takeaway_link.c.node_id + 0).label("node_id")
    by_node = (
        select(
            node,
            func.count().label("n"),
            func.min(takeaway_link.c.takeaway_id).label("one_takeaway_id"),
        )
        .join(matching, matching.c.id == takeaway_link.c.takeaway_id)
        .group_by(node)
        .subquery("by_node")
    )
    one_link = takeaway_link.alias("one_link")
    level = (
        select(one_link.c.kind)
        .where(
            one_link.c.takeaway_id == by_node.c.one_takeaway_id,
            one_link.c.node_id == by_node.c.node_id,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        union_all(
            # The page: its ids, numbered in order (a union keeps no order of its own).
            select(
                literal("page").label("facet"),
                cast(top.c.id, String).label("value"),
                func.row_number().over(order_by=top_order).label("n"),
            ),
            select(literal("source"), cast(matching.c.source, String), func.count()).group_by(
                matching.c.source
            ),
            select(literal("tag"), Tag.name, func.count())
            .join(takeaway_tag, takeaway_tag.c.tag_id == Tag.id)
            .join(matching, matching.c.id == takeaway_tag.c.takeaway_id)
            .group_by(Tag.name),
            select(literal("study"), cast(studies_of.c.study_id, String), func.count())
            .select_from(matching)
            .join(studies_of, studies_of.c.interview_id == matching.c.interview_id)
            .group_by(studies_of.c.study_id),
            select(literal("segment"), people.c.segment, func.count())
            .select_from(matching)
            .join(people, people.c.participant_id == matching.c.participant_id)
            .group_by(people.c.segment),
            select(literal("month"), month, func.count()).select_from(matching).group_by(month),
            # The level is the facet's name: "actor", "outcome" (or "output", not shown).
            select(cast(level, String), cast(by_node.c.node_id, String), by_node.c.n),
        )
    ).all()
    numbered = sorted((n, value) for facet, value, n in rows if facet == "page")
    page = [int(value) for _, value in numbered]

    def by_count(facet: str) -> dict[str, int]:
        pairs = [(value, n) for name, value, n in rows if name == facet]
        return dict(sorted(pairs, key=lambda item: (-item[1], str(item[0]).casefold())))

    return page, {
        "tag": by_count("tag"),
        "source": {value: n for name, value, n in rows if name == "source"},
        "study": by_count("study"),
        "segment": by_count("segment"),
        "month": dict(sorted(((v, n) for f, v, n in rows if f == "month"), reverse=True)),
        "actor": by_count(LinkKind.ACTOR.value),
        "outcome": by_count(LinkKind.OUTCOME.value),
    }
