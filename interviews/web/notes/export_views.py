"""Downloading notes: one interview's as Markdown, a study's as a zip of them. Its
routes are on the notes blueprint of views.py."""

from __future__ import annotations

from flask import (
    Response,
    g,
)

from interviews.notes import service as notes
from interviews.scheduling import team
from interviews.web import (
    login_required,
)
from interviews.web.notes.views import bp


@bp.get("/interviews/<int:interview_id>/notes.md")
@login_required
def export_interview(interview_id: int):
    """The notes as a Markdown file."""
    timezone = team.viewer_timezone(g.member.user_id)
    name, text = notes.interview_markdown(g.member.workspace_id, interview_id, timezone)
    return _download(name, text, "text/markdown")


@bp.get("/studies/<int:study_id>/notes.zip")
@login_required
def export_study(study_id: int):
    """Every interview's notes in the study, a Markdown file each, zipped."""
    timezone = team.viewer_timezone(g.member.user_id)
    name, data = notes.study_zip(g.member.workspace_id, study_id, timezone)
    return _download(name, data, "application/zip")


def _download(name: str, content: str | bytes, mimetype: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
