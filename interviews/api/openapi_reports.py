"""OpenAPI paths and schemas of reports: attendance per study."""

from __future__ import annotations

from typing import Any

from interviews.api.openapi_notes import INVALID, UNAUTHORIZED, _json, _query, _ref
from interviews.dates import YEAR_PATTERN

RATE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
COUNT = {"type": "integer", "minimum": 0}

REPORT_SCHEMAS: dict[str, Any] = {
    "StudyAttendance": {
        "type": "object",
        "required": [
            "study_id",
            "booked",
            "completed",
            "no_show",
            "cancelled",
            "flake_rate",
            "recovered",
        ],
        "properties": {
            "study_id": {"type": "integer"},
            "title": {"type": "string"},
            "booked": {**COUNT, "description": "Every interview booked, cancelled ones too"},
            "completed": COUNT,
            "no_show": COUNT,
            "cancelled": COUNT,
            "upcoming": COUNT,
            "flake_rate": {
                **RATE,
                "description": "no_show / (completed + no_show); null when both are 0",
            },
            "recovered": {
                **COUNT,
                "description": "No-shows who rebooked from the follow-up and then completed",
            },
            "recovery_rate": {**RATE, "description": "recovered / no_show; null without no-shows"},
        },
    },
    "AttendanceReport": {
        "type": "object",
        "required": ["from", "to", "reference_lines", "studies"],
        "properties": {
            "from": {"type": ["string", "null"], "format": "date"},
            "to": {"type": ["string", "null"], "format": "date"},
            "reference_lines": {
                "type": "object",
                "description": "PRODUCT.md's flake rates: about 10% is good for engaged B2B "
                "people, 40% is not unusual for consumers",
                "properties": {"engaged_b2b": {"type": "number"}, "consumer": {"type": "number"}},
            },
            "studies": {"type": "array", "items": _ref("StudyAttendance")},
        },
    },
}

_DAY = {"type": "string", "format": "date", "pattern": YEAR_PATTERN}

REPORT_PATHS: dict[str, Any] = {
    "/api/v1/reports/attendance": {
        "get": {
            "operationId": "attendanceReport",
            "summary": "Attendance per study for interviews starting on the days from..to (UTC)",
            "parameters": [
                _query(
                    "from",
                    _DAY,
                    "First day, included (YYYY-MM-DD, 2000 to 2100); none: since the start",
                ),
                _query("to", _DAY, "Last day, included (YYYY-MM-DD, 2000 to 2100); none: no end"),
            ],
            "responses": {
                "200": _json("Every study of the workspace", _ref("AttendanceReport")),
                "401": UNAUTHORIZED,
                "422": INVALID,
            },
        }
    },
}
