"""The demo workspace a newcomer sees after `make run`.

Built through the same services the pages use, so what it shows is true:
the invites below really went through the mailbox backend.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from interviews.accounts import invites as member_invites
from interviews.accounts import service as accounts
from interviews.accounts.models import User, Workspace
from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.db import db
from interviews.flows import booking
from interviews.flows.demo import maps as demo_maps
from interviews.flows.demo import notes as demo_notes
from interviews.flows.demo import panel as demo_panel
from interviews.flows.demo import reports as demo_reports
from interviews.flows.demo import rewards as demo_rewards
from interviews.flows.demo import teams as demo_teams
from interviews.flows.demo import transcripts as demo_transcripts
from interviews.mail import delivery
from interviews.message_texts import Text
from interviews.messaging import render
from interviews.messaging import service as messaging
from interviews.money import Money, Offer, RewardKind
from interviews.reports import digest
from interviews.scheduling import busy_calendars, hours
from interviews.scheduling import service as scheduling
from interviews.scheduling.models import InterviewStatus
from interviews.studies import service as studies
from interviews.studies.models import JoinMode, StudyStatus

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"
DEMO_WORKSPACE = "Northwind Analytics"

# Teammates who accepted their invites, and one invite still waiting.
TEAMMATES = [
    ("Sam Rivera", "sam@example.com", Role.RESEARCHER),
    ("Lee Chen", "lee@example.com", Role.VIEWER),
]
PENDING_INVITE = ("alex@example.com", Role.RESEARCHER)

DANA_ROOM = "https://meet.example.com/northwind-dana"
DEMO_STUDY = studies.StudyDraft(
    slug="demo",
    title="Northwind product interview about dashboards",
    host_user_id=0,  # set to Dana's id when seeding
    description=(
        "We are redesigning Northwind's dashboards and want to hear how you use them today: "
        "what you check, what you export, and what you wish they showed. No preparation needed."
    ),
    duration_minutes=45,
    join_mode=JoinMode.PERSONAL,  # Dana's own room, set on her profile
    phone_fallback="+49 30 901820",
    reward_text="sent within 3 days of the call",
    offer=Offer(
        RewardKind.GIFT_CARD, Money("USD", Decimal("20.00")), "sent within 3 days of the call"
    ),
    questions=("Which dashboards do you open most often?",),
)
# Dana's work calendar, connected as a busy calendar: served by the app itself in
# development (/dev/demo-calendar.ics), so the background refresh really reads it.
DEMO_CALENDAR_PATH = "/dev/demo-calendar.ics"
DEMO_CALENDAR = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Northwind Analytics//Demo calendar//EN\r
X-WR-CALNAME:Dana (work)\r
X-WR-TIMEZONE:Europe/Berlin\r
BEGIN:VEVENT\r
UID:team-sync@northwind.example\r
DTSTART;TZID=Europe/Berlin:20260106T100000\r
DTEND;TZID=Europe/Berlin:20260106T110000\r
RRULE:FREQ=WEEKLY;BYDAY=TU\r
SUMMARY:Team sync\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:lunch@northwind.example\r
DTSTART:20260105T123000\r
DTEND:20260105T131500\r
RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r
SUMMARY:Lunch\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:offsite@northwind.example\r
DTSTART;VALUE=DATE:20260108\r
DTEND;VALUE=DATE:20260109\r
RRULE:FREQ=MONTHLY;BYDAY=1TH\r
SUMMARY:Product offsite (all day)\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:wfh@northwind.example\r
DTSTART;VALUE=DATE:20260109\r
DTEND;VALUE=DATE:20260110\r
RRULE:FREQ=WEEKLY;BYDAY=FR\r
TRANSP:TRANSPARENT\r
SUMMARY:Working from home (shown as free)\r
END:VEVENT\r
END:VCALENDAR\r
"""

DEMO_THANK_YOU_SUBJECT = "Thank you, {{ participant.name }}!"
DEMO_THANK_YOU = """Hi {{ participant.name }},

Thank you for the time today. Hearing how you really use the dashboards was the most useful
hour of our week: two of the things you showed me are already on our list.
{% if reward %}
Your thank-you, {{ reward }}, follows shortly.
{% endif %}
If anything else comes to mind, just reply: it comes straight to me.

{{ study.host.name }}
"""

# Interviews that already happened, (name, email, zone, days ago, status): five
# completed, two missed, one of whom rebooked from the follow-up and came.
DEMO_HISTORY = [
    ("Mei Lin", "mei@northbank.example", "Asia/Singapore", 16, "completed"),
    ("Tom Okafor", "tom@greenfield.example", "Europe/London", 14, "completed"),
    ("Carlos Mendes", "carlos@solar.example", "America/Sao_Paulo", 12, "no_show"),
    ("Sara Kowalski", "sara@vistula.example", "Europe/Warsaw", 11, "completed"),
    ("Aisha Bello", "aisha@lagoslogistics.example", "Africa/Lagos", 9, "no_show"),
    ("Carlos Mendes", "carlos@solar.example", "America/Sao_Paulo", 8, "completed"),
    ("Ben Fischer", "ben@alpenbahn.example", "Europe/Zurich", 6, "completed"),
]

# Interviewees who already booked, through the same booking service the public page uses.
DEMO_BOOKINGS = [
    ("Priya Natarajan", "priya@acme-retail.example", "+1 415 555 0134", "America/Los_Angeles"),
    ("Jonas Weber", "jonas@stadtwerke.example", "+49 30 2345678", "Europe/Berlin"),
]


@dataclass(frozen=True)
class SeedResult:
    seeded: bool
    message: str


def seed() -> SeedResult:
    """Seed the demo workspace into an empty database; say so and do nothing otherwise."""
    if db.session.scalar(select(User).where(User.email == DEMO_EMAIL)) is not None:
        return SeedResult(False, f"Demo already seeded: log in as {DEMO_EMAIL} / {DEMO_PASSWORD}.")
    if db.session.scalar(select(func.count()).select_from(Workspace)):
        return SeedResult(
            False, "The database already has workspaces; the demo is only seeded into an empty one."
        )

    # The demo's people are made up: its mail stays in the development mailbox whatever
    # MAIL_BACKEND says, and what its past would have sent by now is delivered there
    # before seeding ends, so a later run with a real mail server finds nothing overdue.
    with delivery.mailbox_only():
        _seed_workspace()
        now = utc_now()
        messaging.dispatch_due(now)
        delivery.dispatch_due(now)
    return SeedResult(
        True,
        f"Seeded the {DEMO_WORKSPACE} demo workspace. Log in as {DEMO_EMAIL} / {DEMO_PASSWORD} "
        f"(teammates {', '.join([*(e for _, e, _ in TEAMMATES), demo_reports.DESIGNER[1]])} "
        "use the same password). "
        "Interviewees book at /book/demo.",
    )


def _seed_workspace() -> None:
    owner_user = accounts.sign_up(
        workspace_name=DEMO_WORKSPACE, name="Dana Reyes", email=DEMO_EMAIL, password=DEMO_PASSWORD
    )
    owner = accounts.current_member(owner_user.id, None)
    for name, email, role in TEAMMATES:
        sent = member_invites.invite_member(owner, email=email, role=role)
        member_invites.accept_invite(sent.link.rsplit("/", 1)[1], name=name, password=DEMO_PASSWORD)
    member_invites.invite_member(owner, email=PENDING_INVITE[0], role=PENDING_INVITE[1])
    _seed_study(owner)
    demo_reports.date_the_findings(owner)
    # Dana asked for the weekly digest a while ago, so last week's is in her mailbox.
    digest.set_weekly_digest(owner, True, now=utc_now() - timedelta(days=7))
    digest.send_due(utc_now())


def _seed_hours(owner: accounts.Member) -> None:
    """Dana's weekday hours in Berlin, a day off, a Saturday morning for shift workers,
    her work calendar keeping meetings clear of interviews, and her video room."""
    accounts.set_personal_room(owner.user_id, DANA_ROOM)
    hours.set_availability(
        owner.user_id,
        timezone="Europe/Berlin",
        weekly=[(day, time(9), time(17)) for day in range(5)],
    )
    today = utc_now().date()
    next_monday = today + timedelta(days=7 - today.weekday())
    hours.set_day(owner.user_id, next_monday + timedelta(days=4), [])  # Friday next week off
    hours.set_day(owner.user_id, next_monday + timedelta(days=5), [(time(10), time(13))])
    # The app's own address (127.0.0.1 in development): seeded, not typed, so saving it
    # skips the private-network check; reading it again later needs
    # BUSY_FEED_ALLOW_PRIVATE=true, which `make run` sets.
    calendar_id = busy_calendars.add_busy_calendar(
        owner.user_id, current_app.config["BASE_URL"] + DEMO_CALENDAR_PATH, seeded=True
    )
    # Read now: the server that serves it is not running while the demo is seeded.
    busy_calendars.store_copy(calendar_id, DEMO_CALENDAR)


def _seed_study(owner: accounts.Member) -> None:
    """The published `demo` study with Sam taking notes, and two bookings."""
    _seed_hours(owner)
    sam = next(m for m in accounts.members(owner.workspace_id) if m.email == TEAMMATES[0][1])
    draft = replace(DEMO_STUDY, host_user_id=owner.user_id, colleague_user_ids=(sam.user_id,))
    study = studies.set_status(owner, studies.create_study(owner, draft).id, StudyStatus.PUBLISHED)
    # Dana wrote her own thank-you; the other messages keep the default words.
    studies.set_message_text(
        owner,
        study.id,
        "thank_you",
        Text(DEMO_THANK_YOU_SUBJECT, DEMO_THANK_YOU),
        render.sample_context(study, "thank_you"),
    )
    held = _seed_history(study.id)
    demo_notes.seed_notes(owner, study.id, held)
    demo_rewards.seed_rewards(owner, study.id, held)
    today = utc_now().date()
    free = booking.public_slots(study.slug, today, today + timedelta(days=13), "UTC")
    # Spread out: one soon, one a few days later, leaving plenty of times open.
    for (name, email, phone, timezone), slot in zip(
        DEMO_BOOKINGS, (free[2], free[len(free) // 2]), strict=True
    ):
        booking.book(
            study.slug,
            scheduling.BookingRequest(
                name=name,
                email=email,
                phone=phone,
                timezone=timezone,
                start=slot.start.isoformat(),
                answers=("The weekly revenue dashboard",),
            ),
        )
    demo_panel.seed_panel(owner, study.id)
    nodes = demo_maps.seed_maps(owner)
    demo_transcripts.seed_transcripts(owner, held, nodes)
    demo_reports.seed_reports(owner, study.id)
    demo_teams.seed_round_robin(owner)


def _seed_history(study_id: int) -> list[tuple[int, str, str]]:
    """Past interviews on weekdays (10:00 or 14:00 Berlin): the study page's attendance,
    no-show rate and one no-show recovered through the rebook link. Returns them as
    (interview id, name, status), oldest first."""
    today = utc_now().astimezone(ZoneInfo("Europe/Berlin")).date()
    missed: dict[str, int] = {}
    held: list[tuple[int, str, str]] = []
    for index, (name, email, timezone, days_ago, status) in enumerate(DEMO_HISTORY):
        day = today - timedelta(days=days_ago)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        interview_id = scheduling.record_held_interview(
            study_id,
            name=name,
            email=email,
            timezone=timezone,
            start=datetime.combine(
                day, time(10 if index % 2 else 14), tzinfo=ZoneInfo("Europe/Berlin")
            ),
            status=InterviewStatus(status),
            rebooked_from_id=missed.pop(email, None) if status == "completed" else None,
        )
        if status == "no_show":
            missed[email] = interview_id
        held.append((interview_id, name, status))
    return held
