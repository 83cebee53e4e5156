"""The research-operations dashboard on a busy workspace.

Run: .venv/bin/python benchmarks/reports.py [--database-url URL] [--runs N]
     [--interviews I]

One workspace with 3 studies and I interviews (default 5,000) spread over the past
year (two in three completed, one in six a no-show, the rest cancelled; one no-show in
four rebooked and completed), 3 reminders sent before each call that was not
cancelled, a personal invite behind every other interview plus 1,000 never used, and
a $20 reward for each completed call (four in five paid). The data is bulk-inserted;
what is timed are the real service functions (each on a fresh session, as a request
would have) and the page and one chart through the test client, logged in. Prints
p50, p95 and max milliseconds; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from throwaway import chunked, throwaway_app, timed

from interviews.accounts import service as accounts
from interviews.compensation.models import Reward
from interviews.compensation.rules import RewardStatus
from interviews.db import db
from interviews.message_plan import Audience, MessageKind
from interviews.messaging.models import OutboxMessage, OutboxStatus
from interviews.money import RewardKind
from interviews.participants.models import Participant, ParticipantInvite
from interviews.reports import service as reports
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies

PASSWORD = "bench-password-1"
PEOPLE = 3_000


def seed(interviews: int) -> accounts.Member:
    rng = random.Random(20261202)
    user = accounts.sign_up(
        workspace_name="Bench", name="Host", email="host@bench.example", password=PASSWORD
    )
    owner = accounts.current_member(user.id, None)
    ws, now = owner.workspace_id, datetime.now(UTC)
    study_ids = [
        studies.create_study(
            owner, studies.StudyDraft(title=f"Bench study {n}", host_user_id=owner.user_id)
        ).id
        for n in range(3)
    ]
    chunked(
        Participant,
        [
            {
                "workspace_id": ws,
                "email": f"p{n}@bench.example",
                "name": f"Participant {n}",
                "timezone": "UTC",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(PEOPLE)
        ],
    )
    people = list(db.session.scalars(select(Participant.id).order_by(Participant.id)))
    rows = []
    for n in range(interviews):
        roll = rng.randrange(6)
        status = (
            InterviewStatus.COMPLETED
            if roll < 4
            else InterviewStatus.NO_SHOW
            if roll == 4
            else InterviewStatus.CANCELLED
        )
        start = now - timedelta(minutes=rng.randrange(60, 365 * 24 * 60, 15))
        rows.append(
            {
                "workspace_id": ws,
                "study_id": study_ids[n % 3],
                "participant_id": people[n % PEOPLE],
                "host_id": owner.user_id,
                "start_at": start,
                "end_at": start + timedelta(minutes=45),
                "status": status,
                "participant_timezone": "UTC",
                "answers": [],
                "manage_token_hash": uuid.uuid4().hex,
                "ics_uid": uuid.uuid4().hex,
                "ics_sequence": 0,
                "created_at": start - timedelta(days=7),
                "updated_at": start,
            }
        )
    chunked(Interview, rows)
    held = db.session.execute(
        select(
            Interview.id,
            Interview.study_id,
            Interview.participant_id,
            Interview.start_at,
            Interview.status,
        )
    ).all()
    # One no-show in four came back: a completed call of theirs points at it.
    missed = [r for r in held if r.status is InterviewStatus.NO_SHOW]
    done = [r for r in held if r.status is InterviewStatus.COMPLETED]
    for no_show, later in zip(missed[::4], done, strict=False):
        db.session.execute(
            update(Interview).where(Interview.id == later.id).values(rebooked_from_id=no_show.id)
        )
    reminders, invites, rewards = [], [], []
    for n, r in enumerate(held):
        if r.status is not InterviewStatus.CANCELLED:
            for offset in (1440, 60, 10):
                at = r.start_at - timedelta(minutes=offset)
                reminders.append(
                    {
                        "workspace_id": ws,
                        "interview_id": r.id,
                        "kind": MessageKind.REMINDER,
                        "audience": Audience.PARTICIPANT,
                        "recipient": "p@bench.example",
                        "offset_minutes": offset,
                        "due_at": at,
                        "status": OutboxStatus.SENT,
                        "attempts": 1,
                        "idempotency_key": uuid.uuid4().hex,
                        "sent_at": at,
                        "created_at": at,
                        "updated_at": at,
                    }
                )
        if n % 2 == 0 or n < 1000:
            sent = r.start_at - timedelta(days=8)
            invites.append(
                {
                    "workspace_id": ws,
                    "study_id": r.study_id,
                    "participant_id": r.participant_id,
                    "token_hash": uuid.uuid4().hex + uuid.uuid4().hex,
                    "created_at": sent,
                    "expires_at": sent + timedelta(days=14),
                    "interview_id": r.id if n % 2 == 0 else None,
                }
            )
        if r.status is InterviewStatus.COMPLETED:
            paid = n % 5 != 0
            rewards.append(
                {
                    "workspace_id": ws,
                    "study_id": r.study_id,
                    "interview_id": r.id,
                    "participant_id": r.participant_id,
                    "kind": RewardKind.GIFT_CARD,
                    "amount_minor": 2000,
                    "currency": "USD",
                    "status": RewardStatus.SENT if paid else RewardStatus.OWED,
                    "owed_at": r.start_at + timedelta(hours=1),
                    "settled_at": r.start_at + timedelta(days=2) if paid else None,
                    "updated_at": r.start_at,
                }
            )
    chunked(OutboxMessage, reminders)
    chunked(ParticipantInvite, invites)
    chunked(Reward, rewards)
    db.session.commit()
    print(
        f"seeded {len(held)} interviews, {len(reminders)} reminders, {len(invites)} invites, "
        f"{len(rewards)} rewards"
    )
    return owner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL; a fresh database is made on it"
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--interviews", type=int, default=5_000)
    args = parser.parse_args()
    with throwaway_app(args.database_url, WTF_CSRF_ENABLED=False) as app, app.app_context():
        started = time.perf_counter()
        owner = seed(args.interviews)
        ws = owner.workspace_id
        dialect = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
        if dialect == "postgresql":
            # What autovacuum does soon after a bulk load. Without statistics PostgreSQL
            # guesses 6 rewards and joins them to interviews by a nested loop: 300 ms.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        print(f"database: {dialect}; seeded in {time.perf_counter() - started:.1f} s")
        today = datetime.now(UTC).date()
        year = {"from": (today - timedelta(days=364)).isoformat(), "to": today.isoformat()}
        one = str(studies.list_studies(ws)[0].id)
        timed("reports.dashboard(default 12 weeks)", args.runs, lambda: reports.dashboard(ws, {}))
        timed("reports.dashboard(a year)", args.runs, lambda: reports.dashboard(ws, year))
        timed(
            "reports.dashboard(a year, one study)",
            args.runs,
            lambda: reports.dashboard(ws, {**year, "study": one}),
        )
        timed(
            "reports.attendance(a year) (the API's)",
            args.runs,
            lambda: reports.attendance(ws, today - timedelta(days=364), today),
        )
        client = app.test_client()
        client.post("/login", data={"email": "host@bench.example", "password": PASSWORD})

        def get(path: str, query: dict) -> None:
            response = client.get(path, query_string=query)
            assert response.status_code == 200, response.status_code

        timed("GET /reports (page, default range)", args.runs, lambda: get("/reports", {}))
        timed("GET /reports (page, a year)", args.runs, lambda: get("/reports", year))
        timed(
            "GET /reports/charts/weekly.svg (a year)",
            args.runs,
            lambda: get("/reports/charts/weekly.svg", year),
        )
        timed(
            "GET /reports/charts/flake.svg (a year)",
            args.runs,
            lambda: get("/reports/charts/flake.svg", year),
        )
        timed(
            "GET /reports/weekly.csv (a year)", args.runs, lambda: get("/reports/weekly.csv", year)
        )


if __name__ == "__main__":
    main()
