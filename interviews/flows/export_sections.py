"""What a participant's data export holds: one section per kind of data kept about a
person, each read through the service of the area that keeps it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from interviews.accounts import service as accounts
from interviews.compensation import service as compensation
from interviews.db import db
from interviews.mail import service as mail
from interviews.maps import loop as closing
from interviews.messaging import service as messaging
from interviews.notes import service as notes
from interviews.notes import transcripts
from interviews.participants.models import Participant, ParticipantInvite
from interviews.scheduling import person_records
from interviews.studies import service as studies


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Person:
    """What every export section reads from: the row and their interviews, loaded once."""

    workspace_id: int
    row: Participant
    interviews: list[person_records.ParticipantInterview]

    @property
    def interview_ids(self) -> list[int]:
        return [i.id for i in self.interviews]


def _profile(person: Person) -> dict[str, Any]:
    row = person.row
    return {
        "id": row.id,
        "name": row.name,
        "email": row.email,
        "phone": row.phone,
        "timezone": row.timezone,
        "company": row.company,
        "role": row.role,
        "segment": row.segment,
        "attributes": dict(row.attributes or {}),
        "do_not_contact": row.do_not_contact,
        "do_not_contact_at": iso(row.do_not_contact_at),
        "erased_at": iso(row.erased_at),
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


def _consents(person: Person) -> list[dict[str, Any]]:
    names = {m.user_id: m.name for m in accounts.members(person.workspace_id)}
    return [
        {
            "kind": c.kind.value,
            "wording": c.wording,
            "method": c.method,
            "given_at": iso(c.given_at),
            "withdrawn_at": iso(c.withdrawn_at),
            "recorded_by": names.get(c.recorded_by) if c.recorded_by else None,
        }
        for c in person.row.consents
    ]


def _interviews(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "id": i.id,
            "study_id": i.study_id,
            "study_title": i.study_title,
            "start": iso(i.start),
            "end": iso(i.end),
            "status": i.status.value,
            "timezone": i.timezone,
            "booked_at": iso(i.booked_at),
            "answers": i.answers,
            "cancel_reason": i.cancel_reason,
            "cancelled_at": iso(i.cancelled_at),
        }
        for i in person.interviews
    ]


def notes_of(person: Person) -> list[notes.NotesView]:
    """The notes of their interviews that hold anything: some text, or a recording."""
    views = [notes.notes_of(person.workspace_id, i) for i in person.interview_ids]
    return [v for v in views if not v.empty or v.recording_url]


def _notes(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "interview_id": view.interview.id,
            "study_title": view.interview.study_title,
            "template": view.template_name,
            "sections": [
                {"heading": s.heading, "body": s.body} for s in view.sections if s.body.strip()
            ],
            "recording_consent": view.recording_consent,
            "recording_consent_at": iso(view.recording_consent_at),
            "recording_url": view.recording_url,
            "updated_at": iso(view.updated_at),
        }
        for view in notes_of(person)
    ]


def _takeaways(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "id": t.id,
            "interview_id": t.interview_id,
            "key": t.key,
            "text": t.text,
            "quote": t.quote,
            "tags": list(t.tags),
            "source": t.source.value,
            "context": t.context,
            "importance": t.importance,
            "created_at": iso(t.created_at),
            "said_at": t.moment.start if t.moment else None,
        }
        for t in notes.takeaways_from_participant(person.workspace_id, person.row.id)
    ]


def _transcripts(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "interview_id": view.interview_id,
            "speakers": [{"name": n, "role": r} for n, r in view.speakers.items()],
            "segments": [
                {"start": s.start, "end": s.end, "speaker": s.speaker, "text": s.text}
                for s in view.segments
            ],
            "updated_at": iso(view.updated_at),
        }
        for view in transcripts.transcripts_for_export(person.workspace_id, person.interview_ids)
    ]


def _rewards(person: Person) -> dict[str, Any]:
    return {
        "rewards": [
            {
                "id": r.id,
                "interview_id": r.interview_id,
                "study_title": r.study_title,
                "kind": r.kind.value,
                "amount": str(r.money),
                "currency": r.money.currency,
                "status": r.status.value,
                "method": r.method_masked,
                "note": r.note,
                "owed_at": iso(r.owed_at),
                "settled_at": iso(r.settled_at),
                "history": [
                    {
                        "at": iso(e.at),
                        "from": e.from_status.value if e.from_status else None,
                        "to": e.to_status.value,
                        "by": e.actor_name or "the desk",
                        "note": e.note,
                    }
                    for e in r.history
                ],
            }
            for r in compensation.rewards_of_participant(person.workspace_id, person.row.id)
        ],
        "own_offers": [
            {"study_title": o.study_title, "offer": o.offer.describe()}
            for o in compensation.overrides_of(person.workspace_id, person.row.id)
        ],
    }


def _messages(person: Person) -> dict[str, list[dict[str, Any]]]:
    planned = messaging.messages_to_participant(person.interview_ids)
    emails = mail.messages_to(person.workspace_id, person.row.email)
    return {
        "planned": [
            {
                "kind": m.kind,
                "offset_minutes": m.offset_minutes,
                "due_at": iso(m.due_at),
                "status": m.shown_status,
                "sent_at": iso(m.sent_at),
            }
            for m in planned
        ],
        "emails": [
            {
                "kind": e.kind,
                "subject": e.subject,
                "text_body": e.text_body,
                "status": e.status,
                "created_at": iso(e.created_at),
                "sent_at": iso(e.sent_at),
                "attachments": [a.filename for a in e.attachments],
            }
            for e in emails
        ],
    }


def _invites(person: Person) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(ParticipantInvite)
        .where(ParticipantInvite.participant_id == person.row.id)
        .order_by(ParticipantInvite.id)
    ).all()
    titles = {
        i: studies.get_study(person.workspace_id, i).title for i in {r.study_id for r in rows}
    }
    return [
        {
            "study_id": r.study_id,
            "study_title": titles[r.study_id],
            "created_at": iso(r.created_at),
            "expires_at": iso(r.expires_at),
            "revoked_at": iso(r.revoked_at),
            "used_at": iso(r.used_at),
            "interview_id": r.interview_id,
        }
        for r in rows
    ]


@dataclass(frozen=True)
class Section:
    """One part of a data export: its key in participant.json, what it holds (for
    README.txt) and how it is collected. Data about people that another area keeps
    (rewards, say) is one more Section in SECTIONS, collected through that area's
    service: nothing else in the export changes."""

    key: str
    holds: str  # for README.txt
    collect: Callable[[Person], Any]


# participant.json has one key per section, in this order; README.txt lists each.
SECTIONS: tuple[Section, ...] = (
    Section("profile", "who you are: name, email, phone, company, role, attributes", _profile),
    Section("consents", "each consent you gave, in the words you agreed to, and when", _consents),
    Section(
        "interviews", "your interviews: study, times, status, your booking answers", _interviews
    ),
    Section("notes", "the notes taken in your interviews, and recording links", _notes),
    Section(
        "transcripts", "the transcripts of your recorded interviews, word for word", _transcripts
    ),
    Section("takeaways", "what the team learned from you, with quotes and tags", _takeaways),
    Section(
        "messages", "reminders and follow-ups planned for you, and emails sent to you", _messages
    ),
    Section("invites", "personal booking links made for you", _invites),
    Section("rewards", "the thank-you rewards owed or given to you, and their history", _rewards),
    Section(
        "told_when_shipped",
        "the notes the team sent you when something you asked for was built",
        lambda person: closing.notes_to(person.workspace_id, person.row.id),
    ),
)
