"""Team endpoints of reports: attendance per study over a range of days.

They hang on the team blueprint of api/views.py (same bearer-token check);
interviews/api/__init__.py imports this module so the routes exist whenever the API does.
"""

from __future__ import annotations

from flask import g, jsonify

from interviews.api.views import _day, bp
from interviews.reports import service as reports


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


@bp.get("/reports/attendance")
def attendance_report():
    """Per study: booked, completed, no-shows, cancelled, the flake rate
    no_show / (completed + no_show) (null when both are 0) and recovered no-shows, for
    interviews starting on the days ``from``..``to`` (UTC, both included)."""
    # A range that ends before it starts holds nothing, as in the library's filters.
    first, last = _day("from"), _day("to")
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
