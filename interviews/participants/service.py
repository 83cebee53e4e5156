"""Participant use cases: the panel, profiles, consent, do-not-contact.

Other areas reach participants only through here (and personal invites through
``participants.invites``).
"""
# Stays whole past 400 lines: the one door other areas use to the panel; its reads and writes share the row lookups, the draft checks and the view.

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import func, or_, select

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.dates import parse_timezone
from interviews.db import db
from interviews.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound, refuse_all
from interviews.participants import personal_data
from interviews.participants.models import ConsentKind, Participant, ParticipantInvite
from interviews.participants.rules import (  # noqa: F401 (other areas validate through here)
    MAX_ATTRIBUTE_KEY,
    MAX_ATTRIBUTE_VALUE,
    MAX_ATTRIBUTES,
    InvalidField,
    clean_attributes,
    clean_name,
    normalise_email,
    normalise_phone,
)
from interviews.tokens import hash_secret

PAGE_SIZE = 50


class DoNotContact(InvalidInput):
    """This person asked not to be contacted for research: not invited, not booked."""


@dataclass(frozen=True)
class ConsentView:
    id: int
    kind: ConsentKind
    wording: str
    method: str
    given_at: datetime
    withdrawn_at: datetime | None
    recorded_by: str | None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True)
class ParticipantView:
    """A participant as pages, the API and other areas see them."""

    id: int
    workspace_id: int
    email: str
    name: str
    phone: str
    timezone: str
    company: str
    role: str
    segment: str
    attributes: dict[str, str]
    do_not_contact: bool
    do_not_contact_at: datetime | None
    erased_at: datetime | None
    created_at: datetime
    consents: tuple[ConsentView, ...] = ()

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    def has_consent(self, kind: ConsentKind) -> bool:
        return any(c.kind is kind and c.active for c in self.consents)


def view_of(row: Participant, names: dict[int, str] | None = None) -> ParticipantView:
    """A participant row as the area shows it; ``names`` are members' names by user id."""
    names = names or {}
    return ParticipantView(
        id=row.id,
        workspace_id=row.workspace_id,
        email=row.email,
        name=row.name,
        phone=row.phone,
        timezone=row.timezone,
        company=row.company,
        role=row.role,
        segment=row.segment,
        attributes=dict(row.attributes or {}),
        do_not_contact=row.do_not_contact,
        do_not_contact_at=row.do_not_contact_at,
        erased_at=row.erased_at,
        created_at=row.created_at,
        consents=tuple(
            ConsentView(
                id=c.id,
                kind=c.kind,
                wording=c.wording,
                method=c.method,
                given_at=c.given_at,
                withdrawn_at=c.withdrawn_at,
                recorded_by=names.get(c.recorded_by) if c.recorded_by else None,
            )
            for c in row.consents
        ),
    )


def _row(workspace_id: int, participant_id: int) -> Participant:
    row = db.session.get(Participant, participant_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound("No such participant in this workspace.")
    return row


def editable_row(actor: accounts.Member, participant_id: int) -> Participant:
    """The row an editor may change. Raises Forbidden, NotFound, Conflict (erased)."""
    if not actor.can_edit:
        raise Forbidden("Viewers can read the panel but not change it.")
    row = _row(actor.workspace_id, participant_id)
    if row.erased_at is not None:
        raise Conflict("This participant was erased on request; nothing about them can be added.")
    return row


# --- reading the panel ---------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantPage:
    items: list[ParticipantView]
    total: int
    # Segment -> how many participants, across the whole panel (for the filter).
    segments: dict[str, int]


def segments_of_people(workspace_id: int):
    """A subquery of the panel's segments, (participant_id, segment), for other areas'
    queries to join or filter on: the library's segment facet and filter use it."""
    return (
        select(Participant.id.label("participant_id"), Participant.segment.label("segment"))
        .where(Participant.workspace_id == workspace_id, Participant.segment != "")
        .subquery("participant_segment")
    )


def search(
    workspace_id: int,
    *,
    q: str = "",
    segment: str = "",
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> ParticipantPage:
    """The panel, by name: ``q`` matches name, email, company or role (any case);
    ``segment`` is an exact segment. Erased participants are left out."""
    where = [Participant.workspace_id == workspace_id, Participant.erased_at.is_(None)]
    words = q.strip().lower().split()
    for word in words[:5]:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        where.append(
            or_(
                func.lower(Participant.name).like(pattern),
                Participant.email.like(pattern),
                func.lower(Participant.company).like(pattern),
                func.lower(Participant.role).like(pattern),
            )
        )
    if segment:
        where.append(Participant.segment == segment)
    total = db.session.scalar(select(func.count()).select_from(Participant).where(*where))
    rows = db.session.scalars(
        select(Participant)
        .where(*where)
        .order_by(func.lower(Participant.name), Participant.id)
        .limit(max(1, min(limit, 500)))
        .offset(max(0, offset))
    ).all()
    segments = dict(
        db.session.execute(
            select(Participant.segment, func.count())
            .where(
                Participant.workspace_id == workspace_id,
                Participant.erased_at.is_(None),
                Participant.segment != "",
            )
            .group_by(Participant.segment)
            .order_by(Participant.segment)
        ).all()
    )
    return ParticipantPage([view_of(r) for r in rows], total or 0, segments)


def get_participant(workspace_id: int, participant_id: int) -> ParticipantView:
    """One participant of this workspace, with their consent history. Raises NotFound."""
    row = _row(workspace_id, participant_id)
    names = {m.user_id: m.name for m in accounts.members(workspace_id)}
    return view_of(row, names)


@dataclass(frozen=True)
class ParticipantRef:
    """Who a takeaway or note is from, as other areas see them."""

    id: int
    name: str
    email: str


def find_by_email(workspace_id: int, email: str) -> ParticipantRef | None:
    """The workspace's participant with this email (any case), or None."""
    participant = _by_email(workspace_id, email)
    return (
        ParticipantRef(participant.id, participant.name, participant.email) if participant else None
    )


def _by_email(workspace_id: int, email: str) -> Participant | None:
    return db.session.scalar(
        select(Participant).where(
            Participant.workspace_id == workspace_id,
            Participant.email == email.strip().lower(),
        )
    )


def refs(workspace_id: int, ids: set[int]) -> dict[int, ParticipantRef]:
    """Several of the workspace's participants by id (others' ids are left out)."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(Participant.id, Participant.name, Participant.email).where(
            Participant.workspace_id == workspace_id, Participant.id.in_(ids)
        )
    )
    return {id_: ParticipantRef(id_, name, email) for id_, name, email in rows}


def naming_words(workspace_id: int, people) -> list[str]:
    """Every word that names these people (``people``: a query of participant ids;
    personal_data.erasure_words: names, emails, phones, companies), erased people left
    out: what a report shared without names withholds. Reads four columns per person,
    for the thousands behind a big map."""
    words: list[str] = []
    for name, email, phone, company in db.session.execute(
        select(Participant.name, Participant.email, Participant.phone, Participant.company).where(
            Participant.workspace_id == workspace_id,
            Participant.id.in_(people),
            Participant.erased_at.is_(None),
        )
    ):
        words += _words_naming(name, email, phone, company)
    return words


@lru_cache(maxsize=50_000)
def _words_naming(name: str, email: str, phone: str, company: str) -> tuple[str, ...]:
    """erasure_words of one person, remembered by what they are made from (a pure
    function: a big map's report asks for the same thousands of people every time, and
    reading phone numbers in every format is most of the cost)."""
    return tuple(personal_data.erasure_words(name=name, email=email, phone=phone, company=company))


def profile_facts(workspace_id: int, participant_id: int) -> list[tuple[str, str]]:
    """What we know about a participant, as (label, value) lines for prep before a call."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.workspace_id != workspace_id:
        return []
    facts = [("Email", participant.email), ("Time zone", participant.timezone)]
    if participant.phone:
        facts.append(("Phone", participant.phone))
    for label, value in (
        ("Company", participant.company),
        ("Role", participant.role),
        ("Segment", participant.segment),
    ):
        if value:
            facts.append((label, value))
    facts.extend((key, value) for key, value in (participant.attributes or {}).items() if value)
    return facts


# --- changing the panel --------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantDraft:
    """What a PM types on a profile. ``attributes`` are (key, value) pairs in order."""

    name: str
    email: str
    phone: str = ""
    timezone: str = "UTC"
    company: str = ""
    role: str = ""
    segment: str = ""
    attributes: tuple[tuple[str, str], ...] = ()


# The longest value each profile input takes, as typed: the columns hold these (phone is
# stored as E.164, at most 16 characters, but typed with spaces, brackets and dashes).
# The profile form renders them as its inputs' maxlength.
LIMITS = {
    "name": 120,
    "email": 254,
    "phone": 40,
    "company": 120,
    "role": 120,
    "segment": 60,
    "timezone": 64,
}
LABELS = {
    "name": "Name",
    "email": "Email",
    "phone": "Phone",
    "company": "Company",
    "role": "Role",
    "segment": "Segment",
    "timezone": "Time zone",
}


def _too_long(name: str) -> InvalidInput:
    return InvalidInput(f"{LABELS[name]} can be at most {LIMITS[name]} characters.", field=name)


def _cleaned(draft: ParticipantDraft, problems: list[InvalidInput]) -> dict:
    """The draft's fields as stored; each problem found goes on ``problems``, at its field.
    An attribute's problem is at ``attribute-key-N`` or ``attribute-value-N``, N counting
    the draft's pairs from 1 (the rows of the profile form)."""
    fields: dict = {}
    for name, clean in (
        ("name", clean_name),
        ("email", normalise_email),
        ("phone", normalise_phone),
    ):
        typed = getattr(draft, name) or ""
        if len(" ".join(typed.split()) if name == "name" else typed.strip()) > LIMITS[name]:
            problems.append(_too_long(name))
            continue
        try:
            fields[name] = clean(typed)
        except InvalidField as error:
            problems.append(InvalidInput(error.message, field=error.field))
    for name in ("company", "role", "segment"):
        fields[name] = " ".join((getattr(draft, name) or "").split())
        if len(fields[name]) > LIMITS[name]:
            problems.append(_too_long(name))
    try:
        fields["timezone"] = parse_timezone(draft.timezone or "UTC")
    except InvalidInput as problem:
        problems.append(problem)
    fields["attributes"] = _cleaned_attributes(draft.attributes, problems)
    return fields


def _cleaned_attributes(
    pairs: tuple[tuple[str, str], ...], problems: list[InvalidInput]
) -> dict[str, str]:
    found = len(problems)
    keys: list[str] = []
    for n, (key, value) in enumerate(pairs, start=1):
        key, value = " ".join((key or "").split()), (value or "").strip()
        if len(key) > MAX_ATTRIBUTE_KEY:
            problems.append(
                InvalidInput(
                    f"Attribute {n} can be at most {MAX_ATTRIBUTE_KEY} characters.",
                    field=f"attribute-key-{n}",
                )
            )
        elif not key and value:
            # Dropping it would lose what they typed without a word.
            problems.append(
                InvalidInput(
                    f"Attribute {n} has a value but no name: name it, or clear its value.",
                    field=f"attribute-key-{n}",
                )
            )
        if len(value) > MAX_ATTRIBUTE_VALUE:
            problems.append(
                InvalidInput(
                    f"The value of attribute {n} can be at most {MAX_ATTRIBUTE_VALUE} characters.",
                    field=f"attribute-value-{n}",
                )
            )
        if key and key not in keys:
            keys.append(key)
            if len(keys) == MAX_ATTRIBUTES + 1:
                problems.append(
                    InvalidInput(
                        f"Attribute {n}: a profile holds at most {MAX_ATTRIBUTES} attributes.",
                        field=f"attribute-key-{n}",
                    )
                )
    if len(problems) > found:
        return {}
    return clean_attributes(list(pairs))


def _checked(workspace_id: int, draft: ParticipantDraft, participant_id: int | None = None) -> dict:
    """The draft's fields as stored, or InvalidInput with every problem at once (its
    ``problems``), an email address someone else on the panel has among them."""
    problems: list[InvalidInput] = []
    fields = _cleaned(draft, problems)
    if "email" in fields:
        other = _by_email(workspace_id, fields["email"])
        if other is not None and other.id != participant_id:
            said = (
                "is already on the panel"
                if participant_id is None
                else "belongs to someone else on the panel"
            )
            problems.append(InvalidInput(f"The email {fields['email']} {said}.", field="email"))
    # Listed in the order the form shows its inputs (LIMITS' order), attributes last.
    order = list(LIMITS)
    refuse_all(sorted(problems, key=lambda p: order.index(p.field) if p.field in order else 99))
    return fields


def create_participant(actor: accounts.Member, draft: ParticipantDraft) -> ParticipantView:
    """Add someone to the panel by hand. Raises Forbidden, InvalidInput with every
    problem of the draft (the email already on the panel among them)."""
    if not actor.can_edit:
        raise Forbidden("Viewers can read the panel but not change it.")
    fields = _checked(actor.workspace_id, draft)
    now = utc_now()
    row = Participant(workspace_id=actor.workspace_id, created_at=now, updated_at=now, **fields)
    db.session.add(row)
    db.session.commit()
    return view_of(row)


def update_participant(
    actor: accounts.Member, participant_id: int, draft: ParticipantDraft
) -> ParticipantView:
    """Edit a profile. Raises Forbidden, NotFound, Conflict (the person was erased),
    InvalidInput with every problem of the draft (an email someone else has among them)."""
    row = editable_row(actor, participant_id)
    fields = _checked(actor.workspace_id, draft, row.id)
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_at = utc_now()
    db.session.commit()
    return view_of(row)


def set_do_not_contact(
    actor: accounts.Member, participant_id: int, do_not_contact: bool
) -> ParticipantView:
    """Mark (or unmark) someone who asked not to be contacted: they cannot be invited
    or book. Raises Forbidden, NotFound, Conflict."""
    row = editable_row(actor, participant_id)
    if row.do_not_contact != do_not_contact:
        now = utc_now()
        row.do_not_contact = do_not_contact
        row.do_not_contact_at = now if do_not_contact else None
        row.updated_at = now
        db.session.commit()
    return view_of(row)


# --- for booking (called inside the booking flow's transaction) ----------------------------


def ensure_contactable(workspace_id: int, email: str) -> None:
    """Refuse a booking or invite for someone who asked not to be contacted.
    Raises DoNotContact."""
    row = _by_email(workspace_id, email)
    if row is not None and row.do_not_contact:
        raise DoNotContact(
            "This address asked not to be contacted for research, so it cannot be booked. "
            "If that has changed, reply to the team's email to reach them.",
            field="email",
        )


def record_participant(
    workspace_id: int, *, email: str, name: str, phone: str, timezone: str, now: datetime
) -> Participant:
    """The workspace's participant with this email, created or updated with what they gave.

    Adds to the caller's transaction (a booking); the caller commits.
    """
    email = email.strip().lower()
    participant = _by_email(workspace_id, email)
    if participant is None:
        participant = Participant(workspace_id=workspace_id, email=email, created_at=now)
        db.session.add(participant)
    participant.name = name
    if phone:
        participant.phone = phone
    participant.timezone = timezone
    participant.updated_at = now
    return participant


# --- personal invites, as booking sees them --------------------------------------------------


@dataclass(frozen=True)
class InvitedPerson:
    """Who a personal booking link is for."""

    invite_id: int
    participant_id: int
    name: str
    email: str
    phone: str


def _live_invite(token: str, study_id: int, now: datetime) -> ParticipantInvite:
    invite = db.session.scalar(
        select(ParticipantInvite).where(ParticipantInvite.token_hash == hash_secret(token or ""))
    )
    if invite is None or invite.study_id != study_id:
        raise NotFound("This personal booking link is not valid. Pick a time on the study's page.")
    if invite.used_at is not None:
        raise Gone(
            "This personal link was already used to book a call. The confirmation email has "
            "a link to move or cancel it."
        )
    if invite.revoked_at is not None or invite.expires_at <= now:
        raise Gone("This personal booking link has expired. Reply to the invitation for a new one.")
    return invite


def invited_person(token: str, study_id: int, now: datetime | None = None) -> InvitedPerson:
    """Whom a personal booking link of this study is for. Raises NotFound (not a link of
    this study), Gone (used, withdrawn or expired), DoNotContact."""
    invite = _live_invite(token, study_id, now or utc_now())
    row = db.session.get(Participant, invite.participant_id)
    if row.do_not_contact or row.erased_at is not None:
        raise DoNotContact(
            "This link can no longer be used to book. Reply to the invitation to reach the team."
        )
    return InvitedPerson(invite.id, row.id, row.name, row.email, row.phone)


def use_invite(token: str, study_id: int, interview_id: int, now: datetime) -> None:
    """Mark a personal link used by this booking, in the caller's transaction: it books
    once. Raises like ``invited_person``."""
    invite = _live_invite(token, study_id, now)
    invite.used_at, invite.interview_id = now, interview_id
