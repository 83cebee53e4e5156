"""Reward budgets and the payout queue on a busy workspace.

Run: .venv/bin/python benchmarks/rewards.py [--database-url URL] [--runs N]
     [--studies S] [--interviews I] [--rewards R] [--redis-url URL]

One workspace with S studies (default 20: USD, EUR and GBP offers, one offering no
reward), I interviews (default 20,000: booked ahead, completed, no-shows, cancelled)
of 10,000 participants, R rewards (default 5,000, three in five still owed, across
USD/EUR/GBP, with their history), 200 people with an offer of their own (some in
another currency), a budget on every rewarded study and on the workspace. The data is
bulk-inserted; what is timed are the real service functions, each call on a fresh
session as a request would have. Prints p50, p95 and max milliseconds; asserts nothing.

`settle` marks the 200 oldest owed rewards sent in one transaction (their history
lines and "on its way" outbox rows included) and hands the messages to RQ on
``--redis-url``, as production does; ``--redis-url ''`` sends them in this process
instead, as the embedded default does (mailbox backend). After each timed settle the
200 are put back to owed, outside the timing, so every run settles the same batch.
"""

from __future__ import annotations

import argparse
import logging
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from redis import Redis
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import make_url
from throwaway import chunked, interview_row, seed_people, throwaway_app, timed

from interviews.accounts import service as accounts
from interviews.compensation import budgets
from interviews.compensation import service as compensation
from interviews.compensation.models import Budget, Reward, RewardEvent, RewardOverride
from interviews.compensation.rules import RewardStatus
from interviews.db import db
from interviews.flows import rewards as settling
from interviews.mail.models import MailMessage
from interviews.messaging.models import OutboxMessage
from interviews.money import Money, Offer, RewardKind
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus

PEOPLE = 10_000
OVERRIDES = 200
BATCH = 200  # rewards marked sent at once: one payout queue page
CURRENCIES = ("USD", "EUR", "GBP")
AMOUNTS = (20, 25, 50, 75, 100)
# Of the interviews: booked ahead (their rewards are committed), completed, no-show, cancelled.
MIX = ((InterviewStatus.BOOKED, 40), (InterviewStatus.COMPLETED, 35), (InterviewStatus.NO_SHOW, 10))
SETTLED = (
    (RewardStatus.SENT, 30),
    (RewardStatus.DONATED, 5),
    (RewardStatus.DECLINED, 3),
    (RewardStatus.WITHDRAWN, 2),
)


def status_of(rng: random.Random, mix, rest):
    roll, floor = rng.randrange(100), 0
    for status, share in mix:
        floor += share
        if roll < floor:
            return status
    return rest


def seed(args: argparse.Namespace) -> tuple[accounts.Member, studies.StudyView]:
    """The workspace described above; returns its owner and the busiest rewarded study."""
    rng = random.Random(20261201)
    user = accounts.sign_up(
        workspace_name="Bench", name="Host", email="host@bench.example", password="bench-password-1"
    )
    owner = accounts.current_member(user.id, None)
    workspace = owner.workspace_id
    now = datetime.now(UTC)
    offers: dict[int, Money | None] = {}
    for n in range(args.studies):
        rewarded = n < args.studies - 1  # the last study offers no reward
        money = Money.from_minor(AMOUNTS[n % 5] * 100, CURRENCIES[n % 3]) if rewarded else None
        offer = (
            Offer(RewardKind.GIFT_CARD if n % 4 else RewardKind.DONATION, money)
            if rewarded
            else Offer(RewardKind.NONE, None, "Early access to the beta")
        )
        draft = studies.StudyDraft(
            title=f"Bench study {n}", host_user_id=owner.user_id, slug=f"bench-{n}", offer=offer
        )
        study = studies.create_study(owner, draft)
        studies.set_status(owner, study.id, StudyStatus.PUBLISHED)
        offers[study.id] = money
    study_ids = list(offers)

    people = seed_people(workspace, PEOPLE, now)
    rows = []
    for n in range(args.interviews):
        status = status_of(rng, MIX, InterviewStatus.CANCELLED)
        ahead = status is InterviewStatus.BOOKED
        start = now + timedelta(minutes=rng.randrange(60, 30 * 24 * 60, 15) * (1 if ahead else -6))
        rows.append(
            interview_row(
                workspace,
                study_ids[n % len(study_ids)],
                people[n % PEOPLE],
                owner.user_id,
                start,
                status,
                now,
            )
        )
    chunked(Interview, rows)
    interviews = db.session.execute(
        select(
            Interview.id,
            Interview.study_id,
            Interview.participant_id,
            Interview.status,
            Interview.end_at,
        ).order_by(Interview.id)
    ).all()

    # People with an offer of their own: an executive's larger amount, often in pounds.
    own: dict[tuple[int, int], Money] = {}
    for i in rng.sample(range(len(interviews)), OVERRIDES * 2):
        key = (interviews[i].study_id, interviews[i].participant_id)
        if offers[key[0]] is not None and len(own) < OVERRIDES and key not in own:
            own[key] = Money.from_minor(rng.choice((150, 200, 250)) * 100, rng.choice(CURRENCIES))
    chunked(
        RewardOverride,
        [
            {
                "workspace_id": workspace,
                "study_id": study_id,
                "participant_id": person,
                "kind": RewardKind.GIFT_CARD,
                "amount_minor": money.minor,
                "currency": money.currency,
                "text": "",
                "created_at": now,
            }
            for (study_id, person), money in own.items()
        ],
    )

    # Rewards: completed interviews of rewarded studies, and a few no-shows granted one.
    candidates = [
        row
        for row in interviews
        if offers[row.study_id] is not None
        and (
            row.status is InterviewStatus.COMPLETED
            or (row.status is InterviewStatus.NO_SHOW and rng.randrange(20) == 0)
        )
    ]
    rewards, histories = [], []
    for row in candidates[: args.rewards]:
        money = own.get((row.study_id, row.participant_id)) or offers[row.study_id]
        status = status_of(rng, SETTLED, RewardStatus.OWED)
        owed_at = row.end_at + timedelta(minutes=5)
        settled_at = (
            min(owed_at + timedelta(hours=rng.randrange(1, 120)), now)
            if status is not RewardStatus.OWED
            else None
        )
        rewards.append(
            {
                "workspace_id": workspace,
                "study_id": row.study_id,
                "interview_id": row.id,
                "participant_id": row.participant_id,
                "kind": RewardKind.GIFT_CARD,
                "amount_minor": money.minor,
                "currency": money.currency,
                "status": status,
                "granted": row.status is InterviewStatus.NO_SHOW,
                "method": f"GC-{uuid.uuid4().hex[:12].upper()}"
                if status is RewardStatus.SENT
                else "",
                "note": "",
                "owed_at": owed_at,
                "settled_at": settled_at,
                "updated_at": settled_at or owed_at,
            }
        )
    chunked(Reward, rewards)
    for reward_id, status, owed_at, settled_at in db.session.execute(
        select(Reward.id, Reward.status, Reward.owed_at, Reward.settled_at).order_by(Reward.id)
    ):
        histories.append(_event(reward_id, None, RewardStatus.OWED, owed_at))
        if status is not RewardStatus.OWED:
            histories.append(_event(reward_id, RewardStatus.OWED, status, settled_at, owner))
    chunked(RewardEvent, histories)

    # Budgets: twice what each rewarded study has spent or committed, per currency, and the
    # same for the workspace, so every booking check runs to its end (nothing is paused).
    budget_rows = []
    for study_id in study_ids:
        for line in budgets.budget_lines(workspace, study_id):
            budget_rows.append(_budget(workspace, study_id, line.currency, line.spent, now))
    for line in budgets.budget_lines(workspace):
        budget_rows.append(_budget(workspace, None, line.currency, line.spent, now))
    chunked(Budget, budget_rows)
    db.session.commit()
    busiest = db.session.scalar(
        select(Interview.study_id)
        .where(Interview.status == InterviewStatus.BOOKED)
        .group_by(Interview.study_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    print(
        f"seeded: {args.studies} studies, {len(interviews):,} interviews, {PEOPLE:,} people, "
        f"{len(own)} own offers, {len(rewards):,} rewards "
        f"({sum(r['status'] is RewardStatus.OWED for r in rewards):,} owed), "
        f"{len(histories):,} history lines, {len(budget_rows)} budget lines"
    )
    return owner, studies.get_study(workspace, busiest)


def _event(reward_id, previous, status, at, actor=None) -> dict:
    return {
        "reward_id": reward_id,
        "at": at,
        "actor_user_id": actor.user_id if actor else None,
        "actor_name": actor.name if actor else "",
        "from_status": previous,
        "to_status": status,
        "method_masked": "",
        "note": "",
    }


def _budget(workspace: int, study_id: int | None, currency: str, spent: Money, now) -> dict:
    return {
        "workspace_id": workspace,
        "study_id": study_id,
        "currency": currency,
        "allocated_minor": max(spent.minor * 2, 100_000),
        "updated_at": now,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL; a fresh database is made on it"
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--studies", type=int, default=20)
    parser.add_argument("--interviews", type=int, default=20_000)
    parser.add_argument("--rewards", type=int, default=5_000)
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/14",
        help="where settle hands its messages to RQ; '' sends them in this process",
    )
    args = parser.parse_args()
    # The mailbox backend prints every message at INFO: with in-process sending, that
    # printing would cost this process more than the settle does.
    logging.getLogger("interviews.mail.backends").setLevel(logging.WARNING)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    settings = {"REDIS_URL": args.redis_url or None, "RQ_QUEUE_NAME": queue}
    with throwaway_app(args.database_url, **settings) as app, app.app_context():
        started = time.perf_counter()
        owner, study = seed(args)
        workspace = owner.workspace_id
        print(
            f"database: {make_url(app.config['SQLALCHEMY_DATABASE_URI']).get_backend_name()}; "
            f"seeded in {time.perf_counter() - started:.1f} s; booking_block on "
            f"{study.title!r} ({study.offer.money.label()}): "
            f"{budgets.booking_block(study) or 'not paused, both budgets checked'}"
        )
        timed("budgets.booking_block(study)", args.runs, lambda: budgets.booking_block(study))
        timed("budgets.budget_lines(workspace)", args.runs, lambda: budgets.budget_lines(workspace))
        timed(
            "compensation.rewards(status=OWED, limit=200)",
            args.runs,
            lambda: compensation.rewards(workspace, status=RewardStatus.OWED, limit=BATCH),
        )
        csv_lines = []
        timed(
            "compensation.payout_csv(all rewards)",
            args.runs,
            lambda: csv_lines.append(compensation.payout_csv(workspace, None).count("\n")),
        )
        timed("budgets.figures(workspace)", args.runs, lambda: budgets.figures(workspace))

        batch = [r.id for r in compensation.rewards(workspace, status=RewardStatus.OWED).items]
        last_event = db.session.scalar(select(func.max(RewardEvent.id)))
        last_mail = db.session.scalar(select(func.max(MailMessage.id))) or 0
        sent = []

        def put_back() -> None:
            """The batch owed again, its new history, outbox rows and mail gone."""
            db.session.rollback()
            sent.append(
                db.session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(
                        OutboxMessage.interview_id.in_(
                            select(Reward.interview_id).where(Reward.id.in_(batch))
                        )
                    )
                )
            )
            db.session.execute(delete(OutboxMessage))
            db.session.execute(delete(MailMessage).where(MailMessage.id > last_mail))
            db.session.execute(delete(RewardEvent).where(RewardEvent.id > last_event))
            db.session.execute(
                update(Reward)
                .where(Reward.id.in_(batch))
                .values(status=RewardStatus.OWED, settled_at=None)
            )
            db.session.commit()

        timed(
            f"flows.rewards.settle({len(batch)} ids, SENT)"
            + ("" if args.redis_url else " sending in-process"),
            args.runs,
            lambda: settling.settle(owner, batch, RewardStatus.SENT),
            put_back,
        )
        # The common case: a team that set no budget at all.
        db.session.execute(delete(Budget))
        db.session.commit()
        timed(
            "budgets.booking_block(study), no budgets set",
            args.runs,
            lambda: budgets.booking_block(study),
        )
        print(
            f"payout CSV: {csv_lines[-1]:,} lines; each settle wrote {sent[-1]} outbox rows; "
            f"total {time.perf_counter() - started:.1f} s"
        )
    if args.redis_url:
        redis = Redis.from_url(args.redis_url)
        keys = list(redis.scan_iter(match=f"*{queue}*"))
        if keys:
            redis.delete(*keys)


if __name__ == "__main__":
    main()
