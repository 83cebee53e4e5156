"""OpenAPI paths and schemas of the public (interviewee) endpoints: no token, rate limited."""

from __future__ import annotations

from typing import Any

from interviews.dates import YEAR_PATTERN

ERROR = {"$ref": "#/components/schemas/Error"}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


NOT_FOUND = _json("No such published study, or the link is wrong or no longer works", ERROR)
INVALID = _json("The input is not valid; the message says which field and why", ERROR)
RATE_LIMITED = _json("Too many requests from this address; wait a minute", ERROR)
TAKEN = _json(
    "The time was just taken or is no longer open; fresh slots attached",
    {"$ref": "#/components/schemas/SlotTaken"},
)

# A booking is refused with fresh slots when its time went, or (code budget_exhausted,
# no slots) when the study's reward budget cannot cover another interview.
BOOKING_REFUSED = _json(
    "The time was just taken or is no longer open (fresh slots attached), or the study "
    "is not taking new bookings right now (code `budget_exhausted`)",
    {"anyOf": [{"$ref": "#/components/schemas/SlotTaken"}, ERROR]},
)

SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 60},
}
TOKEN = {
    "name": "token",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 100},
}
DAYS = [
    {
        "name": "from",
        "in": "query",
        "schema": {"type": "string", "format": "date", "pattern": YEAR_PATTERN},
        "description": "First local day, 2000 to 2100 (default: today in `timezone`)",
    },
    {
        "name": "to",
        "in": "query",
        "schema": {"type": "string", "format": "date", "pattern": YEAR_PATTERN},
        "description": "Last local day, 2000 to 2100, at most 62 days after `from` (default: "
        "`from` + 13 days)",
    },
    {
        "name": "timezone",
        "in": "query",
        "schema": {"type": "string", "default": "UTC", "maxLength": 64},
        "description": "IANA zone the days are read in, e.g. Europe/Berlin",
    },
]

PUBLIC_SCHEMAS: dict[str, Any] = {
    "Slot": {
        "type": "object",
        "required": ["start", "end"],
        "properties": {
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
        },
    },
    "SlotList": {
        "type": "object",
        "required": ["timezone", "slots"],
        "properties": {
            "timezone": {"type": "string"},
            "slots": {"type": "array", "items": {"$ref": "#/components/schemas/Slot"}},
        },
    },
    "SlotTaken": {
        "type": "object",
        "required": ["error", "slots"],
        "properties": {
            "error": {"$ref": "#/components/schemas/Error/properties/error"},
            "slots": {"type": "array", "items": {"$ref": "#/components/schemas/Slot"}},
        },
    },
    "BookingRequest": {
        "type": "object",
        "required": ["name", "email", "start"],
        "properties": {
            "name": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "phone": {
                "type": "string",
                "description": "With country code; required unless the study says otherwise",
            },
            "timezone": {
                "type": "string",
                "description": "The interviewee's IANA zone, for their messages",
            },
            "start": {
                "type": "string",
                "format": "date-time",
                "description": "A slot's start, as listed",
            },
            "answers": {
                "type": "array",
                "items": {"type": "string"},
                "description": "One per study question",
            },
            "rebook": {
                "type": "string",
                "description": "From a 'sorry we missed you' link: links this booking to the "
                "missed interview; 404 when it is not a link of this study, as for `invite`",
            },
            "invite": {
                "type": "string",
                "description": "From a personal invite link: books the invited person (their "
                "email, whatever `email` says), once; 410 once used, withdrawn or expired",
            },
        },
    },
    "Booking": {
        "type": "object",
        "required": ["interview_id", "start", "end", "manage_url", "ics_url"],
        "properties": {
            "interview_id": {"type": "integer"},
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
            "manage_url": {"type": "string", "format": "uri"},
            "ics_url": {"type": "string", "format": "uri"},
        },
    },
}

_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BookingRequest"}}},
}

PUBLIC_PATHS: dict[str, Any] = {
    "/api/v1/public/studies/{slug}/slots": {
        "get": {
            "operationId": "listStudySlots",
            "summary": "Free slots of a published study, on the viewer's local days",
            "security": [],
            "parameters": [SLUG, *DAYS],
            "responses": {
                "200": _json("Free slots", {"$ref": "#/components/schemas/SlotList"}),
                "404": NOT_FOUND,
                "422": INVALID,
                "429": RATE_LIMITED,
            },
        }
    },
    "/api/v1/public/studies/{slug}/bookings": {
        "post": {
            "operationId": "createBooking",
            "summary": "Book a free slot",
            "security": [],
            "parameters": [SLUG],
            "requestBody": _BODY,
            "responses": {
                "201": _json("Booked", {"$ref": "#/components/schemas/Booking"}),
                "404": NOT_FOUND,
                "409": BOOKING_REFUSED,
                "422": INVALID,
                "429": RATE_LIMITED,
            },
        }
    },
    "/api/v1/public/manage/{token}/slots": {
        "get": {
            "operationId": "listRescheduleSlots",
            "summary": "Times the interview behind a manage link could move to",
            "description": (
                "The same shape as a study's slots. The interview's current time is never "
                "among them (moving there would change nothing); times overlapping it are."
            ),
            "security": [],
            "parameters": [TOKEN, *DAYS],
            "responses": {
                "200": _json("Free slots", {"$ref": "#/components/schemas/SlotList"}),
                "404": NOT_FOUND,
                "422": INVALID,
                "429": RATE_LIMITED,
            },
        }
    },
    "/api/v1/public/manage/{token}/reschedule": {
        "post": {
            "operationId": "rescheduleBooking",
            "summary": "Move the interview to another free slot",
            "description": (
                "422 with code `same_time` when `start` is the interview's current time: "
                "nothing is changed or sent."
            ),
            "security": [],
            "parameters": [TOKEN],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["start"],
                            "properties": {"start": {"type": "string", "format": "date-time"}},
                        }
                    }
                },
            },
            "responses": {
                "200": _json("Moved", {"$ref": "#/components/schemas/Booking"}),
                "404": NOT_FOUND,
                "409": TAKEN,
                "422": INVALID,
                "429": RATE_LIMITED,
            },
        }
    },
    "/api/v1/public/manage/{token}/cancel": {
        "post": {
            "operationId": "cancelBooking",
            "summary": "Cancel the interview; the link stops working",
            "security": [],
            "parameters": [TOKEN],
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "properties": {"reason": {"type": "string"}}}
                    }
                },
            },
            "responses": {
                "200": _json(
                    "Cancelled",
                    {
                        "type": "object",
                        "required": ["status"],
                        "properties": {"status": {"const": "cancelled"}},
                    },
                ),
                "404": NOT_FOUND,
                "422": INVALID,
                "429": RATE_LIMITED,
            },
        }
    },
    "/api/v1/public/manage/{token}/invite.ics": {
        "get": {
            "operationId": "getInvite",
            "summary": "The interview's calendar invite (text/calendar, current SEQUENCE)",
            "security": [],
            "parameters": [TOKEN],
            "responses": {
                "200": {
                    "description": "The invite",
                    "content": {"text/calendar": {"schema": {"type": "string"}}},
                },
                "404": NOT_FOUND,
                "429": RATE_LIMITED,
            },
        }
    },
}
