"""The OpenAPI 3.1 document. Each area adds its paths here as it grows."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import Map

from interviews.api.openapi_maps import MAP_PATHS, MAP_SCHEMAS
from interviews.api.openapi_notes import NOTES_PATHS, NOTES_SCHEMAS
from interviews.api.openapi_participants import PARTICIPANT_PATHS, PARTICIPANT_SCHEMAS
from interviews.api.openapi_privacy import PRIVACY_PATHS, PRIVACY_SCHEMAS
from interviews.api.openapi_public import PUBLIC_PATHS, PUBLIC_SCHEMAS
from interviews.api.openapi_reports import REPORT_PATHS, REPORT_SCHEMAS
from interviews.api.openapi_rewards import REWARD_PATHS, REWARD_SCHEMAS
from interviews.dates import YEAR_PATTERN
from interviews.db import MAX_ID

ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


UNAUTHORIZED = _error("Missing, unknown or revoked token")
INTERVIEW_STATUSES = ["booked", "cancelled", "joined", "no_show", "completed"]


def _list_of(schema: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "total"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}},
            "total": {"type": "integer", "minimum": 0},
        },
    }


def _id_param(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }


PERSON = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "email": {"type": "string"},
    },
}
STUDY = {
    "type": "object",
    "required": [
        "id",
        "slug",
        "title",
        "status",
        "booking_url",
        "host",
        "duration_minutes",
        "limits",
        "reward",
    ],
    "properties": {
        "id": {"type": "integer"},
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "status": {"type": "string", "enum": ["draft", "published", "closed"]},
        "booking_url": {"type": "string", "format": "uri"},
        "host": PERSON,
        "colleagues": {"type": "array", "items": PERSON},
        "duration_minutes": {"type": "integer"},
        "meeting_url": {"type": "string"},
        "phone_fallback": {"type": "string"},
        "phone_required": {"type": "boolean"},
        "questions": {"type": "array", "items": {"type": "string"}},
        "limits": {
            "type": "object",
            "required": [
                "notice_minutes",
                "horizon_days",
                "max_per_day",
                "buffer_minutes",
                "step_minutes",
            ],
            "properties": {
                k: {"type": "integer"}
                for k in (
                    "notice_minutes",
                    "horizon_days",
                    "max_per_day",
                    "buffer_minutes",
                    "step_minutes",
                )
            },
        },
        "reward": {"$ref": "#/components/schemas/StudyOffer"},
    },
}
INTERVIEW = {
    "type": "object",
    "required": ["id", "study_id", "participant", "host", "start", "end", "status", "timezone"],
    "properties": {
        "id": {"type": "integer"},
        "study_id": {"type": "integer"},
        "study_title": {"type": "string"},
        "participant": {
            "type": "object",
            "required": ["id", "name", "email", "phone"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "email": {"type": "string"},
                "phone": {"type": "string"},
            },
        },
        "host": PERSON,
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "status": {"type": "string", "enum": INTERVIEW_STATUSES},
        "timezone": {"type": "string", "description": "The participant's zone"},
    },
}
NOT_FOUND = _error("No such thing in this workspace")

OUTBOX_MESSAGE = {
    "type": "object",
    "required": ["id", "kind", "audience", "recipient", "due_at", "status", "sent_at"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {
            "type": "string",
            "enum": [
                "confirmation",
                "invite",
                "reminder",
                "host_reminder",
                "rescheduled",
                "cancelled",
                "followup_nudge",
                "followup_missed",
                "thank_you",
                "reward_sent",
            ],
        },
        "audience": {"type": "string", "enum": ["participant", "host", "colleague"]},
        "recipient": {"type": "string"},
        "offset_minutes": {
            "type": ["integer", "null"],
            "description": "Reminders: minutes before the start",
        },
        "due_at": {"type": "string", "format": "date-time"},
        "status": {"type": "string", "enum": ["pending", "sent", "failed", "void"]},
        "sent_at": {"type": ["string", "null"], "format": "date-time"},
        "attempts": {"type": "integer"},
        "error": {"type": ["string", "null"]},
    },
}

MEMBER = {
    "type": "object",
    "required": ["id", "user_id", "name", "email", "role"],
    "properties": {
        "id": {"type": "integer", "description": "Membership id"},
        "user_id": {"type": "integer"},
        "name": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "role": {"$ref": "#/components/schemas/Role"},
    },
}

PATHS: dict[str, Any] = {
    "/api/v1/me": {
        "get": {
            "operationId": "getMe",
            "summary": "Who this token speaks for",
            "responses": {
                "200": _ok(
                    "The token's user, workspace and role",
                    {
                        "type": "object",
                        "required": ["user", "workspace", "role"],
                        "properties": {
                            "user": {
                                "type": "object",
                                "required": ["id", "email", "name"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "email": {"type": "string", "format": "email"},
                                    "name": {"type": "string"},
                                },
                            },
                            "workspace": {
                                "type": "object",
                                "required": ["id", "name"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "name": {"type": "string"},
                                },
                            },
                            "role": {"$ref": "#/components/schemas/Role"},
                        },
                    },
                ),
                "401": UNAUTHORIZED,
            },
        }
    },
    "/api/v1/members": {
        "get": {
            "operationId": "listMembers",
            "summary": "Members of the token's workspace",
            "responses": {
                "200": _ok(
                    "All members",
                    {
                        "type": "object",
                        "required": ["items", "total"],
                        "properties": {
                            "items": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Member"},
                            },
                            "total": {"type": "integer", "minimum": 0},
                        },
                    },
                ),
                "401": UNAUTHORIZED,
            },
        }
    },
    "/api/v1/members/{member_id}": {
        "get": {
            "operationId": "getMember",
            "summary": "One member",
            "parameters": [
                {
                    "name": "member_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                }
            ],
            "responses": {
                "200": _ok("The member", {"$ref": "#/components/schemas/Member"}),
                "401": UNAUTHORIZED,
                "404": NOT_FOUND,
            },
        }
    },
    "/api/v1/studies": {
        "get": {
            "operationId": "listStudies",
            "summary": "The workspace's studies, newest first",
            "responses": {
                "200": _ok("All studies", _list_of("Study")),
                "401": UNAUTHORIZED,
            },
        }
    },
    "/api/v1/studies/{study_id}": {
        "get": {
            "operationId": "getStudy",
            "summary": "One study: slug, host, duration, limits, reward offer",
            "parameters": [_id_param("study_id")],
            "responses": {
                "200": _ok("The study", {"$ref": "#/components/schemas/Study"}),
                "401": UNAUTHORIZED,
                "404": NOT_FOUND,
            },
        }
    },
    "/api/v1/interviews": {
        "get": {
            "operationId": "listInterviews",
            "summary": "Interviews, soonest first",
            "parameters": [
                {
                    "name": "status",
                    "in": "query",
                    "schema": {"type": "string", "enum": INTERVIEW_STATUSES},
                },
                {
                    "name": "study_id",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                },
                {
                    "name": "from",
                    "in": "query",
                    "description": "Interviews ending after this instant (ISO 8601, 2000 to 2100; a bare date is UTC midnight)",
                    "schema": {"type": "string", "format": "date-time", "pattern": YEAR_PATTERN},
                },
                {
                    "name": "to",
                    "in": "query",
                    "description": "Interviews starting before this instant (2000 to 2100)",
                    "schema": {"type": "string", "format": "date-time", "pattern": YEAR_PATTERN},
                },
            ],
            "responses": {
                "200": _ok("Matching interviews", _list_of("Interview")),
                "401": UNAUTHORIZED,
                "422": _error("A filter is not valid; the message says which"),
            },
        }
    },
    "/api/v1/interviews/{interview_id}/attendance": {
        "post": {
            "operationId": "markAttendance",
            "summary": "Say how the interview went; follow-ups and the thank-you follow",
            "parameters": [_id_param("interview_id")],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["status"],
                            "properties": {
                                "status": {
                                    "type": "string",
                                    "enum": ["joined", "no_show", "completed"],
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _ok(
                    "The interview, with its new status", {"$ref": "#/components/schemas/Interview"}
                ),
                "401": UNAUTHORIZED,
                "403": _error("Viewers cannot change interviews"),
                "404": NOT_FOUND,
                "409": _error("The interview was cancelled, or has not started yet"),
                "422": _error("`status` is not joined, no_show or completed"),
            },
        }
    },
    "/api/v1/interviews/{interview_id}/messages": {
        "get": {
            "operationId": "listInterviewMessages",
            "summary": "The interview's outbox: confirmation, reminders, follow-ups, thank-you",
            "parameters": [_id_param("interview_id")],
            "responses": {
                "200": _ok(
                    "Every message planned for the interview, in due order",
                    {"type": "array", "items": {"$ref": "#/components/schemas/OutboxMessage"}},
                ),
                "401": UNAUTHORIZED,
                "404": NOT_FOUND,
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            "security": [],
            "responses": {"200": _ok("The OpenAPI 3.1 document", {"type": "object"})},
        }
    },
}


TOO_LARGE = {
    "description": "The body is larger than the server takes (6 MB, the CSV import's limit)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _with_body_limit(paths: dict[str, Any]) -> dict[str, Any]:
    """Every operation that takes a body may answer 413: the limit is the whole server's."""
    return {
        path: {
            method: {**op, "responses": {**op["responses"], "413": TOO_LARGE}}
            if isinstance(op, dict) and "requestBody" in op
            else op
            for method, op in spec.items()
        }
        for path, spec in paths.items()
    }


UNSTORABLE_TEXT = (
    "or text that cannot be stored: a NUL (U+0000) or a lone surrogate (U+D800 to U+DFFF) "
    "in the address, the query or the body (code `invalid_text`; the message names the field)"
)


def _takes_text(op: dict[str, Any]) -> bool:
    return "requestBody" in op or any(
        p.get("schema", {}).get("type") == "string" for p in op.get("parameters", [])
    )


def _with_text_rule(paths: dict[str, Any]) -> dict[str, Any]:
    """Every operation that takes text may answer 422 `invalid_text`: the rule is the
    whole server's (interviews/storable_text.py), checked before any view runs."""

    def ruled(op: dict[str, Any]) -> dict[str, Any]:
        given = op["responses"].get("422")
        description = (
            f"{given['description']}; {UNSTORABLE_TEXT}"
            if given
            else f"The input is not valid: {UNSTORABLE_TEXT[3:]}"
        )
        refusal = {"description": description, "content": {"application/json": {"schema": ERROR}}}
        return {**op, "responses": {**op["responses"], "422": refusal}}

    return {
        path: {
            method: ruled(op) if isinstance(op, dict) and _takes_text(op) else op
            for method, op in spec.items()
        }
        for path, spec in paths.items()
    }


def openapi_document(base_url: str, url_map: Map | None = None) -> dict[str, Any]:
    """The document for this server. Only paths that exist in ``url_map`` are listed."""
    paths = {
        **PATHS,
        **NOTES_PATHS,
        **PARTICIPANT_PATHS,
        **PRIVACY_PATHS,
        **REWARD_PATHS,
        **MAP_PATHS,
        **REPORT_PATHS,
        **PUBLIC_PATHS,
    }
    if url_map is not None:
        existing = {_openapi_path(rule.rule) for rule in url_map.iter_rules()}
        paths = {path: spec for path, spec in paths.items() if path in existing}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Interview Desk API",
            "version": "1",
            "description": (
                "Team endpoints take `Authorization: Bearer <token>` (create one with "
                "`interviews token create --email E` or on your profile page) and are scoped to "
                "the token's workspace: another workspace's ids answer 404. Errors are "
                '`{"error": {"code", "message"}}` with a 4xx status.'
            ),
        },
        "servers": [{"url": base_url}],
        "security": [{"bearerAuth": []}],
        "paths": _with_text_rule(_with_body_limit(paths)),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                **PUBLIC_SCHEMAS,
                **NOTES_SCHEMAS,
                **PARTICIPANT_SCHEMAS,
                **PRIVACY_SCHEMAS,
                **REWARD_SCHEMAS,
                **MAP_SCHEMAS,
                **REPORT_SCHEMAS,
                "Role": {"type": "string", "enum": ["owner", "researcher", "viewer"]},
                "Member": MEMBER,
                "Study": STUDY,
                "Interview": INTERVIEW,
                "OutboxMessage": OUTBOX_MESSAGE,
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
            },
        },
    }


def _openapi_path(rule: str) -> str:
    """Flask's ``/members/<int:member_id>`` as OpenAPI's ``/members/{member_id}``."""
    out = []
    for part in rule.split("/"):
        if part.startswith("<") and part.endswith(">"):
            part = "{" + part[1:-1].split(":")[-1] + "}"
        out.append(part)
    return "/".join(out)
