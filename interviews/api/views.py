"""Team endpoints (bearer token, scoped to the token's workspace) and the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, g, jsonify, request

from interviews.accounts import service as accounts
from interviews.api.openapi import openapi_document
from interviews.db import MAX_ID
from interviews.errors import InvalidInput, Unauthorized
from interviews.scheduling import team
from interviews.scheduling.models import InterviewStatus
from interviews.studies import service as studies

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Endpoints anyone may read: the contract itself.
PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def authenticate() -> None:
    """Every team endpoint speaks for the token's member; no cookies here."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send an API token: Authorization: Bearer <token>.")
    g.api_member = accounts.member_for_api_token(secret.strip())


def _member_json(member: accounts.Member) -> dict:
    return {
        "id": member.membership_id,
        "user_id": member.user_id,
        "name": member.name,
        "email": member.email,
        "role": member.role.value,
    }


@bp.get("/me")
def me():
    """Who this token speaks for, and in which workspace."""
    member: accounts.Member = g.api_member
    return jsonify(
        user={"id": member.user_id, "email": member.email, "name": member.name},
        workspace={"id": member.workspace_id, "name": member.workspace_name},
        role=member.role.value,
    )


@bp.get("/members")
def members():
    """The workspace's members."""
    listed = accounts.members(g.api_member.workspace_id)
    return jsonify(items=[_member_json(m) for m in listed], total=len(listed))


@bp.get("/members/<int:member_id>")
def member(member_id: int):
    """One member of the workspace; another workspace's ids answer 404."""
    return jsonify(_member_json(accounts.get_member(g.api_member.workspace_id, member_id)))


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document describing every endpoint that exists."""
    return jsonify(openapi_document(current_app.config["BASE_URL"], current_app.url_map))


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
        "colleagues": [
            {"id": c.user_id, "name": c.name, "email": c.email} for c in study.colleagues
        ],
        "duration_minutes": study.duration_minutes,
        "meeting_url": study.meeting_url,
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
        "reward": {"text": study.reward_text},
    }


@bp.get("/studies")
def study_list():
    """The workspace's studies, newest first."""
    found = studies.list_studies(g.api_member.workspace_id)
    return jsonify(items=[_study_json(s) for s in found], total=len(found))


@bp.get("/studies/<int:study_id>")
def study(study_id: int):
    """One study; another workspace's ids answer 404."""
    return jsonify(_study_json(studies.get_study(g.api_member.workspace_id, study_id)))


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
    }


def _instant(name: str) -> datetime | None:
    if name not in request.args:
        return None
    raw = request.args[name]
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"`{name}` is a date or an ISO 8601 time, like 2026-11-24T09:00:00+00:00.", field=name
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@bp.get("/interviews")
def interview_list():
    """Interviews, soonest first: ?status=&study_id=&from=&to= (instants; a bare date is UTC midnight)."""
    # A filter that is given must be valid: an empty one is a mistake, not "no filter".
    status = request.args.get("status")
    if status is not None and status not in {s.value for s in InterviewStatus}:
        raise InvalidInput(
            f"`status` is one of {', '.join(s.value for s in InterviewStatus)}.", field="status"
        )
    study_id = request.args.get("study_id")
    if study_id is not None and not (
        study_id.isascii() and study_id.isdigit() and 1 <= int(study_id) <= MAX_ID
    ):
        raise InvalidInput("`study_id` is a study's id.", field="study_id")
    found = team.list_interviews(
        g.api_member.workspace_id,
        status=InterviewStatus(status) if status is not None else None,
        study_id=int(study_id) if study_id is not None else None,
        start=_instant("from"),
        end=_instant("to"),
    )
    return jsonify(items=[_interview_json(i) for i in found], total=len(found))


@bp.post("/interviews/<int:interview_id>/attendance")
def attendance(interview_id: int):
    """Say how the interview went: {"status": "joined" | "no_show" | "completed"}."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        raise InvalidInput(
            'Send a JSON object like {"status": "completed"}: joined, no_show or completed.',
            field="status",
        )
    return jsonify(
        _interview_json(team.mark_attendance(g.api_member, interview_id, body["status"]))
    )


@bp.get("/interviews/<int:interview_id>/messages")
def interview_messages(interview_id: int):
    """The interview's outbox: every message planned, sent, failed or voided, in due order."""
    plan = team.messages_of(g.api_member.workspace_id, interview_id)
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
