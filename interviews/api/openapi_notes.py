"""OpenAPI paths and schemas of the notes endpoints: templates, notes, takeaways."""

from __future__ import annotations

from typing import Any

from interviews.dates import YEAR_PATTERN
from interviews.db import MAX_ID

ERROR = {"$ref": "#/components/schemas/Error"}
SOURCES = ["interview", "sales", "support", "account_management", "survey", "other"]


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


UNAUTHORIZED = _json("Missing, unknown or revoked token", ERROR)
NOT_FOUND = _json("No such thing in this workspace", ERROR)
INVALID = _json("The input is not valid; the message says which field and why", ERROR)
FORBIDDEN = _json("Viewers can read but not write", ERROR)
DAY = {"type": "string", "format": "date", "pattern": YEAR_PATTERN}
INTERVIEW_ID = {
    "name": "interview_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}


ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}}


def page_of(item: str, description: str, facets: dict[str, str] | None = None) -> dict[str, Any]:
    """A list answer: a page of ``item``s, the total, and counts by facet value;
    ``facets`` names the facets always present, with what each counts by."""
    facet_schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "additionalProperties": {"type": "integer"},
        },
    }
    if facets:
        facet_schema["required"] = list(facets)
        facet_schema["properties"] = {
            name: {**COUNTS, "description": what} for name, what in facets.items()
        }
    return _json(
        description,
        {
            "type": "object",
            "required": ["items", "total", "facets"],
            "properties": {
                "items": {"type": "array", "items": _ref(item)},
                "total": {"type": "integer"},
                "facets": facet_schema,
            },
        },
    )


TAKEAWAY_FACETS = {
    "tag": "Takeaways by tag name",
    "source": "By source",
    "study": "By study id (as a string)",
    "segment": "By the participant's segment",
    "month": "By the UTC month added, YYYY-MM, newest first",
    "actor": "By the id (as a string) of the impact-map actor they are evidence for",
    "outcome": "By the id (as a string) of the outcome they are evidence for",
}
LINK_IDS = {"type": "array", "maxItems": 100, "items": ID}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


# limit and offset of every list endpoint: api/views.py `_page` reads them.
PAGE_PARAMETERS = [
    _query("limit", {"type": "integer", "minimum": 1, "maximum": 200}, "Page size"),
    _query("offset", {"type": "integer", "minimum": 0, "maximum": 1000000}, "Skip this many"),
]


NOTES_SCHEMAS: dict[str, Any] = {
    "Template": {
        "type": "object",
        "required": ["id", "name", "sections"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["discovery", "jtbd", "custom"]},
            "description": {"type": "string"},
            "archived": {"type": "boolean"},
            "version": {"type": "integer", "description": "Bumped by each edit of the sections"},
            "sections": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["heading", "guidance", "prompts"],
                    "properties": {
                        "heading": {"type": "string"},
                        "guidance": {"type": "string"},
                        "prompts": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
    "NoteSection": {
        "type": "object",
        "required": ["heading", "body"],
        "properties": {
            "heading": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": "\\S"},
            "body": {"type": "string", "maxLength": 100000, "description": "Markdown"},
        },
    },
    "Notes": {
        "type": "object",
        "required": ["template_id", "sections", "takeaways", "revision"],
        "properties": {
            "template_id": {"type": "integer"},
            "template_version": {"type": "integer"},
            "revision": {"type": "integer", "description": "Send it back with PUT"},
            "sections": {"type": "array", "items": _ref("NoteSection")},
            "takeaways": {"type": "array", "items": _ref("Takeaway")},
            "recording_consent": {"type": "boolean"},
            "recording_url": {"type": "string"},
            "note_taker_id": {"type": ["integer", "null"]},
            "checklist": {"type": "object", "additionalProperties": {"type": "string"}},
            "updated_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "NotesUpdate": {
        "type": "object",
        "required": ["sections"],
        "properties": {
            "revision": {
                "type": "integer",
                "description": (
                    "The revision you read. If others saved since, edits to other sections "
                    "merge and a section both changed answers 409. Leave it out to overwrite."
                ),
            },
            "base": {
                "type": "array",
                "items": _ref("NoteSection"),
                "description": "The sections as you read them, for the merge",
            },
            "sections": {"type": "array", "items": _ref("NoteSection")},
            "template_id": {
                "type": "integer",
                "description": (
                    "The template the notes are taken on, as GET gives it; optional. Saving "
                    "cannot move notes to another template: any other id answers 422"
                ),
            },
        },
    },
    "Takeaway": {
        "type": "object",
        "required": ["id", "text", "quote", "tags", "source", "interview_id", "participant_id"],
        "properties": {
            "id": {"type": "integer"},
            "key": {"type": "string"},
            "text": {"type": "string"},
            "quote": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "importance": {"type": "integer", "enum": [1, 2, 3]},
            "source": {"type": "string", "enum": SOURCES},
            "context": {"type": "string"},
            "interview_id": {"type": ["integer", "null"]},
            "participant_id": {"type": ["integer", "null"]},
            "study_id": {"type": ["integer", "null"]},
            "actor_ids": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "The impact-map actors (WHO) it is evidence for",
            },
            "outcome_ids": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "The outcomes (HOW) it is evidence for",
            },
            "output_ids": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "The outputs (WHAT) it is evidence for",
            },
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "NewTakeaway": {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": {"type": "string", "maxLength": 2000},
            "key": {"type": "string", "maxLength": 120},
            "quote": {"type": "string", "maxLength": 4000},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 60}},
            "importance": {"type": "integer", "enum": [1, 2, 3]},
            "source": {"type": "string", "enum": SOURCES},
            "context": {
                "type": "string",
                "description": "Who said it, which customer, why it matters",
            },
            "interview_id": {"type": "integer"},
            "participant_email": {"type": "string", "format": "email"},
            "actor_ids": {
                **LINK_IDS,
                "description": "Actors of the workspace's impact maps it is evidence for; "
                "an unknown id, or another level's, answers 404 and nothing is written",
            },
            "outcome_ids": {**LINK_IDS, "description": "Outcomes it is evidence for"},
            "output_ids": {**LINK_IDS, "description": "Outputs it is evidence for"},
        },
    },
}

NOTES_PATHS: dict[str, Any] = {
    "/api/v1/templates": {
        "get": {
            "operationId": "listTemplates",
            "summary": "The workspace's note templates (built-in ones included)",
            "parameters": [
                _query("archived", {"type": "string", "enum": ["0", "1"]}, "1: archived ones too")
            ],
            "responses": {
                "200": _json("Templates by name", {"type": "array", "items": _ref("Template")}),
                "401": UNAUTHORIZED,
                "422": INVALID,
            },
        }
    },
    "/api/v1/interviews/{interview_id}/notes": {
        "get": {
            "operationId": "getInterviewNotes",
            "summary": "An interview's notes on its template, with its takeaways",
            "parameters": [INTERVIEW_ID],
            "responses": {
                "200": _json("The notes", _ref("Notes")),
                "401": UNAUTHORIZED,
                "404": NOT_FOUND,
            },
        },
        "put": {
            "operationId": "putInterviewNotes",
            # A rule no schema can say: template_id must be the notes' own template's.
            "x-semantic-validation": True,
            "summary": "Save section bodies (by heading); takeaways are managed at /takeaways",
            "parameters": [INTERVIEW_ID],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("NotesUpdate")}},
            },
            "responses": {
                "200": _json("The notes as saved (merged when others saved since)", _ref("Notes")),
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
                "404": NOT_FOUND,
                "409": _json("Someone changed the same section since your revision", ERROR),
                "422": INVALID,
            },
        },
    },
    "/api/v1/takeaways": {
        "get": {
            "operationId": "listTakeaways",
            "summary": "Takeaways, best match or newest first, with facet counts",
            "parameters": [
                _query(
                    "q",
                    {"type": "string"},
                    "Words in the key, text, quote or context: all of them, the last also "
                    "as a prefix (export finds exports); punctuation only separates words",
                ),
                _query("tag", {"type": "string"}, "A tag name"),
                _query("study_id", ID, "Takeaways from this study's interviews"),
                _query("source", {"type": "string", "enum": SOURCES}, "Where it came from"),
                _query("interview_id", ID, "One interview's"),
                _query("participant_id", ID, "One person's"),
                _query("segment", {"type": "string"}, "The participant's segment on the panel"),
                _query("from", DAY, "Added on or after this day (UTC), 2000 to 2100"),
                _query("to", DAY, "Added on or before this day (UTC), 2000 to 2100"),
                _query("actor_id", ID, "Evidence for this actor of an impact map"),
                _query("outcome_id", ID, "Evidence for this outcome of an impact map"),
                _query(
                    "sort",
                    {"type": "string", "enum": ["relevance", "date"]},
                    "relevance (default): best match first when q has words, else newest "
                    "first; date: newest first",
                ),
                *PAGE_PARAMETERS,
            ],
            "responses": {
                "200": page_of(
                    "Takeaway",
                    "A page of takeaways; the total and the facets count every match",
                    TAKEAWAY_FACETS,
                ),
                "401": UNAUTHORIZED,
                "422": INVALID,
            },
        },
        "post": {
            "operationId": "createTakeaway",
            # Rules no schema can say: a participant_email must be someone in the workspace,
            # feedback from outside an interview needs a source and its context.
            "x-semantic-validation": True,
            "summary": "Log a takeaway from an interview, or from sales, support, a survey ...",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("NewTakeaway")}},
            },
            "responses": {
                "201": _json("The takeaway", _ref("Takeaway")),
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
                "404": NOT_FOUND,
                "422": INVALID,
            },
        },
    },
}
