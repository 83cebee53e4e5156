"""A workspace at ten times the demo's scale, for the load benchmark (benchmarks/load.py).

The demo (``interviews demo``) holds 60 interviews over about twelve weeks across 3
studies, 67 people, 17 takeaways, 39 rewards and a map of 14 nodes. Issue 24 asks for
ten times that over a whole year, with volumes named outright: 10 studies and 5 hosts,
a year of past interviews (8,000 by default, 70% completed, so that every one of the
5,000 rewards belongs to a completed call), about 100 booked in the coming two weeks,
20,000 panel people, 100,000 takeaways with 40 tags, 5,000 rewards (three in five
owed, the rest sent, donated, declined or withdrawn, each with its history) and two
impact maps of 500 nodes (goal, 4 actors, 16 outcomes, 80 outputs, 400 experiments),
one takeaway in five evidence for a node. A few hundred interviews get notes.

Rows with hashed secrets or derived state go through the real services (sign-up,
member invites, studies, weekly hours, notes, share links); volume is bulk-inserted in
chunks. Deterministic for a seed (``random.Random(seed)``), apart from the tokens the
services make. Call ``seed_big_workspace`` inside an app context; it returns what the
locust users need (logins, slugs, ids, share tokens) as plain JSON-able data.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from library import PRODUCT_WORDS, SOURCES, TAG_WEIGHTS, TAGS, made_up_words, sentence
from maps import GOAL, big_map
from rewards import SETTLED, _event, status_of
from sqlalchemy import func, insert, select
from throwaway import chunked

from interviews.accounts import invites as member_invites
from interviews.accounts import service as accounts
from interviews.accounts.rules import Role
from interviews.compensation.models import Reward, RewardEvent
from interviews.compensation.rules import RewardStatus
from interviews.db import db
from interviews.maps import shares
from interviews.maps.models import ImpactMap, MapNode
from interviews.maps.rules import NodeKind
from interviews.money import Money, Offer, RewardKind
from interviews.notes import service as notes
from interviews.notes.models import LinkKind, Tag, Takeaway, TakeawaySource, takeaway_link
from interviews.notes.models import takeaway_tag as takeaway_tag_table
from interviews.participants.models import Participant
from interviews.scheduling import hours
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus

PASSWORD = "bench-password-1"
HOSTS = 5
VIEWERS = 2
STUDIES = 10
PAST_INTERVIEWS = 8_000
FUTURE_INTERVIEWS = 100
PEOPLE = 20_000
TAKEAWAYS = 100_000
REWARDS = 5_000
NOTES = 300
MAPS = 2
ZONE = "Europe/Berlin"
SEGMENTS = ("enterprise", "mid-market", "smb", "consumer", "education")
# Past interviews: completed, no-show, else cancelled (about the demo's mix).
PAST_MIX = ((InterviewStatus.COMPLETED, 70), (InterviewStatus.NO_SHOW, 18))


@dataclass
class Seeded:
    """What was made, for the report and for the locust users."""

    counts: dict[str, int] = field(default_factory=dict)
    hosts: list[dict] = field(default_factory=list)  # {"email", "password", "interviews"}
    viewers: list[dict] = field(default_factory=list)  # {"email", "password"}
    slugs: list[str] = field(default_factory=list)
    maps: list[int] = field(default_factory=list)
    share_tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)

    def fixture(self) -> dict:
        return {
            "hosts": self.hosts,
            "viewers": self.viewers,
            "slugs": self.slugs,
            "maps": self.maps,
            "share_tokens": self.share_tokens,
            "tags": self.tags,
            "sources": [s.value for s in TakeawaySource],
            "searches": self.searches,
        }


def _members(seeded: Seeded) -> tuple[accounts.Member, list[int]]:
    """The owner (the first host), four more hosts and two viewers; returns the owner
    and the hosts' user ids."""
    user = accounts.sign_up(
        workspace_name="Big workspace",
        name="Host 0",
        email="host0@bench.example",
        password=PASSWORD,
    )
    owner = accounts.current_member(user.id, None)
    people = [(f"Host {n}", f"host{n}@bench.example", Role.RESEARCHER) for n in range(1, HOSTS)]
    people += [(f"Viewer {n}", f"viewer{n}@bench.example", Role.VIEWER) for n in range(VIEWERS)]
    for name, email, role in people:
        sent = member_invites.invite_member(owner, email=email, role=role)
        member_invites.accept_invite(sent.link.rsplit("/", 1)[1], name=name, password=PASSWORD)
    by_email = {m.email: m for m in accounts.members(owner.workspace_id)}
    host_ids = [by_email[f"host{n}@bench.example"].user_id for n in range(HOSTS)]
    seeded.viewers = [
        {"email": f"viewer{n}@bench.example", "password": PASSWORD} for n in range(VIEWERS)
    ]
    return owner, host_ids


def _studies(owner: accounts.Member, host_ids: list[int], seeded: Seeded) -> dict[int, int]:
    """Ten published studies, two per host, each host free on weekdays 8:00 to 18:00
    Berlin time; returns {study id: host user id}."""
    for host in host_ids:
        hours.set_availability(
            host, timezone=ZONE, weekly=[(day, time(8), time(18)) for day in range(5)]
        )
    hosts_of = {}
    for n in range(STUDIES):
        host = host_ids[n % HOSTS]
        draft = studies.StudyDraft(
            title=f"Big study {n}",
            host_user_id=host,
            slug=f"big-{n}",
            meeting_url="https://meet.example.com/big",
            notice_minutes=60,
            max_per_day=8,
            phone_required=False,
            offer=Offer(RewardKind.GIFT_CARD, Money.from_minor(2000, "USD")),
        )
        study = studies.create_study(owner, draft)
        studies.set_status(owner, study.id, StudyStatus.PUBLISHED)
        hosts_of[study.id] = host
        seeded.slugs.append(draft.slug)
    return hosts_of


def _people(rng: random.Random, workspace: int, now: datetime) -> list[int]:
    chunked(
        Participant,
        [
            {
                "workspace_id": workspace,
                "email": f"p{n}@bench.example",
                "name": f"Participant {n}",
                "timezone": ZONE,
                "company": f"Company {rng.randrange(2000)}",
                "segment": rng.choice(SEGMENTS),
                "attributes": {},
                "created_at": now,
                "updated_at": now,
            }
            for n in range(PEOPLE)
        ],
    )
    return list(db.session.scalars(select(Participant.id).order_by(Participant.id)))


def _interview(workspace, study, host, person, start, status, now) -> dict:
    return {
        "workspace_id": workspace,
        "study_id": study,
        "participant_id": person,
        "host_id": host,
        "start_at": start,
        "end_at": start + timedelta(minutes=45),
        "status": status,
        "participant_timezone": ZONE,
        "answers": [],
        "manage_token_hash": uuid.uuid4().hex,
        "manage_nonce": uuid.uuid4().hex,
        "ics_uid": uuid.uuid4().hex,
        "ics_sequence": 0,
        "created_at": min(start - timedelta(days=7), now),
        "updated_at": min(start, now),
    }


def _interviews(
    rng: random.Random, workspace: int, hosts_of: dict[int, int], people: list[int], now
) -> list:
    """A year of past calls on weekday working hours, and some booked ahead."""
    study_ids = list(hosts_of)
    rows = []
    for n in range(PAST_INTERVIEWS + FUTURE_INTERVIEWS):
        study = study_ids[n % STUDIES]
        past = n < PAST_INTERVIEWS
        day = now.date() + timedelta(days=-rng.randint(1, 365) if past else rng.randint(2, 14))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        start = datetime.combine(day, time(rng.randrange(7, 16), rng.choice((0, 30))), UTC)
        status = status_of(rng, PAST_MIX, InterviewStatus.CANCELLED) if past else None
        rows.append(
            _interview(
                workspace,
                study,
                hosts_of[study],
                people[n % len(people)],
                start,
                status or InterviewStatus.BOOKED,
                now,
            )
        )
    chunked(Interview, rows)
    return db.session.execute(
        select(
            Interview.id,
            Interview.study_id,
            Interview.participant_id,
            Interview.host_id,
            Interview.status,
            Interview.start_at,
            Interview.end_at,
        ).order_by(Interview.id)
    ).all()


def _rewards(rng: random.Random, owner: accounts.Member, held: list) -> tuple[int, int]:
    """A $20 gift card for the first REWARDS completed calls (oldest first)."""
    done = sorted(
        (r for r in held if r.status is InterviewStatus.COMPLETED), key=lambda r: r.start_at
    )
    now = datetime.now(UTC)
    rows = []
    for r in done[:REWARDS]:
        status = status_of(rng, SETTLED, RewardStatus.OWED)
        owed_at = r.end_at + timedelta(minutes=5)
        settled = status is not RewardStatus.OWED
        settled_at = min(owed_at + timedelta(hours=rng.randrange(1, 120)), now) if settled else None
        rows.append(
            {
                "workspace_id": owner.workspace_id,
                "study_id": r.study_id,
                "interview_id": r.id,
                "participant_id": r.participant_id,
                "kind": RewardKind.GIFT_CARD,
                "amount_minor": 2000,
                "currency": "USD",
                "status": status,
                "granted": False,
                "method": f"GC-{uuid.uuid4().hex[:12].upper()}"
                if status is RewardStatus.SENT
                else "",
                "note": "",
                "owed_at": owed_at,
                "settled_at": settled_at,
                "updated_at": settled_at or owed_at,
            }
        )
    chunked(Reward, rows)
    events = []
    for reward_id, status, owed_at, settled_at in db.session.execute(
        select(Reward.id, Reward.status, Reward.owed_at, Reward.settled_at).order_by(Reward.id)
    ):
        events.append(_event(reward_id, None, RewardStatus.OWED, owed_at))
        if status is not RewardStatus.OWED:
            events.append(_event(reward_id, RewardStatus.OWED, status, settled_at, owner))
    chunked(RewardEvent, events)
    return len(rows), sum(r["status"] is RewardStatus.OWED for r in rows)


def _takeaways(
    rng: random.Random, workspace: int, held: list, people: list[int], now: datetime
) -> tuple[list[int], int]:
    """Half from completed interviews, half logged from elsewhere; tags as
    benchmarks/library.py spreads them. Returns the ids and the number of tag links."""
    filler = made_up_words(rng, 3000)
    done = [r for r in held if r.status is InterviewStatus.COMPLETED]
    chunked(Tag, [{"workspace_id": workspace, "name": name, "key": name} for name in TAGS])
    tag_ids = list(db.session.scalars(select(Tag.id).order_by(Tag.id)))
    rows = []
    for n in range(TAKEAWAYS):
        from_interview = n % 2 == 0
        interview = rng.choice(done)
        at = (interview.end_at if from_interview else now - timedelta(minutes=5 * n)) + timedelta(
            minutes=n % 7
        )
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
    ids = list(db.session.scalars(select(Takeaway.id).order_by(Takeaway.id)))
    links = [
        {"takeaway_id": t, "tag_id": tag}
        for t in ids
        for tag in set(rng.choices(tag_ids, TAG_WEIGHTS, k=rng.choice((0, 1, 1, 2, 3))))
    ]
    chunked(takeaway_tag_table, links)
    return ids, len(links)


def _map(rng: random.Random, owner: accounts.Member, seed: int, takeaway_ids, now) -> tuple:
    """One 500-node map (benchmarks/maps.py's shape and titles), inserted level by
    level; one takeaway in ten is evidence for one of its actors, outcomes or outputs
    (two maps: one in five overall). Returns (map id, nodes, evidence links)."""
    impact_map = ImpactMap(
        workspace_id=owner.workspace_id,
        goal=GOAL.statement,
        metric=GOAL.metric,
        current_value=GOAL.current,
        target_value=GOAL.target,
        deadline=GOAL.deadline,
        created_by=owner.user_id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(impact_map)
    db.session.flush()
    records, _ = big_map(seed)
    real: dict[int, int] = {}  # big_map's id: the row's id
    kinds: dict[int, NodeKind] = {}
    for kind in (NodeKind.ACTOR, NodeKind.OUTCOME, NodeKind.OUTPUT, NodeKind.EXPERIMENT):
        level = [r for r in records if r.kind is kind]
        rows = [
            {
                **{k: v for k, v in vars(r).items() if k not in ("id", "parent_id")},
                "workspace_id": owner.workspace_id,
                "map_id": impact_map.id,
                "parent_id": real.get(r.parent_id),
                "created_at": now,
                "updated_at": now,
            }
            for r in level
        ]
        made = db.session.scalars(
            insert(MapNode).returning(MapNode.id, sort_by_parameter_order=True), rows
        ).all()
        for record, row_id in zip(level, made, strict=True):
            real[record.id] = row_id
            kinds[row_id] = kind
    linkable = [i for i, k in kinds.items() if k is not NodeKind.EXPERIMENT]
    # Like the tags: the first few nodes carry most of the evidence.
    weights = [30 if n < 5 else 1 for n in range(len(linkable))]
    links = {}
    for t in takeaway_ids:
        if rng.random() < 0.1:
            node = rng.choices(linkable, weights)[0]
            links[(t, node)] = {"takeaway_id": t, "node_id": node, "kind": LinkKind(kinds[node])}
    chunked(takeaway_link, list(links.values()))
    return impact_map.id, len(records), len(links)


def _notes(owner: accounts.Member, held: list, seeded: Seeded) -> int:
    """Notes through the notes service on NOTES completed calls, spread over the hosts."""
    done = [r for r in held if r.status is InterviewStatus.COMPLETED]
    step = max(1, len(done) // NOTES)
    written = 0
    for r in done[::step][:NOTES]:
        view = notes.notes_of(owner.workspace_id, r.id)
        bodies = {
            s.heading: f"- {s.heading}: what they said about the dashboard\n- follow up"
            for s in view.sections
        }
        notes.save_notes(owner, r.id, bodies, revision=None)
        written += 1
    return written


def seed_big_workspace(seed: int = 20261207) -> Seeded:
    """Seed the workspace described above into an empty, migrated database."""
    rng = random.Random(seed)
    seeded = Seeded()
    now = datetime.now(UTC)
    owner, host_ids = _members(seeded)
    workspace = owner.workspace_id
    hosts_of = _studies(owner, host_ids, seeded)
    people = _people(rng, workspace, now)
    held = _interviews(rng, workspace, hosts_of, people, now)
    reward_count, owed = _rewards(rng, owner, held)
    takeaway_ids, tag_links = _takeaways(rng, workspace, held, people, now)
    evidence = nodes = 0
    for n in range(MAPS):
        map_id, made, linked = _map(rng, owner, seed + n, takeaway_ids, now)
        seeded.maps.append(map_id)
        nodes += made
        evidence += linked
    db.session.commit()
    note_count = _notes(owner, held, seeded)
    for map_id in seeded.maps:
        picks = shares.shares_page(workspace, map_id, now).quotes
        made = shares.create_share(
            owner,
            map_id,
            shares.ShareDraft(
                label="Leadership review",
                quote_ids=tuple(c.takeaway.id for g in picks for c in g.choices if c.ticked),
            ),
            now,
        )
        seeded.share_tokens.append(made.token)
    db.session.commit()
    # Each host's own calls, newest first: what they open from the agenda.
    for n, host in enumerate(host_ids):
        mine = sorted(
            (r for r in held if r.host_id == host and r.status is InterviewStatus.COMPLETED),
            key=lambda r: r.start_at,
            reverse=True,
        )
        seeded.hosts.append(
            {
                "email": f"host{n}@bench.example",
                "password": PASSWORD,
                "interviews": [r.id for r in mine[:50]],
            }
        )
    seeded.tags = TAGS[:6]
    seeded.searches = PRODUCT_WORDS[:20]
    by_status = dict(
        db.session.execute(select(Interview.status, func.count()).group_by(Interview.status)).all()
    )
    seeded.counts = {
        "members": HOSTS + VIEWERS,
        "studies": STUDIES,
        "interviews": len(held),
        **{f"interviews {s.value}": c for s, c in sorted(by_status.items())},
        "participants": len(people),
        "takeaways": len(takeaway_ids),
        "tag links": tag_links,
        "rewards": reward_count,
        "rewards owed": owed,
        "maps": MAPS,
        "map nodes": nodes,
        "evidence links": evidence,
        "notes": note_count,
        "share links": len(seeded.share_tokens),
    }
    return seeded
