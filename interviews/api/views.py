"""Team endpoints (bearer token, scoped to the token's workspace) and the OpenAPI document.

The team blueprint lives here; notes.py, participants.py, rewards.py, maps.py and
reports.py add their routes to it (interviews/api/__init__.py imports them).
"""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint, current_app, g, jsonify, request
from pydantic import BaseModel, Field, RootModel

from interviews.accounts import api_tokens
from interviews.accounts import service as accounts
from interviews.accounts.rules import Role
from interviews.api.contract import (
    Amount,
    Currency,
    Id,
    Instant,
    Query,
    QueryInstant,
    document,
    operation,
)
from interviews.errors import Unauthorized
from interviews.flows import attendance as attending
from interviews.message_plan import Audience, MessageKind
from interviews.messaging import planned
from interviews.money import RewardKind
from interviews.scheduling import team
from interviews.scheduling.models import InterviewStatus
from interviews.storable_text import refuse_unstorable_text
from interviews.studies import service as studies
from interviews.studies.models import JoinMode, StudyStatus

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Endpoints anyone may read: the contract itself.
PUBLIC_ENDPOINTS = {"api.openapi"}
NOT_FOUND = "No such thing in this workspace"


@bp.before_request
def authenticate() -> None:
    """Every team endpoint speaks for the token's member; no cookies here."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send an API token: Authorization: Bearer <token>.")
    g.api_member = api_tokens.member_for_api_token(secret.strip())
    # app.py's guard leaves this blueprint to here: the token answers first (401).
    refuse_unstorable_text()


# --- who: the token, the workspace's members ---------------------------------------------


class Named(BaseModel):
    id: int
    name: str


class User(Named):
    email: str = Field(json_schema_extra={"format": "email"})


class Me(BaseModel):
    user: User
    workspace: Named
    role: Role


class Member(BaseModel):
    id: int = Field(description="Membership id")
    user_id: int
    name: str
    email: str = Field(json_schema_extra={"format": "email"})
    role: Role


class Members(BaseModel):
    items: list[Member]
    total: int = Field(ge=0)


@bp.get("/me")
@operation("getMe", ok=(200, Me, "The token's user, workspace and role"))
def me():
    """Who this token speaks for, and in which workspace."""
    member: accounts.Member = g.api_member
    return jsonify(
        user={"id": member.user_id, "email": member.email, "name": member.name},
        workspace={"id": member.workspace_id, "name": member.workspace_name},
        role=member.role.value,
    )


def _member_json(member: accounts.Member) -> dict:
    return {
        "id": member.membership_id,
        "user_id": member.user_id,
        "name": member.name,
        "email": member.email,
        "role": member.role.value,
    }


@bp.get("/members")
@operation("listMembers", ok=(200, Members, "All members"))
def members():
    """The workspace's members."""
    listed = accounts.members(g.api_member.workspace_id)
    return jsonify(items=[_member_json(m) for m in listed], total=len(listed))


@bp.get("/members/<int:member_id>")
@operation("getMember", ok=(200, Member, "The member"), errors={404: NOT_FOUND})
def member(member_id: int):
    """One member of the workspace; another workspace's ids answer 404."""
    return jsonify(_member_json(accounts.get_member(g.api_member.workspace_id, member_id)))


class OpenApiDocument(RootModel[dict[str, Any]]):
    """An OpenAPI 3.1 document."""


@bp.get("/openapi.json")
@operation("getOpenApi", ok=(200, OpenApiDocument, "The OpenAPI 3.1 document"), public=True)
def openapi():
    """This document: every endpoint that exists, with what it takes and answers."""
    return jsonify(document(current_app.config["BASE_URL"]))


# --- studies -----------------------------------------------------------------------------


class StudyLimits(BaseModel):
    notice_minutes: int
    horizon_days: int
    max_per_day: int
    buffer_minutes: int
    step_minutes: int


class StudyOffer(BaseModel):
    """What a study promises as a thank-you (a person may have their own)."""

    text: str = Field(description="The offer's own words")
    kind: RewardKind
    amount: Amount | None = Field(description="null: nothing with an amount")
    currency: Currency | None
    description: str = Field(
        description='As interviewees read it: "a $20.00 gift card (Amazon or REI)"'
    )


class Study(BaseModel):
    id: int
    slug: str
    title: str
    description: str
    status: StudyStatus
    booking_url: str = Field(json_schema_extra={"format": "uri"})
    host: User
    hosts: list[User] = Field(
        description="Everyone taking turns to host its bookings (round robin), host first; "
        "one: a single host"
    )
    colleagues: list[User]
    note_takers_required: bool = Field(
        description="Only times when every colleague (note-taker) is free too are offered"
    )
    duration_minutes: int
    meeting_url: str
    join_mode: JoinMode = Field(
        description="Where each interview's join link comes from: the fixed meeting_url, "
        "each host's own video room, or a new room generated per interview"
    )
    phone_fallback: str
    phone_required: bool
    questions: list[str]
    limits: StudyLimits
    reward: StudyOffer


class Studies(BaseModel):
    items: list[Study]
    total: int = Field(ge=0)


def _study_json(study: studies.StudyView) -> dict:
    limits = study.limits
    return {
        "id": study.id,
        "slug": study.slug,
        "title": study.title,
        "description": study.description,
        "status": study.status.value,
        "booking_url": f"{current_app.config['BASE_URL']}/book/{study.slug}",
        "host": {"id": study.host.user_id, "name": study.host.name, "email": study.host.email},
        "hosts": [{"id": h.user_id, "name": h.name, "email": h.email} for h in study.hosts],
        "colleagues": [
            {"id": c.user_id, "name": c.name, "email": c.email} for c in study.colleagues
        ],
        "note_takers_required": study.note_takers_required,
        "duration_minutes": study.duration_minutes,
        "meeting_url": study.meeting_url,
        "join_mode": study.join_mode.value,
        "phone_fallback": study.phone_fallback,
        "phone_required": study.phone_required,
        "questions": list(study.questions),
        "limits": {
            "notice_minutes": int(limits.notice.total_seconds() // 60),
            "horizon_days": limits.horizon.days,
            "max_per_day": limits.max_per_day,
            "buffer_minutes": int(limits.buffer.total_seconds() // 60),
            "step_minutes": int(limits.step.total_seconds() // 60),
        },
        "reward": {
            "text": study.reward_text,
            "kind": study.offer.kind.value,
            "amount": str(study.offer.money) if study.offer.money else None,
            "currency": study.offer.money.currency if study.offer.money else None,
            "description": study.offer.describe(),
        },
    }


@bp.get("/studies")
@operation("listStudies", ok=(200, Studies, "All studies"))
def study_list():
    """The workspace's studies, newest first."""
    found = studies.list_studies(g.api_member.workspace_id)
    return jsonify(items=[_study_json(s) for s in found], total=len(found))


@bp.get("/studies/<int:study_id>")
@operation("getStudy", ok=(200, Study, "The study"), errors={404: NOT_FOUND})
def study(study_id: int):
    """One study: slug, host, duration, limits, reward offer."""
    return jsonify(_study_json(studies.get_study(g.api_member.workspace_id, study_id)))


# --- interviews and their messages -------------------------------------------------------


class InterviewParticipant(Named):
    email: str
    phone: str


class Interview(BaseModel):
    id: int
    study_id: int
    study_title: str
    participant: InterviewParticipant
    host: Named
    start: Instant
    end: Instant
    status: InterviewStatus
    timezone: str = Field(description="The participant's zone")
    join_url: str = Field(
        description='Where the call is joined (http(s)); "" for none: a phone call, or a '
        "cancelled interview"
    )


class Interviews(BaseModel):
    items: list[Interview]
    total: int = Field(ge=0)


class InterviewQuery(Query):
    status: InterviewStatus | None = None
    study_id: Id | None = None
    from_: QueryInstant | None = Field(
        None,
        alias="from",
        description="Interviews ending after this instant (ISO 8601, 2000 to 2100; a bare "
        "date is UTC midnight)",
    )
    to: QueryInstant | None = Field(
        None, description="Interviews starting before this instant (2000 to 2100)"
    )


def _interview_json(item: team.InterviewSummary) -> dict:
    return {
        "id": item.id,
        "study_id": item.study_id,
        "study_title": item.study_title,
        "participant": {
            "id": item.participant_id,
            "name": item.participant_name,
            "email": item.participant_email,
            "phone": item.participant_phone,
        },
        "host": {"id": item.host_id, "name": item.host_name},
        "start": item.start.isoformat(),
        "end": item.end.isoformat(),
        "status": item.status.value,
        "timezone": item.timezone,
        "join_url": item.join_url,
    }


@bp.get("/interviews")
@operation("listInterviews", ok=(200, Interviews, "Matching interviews"))
def interview_list(query: InterviewQuery):
    """Interviews, soonest first, filtered by status, study and time."""
    found = team.list_interviews(
        g.api_member.workspace_id,
        status=query.status,
        study_id=query.study_id,
        start=query.from_,
        end=query.to,
    )
    return jsonify(items=[_interview_json(i) for i in found], total=len(found))


class Attendance(BaseModel):
    status: Literal["joined", "no_show", "completed"]


@bp.post("/interviews/<int:interview_id>/attendance")
@operation(
    "markAttendance",
    ok=(200, Interview, "The interview, with its new status"),
    errors={
        403: "Viewers cannot change interviews",
        404: NOT_FOUND,
        409: "The interview was cancelled, or has not started yet",
    },
)
def attendance(interview_id: int, json: Attendance):
    """Say how the interview went; follow-ups and the thank-you follow."""
    summary = attending.mark_attendance_by_member(g.api_member, interview_id, json.status)
    return jsonify(_interview_json(summary))


class OutboxMessage(BaseModel):
    id: int
    kind: MessageKind
    audience: Audience
    recipient: str
    offset_minutes: int | None = Field(description="Reminders: minutes before the start")
    due_at: Instant
    status: Literal["pending", "sent", "failed", "void"]
    sent_at: Instant | None
    attempts: int
    error: str | None


@bp.get("/interviews/<int:interview_id>/messages")
@operation(
    "listInterviewMessages",
    ok=(200, list[OutboxMessage], "Every message planned for the interview, in due order"),
    errors={404: NOT_FOUND},
)
def interview_messages(interview_id: int):
    """The interview's outbox: confirmation, reminders, follow-ups, thank-you."""
    plan = planned.messages_of(g.api_member.workspace_id, interview_id)
    return jsonify(
        [
            {
                "id": item.id,
                "kind": item.kind,
                "audience": item.audience,
                "recipient": item.recipient,
                "offset_minutes": item.offset_minutes,
                "due_at": item.due_at.isoformat(),
                "status": item.shown_status,
                "sent_at": item.sent_at.isoformat() if item.sent_at else None,
                "attempts": item.attempts,
                "error": item.error,
            }
            for item in plan
        ]
    )
