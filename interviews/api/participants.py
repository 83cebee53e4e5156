"""Team endpoints of the research panel: the list, and one person's data export.

They hang on the team blueprint of api/views.py (same bearer-token check);
interviews/api/__init__.py imports this module so the routes exist whenever the API does.
"""

from __future__ import annotations

from flask import g, jsonify
from pydantic import BaseModel, Field

from interviews.api.contract import Instant, Page, operation
from interviews.api.views import NOT_FOUND, bp
from interviews.clock import utc_now
from interviews.flows import privacy
from interviews.participants import service as participants
from interviews.participants.models import ConsentKind


class Participant(BaseModel):
    id: int
    name: str
    email: str = Field(json_schema_extra={"format": "email"})
    phone: str = Field(description="E.164, or empty")
    timezone: str
    company: str
    role: str
    segment: str
    attributes: dict[str, str] = Field(
        description="What the product knows about them: plan, tenure, tickets ..."
    )
    do_not_contact: bool
    consents: list[ConsentKind] = Field(description="Consents in force")
    created_at: Instant


class ParticipantFacets(BaseModel):
    segment: dict[str, int] = Field(description="People by segment")


class Participants(BaseModel):
    items: list[Participant]
    total: int = Field(ge=0)
    facets: ParticipantFacets


class ParticipantQuery(Page):
    q: str = Field("", description="Words in the name, email, company or role")
    segment: str = Field("", description="An exact segment")


def _participant_json(view: participants.ParticipantView) -> dict:
    return {
        "id": view.id,
        "name": view.name,
        "email": view.email,
        "phone": view.phone,
        "timezone": view.timezone,
        "company": view.company,
        "role": view.role,
        "segment": view.segment,
        "attributes": view.attributes,
        "do_not_contact": view.do_not_contact,
        "consents": [c.kind.value for c in view.consents if c.active],
        "created_at": view.created_at.isoformat(),
    }


@bp.get("/participants")
@operation("listParticipants", ok=(200, Participants, "A page of participants"))
def participant_list(query: ParticipantQuery):
    """The research panel, by name, with segment counts."""
    page = participants.search(
        g.api_member.workspace_id,
        # Longer words than these find nothing more: cut, not refused.
        q=query.q[:200],
        segment=query.segment[:60],
        limit=query.limit,
        offset=query.offset,
    )
    return jsonify(
        items=[_participant_json(p) for p in page.items],
        total=page.total,
        facets={"segment": page.segments},
    )


# --- a data request's export: the same document as participant.json of the download ----


class ExportMade(BaseModel):
    participant_id: int
    workspace: str
    made_at: Instant


class Profile(BaseModel):
    id: int
    name: str
    email: str
    phone: str
    timezone: str
    company: str
    role: str
    segment: str
    attributes: dict[str, str]
    do_not_contact: bool
    do_not_contact_at: Instant | None
    erased_at: Instant | None
    created_at: Instant
    updated_at: Instant


class Consent(BaseModel):
    kind: ConsentKind
    wording: str
    method: str
    given_at: Instant
    withdrawn_at: Instant | None
    recorded_by: str | None


class Answer(BaseModel):
    question: str
    answer: str


class ExportedInterview(BaseModel):
    id: int
    study_id: int
    study_title: str
    start: Instant
    end: Instant
    status: str
    timezone: str
    booked_at: Instant
    answers: list[Answer]
    cancel_reason: str | None
    cancelled_at: Instant | None


class ExportedSection(BaseModel):
    heading: str
    body: str


class ExportedNotes(BaseModel):
    interview_id: int
    study_title: str
    template: str
    sections: list[ExportedSection]
    recording_consent: bool
    recording_consent_at: Instant | None
    recording_url: str
    updated_at: Instant | None


class ExportedTakeaway(BaseModel):
    id: int
    interview_id: int | None
    key: str
    text: str
    quote: str
    tags: list[str]
    source: str
    context: str
    importance: int
    created_at: Instant


class PlannedMessage(BaseModel):
    kind: str
    offset_minutes: int | None
    due_at: Instant
    status: str
    sent_at: Instant | None


class SentEmail(BaseModel):
    kind: str
    subject: str
    text_body: str
    status: str
    created_at: Instant
    sent_at: Instant | None
    attachments: list[str]


class ExportedMessages(BaseModel):
    planned: list[PlannedMessage]
    emails: list[SentEmail]


class ExportedInvite(BaseModel):
    study_id: int
    study_title: str
    created_at: Instant
    expires_at: Instant
    revoked_at: Instant | None
    used_at: Instant | None
    interview_id: int | None


class ParticipantExport(BaseModel):
    """Everything held about one participant."""

    export: ExportMade
    profile: Profile
    consents: list[Consent]
    interviews: list[ExportedInterview]
    notes: list[ExportedNotes]
    takeaways: list[ExportedTakeaway]
    messages: ExportedMessages
    invites: list[ExportedInvite]


@bp.get("/participants/<int:participant_id>/export")
@operation(
    "exportParticipant",
    ok=(200, ParticipantExport, "The participant's data"),
    errors={403: "Viewers cannot export people's data", 404: NOT_FOUND},
)
def participant_export(participant_id: int):
    """Everything held about one participant, for their data request.

    The same document as participant.json in the download from the profile page. Each
    export is written to the workspace's audit trail.
    """
    return jsonify(privacy.export_data(g.api_member, participant_id, now=utc_now()))
