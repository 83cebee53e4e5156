"""OpenAPI paths and schemas of compensation: rewards, marking one sent, budgets."""

from __future__ import annotations

from typing import Any

from interviews.api.openapi_notes import (
    ERROR,
    FORBIDDEN,
    ID,
    INVALID,
    NOT_FOUND,
    PAGE_PARAMETERS,
    UNAUTHORIZED,
    _json,
    _query,
    _ref,
    page_of,
)
from interviews.compensation.money import RewardKind
from interviews.compensation.rules import RewardStatus
from interviews.compensation.service import MAX_METHOD, MAX_NOTE

# Amounts are exact decimal strings with the currency's own decimals: "20.00", "3000".
AMOUNT = {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "examples": ["20.00"]}
MAYBE_AMOUNT = {**AMOUNT, "type": ["string", "null"]}
CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217"}
INSTANT = {"type": "string", "format": "date-time"}

REWARD_SCHEMAS: dict[str, Any] = {
    "StudyOffer": {
        "type": "object",
        "required": ["text", "kind", "amount", "currency", "description"],
        "description": "What a study promises as a thank-you (a person may have their own)",
        "properties": {
            "text": {"type": "string", "description": "The offer's own words"},
            "kind": {"type": "string", "enum": [k.value for k in RewardKind]},
            "amount": {**MAYBE_AMOUNT, "description": "null: nothing with an amount"},
            "currency": {**CURRENCY, "type": ["string", "null"]},
            "description": {
                "type": "string",
                "description": 'As interviewees read it: "a $20.00 gift card (Amazon or REI)"',
            },
        },
    },
    "Reward": {
        "type": "object",
        "required": [
            "id",
            "interview_id",
            "participant_id",
            "study_id",
            "kind",
            "amount",
            "currency",
            "status",
            "granted",
            "method",
            "note",
            "owed_at",
            "settled_at",
            "overdue",
        ],
        "properties": {
            "id": {"type": "integer"},
            "interview_id": {"type": "integer"},
            "participant_id": {
                "type": ["integer", "null"],
                "description": "null once the person was erased; the money stays in the books",
            },
            "study_id": {"type": "integer"},
            "kind": {"type": "string", "enum": [k.value for k in RewardKind]},
            "amount": AMOUNT,
            "currency": CURRENCY,
            "status": {"type": "string", "enum": [s.value for s in RewardStatus]},
            "granted": {"type": "boolean", "description": "Given to a no-show by a PM"},
            "method": {
                "type": "string",
                "description": "How it was delivered, masked: only a long one's last four show",
            },
            "note": {"type": "string"},
            "owed_at": INSTANT,
            "settled_at": {**INSTANT, "type": ["string", "null"]},
            "overdue": {"type": "boolean", "description": "Owed for longer than promised"},
        },
    },
    "RewardSent": {
        "type": "object",
        "properties": {
            "method": {
                "type": "string",
                "maxLength": MAX_METHOD,
                "description": "A gift card code or payment reference; stored, shown masked",
            },
            "note": {
                "type": "string",
                "maxLength": MAX_NOTE,
                "description": "Included in the email to the interviewee",
            },
        },
    },
    "BudgetLine": {
        "type": "object",
        "required": ["currency", "allocated", "committed", "owed", "paid", "remaining"],
        "properties": {
            "currency": CURRENCY,
            "allocated": {**MAYBE_AMOUNT, "description": "null: no budget in this currency"},
            "committed": {**AMOUNT, "description": "What booked interviews will owe"},
            "owed": AMOUNT,
            "paid": {**AMOUNT, "description": "Sent and donated"},
            "remaining": {**MAYBE_AMOUNT, "description": "allocated - committed - owed - paid"},
        },
    },
    "Budgets": {
        "type": "object",
        "required": ["workspace", "studies"],
        "properties": {
            "workspace": {"type": "array", "items": _ref("BudgetLine")},
            "studies": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["study_id", "title", "paused", "lines"],
                    "properties": {
                        "study_id": {"type": "integer"},
                        "title": {"type": "string"},
                        "paused": {
                            "type": ["string", "null"],
                            "description": "Why it takes no new bookings, or null",
                        },
                        "lines": {"type": "array", "items": _ref("BudgetLine")},
                    },
                },
            },
        },
    },
}

REWARD_PATHS: dict[str, Any] = {
    "/api/v1/rewards": {
        "get": {
            "operationId": "listRewards",
            "summary": "Rewards: owed ones oldest first (the payout queue), settled latest first",
            "parameters": [
                _query(
                    "status",
                    {"type": "string", "enum": [s.value for s in RewardStatus]},
                    "Only rewards in this state",
                ),
                _query("study_id", ID, "Only this study's"),
                *PAGE_PARAMETERS,
            ],
            "responses": {
                "200": page_of("Reward", "A page of rewards, with counts by status"),
                "401": UNAUTHORIZED,
                "422": INVALID,
            },
        }
    },
    "/api/v1/rewards/{reward_id}/sent": {
        "post": {
            "operationId": "markRewardSent",
            "summary": "Mark an owed reward sent; the interviewee is emailed that it is on its way",
            "parameters": [
                {"name": "reward_id", "in": "path", "required": True, "schema": ID},
            ],
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": _ref("RewardSent")}},
            },
            "responses": {
                "200": _json("The reward, now sent", _ref("Reward")),
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
                "404": NOT_FOUND,
                "409": _json("The reward is not owed (already settled or withdrawn)", ERROR),
                "422": INVALID,
            },
        }
    },
    "/api/v1/budgets": {
        "get": {
            "operationId": "getBudgets",
            "summary": "Reward budgets of the workspace and each study, per currency",
            "responses": {
                "200": _json("Budget lines, and which studies are paused", _ref("Budgets")),
                "401": UNAUTHORIZED,
            },
        }
    },
}
