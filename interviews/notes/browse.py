"""Browsing the takeaway library: one page of takeaways matching a query (words, tag,
source, study, segment, dates), best match or newest first, with facet counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import String, cast, false, func, literal, select, union_all
from sqlalchemy.orm import selectinload

from interviews.db import db
from interviews.errors import InvalidInput
from interviews.notes.models import Tag, Takeaway, TakeawaySource, takeaway_tag
from interviews.notes.search import search_words, text_search
from interviews.notes.takeaways import TakeawayView, _views, tag_key
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


def list_takeaways(workspace_id: int, query: TakeawayQuery) -> TakeawayPage:
    """The workspace's takeaways, filtered, best match first when searching words (or
    newest first); with counts by tag and source over the filtered set. Words are
    searched in the key, text, quote and context, all of them ANDed, the last as a
    prefix. Raises InvalidInput for an unknown source or sort."""
    if query.sort not in SORTS:
        raise InvalidInput("sort must be relevance or date.", field="sort")
    where = [Takeaway.workspace_id == workspace_id]
    words = search_words(query.q)
    search = text_search(db.session.get_bind().dialect.name, words, Takeaway.id) if words else None
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
    if query.source:
        try:
            where.append(Takeaway.source == TakeawaySource(query.source))
        except ValueError:
            names = ", ".join(s.value for s in TakeawaySource)
            raise InvalidInput(f"The source must be one of: {names}.", field="source") from None
    if query.interview_id is not None:
        where.append(Takeaway.interview_id == query.interview_id)
    if query.participant_id is not None:
        where.append(Takeaway.participant_id == query.participant_id)
    if query.study_id is not None:
        ids = team.interview_ids_of_study(workspace_id, query.study_id)
        where.append(Takeaway.interview_id.in_(ids))
    if query.segment.strip():
        people = participants.segments_of_people(workspace_id)
        where.append(
            Takeaway.participant_id.in_(
                select(people.c.participant_id).where(people.c.segment == query.segment.strip())
            )
        )
    # Days far out either way mean "no bound" (date.max + 1 day would overflow); a range
    # that ends before it starts holds nothing.
    if query.since and query.since > date.min:
        where.append(Takeaway.created_at >= datetime.combine(query.since, time(0), tzinfo=UTC))
    if query.until and query.until < date.max:
        end = datetime.combine(query.until + timedelta(days=1), time(0), tzinfo=UTC)
        where.append(Takeaway.created_at < end)

    newest = (Takeaway.created_at.desc(), Takeaway.id.desc())
    page = select(Takeaway).options(selectinload(Takeaway.tags))
    if search is not None and query.sort == "relevance":
        if search.ranked_join:
            page = page.join(*search.ranked_join)
        page = page.where(*where, search.match)
        page = page.order_by(search.rank, *newest)
    else:
        page = page.where(*where, *search_filter).order_by(*newest)
    rows = db.session.scalars(
        page.limit(max(1, min(query.limit, 200))).offset(max(0, query.offset))
    ).all()
    facets = _facets(workspace_id, [*where, *search_filter])
    total = sum(facets["source"].values())  # every takeaway has exactly one source
    return TakeawayPage(items=_views(list(rows), workspace_id), total=total, facets=facets)


def _month(column, dialect: str):
    """The UTC calendar month of an instant column as "2026-11", in this database's SQL."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)  # SQLite keeps instants as UTC text


def _facets(workspace_id: int, where: list) -> dict[str, dict[str, int]]:
    """Counts of the matching takeaways by tag, source, study (by id), the participant's
    segment and month added: the matches are found once (a CTE used five times, which
    SQLite and PostgreSQL both materialise) and counted each way in one statement."""
    dialect = db.session.get_bind().dialect.name
    matching = (
        select(
            Takeaway.id,
            Takeaway.source,
            Takeaway.interview_id,
            Takeaway.participant_id,
            Takeaway.created_at,
        )
        .where(*where)
        .cte("matching")
    )
    studies_of = team.interview_studies(workspace_id)
    people = participants.segments_of_people(workspace_id)
    month = _month(matching.c.created_at, dialect)
    rows = db.session.execute(
        union_all(
            select(
                literal("source").label("facet"),
                cast(matching.c.source, String).label("value"),
                func.count().label("n"),
            ).group_by(matching.c.source),
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
        )
    ).all()

    def by_count(facet: str) -> dict[str, int]:
        pairs = [(value, n) for name, value, n in rows if name == facet]
        return dict(sorted(pairs, key=lambda item: (-item[1], str(item[0]).casefold())))

    return {
        "tag": by_count("tag"),
        "source": {value: n for name, value, n in rows if name == "source"},
        "study": by_count("study"),
        "segment": by_count("segment"),
        "month": dict(sorted(((v, n) for f, v, n in rows if f == "month"), reverse=True)),
    }
