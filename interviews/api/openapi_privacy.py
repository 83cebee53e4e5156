"""OpenAPI path and schema of a participant's data export (privacy requests)."""

from __future__ import annotations

from typing import Any

from interviews.api.openapi_notes import ERROR, ID, NOT_FOUND, UNAUTHORIZED, _json, _ref

TEXT, INSTANT = {"type": "string"}, {"type": "string", "format": "date-time"}
MAYBE_INSTANT = {"type": ["string", "null"], "format": "date-time"}
MAYBE_ID = {"type": ["integer", "null"]}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    """An object with all these properties present."""
    return {"type": "object", "required": list(properties), "properties": properties}


def _list(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": _object(properties)}


EXPORT = _object(
    {
        "export": _object(
            {"participant_id": {"type": "integer"}, "workspace": TEXT, "made_at": INSTANT}
        ),
        "profile": _object(
            {
                "id": {"type": "integer"},
                "name": TEXT,
                "email": TEXT,
                "phone": TEXT,
                "timezone": TEXT,
                "company": TEXT,
                "role": TEXT,
                "segment": TEXT,
                "attributes": {"type": "object", "additionalProperties": TEXT},
                "do_not_contact": {"type": "boolean"},
                "do_not_contact_at": MAYBE_INSTANT,
                "erased_at": MAYBE_INSTANT,
                "created_at": INSTANT,
                "updated_at": INSTANT,
            }
        ),
        "consents": _list(
            {
                "kind": {"type": "string", "enum": ["research", "recording", "contact"]},
                "wording": TEXT,
                "method": TEXT,
                "given_at": INSTANT,
                "withdrawn_at": MAYBE_INSTANT,
                "recorded_by": {"type": ["string", "null"]},
            }
        ),
        "interviews": _list(
            {
                "id": {"type": "integer"},
                "study_id": {"type": "integer"},
                "study_title": TEXT,
                "start": INSTANT,
                "end": INSTANT,
                "status": TEXT,
                "timezone": TEXT,
                "booked_at": INSTANT,
                "answers": {
                    "type": "array",
                    "items": _object({"question": TEXT, "answer": TEXT}),
                },
                "cancel_reason": {"type": ["string", "null"]},
                "cancelled_at": MAYBE_INSTANT,
            }
        ),
        "notes": _list(
            {
                "interview_id": {"type": "integer"},
                "study_title": TEXT,
                "template": TEXT,
                "sections": {"type": "array", "items": _object({"heading": TEXT, "body": TEXT})},
                "recording_consent": {"type": "boolean"},
                "recording_consent_at": MAYBE_INSTANT,
                "recording_url": TEXT,
                "updated_at": MAYBE_INSTANT,
            }
        ),
        "takeaways": _list(
            {
                "id": {"type": "integer"},
                "interview_id": MAYBE_ID,
                "key": TEXT,
                "text": TEXT,
                "quote": TEXT,
                "tags": {"type": "array", "items": TEXT},
                "source": TEXT,
                "context": TEXT,
                "importance": {"type": "integer"},
                "created_at": INSTANT,
            }
        ),
        "messages": _object(
            {
                "planned": _list(
                    {
                        "kind": TEXT,
                        "offset_minutes": MAYBE_ID,
                        "due_at": INSTANT,
                        "status": TEXT,
                        "sent_at": MAYBE_INSTANT,
                    }
                ),
                "emails": _list(
                    {
                        "kind": TEXT,
                        "subject": TEXT,
                        "text_body": TEXT,
                        "status": TEXT,
                        "created_at": INSTANT,
                        "sent_at": MAYBE_INSTANT,
                        "attachments": {"type": "array", "items": TEXT},
                    }
                ),
            }
        ),
        "invites": _list(
            {
                "study_id": {"type": "integer"},
                "study_title": TEXT,
                "created_at": INSTANT,
                "expires_at": INSTANT,
                "revoked_at": MAYBE_INSTANT,
                "used_at": MAYBE_INSTANT,
                "interview_id": MAYBE_ID,
            }
        ),
    }
)

PRIVACY_SCHEMAS: dict[str, Any] = {"ParticipantExport": EXPORT}

PRIVACY_PATHS: dict[str, Any] = {
    "/api/v1/participants/{participant_id}/export": {
        "get": {
            "operationId": "exportParticipant",
            "summary": "Everything held about one participant, for their data request",
            "description": (
                "The same document as participant.json in the download from the profile "
                "page. Each export is written to the workspace's audit trail."
            ),
            "parameters": [
                {"name": "participant_id", "in": "path", "required": True, "schema": ID}
            ],
            "responses": {
                "200": _json("The participant's data", _ref("ParticipantExport")),
                "401": UNAUTHORIZED,
                "403": _json("Viewers cannot export people's data", ERROR),
                "404": NOT_FOUND,
            },
        }
    },
}
