"""Team endpoints of reports: attendance per study over a range of days.

They hang on the team blueprint of api/views.py (same bearer-token check);
interviews/api/__init__.py imports this module so the routes exist whenever the API does.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import g, jsonify

from interviews.api.views import _day, bp
from interviews.scheduling import team
from interviews.scheduling.attendance import CONSUMER_FLAKE_RATE, ENGAGED_B2B_FLAKE_RATE
from interviews.studies import service as studies


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


@bp.get("/reports/attendance")
def attendance_report():
    """Per study: booked, completed, no-shows, cancelled, the flake rate
    no_show / (completed + no_show) (null when both are 0) and recovered no-shows, for
    interviews starting on the days ``from``..``to`` (UTC, both included)."""
    # A range that ends before it starts holds nothing, as in the library's filters.
    first, last = _day("from"), _day("to")
    start = datetime.combine(first, time(0), tzinfo=UTC) if first else None
    # date.max has no next day: a range that ends there has no end.
    end = (
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC)
        if last and last < last.max
        else None
    )
    titles = {s.id: s.title for s in studies.list_studies(g.api_member.workspace_id)}
    numbers = team.attendance_by_study(g.api_member.workspace_id, start, end)
    return jsonify(
        {
            "from": first.isoformat() if first else None,
            "to": last.isoformat() if last else None,
            "reference_lines": {
                "engaged_b2b": ENGAGED_B2B_FLAKE_RATE,
                "consumer": CONSUMER_FLAKE_RATE,
            },
            "studies": [
                {
                    "study_id": study_id,
                    "title": titles.get(study_id, ""),
                    "booked": n.booked,
                    "completed": n.completed,
                    "no_show": n.no_show,
                    "cancelled": n.cancelled,
                    "upcoming": n.upcoming,
                    "flake_rate": _rate(n.flake_rate),
                    "recovered": n.recovered,
                    "recovery_rate": _rate(n.recovery_rate),
                }
                for study_id, n in sorted(numbers.items())
            ],
        }
    )
