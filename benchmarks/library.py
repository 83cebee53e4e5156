"""Searching the takeaway library on a big workspace: full text, two filters and facets.

Run: .venv/bin/python benchmarks/library.py [--database-url URL] [--runs N]
     [--takeaways T] [--people P]

One workspace with 10 studies, 20,000 interviews of P participants (default 5,000) and
T takeaways (default 100,000): half from interviews, the rest logged from sales,
support, account management, surveys; 40 tags, up to three on each. Their words come
from 60 product words ("export", "invoice", ...) and 3,000 made-up ones, so a product
word is in about one takeaway in twelve. One impact map of 8 actors with 3 outcomes
each: about one takeaway in five is evidence for an actor and one of its outcomes
(the first actor and its first outcome are common, the rest rare, like the tags). The
data is bulk-inserted (on SQLite the FTS5 triggers index every row as it goes in);
what is timed is the real ``list_takeaways`` (page of 50 with their tags, people,
studies and links, the total, and every facet: tag, source, study, segment, month,
actor, outcome), each call on a fresh session as a request would have, and, for
comparison, the raw ranked full-text query alone (its top 50 ids, no filters, no
facets). Prints p50, p95 and max milliseconds; asserts nothing. Target (issue 8): p95
under 20 ms, within 2x of the raw query.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from throwaway import chunked, interview_row, seed_people, throwaway_app, timed

from interviews.accounts import service as accounts
from interviews.db import db
from interviews.maps.models import ImpactMap, MapNode
from interviews.maps.rules import NodeKind
from interviews.notes.browse import TakeawayQuery, list_takeaways
from interviews.notes.models import (
    LinkKind,
    Tag,
    Takeaway,
    TakeawaySource,
    takeaway_link,
    takeaway_tag,
)
from interviews.notes.search import PG_VECTOR_COLUMN, fts5_query, search_words, tsquery
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies

STUDIES = 10
INTERVIEWS = 20_000
PRODUCT_TEXT = (
    "export import invoice billing report dashboard chart onboarding login password sso "
    "permission admin seat pricing plan upgrade trial mobile app notification email slack "
    "integration api webhook csv pdf spreadsheet search filter calendar booking reminder "
    "schedule team workspace audit security compliance latency slow crash bug support "
    "ticket renewal contract procurement budget discount feature roadmap template note "
    "survey interview recording transcript summary tag"
)
PRODUCT_WORDS = PRODUCT_TEXT.split()
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "pe", "da", "fi", "go", "hu", "je"]
SOURCES = [s for s in TakeawaySource if s is not TakeawaySource.INTERVIEW]
TAGS = ["reporting", "pain", *(f"tag-{n}" for n in range(38))]
# The first two tags are common (on about one takeaway in five each), the rest rare.
TAG_WEIGHTS = [20, 20, *([1] * 38)]
SEARCHES = (
    # (label, query): a text query with two filters, as a teammate narrows the library.
    ("q='export' + tag + source", dict(q="export", tag="reporting", source="support")),
    ("q='invoice' + tag + study", dict(q="invoice", tag="pain", study=True)),
    ("q='slow dashboard' (no filter)", dict(q="slow dashboard")),
    ("q='export' + actor + tag", dict(q="export", tag="reporting", actor=True)),
)
ACTORS, OUTCOMES_PER_ACTOR = 8, 3


def made_up_words(rng: random.Random, n: int) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def sentence(rng: random.Random, filler: list[str], low: int, high: int) -> str:
    words = [
        rng.choice(PRODUCT_WORDS) if rng.random() < 0.15 else rng.choice(filler)
        for _ in range(rng.randint(low, high))
    ]
    return " ".join(words).capitalize()


def seed(args: argparse.Namespace) -> tuple[accounts.Member, int]:
    """The workspace described above; returns its owner and its first study's id."""
    rng = random.Random(20261201)
    filler = made_up_words(rng, 3000)
    user = accounts.sign_up(
        workspace_name="Bench", name="Host", email="host@bench.example", password="bench-password-1"
    )
    owner = accounts.current_member(user.id, None)
    workspace = owner.workspace_id
    now = datetime.now(UTC)
    study_ids = [
        studies.create_study(
            owner,
            studies.StudyDraft(
                title=f"Bench study {n}", host_user_id=owner.user_id, slug=f"bench-{n}"
            ),
        ).id
        for n in range(STUDIES)
    ]
    people = seed_people(workspace, args.people, now)
    interviews = []
    for n in range(INTERVIEWS):
        start = now - timedelta(minutes=15 * rng.randrange(60, 365 * 24 * 4))
        interviews.append(
            interview_row(
                workspace,
                study_ids[n % STUDIES],
                people[n % len(people)],
                owner.user_id,
                start,
                InterviewStatus.COMPLETED,
                now,
            )
        )
    chunked(Interview, interviews)
    interview_rows = db.session.execute(
        select(Interview.id, Interview.participant_id).order_by(Interview.id)
    ).all()
    chunked(
        Tag,
        [{"workspace_id": workspace, "name": name, "key": name} for name in TAGS],
    )
    tag_ids = list(db.session.scalars(select(Tag.id).order_by(Tag.id)))
    rows = []
    for n in range(args.takeaways):
        from_interview = n % 2 == 0
        interview = rng.choice(interview_rows)
        at = now - timedelta(minutes=n)
        rows.append(
            {
                "workspace_id": workspace,
                "interview_id": interview.id if from_interview else None,
                "participant_id": interview.participant_id
                if from_interview
                else rng.choice(people),
                "key": "",
                "text": sentence(rng, filler, 6, 14),
                "quote": sentence(rng, filler, 8, 20) if rng.random() < 0.5 else "",
                "importance": rng.choice((1, 2, 3)),
                "source": TakeawaySource.INTERVIEW if from_interview else rng.choice(SOURCES),
                "context": "" if from_interview else sentence(rng, filler, 4, 8),
                "created_at": at,
                "updated_at": at,
            }
        )
    chunked(Takeaway, rows)
    takeaway_ids = list(db.session.scalars(select(Takeaway.id).order_by(Takeaway.id)))
    links = [
        {"takeaway_id": t, "tag_id": tag}
        for t in takeaway_ids
        for tag in set(rng.choices(tag_ids, TAG_WEIGHTS, k=rng.choice((0, 1, 1, 2, 3))))
    ]
    chunked(takeaway_tag, links)
    actors, evidence = seed_map(rng, owner, takeaway_ids, now)
    db.session.commit()
    print(
        f"seeded: {STUDIES} studies, {INTERVIEWS:,} interviews, {len(people):,} people, "
        f"{len(takeaway_ids):,} takeaways, {len(links):,} tag links, "
        f"{evidence:,} evidence links"
    )
    return owner, study_ids[0], actors[0]


def seed_map(
    rng: random.Random, owner: accounts.Member, takeaway_ids: list[int], now: datetime
) -> tuple[list[int], int]:
    """The impact map described above; returns its actors' ids and how many links."""
    workspace = owner.workspace_id
    impact_map = ImpactMap(
        workspace_id=workspace, goal="Grow weekly active teams", created_at=now, updated_at=now
    )
    db.session.add(impact_map)
    db.session.flush()

    def node(kind: NodeKind, parent: int | None, title: str, position: int) -> int:
        row = MapNode(
            workspace_id=workspace,
            map_id=impact_map.id,
            parent_id=parent,
            kind=kind,
            position=position,
            title=title,
            created_at=now,
            updated_at=now,
        )
        db.session.add(row)
        db.session.flush()
        return row.id

    tree = {}
    for a in range(ACTORS):
        actor = node(NodeKind.ACTOR, None, f"Actor {a}", a)
        tree[actor] = [
            node(NodeKind.OUTCOME, actor, f"Outcome {a}.{o}", o) for o in range(OUTCOMES_PER_ACTOR)
        ]
    actors = list(tree)
    weights = [10, *([1] * (ACTORS - 1))]
    links = []
    for t in takeaway_ids:
        if rng.random() < 0.2:
            actor = rng.choices(actors, weights)[0]
            outcome = rng.choices(tree[actor], [5, *([1] * (OUTCOMES_PER_ACTOR - 1))])[0]
            links.append({"takeaway_id": t, "node_id": actor, "kind": LinkKind.ACTOR})
            links.append({"takeaway_id": t, "node_id": outcome, "kind": LinkKind.OUTCOME})
    chunked(takeaway_link, links)
    return actors, len(links)


def raw_search(dialect: str, q: str) -> Callable[[], object]:
    """The ranked full-text query alone: the top 50 ids, nothing else."""
    words = search_words(q)
    if dialect == "sqlite":
        sql = text(
            "SELECT rowid FROM takeaway_fts WHERE takeaway_fts MATCH :q "
            "ORDER BY bm25(takeaway_fts) LIMIT 50"
        ).bindparams(q=fts5_query(words))
    else:
        query = "to_tsquery('simple'::regconfig, :q)"
        sql = text(
            f"SELECT id FROM takeaway WHERE {PG_VECTOR_COLUMN} @@ {query} "
            f"ORDER BY ts_rank({PG_VECTOR_COLUMN}, {query}) DESC LIMIT 50"
        ).bindparams(q=tsquery(words))
    return lambda: db.session.execute(sql).all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL; a fresh database is made on it"
    )
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--takeaways", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=5_000)
    args = parser.parse_args()
    with throwaway_app(args.database_url) as app, app.app_context():
        started = time.perf_counter()
        owner, study_id, actor_id = seed(args)
        workspace = owner.workspace_id
        dialect = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
        if dialect == "postgresql":
            # What autovacuum does soon after a bulk load: statistics, and the GIN index's
            # pending list merged (until then PostgreSQL shuns the index: 60 ms, not 18).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        print(f"database: {dialect}; seeded in {time.perf_counter() - started:.1f} s")
        for label, params in SEARCHES:
            query = TakeawayQuery(
                q=params["q"],
                tag=params.get("tag", ""),
                source=params.get("source", ""),
                study_id=study_id if params.get("study") else None,
                actor_id=actor_id if params.get("actor") else None,
                limit=50,
            )
            page = list_takeaways(workspace, query)
            print(
                f"{label}: {page.total:,} found, {len(page.facets['tag'])} tags and "
                f"{len(page.facets['outcome'])} outcomes in the facets"
            )
            listed = timed(
                f"list_takeaways({label})",
                args.runs,
                lambda query=query: list_takeaways(workspace, query),
            )
            raw = timed(
                f"raw ranked FTS, top 50 ({params['q']!r})",
                args.runs,
                raw_search(dialect, params["q"]),
            )
            date = timed(
                "same, sort=date",
                args.runs,
                lambda query=query: list_takeaways(
                    workspace, TakeawayQuery(**{**query.__dict__, "sort": "date"})
                ),
            )
            print(
                f"  list_takeaways p95 / raw p95: {listed / raw:.1f}x; sort=date p95 {date:.2f} ms"
            )
        print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
