"""Team endpoints of reports: attendance per study over a range of days.

They hang on the team blueprint of api/views.py (same bearer-token check);
interviews/api/__init__.py imports this module so the routes exist whenever the API does.
"""

from __future__ import annotations

from flask import g, jsonify
from pydantic import BaseModel, Field

from interviews.api.contract import Day, Query, operation
from interviews.api.views import bp
from interviews.reports import service as reports

Rate = float | None


class StudyAttendance(BaseModel):
    study_id: int
    title: str
    booked: int = Field(ge=0, description="Every interview booked, cancelled ones too")
    completed: int = Field(ge=0)
    no_show: int = Field(ge=0)
    cancelled: int = Field(ge=0)
    upcoming: int = Field(ge=0)
    flake_rate: Rate = Field(
        ge=0, le=1, description="no_show / (completed + no_show); null when both are 0"
    )
    recovered: int = Field(
        ge=0, description="No-shows who rebooked from the follow-up and then completed"
    )
    recovery_rate: Rate = Field(
        ge=0, le=1, description="recovered / no_show; null without no-shows"
    )


class ReferenceLines(BaseModel):
    """PRODUCT.md's flake rates: about 10% is good for engaged B2B people, 40% is not
    unusual for consumers."""

    engaged_b2b: float
    consumer: float


class AttendanceReport(BaseModel):
    from_: str | None = Field(alias="from", json_schema_extra={"format": "date"})
    to: str | None = Field(json_schema_extra={"format": "date"})
    reference_lines: ReferenceLines
    studies: list[StudyAttendance]


class AttendanceQuery(Query):
    from_: Day | None = Field(
        None,
        alias="from",
        description="First day, included (YYYY-MM-DD, 2000 to 2100); none: since the start",
    )
    to: Day | None = Field(
        None, description="Last day, included (YYYY-MM-DD, 2000 to 2100); none: no end"
    )


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


@bp.get("/reports/attendance")
@operation("attendanceReport", ok=(200, AttendanceReport, "Every study of the workspace"))
def attendance_report(query: AttendanceQuery):
    """Attendance per study for interviews starting on the days from..to (UTC).

    Per study: booked, completed, no-shows, cancelled, the flake rate
    no_show / (completed + no_show) (null when both are 0) and recovered no-shows, for
    interviews starting on the days `from`..`to` (UTC, both included).
    """
    # A range that ends before it starts holds nothing, as in the library's filters.
    first, last = query.from_, query.to
    # The same function the dashboard's per-study table reads: the two cannot disagree.
    lines = reports.attendance(g.api_member.workspace_id, first, last)
    return jsonify(
        {
            "from": first.isoformat() if first else None,
            "to": last.isoformat() if last else None,
            "reference_lines": dict(reports.REFERENCE_LINES),
            "studies": [
                {
                    "study_id": line.study_id,
                    "title": line.title,
                    "booked": line.numbers.booked,
                    "completed": line.numbers.completed,
                    "no_show": line.numbers.no_show,
                    "cancelled": line.numbers.cancelled,
                    "upcoming": line.numbers.upcoming,
                    "flake_rate": _rate(line.numbers.flake_rate),
                    "recovered": line.numbers.recovered,
                    "recovery_rate": _rate(line.numbers.recovery_rate),
                }
                for line in lines
            ],
        }
    )
