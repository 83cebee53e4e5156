"""Team endpoints (bearer token, scoped to the token's workspace) and the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, current_app, g, jsonify, request

from interviews import dates
from interviews.accounts import service as accounts
from interviews.api.openapi import openapi_document
from interviews.clock import utc_now
from interviews.db import MAX_ID
from interviews.errors import InvalidInput, Unauthorized
from interviews.maps import evidence
from interviews.notes import browse, takeaways
from interviews.notes import service as notes
from interviews.notes import template_library as library
from interviews.notes.models import TakeawaySource
from interviews.participants import privacy
from interviews.participants import service as participants
from interviews.scheduling import team
from interviews.scheduling.models import InterviewStatus
from interviews.storable_text import refuse_unstorable_text
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
    # app.py's guard leaves this blueprint to here: the token answers first (401).
    refuse_unstorable_text()


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
        "reward": {
            "text": study.reward_text,
            "kind": study.offer.kind.value,
            "amount": str(study.offer.money) if study.offer.money else None,
            "currency": study.offer.money.currency if study.offer.money else None,
            "description": study.offer.describe(),
        },
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
    """An ISO 8601 query parameter (a bare date is UTC midnight), None when absent.
    Raises InvalidInput."""
    if name not in request.args:
        return None
    return dates.parse_instant(request.args[name], f"`{name}`", name, naive_is_utc=True)


def _day(name: str) -> date | None:
    """A YYYY-MM-DD query parameter, None when absent. Raises InvalidInput."""
    if name not in request.args:
        return None
    return dates.parse_day(request.args[name], f"`{name}`", name)


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


# --- notes, templates and takeaways ------------------------------------------------------


@bp.get("/templates")
def template_list():
    """The workspace's note templates, built-in ones included."""
    archived = request.args.get("archived", "0")
    if archived not in ("0", "1"):
        raise InvalidInput("archived is 0 or 1.", field="archived")
    found = library.list_templates(g.api_member.workspace_id, archived=archived == "1")
    return jsonify([t.as_json() for t in found])


def _notes_json(view: notes.NotesView) -> dict:
    items = takeaways.takeaways_of_interview(g.api_member.workspace_id, view.interview.id)
    return {
        "interview_id": view.interview.id,
        "template_id": view.template_id,
        "template_version": view.template_version,
        "revision": view.revision,
        "sections": [{"heading": s.heading, "body": s.body} for s in view.sections],
        "takeaways": [t.as_json() for t in items],
        "recording_consent": view.recording_consent,
        "recording_url": view.recording_url,
        "note_taker_id": view.note_taker_id,
        "checklist": view.checklist,
        "updated_at": view.updated_at.isoformat() if view.updated_at else None,
    }


# GET and PUT share one rule: with two, an id past the database's integer made werkzeug
# answer PUT with 405 (the GET rule's path matched) instead of 404.
@bp.route("/interviews/<int:interview_id>/notes", methods=["GET", "PUT"])
def interview_notes(interview_id: int):
    """An interview's notes on its template, with its takeaways; PUT saves them."""
    if request.method == "PUT":
        return put_interview_notes(interview_id)
    return jsonify(_notes_json(notes.notes_of(g.api_member.workspace_id, interview_id)))


def _sections_from(value, what: str) -> dict[str, str]:
    if not isinstance(value, list):
        raise InvalidInput(f'{what} must be a list of {{"heading", "body"}}.', field=what)
    bodies: dict[str, str] = {}
    for item in value:
        heading = item.get("heading") if isinstance(item, dict) else None
        body = item.get("body", "") if isinstance(item, dict) else None
        if not isinstance(heading, str) or not heading.strip() or not isinstance(body, str):
            raise InvalidInput(f"Each of {what} needs a heading and a body, both text.", field=what)
        bodies[heading] = body
    return bodies


def put_interview_notes(interview_id: int):
    """Save section bodies by heading; a stale revision merges or answers 409."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput('Send a JSON object: {"revision", "sections": [{"heading", "body"}]}.')
    revision = body.get("revision")
    if revision is not None and (not isinstance(revision, int) or isinstance(revision, bool)):
        raise InvalidInput("revision must be a whole number.", field="revision")
    base = _sections_from(body["base"], "base") if body.get("base") is not None else None
    # GET's template_id may come back with the notes; a given one is checked, never ignored.
    template_id = body.get("template_id")
    if template_id is not None and (
        not isinstance(template_id, int)
        or isinstance(template_id, bool)
        or not 0 < template_id <= MAX_ID
    ):
        raise InvalidInput(
            "`template_id` is the id of the template these notes are taken on (a whole "
            "number), or left out.",
            field="template_id",
        )
    view, _ = notes.save_notes(
        g.api_member,
        interview_id,
        _sections_from(body.get("sections"), "sections"),
        revision=revision,
        base=base,
        template_id=template_id,
    )
    return jsonify(_notes_json(view))


def _optional_id(name: str) -> int | None:
    value = request.args.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= MAX_ID:
        raise InvalidInput(f"{name} must be a positive whole number.", field=name)
    return int(value)


def _page(max_limit: int = 200) -> tuple[int, int]:
    """`limit` (default 50, at most ``max_limit``) and `offset` of a list request."""
    limit = _optional_id("limit") or 50
    if limit > max_limit:
        raise InvalidInput(f"limit can be at most {max_limit}.", field="limit")
    offset = request.args.get("offset", "0")
    if not (offset.isascii() and offset.isdigit()) or int(offset) > 1_000_000:
        raise InvalidInput("offset must be a whole number up to 1,000,000.", field="offset")
    return limit, int(offset)


@bp.get("/takeaways")
def takeaway_list():
    """Takeaways, best match first for words in ``q`` (or newest first), filtered, with
    counts by tag, source, study, segment, month, actor and outcome."""
    limit, offset = _page()
    source = request.args.get("source")
    if source is not None and source not in {s.value for s in TakeawaySource}:
        names = ", ".join(s.value for s in TakeawaySource)
        raise InvalidInput(f"source must be one of: {names}.", field="source")
    query = browse.TakeawayQuery(
        q=request.args.get("q", "")[:200],
        tag=request.args.get("tag", "")[:60],
        study_id=_optional_id("study_id"),
        source=source or "",
        interview_id=_optional_id("interview_id"),
        participant_id=_optional_id("participant_id"),
        segment=request.args.get("segment", "")[:60],
        since=_day("from"),
        until=_day("to"),
        actor_id=_optional_id("actor_id"),
        outcome_id=_optional_id("outcome_id"),
        sort=request.args.get("sort", "relevance"),  # given empty is a mistake: 422
        limit=limit,
        offset=offset,
    )
    page = browse.list_takeaways(g.api_member.workspace_id, query)
    return jsonify(items=[t.as_json() for t in page.items], total=page.total, facets=page.facets)


def _text(body: dict, name: str, default: str = "") -> str:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text.", field=name)
    return value


MAX_LINKS = 100  # ids in one of a new takeaway's actor_ids, outcome_ids, output_ids


def _ids(body: dict, name: str) -> list[int]:
    """A list of ids in a JSON body (absent or null: none). Raises InvalidInput."""
    value = body.get(name)
    if value is None:
        return []
    if (
        not isinstance(value, list)
        or len(value) > MAX_LINKS
        or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 < i <= MAX_ID for i in value
        )
    ):
        raise InvalidInput(
            f"{name} must be a list of up to {MAX_LINKS} ids (whole numbers).", field=name
        )
    return value


@bp.post("/takeaways")
def create_takeaway():
    """Log a takeaway from an interview, or from sales, support, a survey ..."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput('Send a JSON object: {"text", "source", "context", ...}.')
    tags = body.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidInput("tags must be a list of text.", field="tags")
    importance = body.get("importance", 2)
    if not isinstance(importance, int) or isinstance(importance, bool):
        raise InvalidInput("importance is 1, 2 or 3.", field="importance")
    interview_id = body.get("interview_id")
    if interview_id is not None and (
        not isinstance(interview_id, int) or isinstance(interview_id, bool)
    ):
        raise InvalidInput("interview_id must be a whole number.", field="interview_id")
    # Checked against the workspace's maps before anything is written: an unknown or
    # another workspace's node answers 404 and no takeaway is made.
    links = evidence.checked_links(
        g.api_member.workspace_id,
        _ids(body, "actor_ids"),
        _ids(body, "outcome_ids"),
        _ids(body, "output_ids"),
    )
    source_default = "interview" if interview_id is not None else ""
    added = takeaways.add_takeaway(
        g.api_member,
        takeaways.TakeawayDraft(
            text=_text(body, "text"),
            key=_text(body, "key"),
            quote=_text(body, "quote"),
            tags=tuple(tags),
            importance=importance,
            source=_text(body, "source", source_default) or source_default or "other",
            context=_text(body, "context"),
            interview_id=interview_id,
            participant_email=_text(body, "participant_email") or None,
        ),
        links,
    )
    return jsonify(added.as_json()), 201


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
def participant_list():
    """The research panel, by name: `q` matches name, email, company or role."""
    limit, offset = _page()
    page = participants.search(
        g.api_member.workspace_id,
        q=request.args.get("q", "")[:200],
        segment=request.args.get("segment", "")[:60],
        limit=limit,
        offset=offset,
    )
    return jsonify(
        items=[_participant_json(p) for p in page.items],
        total=page.total,
        facets={"segment": page.segments},
    )


@bp.get("/participants/<int:participant_id>/export")
def participant_export(participant_id: int):
    """Everything held about one participant, for their data request (owners, researchers)."""
    return jsonify(privacy.export_data(g.api_member, participant_id, now=utc_now()))
