"""Outcome roadmap pages: the list of roadmaps, one roadmap with its themes, and the
forms that change them. A theme opens its impact map, or starts one."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from interviews.errors import DomainError, Forbidden, NotFound
from interviews.maps import roadmaps
from interviews.maps.rules import ThemeStatus
from interviews.web import Refused, editor_required, ids_from, login_required, require_fresh_form
from interviews.web.accounts.forms import EmptyForm

bp = Blueprint("roadmaps", __name__)


def map_href(map_id: int, node_id: int | None = None) -> str:
    """A map's page, at one node when given."""
    return url_for("maps.show", map_id=map_id, node=node_id)


def _ids(name: str) -> tuple[int, ...]:
    return tuple(ids_from(request.form.getlist(name)))


def _roadmap_draft() -> roadmaps.RoadmapDraft:
    form = request.form
    return roadmaps.RoadmapDraft(
        challenge=form.get("challenge", ""),
        target_condition=form.get("target_condition", ""),
        current_state=form.get("current_state", ""),
    )


def _theme_draft() -> roadmaps.ThemeDraft:
    form = request.form
    return roadmaps.ThemeDraft(
        title=form.get("title", ""),
        hypothesis=form.get("hypothesis", ""),
        status=form.get("status", ""),
        priority=form.get("priority", ""),
        outcome_ids=_ids("outcome_ids"),
    )


def _refused(error: DomainError) -> None:
    """Someone else's or missing things, and viewers, get the error page; the rest is
    told on the page they came from."""
    if isinstance(error, NotFound | Forbidden) and error.field is None:
        raise error


# The inputs of each form, by the field names the roadmap service uses: a refused form's
# errors link to them. A theme form's ids start with its prefix ("new-theme", "theme-7").
_ROADMAP_INPUTS = {
    "challenge": "challenge",
    "target_condition": "target_condition",
    "current_state": "current_state",
}
_EDIT_ROADMAP_INPUTS = {
    "challenge": "edit-challenge",
    "target_condition": "edit-target",
    "current_state": "edit-current",
}


def _theme_refused(error: DomainError, prefix: str) -> Refused:
    fields = ("title", "hypothesis", "status", "priority")
    ids = {name: f"{prefix}-{name}" for name in fields} | {"outcome_ids": f"{prefix}-outcomes"}
    return Refused.of(error, ids, form=prefix, fallback=f"{prefix}-title")


def _index(refused: Refused | None = None, status: int = 200):
    return render_template(
        "maps/roadmaps.html",
        roadmaps=roadmaps.list_roadmaps(g.member.workspace_id),
        form=EmptyForm(),
        refused=refused,
    ), status


def _show(
    roadmap_id: int,
    refused: Refused | None = None,
    editing: int | None = None,
    status: int = 200,
):
    """The roadmap page; ``refused`` is a refused form of it (``editing``: 0 the roadmap's,
    a theme's id that theme's, None the new theme's), shown open as typed."""
    workspace_id = g.member.workspace_id
    return render_template(
        "maps/roadmap.html",
        roadmap=roadmaps.get_roadmap(workspace_id, roadmap_id),
        outcomes=roadmaps.outcome_choices(workspace_id),
        statuses=list(ThemeStatus),
        priorities=roadmaps.PRIORITIES,
        map_href=map_href,
        form=EmptyForm(),
        # Every value posted, the outcomes' several among them, to put back in the form.
        values=request.form if refused else MultiDict(),
        refused=refused,
        editing=editing,
    ), status


@bp.get("/roadmaps")
@login_required
def index():
    """Every outcome roadmap of the workspace, and a form to start one."""
    return _index()


@bp.post("/roadmaps")
@editor_required
def create():
    """Start a roadmap from its challenge."""
    require_fresh_form()
    try:
        roadmap_id = roadmaps.create_roadmap(g.member, _roadmap_draft())
    except DomainError as error:
        _refused(error)
        return _index(Refused.of(error, _ROADMAP_INPUTS, fallback="challenge"), error.status_code)
    flash("Roadmap started. Add the themes that should move it towards the target.", "success")
    return redirect(url_for("roadmaps.show", roadmap_id=roadmap_id))


@bp.get("/roadmaps/<int:roadmap_id>")
@login_required
def show(roadmap_id: int):
    """The challenge, target condition against current state, and the themes by priority."""
    return _show(roadmap_id)


@bp.post("/roadmaps/<int:roadmap_id>")
@editor_required
def update(roadmap_id: int):
    """Change the challenge, target condition or current state."""
    require_fresh_form()
    try:
        roadmaps.update_roadmap(g.member, roadmap_id, _roadmap_draft())
    except DomainError as error:
        _refused(error)
        refused = Refused.of(error, _EDIT_ROADMAP_INPUTS, form="roadmap", fallback="edit-challenge")
        return _show(roadmap_id, refused, editing=0, status=error.status_code)
    flash("Roadmap saved.", "success")
    return redirect(url_for("roadmaps.show", roadmap_id=roadmap_id))


@bp.post("/roadmaps/<int:roadmap_id>/delete")
@editor_required
def delete(roadmap_id: int):
    """Remove the roadmap and its themes; their maps stay."""
    require_fresh_form()
    kept = roadmaps.delete_roadmap(g.member, roadmap_id)
    kept_words = (
        f" The {kept} map{'s' if kept != 1 else ''} started from its themes stay{'s' if kept == 1 else ''}."
        if kept
        else ""
    )
    flash(f"Roadmap deleted.{kept_words}", "success")
    return redirect(url_for("roadmaps.index"))


@bp.post("/roadmaps/<int:roadmap_id>/themes")
@editor_required
def add_theme(roadmap_id: int):
    """Add a theme: its hypothesis, the outcomes it should move, status and priority."""
    require_fresh_form()
    try:
        theme_id = roadmaps.add_theme(g.member, roadmap_id, _theme_draft())
    except DomainError as error:
        _refused(error)
        return _show(roadmap_id, _theme_refused(error, "new-theme"), status=error.status_code)
    flash("Theme added.", "success")
    return redirect(url_for("roadmaps.show", roadmap_id=roadmap_id) + f"#theme-{theme_id}")


@bp.post("/roadmaps/themes/<int:theme_id>")
@editor_required
def update_theme(theme_id: int):
    """Change a theme."""
    require_fresh_form()
    try:
        roadmap_id = roadmaps.update_theme(g.member, theme_id, _theme_draft())
    except DomainError as error:
        _refused(error)
        back = roadmaps.theme_roadmap_id(g.member.workspace_id, theme_id)
        refused = _theme_refused(error, f"theme-{theme_id}")
        return _show(back, refused, editing=theme_id, status=error.status_code)
    flash("Theme saved.", "success")
    return redirect(url_for("roadmaps.show", roadmap_id=roadmap_id) + f"#theme-{theme_id}")


@bp.post("/roadmaps/themes/<int:theme_id>/delete")
@editor_required
def delete_theme(theme_id: int):
    """Remove a theme; a map started from it stays."""
    require_fresh_form()
    roadmap_id = roadmaps.delete_theme(g.member, theme_id)
    flash("Theme deleted.", "success")
    return redirect(url_for("roadmaps.show", roadmap_id=roadmap_id))


@bp.post("/roadmaps/themes/<int:theme_id>/map")
@editor_required
def start_map(theme_id: int):
    """A theme opens its map: start one whose goal is the theme."""
    require_fresh_form()
    try:
        map_id = roadmaps.start_theme_map(g.member, theme_id)
    except DomainError as error:
        _refused(error)
        back = roadmaps.theme_roadmap_id(g.member.workspace_id, theme_id)
        # The button has no inputs: the error links to the theme it is on.
        refused = Refused.of(error, {}, form="map", fallback=f"theme-{theme_id}")
        return _show(back, refused, status=error.status_code)
    flash(
        "Map started from the theme. Sharpen the goal into a metric with a target and a date, "
        "then add the actors.",
        "success",
    )
    return redirect(map_href(map_id))
