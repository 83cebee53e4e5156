"""OpenAPI paths and schemas of the participant panel."""

from __future__ import annotations

from typing import Any

from interviews.api.openapi_notes import INVALID, PAGE_PARAMETERS, UNAUTHORIZED, _query, page_of

PARTICIPANT_SCHEMAS: dict[str, Any] = {
    "Participant": {
        "type": "object",
        "required": [
            "id",
            "name",
            "email",
            "company",
            "segment",
            "attributes",
            "do_not_contact",
        ],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "phone": {"type": "string", "description": "E.164, or empty"},
            "timezone": {"type": "string"},
            "company": {"type": "string"},
            "role": {"type": "string"},
            "segment": {"type": "string"},
            "attributes": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "What the product knows about them: plan, tenure, tickets ...",
            },
            "do_not_contact": {"type": "boolean"},
            "consents": {
                "type": "array",
                "items": {"type": "string", "enum": ["research", "recording", "contact"]},
                "description": "Consents in force",
            },
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
}

PARTICIPANT_PATHS: dict[str, Any] = {
    "/api/v1/participants": {
        "get": {
            "operationId": "listParticipants",
            "summary": "The research panel, by name, with segment counts",
            "parameters": [
                _query("q", {"type": "string"}, "Words in the name, email, company or role"),
                _query("segment", {"type": "string"}, "An exact segment"),
                *PAGE_PARAMETERS,
            ],
            "responses": {
                "200": page_of("Participant", "A page of participants"),
                "401": UNAUTHORIZED,
                "422": INVALID,
            },
        },
    },
}
