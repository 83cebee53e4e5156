"""The research-operations dashboard: one page of tables, each chart as its own SVG
response, each table as a CSV download. Every member may read it, viewers too."""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template, request

from interviews.errors import InvalidInput
from interviews.reports import rules
from interviews.reports import service as reports
from interviews.web import login_required

bp = Blueprint("reports", __name__, url_prefix="/reports")

# A chart is an SVG shown through <img>: it never runs script, and needs only its own
# inline styles. Nothing else may load from it.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


@bp.get("")
@login_required
def dashboard():
    """Funnel, weekly attendance, no-show rate per study, reminders, rewards, rotation."""
    try:
        page = reports.dashboard(g.member.workspace_id, request.args)
    except InvalidInput as error:
        # The form again, with what to fix: the page is where the filters are changed.
        choices = reports.study_choices(g.member.workspace_id)
        return _page(None, choices, error), 422
    return _page(page, page.study_choices, None)


def _page(page, choices, error):
    return render_template(
        "reports/dashboard.html",
        page=page,
        choices=choices,
        error=error,
        args=request.args,
        percent=rules.percent,
    )


@bp.get("/<name>.csv")
@login_required
def table_csv(name: str):
    """One table of the dashboard as CSV, with the same filters."""
    filename, text = reports.table_csv(g.member.workspace_id, name, request.args)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/charts/<name>.svg")
@login_required
def chart(name: str):
    """One chart as SVG, with the same filters."""
    svg = reports.chart_svg(g.member.workspace_id, name, request.args)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response
