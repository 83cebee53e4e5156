"""The demo's research panel: what the team knows about the people it talks to.

Seeded through the participant services, like everything in the demo: profiles with
company, role, segment and product attributes; consent with its words; someone who
asked not to be contacted; someone recruited from the panel with a personal invite;
an export and an erasure on request, on the audit log.
"""

from __future__ import annotations

from decimal import Decimal

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.compensation import service as compensation
from interviews.flows import invites as inviting
from interviews.flows import privacy
from interviews.money import Money, Offer, RewardKind
from interviews.participants import consent
from interviews.participants import service as participants
from interviews.participants.models import ConsentKind

# email -> (company, role, segment, attributes): what the product knows about them.
PROFILES = {
    "mei@northbank.example": (
        "Northbank",
        "Finance lead",
        "enterprise",
        {
            "plan": "Enterprise",
            "tenure": "3 years",
            "features used": "exports, API",
            "support tickets": "2 open",
        },
    ),
    "tom@greenfield.example": (
        "Greenfield Farms",
        "Operations manager",
        "smb",
        {"plan": "Team", "tenure": "8 months", "features used": "dashboards"},
    ),
    "carlos@solar.example": (
        "Solar Brasil",
        "Head of data",
        "enterprise",
        {"plan": "Enterprise", "tenure": "2 years", "recent experiment": "scheduled exports beta"},
    ),
    "sara@vistula.example": (
        "Vistula Logistics",
        "Analyst",
        "smb",
        {"plan": "Team", "tenure": "1 year", "support tickets": "0"},
    ),
    "aisha@lagoslogistics.example": (
        "Lagos Logistics",
        "COO",
        "enterprise",
        {"plan": "Trial", "tenure": "3 weeks"},
    ),
    "ben@alpenbahn.example": (
        "Alpenbahn",
        "Product owner",
        "enterprise",
        {"plan": "Enterprise", "tenure": "4 years", "features used": "API, alerts"},
    ),
    "priya@acme-retail.example": (
        "Acme Retail",
        "Store systems lead",
        "smb",
        {"plan": "Pro", "tenure": "1 year", "features used": "weekly revenue dashboard"},
    ),
    "jonas@stadtwerke.example": (
        "Stadtwerke Nord",
        "Controller",
        "public sector",
        {"plan": "Pro", "tenure": "5 months"},
    ),
}

# People on the panel who have not been interviewed yet.
NEW_ON_PANEL = [
    participants.ParticipantDraft(
        name="Hannah Berg",
        email="hannah@fjordfish.example",
        phone="+47 22 12 34 56",
        timezone="Europe/Oslo",
        company="Fjord Fish",
        role="CFO",
        segment="enterprise",
        attributes=(("plan", "Enterprise"), ("tenure", "6 years"), ("support tickets", "1")),
    ),
    participants.ParticipantDraft(
        name="Luis Ortega",
        email="luis@ortega-cafe.example",
        timezone="Europe/Madrid",
        company="Ortega Café",
        role="Owner",
        segment="consumer",
        attributes=(("plan", "Free"), ("tenure", "2 months")),
    ),
    participants.ParticipantDraft(
        name="Grace Kim",
        email="grace@harborhealth.example",
        timezone="America/Chicago",
        company="Harbor Health",
        role="IT admin",
        segment="enterprise",
        attributes=(("plan", "Enterprise"), ("role in buying", "approves every new tool")),
    ),
]


def seed_panel(owner: accounts.Member, study_id: int) -> None:
    """Fill in the panel around the demo study's interviewees and recruit from it."""
    workspace_id = owner.workspace_id
    for email, (company, role, segment, attributes) in PROFILES.items():
        person = participants.find_by_email(workspace_id, email)
        current = participants.get_participant(workspace_id, person.id)
        participants.update_participant(
            owner,
            person.id,
            participants.ParticipantDraft(
                name=current.name,
                email=current.email,
                phone=current.phone,
                timezone=current.timezone,
                company=company,
                role=role,
                segment=segment,
                attributes=tuple(attributes.items()),
            ),
        )
        consent.record_consent(owner, person.id, kind=ConsentKind.RESEARCH, method="booking form")
    mei = participants.find_by_email(workspace_id, "mei@northbank.example")
    consent.record_consent(
        owner,
        mei.id,
        kind=ConsentKind.RECORDING,
        wording="Yes, record it, as long as it stays inside the product team.",
        method="on the call",
    )
    consent.record_consent(owner, mei.id, kind=ConsentKind.CONTACT, method="email")
    added = [participants.create_participant(owner, draft) for draft in NEW_ON_PANEL]
    hannah, luis, _grace = added
    consent.record_consent(owner, hannah.id, kind=ConsentKind.CONTACT, method="email")
    # Luis asked not to be asked again: he cannot be invited or book.
    participants.set_do_not_contact(owner, luis.id, True)
    # Recruiting from the panel: a CFO nobody has talked to yet gets a personal link,
    # with a donation in her name instead of a gift card (an executive's hour is dear).
    compensation.set_override(
        owner,
        study_id,
        hannah.id,
        Offer(
            RewardKind.DONATION,
            Money("USD", Decimal("150.00")),
            "in your name, to the cause you pick",
        ),
    )
    inviting.send_invite(
        owner,
        hannah.id,
        study_id,
        note="You mentioned on the support call that month-end exports take you a day; "
        "I would love to hear how that goes.",
    )
    # Privacy requests, as the audit log shows them: Mei asked what we hold about her;
    # Aisha, who missed her call, asked to be forgotten (her no-show still counts).
    privacy.export_data(owner, mei.id, utc_now())
    aisha = participants.find_by_email(workspace_id, "aisha@lagoslogistics.example")
    privacy.erase(owner, aisha.id, confirm_email=aisha.email, now=utc_now())
