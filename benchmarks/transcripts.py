"""Transcripts: reading and indexing a two-hour call, and searching 1,000 of them.

Run: .venv/bin/python benchmarks/transcripts.py [--database-url URL] [--runs N]
     [--transcripts T] [--segments S]

Reading: a two-hour call as Zoom exports it (WebVTT, a cue every 2-7 s, the speaker's
name at the start of a turn's cues, cue numbers) and as Teams does (``<v Name>``
voices), about 1,500 segments and 200 kB each. Timed: the file read into segments alone
(``read_file``), then the whole ``PUT /api/v1/interviews/<id>/transcript`` through the
app (read, speakers matched, the old transcript's segments removed, the new ones
stored and indexed: FTS5 triggers on SQLite, the stored tsvector and its GIN index on
PostgreSQL).

Searching: one workspace of 10 studies with T transcripts (default 1,000) of S
segments each (default 600, a 45-minute call), bulk-inserted, so T x S spoken lines
(600,000 by default). Their words: the library benchmark's 60 product words and 3,000 made-up ones, so a
product word is in about one line in 200 and a made-up one in one in 300; one word
("quokka") is said in only about ten lines. Timed: ``GET /api/v1/transcripts?q=``
through the app (a page of 50 with the total), for a rare word, a common one, two
words, a prefix and a study's transcripts only, beside the raw full-text query alone
(its first 50 ids, no count). Each call on a fresh session as a request would have.
Prints p50, p95 and max milliseconds; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from library import PRODUCT_WORDS, made_up_words  # beside this script
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from throwaway import chunked, interview_row, seed_people, throwaway_app, timed

from interviews.accounts import api_tokens
from interviews.accounts import service as accounts
from interviews.db import db
from interviews.notes import transcript_files
from interviews.notes.models import Transcript, TranscriptSegment
from interviews.notes.search import fts5_query, search_words, tsquery
from interviews.notes.transcripts import FTS_TABLE, PG_VECTOR_COLUMN
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies

STUDIES = 10
TWO_HOURS_MS = 2 * 60 * 60 * 1000
EMAIL = "host@bench.example"
HOST = "Dana Reyes"
SEARCHES = [  # (label, q, only the first study)
    ("a rare word", "quokka", False),
    ("a common word", "invoice", False),
    ("two words", "export pdf", False),
    ("a prefix", "onboard", False),
    ("a common word, one study", "invoice", True),
]


def spoken(rng: random.Random, filler: list[str]) -> str:
    """One cue's words: 6 to 16, about one in forty a product word."""
    words = [
        rng.choice(PRODUCT_WORDS) if rng.random() < 0.025 else rng.choice(filler)
        for _ in range(rng.randint(6, 16))
    ]
    return " ".join(words).capitalize() + rng.choice((".", ",", "?", "..."))


def two_hour_call(rng: random.Random, filler: list[str], *, voices: bool) -> bytes:
    """A two-hour interview as a WebVTT file: Zoom's numbered cues with "Name:" at a
    turn's start, or Teams' <v Name> voices on every cue."""
    lines = ["WEBVTT", ""]
    at, cue, speaker = 0, 0, HOST
    while at < TWO_HOURS_MS - 8_000:
        if rng.random() < 0.3:  # a new turn
            speaker = "Tom Okafor" if speaker == HOST else HOST
            turn_start = True
        else:
            turn_start = False
        length = rng.randint(2_000, 7_000)
        cue += 1
        words = spoken(rng, filler)
        if voices:
            payload = f"<v {speaker}>{words}</v>"
        else:
            payload = f"{speaker}: {words}" if turn_start or cue == 1 else words
            lines.append(str(cue))
        lines.append(f"{clock(at)} --> {clock(at + length)}")
        lines += [payload, ""]
        at += length + rng.choice((0, 0, 200, 500))
    return "\n".join(lines).encode()


def clock(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def seed(args: argparse.Namespace, rng: random.Random, filler: list[str]) -> dict:
    """The workspace described above; returns its owner, first study and first
    interview."""
    user = accounts.sign_up(workspace_name="Bench", name=HOST, email=EMAIL, password="bench-pw-1")
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
    people = seed_people(workspace, args.transcripts, now)
    interviews = []
    for n, person in enumerate(people):
        start = now - timedelta(hours=n * 9 + 2)
        interviews.append(
            interview_row(
                workspace,
                study_ids[n % STUDIES],
                person,
                owner.user_id,
                start,
                InterviewStatus.COMPLETED,
                now,
            )
        )
    chunked(Interview, interviews)
    interview_ids = list(db.session.scalars(select(Interview.id).order_by(Interview.id)))
    chunked(
        Transcript,
        [
            {
                "workspace_id": workspace,
                "interview_id": interview,
                "file_format": "vtt",
                "filename": f"call-{interview}.vtt",
                "speakers": {HOST: "interviewer", f"Participant {n}": "interviewee"},
                "without_consent": False,
                "created_by": owner.user_id,
                "created_at": now,
                "updated_at": now,
            }
            for n, interview in enumerate(interview_ids)
        ],
    )
    transcript_rows = db.session.execute(
        select(Transcript.id, Transcript.interview_id).order_by(Transcript.id)
    ).all()
    rare = "quokka"  # no made-up word has a q
    segments = 0
    for n, (transcript, interview) in enumerate(transcript_rows):
        rows = []
        at = 0
        for position in range(args.segments):
            length = rng.randint(2_000, 7_000)
            words = spoken(rng, filler)
            if n % 97 == 0 and position == 40:  # the rare word: about ten lines in all
                words = f"{words} {rare.capitalize()} again."
            rows.append(
                {
                    "transcript_id": transcript,
                    "workspace_id": workspace,
                    "interview_id": interview,
                    "position": position,
                    "start_ms": at,
                    "end_ms": at + length,
                    "speaker": HOST if position % 3 == 0 else f"Participant {n}",
                    "text": words,
                }
            )
            at += length + 300
        chunked(TranscriptSegment, rows)
        segments += len(rows)
    db.session.commit()
    print(f"seeded: {STUDIES} studies, {len(transcript_rows):,} transcripts, {segments:,} segments")
    return {
        "owner": owner,
        "study_id": study_ids[0],
        "interview_id": interview_ids[0],
    }


def raw_search(dialect: str, q: str) -> Callable[[], object]:
    """The full-text query alone: the first 50 segment ids, no count, no ordering."""
    words = search_words(q)
    if dialect == "sqlite":
        sql = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q LIMIT 50")
        sql = sql.bindparams(q=fts5_query(words))
    else:
        sql = text(
            "SELECT id FROM transcript_segment "
            f"WHERE {PG_VECTOR_COLUMN} @@ to_tsquery('simple'::regconfig, :q) LIMIT 50"
        ).bindparams(q=tsquery(words))
    return lambda: db.session.execute(sql).all()


def bench_reading(app: Flask, args: argparse.Namespace, seeded: dict, filler: list[str]) -> None:
    rng = random.Random(7)
    files = {
        "Zoom": two_hour_call(rng, filler, voices=False),
        "Teams": two_hour_call(rng, filler, voices=True),
    }
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {seeded['secret']}"}
    path = f"/api/v1/interviews/{seeded['interview_id']}/transcript?confirm=true"
    for label, data in files.items():
        cues = len(transcript_files.read_file(data, content_type="text/vtt")[1])
        print(f"{label}-style two-hour WebVTT: {len(data) / 1000:.0f} kB, {cues:,} segments")
        timed(
            f"read_file ({label}, 2 h)",
            args.runs,
            lambda data=data: transcript_files.read_file(data, content_type="text/vtt"),
        )

        def put(data: bytes = data) -> None:
            response = client.put(path, data=data, headers={**bearer, "Content-Type": "text/vtt"})
            assert response.status_code == 200, response.get_data(as_text=True)[:300]

        timed(f"PUT transcript ({label}, 2 h): read, store, index", args.runs, put)


def bench_search(app: Flask, args: argparse.Namespace, seeded: dict, dialect: str) -> None:
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {seeded['secret']}"}
    for label, q, one_study in SEARCHES:
        params = {"q": q, "limit": 50}
        if one_study:
            params["study_id"] = seeded["study_id"]
        answer = client.get("/api/v1/transcripts", query_string=params, headers=bearer)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        print(f"{label} ({q!r}): {answer.get_json()['total']:,} lines found")

        def search(params: dict = params) -> None:
            response = client.get("/api/v1/transcripts", query_string=params, headers=bearer)
            assert response.status_code == 200

        api = timed(f"GET /api/v1/transcripts ({label})", args.runs, search)
        raw = timed(f"raw full-text query, first 50 ({q!r})", args.runs, raw_search(dialect, q))
        print(f"  API p95 / raw p95: {api / raw:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL; a fresh database is made on it"
    )
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--transcripts", type=int, default=1_000)
    parser.add_argument("--segments", type=int, default=600)
    args = parser.parse_args()
    rng = random.Random(20261207)
    filler = made_up_words(rng, 3000)
    with throwaway_app(args.database_url) as app, app.app_context():
        started = time.perf_counter()
        seeded = seed(args, rng, filler)
        _, seeded["secret"] = api_tokens.create_api_token_for_email(EMAIL, "bench")
        dialect = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
        if dialect == "postgresql":
            # What autovacuum does soon after a bulk load: statistics, and the GIN index's
            # pending list merged.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        print(f"database: {dialect}; seeded in {time.perf_counter() - started:.1f} s")
        bench_reading(app, args, seeded, filler)
        bench_search(app, args, seeded, dialect)
        print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
