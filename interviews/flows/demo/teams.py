"""The demo's team scheduling: a study two researchers host by turns, whose designer must
be free too, with rooms made for each call; booked through the same flow as the public
page, so who got which booking is the round-robin rule's own answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.flows import booking
from interviews.scheduling import hours
from interviews.scheduling import service as scheduling
from interviews.studies import service as studies
from interviews.studies.models import JoinMode, StudyStatus

ONBOARDING_STUDY = studies.StudyDraft(
    slug="onboarding",
    title="Northwind product interview about the first week",
    host_user_id=0,  # Dana's id when seeding; Sam takes turns with her
    description=(
        "We want to hear how your first week with Northwind went: what you set up, what "
        "you looked for and did not find, and who helped. Whoever of us is free takes the call."
    ),
    duration_minutes=30,
    reward_text="a $20 gift card after the call",
    join_mode=JoinMode.GENERATED,
    note_takers_required=True,
)
BOOKINGS = [
    ("Ravi Patel", "ravi@lumen.example", "+91 22 5550 1234", "Asia/Kolkata"),
    ("Elena Rossi", "elena@stellar.example", "+39 02 5550 7788", "Europe/Rome"),
    ("Tom Becker", "tom@quarry.example", "+49 89 5550 3311", "Europe/Berlin"),
]


def seed_round_robin(owner: accounts.Member) -> None:
    """Sam's hours in London and Mina's in Berlin, then the onboarding study (Dana and Sam
    by turns, Mina taking notes and required to be free) with three bookings."""
    members = {m.email: m for m in accounts.members(owner.workspace_id)}
    sam, mina = members["sam@example.com"], members["mina@example.com"]
    hours.set_availability(
        sam.user_id,
        timezone="Europe/London",
        weekly=[(day, time(9), time(16)) for day in range(4)],  # Monday to Thursday
    )
    hours.set_availability(
        mina.user_id,
        timezone="Europe/Berlin",
        weekly=[(day, time(10), time(18)) for day in range(5)],
    )
    draft = replace(
        ONBOARDING_STUDY,
        host_user_id=owner.user_id,
        rotation_host_user_ids=(sam.user_id,),
        colleague_user_ids=(mina.user_id,),
    )
    study = studies.set_status(owner, studies.create_study(owner, draft).id, StudyStatus.PUBLISHED)
    today = utc_now().date()
    free = booking.public_slots(
        study.slug, today + timedelta(days=1), today + timedelta(days=12), "UTC"
    )
    # A few days apart, so each booking sees the load the earlier ones left.
    for index, (name, email, phone, timezone) in enumerate(BOOKINGS):
        slot = free[(index + 1) * len(free) // (len(BOOKINGS) + 1)]
        booking.book(
            study.slug,
            scheduling.BookingRequest(
                name=name, email=email, phone=phone, timezone=timezone, start=slot.start.isoformat()
            ),
        )
