"""The demo's research-operations history: what /reports charts for a newcomer.

Eleven weeks of calls before the ones __init__.py records: the dashboards study (engaged
B2B customers, recruited by personal invites, about 10% no-shows) and a consumer study
hosted by Sam (people from the open link, about 40% no-shows, some recovered by the
follow-up). Interviews, rewards and note-takers go through the services. Three kinds
of row have no service that writes them in the past, so they are written here, each
consistent with its interview: the invites that recruited the B2B people (sent a week
before the call, used the next day), the reminders those calls got (sent 24 hours,
1 hour and 10 minutes before), and calls the interviewee cancelled the day before.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from interviews.accounts import invites as member_invites
from interviews.accounts import service as accounts
from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.compensation import budgets
from interviews.compensation import service as compensation
from interviews.compensation.rules import RewardStatus
from interviews.db import db
from interviews.flows import rewards as settling
from interviews.maps.models import MapNode
from interviews.message_plan import Audience, MessageKind
from interviews.messaging.models import OutboxMessage, OutboxStatus
from interviews.money import Money, Offer, RewardKind
from interviews.notes import service as notes
from interviews.notes.models import Takeaway
from interviews.participants import service as participants
from interviews.participants.models import ParticipantInvite
from interviews.reports import weekly
from interviews.scheduling import service as scheduling
from interviews.scheduling import team
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies
from interviews.studies.models import JoinMode, StudyStatus
from interviews.tokens import hash_secret, new_secret

DONE, MISSED, CANCEL = "completed", "no_show", "cancelled"

# (days ago, first name, company or city, outcome): the B2B study. 22 completed, 1
# missed, 2 cancelled; with __init__.py's seven calls that is 27 completed, 3 no-shows (10%).
B2B = [
    (74, "Hana", "kyoto-freight", DONE),
    (72, "Olu", "lagos-ledger", DONE),
    (70, "Ines", "porto-tiles", DONE),
    (67, "Mateo", "andes-agro", CANCEL),
    (66, "Greta", "fjord-energy", DONE),
    (63, "Ravi", "deccan-retail", DONE),
    (60, "Lena", "alster-media", DONE),
    (59, "Kofi", "volta-power", MISSED),
    (56, "Yuki", "sapporo-foods", DONE),
    (53, "Piotr", "gdansk-docks", DONE),
    (52, "Amara", "nairobi-health", DONE),
    (49, "Chloe", "lyon-textiles", DONE),
    (46, "Diego", "sevilla-solar", DONE),
    (45, "Freya", "oslo-outdoors", CANCEL),
    (42, "Arjun", "mumbai-metro", DONE),
    (39, "Sofia", "milano-design", DONE),
    (38, "Noah", "austin-analytics", DONE),
    (35, "Elif", "ankara-air", DONE),
    (32, "Marek", "brno-bikes", DONE),
    (31, "Zara", "dubai-dates", DONE),
    (28, "Tariq", "cairo-cotton", DONE),
    (25, "Nina", "vienna-venues", DONE),
    (24, "Owen", "cardiff-cables", DONE),
    (21, "Leila", "tunis-tech", DONE),
    (18, "Bruno", "recife-rum", DONE),
]
# The consumer study: 12 completed (3 of them rebooked no-shows), 8 no-shows (40%),
# 3 cancelled. "rebook" marks the call that came back from the previous no-show of
# the same person.
CONSUMER = [
    (73, "Jess", DONE),
    (71, "Marco", MISSED),
    (70, "Marco", "rebook"),
    (66, "Tina", MISSED),
    (65, "Ali", DONE),
    (62, "Bea", CANCEL),
    (59, "Chen", MISSED),
    (57, "Chen", "rebook"),
    (55, "Dora", MISSED),
    (52, "Eli", DONE),
    (50, "Fay", MISSED),
    (46, "Gus", DONE),
    (44, "Hal", CANCEL),
    (42, "Ivy", MISSED),
    (41, "Ivy", "rebook"),
    (38, "Joe", DONE),
    (35, "Kim", MISSED),
    (31, "Lou", DONE),
    (28, "Max", MISSED),
    (25, "Ned", DONE),
    (22, "Ora", CANCEL),
    (20, "Pam", DONE),
    (19, "Quin", DONE),
]
UNUSED_INVITES = 8  # B2B invites that were sent and never booked: the funnel's drop-off
REMINDER_OFFSETS = (24 * 60, 60, 10)
DESIGNER = ("Mina Park", "mina@example.com", "demo-password")

CONSUMER_STUDY = studies.StudyDraft(
    slug="weekend-planner",
    title="Weekend planner app: consumer interviews",
    host_user_id=0,  # Sam's id when seeding
    description="How people plan their weekends, and where the app gets in the way.",
    duration_minutes=30,
    join_mode=JoinMode.GENERATED,  # a room of its own for every call
    reward_text="a $15 gift card after the call",
    offer=Offer(RewardKind.GIFT_CARD, Money("USD", Decimal("15.00")), "after the call"),
)


def _weekday(days_ago: int, hour: int, minute: int) -> datetime:
    day = utc_now().date() - timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _cancel(interview_id: int, start: datetime) -> None:
    """The interviewee cancelled the day before (recorded, so nothing is sent now)."""
    interview = db.session.get(Interview, interview_id)
    interview.status = InterviewStatus.CANCELLED
    interview.cancelled_at = interview.updated_at = start - timedelta(days=1)
    interview.cancel_reason = "Something came up at work that week, sorry!"
    db.session.commit()


def _reminded(workspace_id: int, interview_id: int, email: str, start: datetime) -> None:
    for offset in REMINDER_OFFSETS:
        at = start - timedelta(minutes=offset)
        db.session.add(
            OutboxMessage(
                workspace_id=workspace_id,
                interview_id=interview_id,
                kind=MessageKind.REMINDER,
                audience=Audience.PARTICIPANT,
                recipient=email,
                offset_minutes=offset,
                due_at=at,
                status=OutboxStatus.SENT,
                attempts=1,
                idempotency_key=new_secret()[:40],
                sent_at=at,
                created_at=at - timedelta(days=6),
                updated_at=at,
            )
        )
    db.session.commit()


def _invited(owner: accounts.Member, study_id: int, participant_id: int, sent: datetime):
    invite = ParticipantInvite(
        workspace_id=owner.workspace_id,
        study_id=study_id,
        participant_id=participant_id,
        token_hash=hash_secret(new_secret()),
        created_by=owner.user_id,
        created_at=sent,
        expires_at=sent + timedelta(days=14),
    )
    db.session.add(invite)
    db.session.commit()
    return invite


def _held(owner, study_id, name, email, start, outcome, rebooked_from=None) -> int:
    status = InterviewStatus.NO_SHOW if outcome == MISSED else InterviewStatus.COMPLETED
    interview_id = scheduling.record_held_interview(
        study_id, name=name, email=email, timezone="UTC", start=start,
        status=status, rebooked_from_id=rebooked_from,
    )  # fmt: skip
    if outcome == CANCEL:
        _cancel(interview_id, start)
    else:
        _reminded(owner.workspace_id, interview_id, email, start)
    return interview_id


def _thanked(owner: accounts.Member, interview_id: int, start: datetime, index: int) -> None:
    reward_id = compensation.owe_for_interview(
        owner.workspace_id, interview_id, start + timedelta(hours=1)
    )
    if reward_id is not None and start < utc_now() - timedelta(days=21):
        settling.settle(
            owner, [reward_id], RewardStatus.SENT,
            method=f"AMZN-DEMO-{index:04d}", now=start + timedelta(days=2),
        )  # fmt: skip


def seed_reports(owner: accounts.Member, study_id: int) -> None:
    """Eleven weeks of history for the dashboard, in the dashboards study and a second,
    consumer study (see the module's docstring for what is written how)."""
    # The designer joins the team to take turns at notes (Lee only views: no notes).
    sent = member_invites.invite_member(owner, email=DESIGNER[1], role=Role.RESEARCHER)
    member_invites.accept_invite(
        sent.link.rsplit("/", 1)[1], name=DESIGNER[0], password=DESIGNER[2]
    )
    members = {m.email: m for m in accounts.members(owner.workspace_id)}
    sam, mina = members["sam@example.com"], members[DESIGNER[1]]
    # The earlier calls' rewards come out of the study's budget: it was set for them.
    budgets.set_budget(owner, study_id, "USD", "1500")
    takers = (sam.user_id, mina.user_id)
    for index, (days_ago, name, company, outcome) in enumerate(B2B):
        start = _weekday(days_ago, 15, 30)
        email = f"{name.lower()}@{company}.example"
        interview_id = _held(owner, study_id, f"{name} ({company})", email, start, outcome)
        summary = team.interview_summary(owner.workspace_id, interview_id)
        invite = _invited(owner, study_id, summary.participant_id, start - timedelta(days=7))
        invite.interview_id, invite.used_at = interview_id, start - timedelta(days=6)
        db.session.commit()
        if outcome != CANCEL:
            notes.assign_note_taker(owner, interview_id, takers[index % 2])
        if outcome == DONE:
            _thanked(owner, interview_id, start, index)
    # People invited who never booked: the ones who did not get round to it.
    for index, (days_ago, _name, company, _) in enumerate(B2B[:UNUSED_INVITES]):
        start = _weekday(days_ago - 1, 9, 0)
        person = participants.record_participant(
            owner.workspace_id, email=f"ops-{index}@{company}.example",
            name=f"Ops lead, {company}", phone="", timezone="UTC", now=start,
        )  # fmt: skip
        db.session.flush()  # its id, for the invite (committed with it)
        participant_id = person.id
        _invited(owner, study_id, participant_id, start)

    draft = replace(CONSUMER_STUDY, host_user_id=sam.user_id, colleague_user_ids=(owner.user_id,))
    consumer = studies.set_status(
        owner, studies.create_study(owner, draft).id, StudyStatus.PUBLISHED
    )
    missed: dict[str, int] = {}
    for index, (days_ago, name, outcome) in enumerate(CONSUMER):
        start = _weekday(days_ago, 16, 30)
        email = f"{name.lower()}@weekend-mail.example"
        rebooked = missed.pop(name) if outcome == "rebook" else None
        outcome = DONE if outcome == "rebook" else outcome
        interview_id = _held(owner, consumer.id, name, email, start, outcome, rebooked)
        if outcome == MISSED:
            missed[name] = interview_id
        if outcome != CANCEL:
            notes.assign_note_taker(owner, interview_id, (owner.user_id, mina.user_id)[index % 2])
        if outcome == DONE:
            _thanked(owner, interview_id, start, 100 + index)


def date_the_findings(owner: accounts.Member) -> None:
    """Give the demo's findings the dates they would have had: each takeaway noted when
    its call ended (not when the demo was seeded), and the shipped output shipped in the
    week before this one, before Mei was told. So the library reads in the order people
    spoke and Dana's digest of last week has takeaways and a shipped output to tell."""
    workspace_id = owner.workspace_id
    ended = dict(
        db.session.execute(
            select(Interview.id, Interview.end_at).where(Interview.workspace_id == workspace_id)
        ).all()
    )
    for takeaway in db.session.scalars(
        select(Takeaway).where(
            Takeaway.workspace_id == workspace_id, Takeaway.interview_id.is_not(None)
        )
    ):
        at = ended.get(takeaway.interview_id)
        if at is not None and at < takeaway.created_at:
            takeaway.created_at = at
    # The Thursday of the week Dana's digest reports on, at noon in her zone.
    zone = team.viewer_timezone(owner.user_id)
    thursday = weekly.due_week(utc_now(), zone) + timedelta(days=3)
    shipped_at = datetime.combine(thursday, time(12), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    for output in db.session.scalars(
        select(MapNode).where(MapNode.workspace_id == workspace_id, MapNode.shipped_at.is_not(None))
    ):
        output.shipped_at = min(output.shipped_at, shipped_at)
    db.session.commit()
