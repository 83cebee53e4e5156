"""The template library's pages: list, write, edit (in versions), copy and archive."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from interviews.errors import InvalidInput
from interviews.notes import sections as rules
from interviews.notes import template_library as library
from interviews.web import Refused, editor_required, login_required
from interviews.web.accounts.forms import EmptyForm

bp = Blueprint("templates", __name__)


@bp.get("/templates")
@login_required
def index():
    """The workspace's note templates."""
    archived = request.args.get("archived") == "1"
    return render_template(
        "notes/templates.html",
        templates=library.list_templates(g.member.workspace_id, archived=archived),
        archived=archived,
        form=EmptyForm(),
    )


def _posted_sections() -> list[dict]:
    headings = request.form.getlist("heading")
    guidance = request.form.getlist("guidance")
    prompts = request.form.getlist("prompts")
    return [
        {
            "heading": heading,
            "guidance": guidance[i] if i < len(guidance) else "",
            "prompts": (prompts[i] if i < len(prompts) else "").splitlines(),
        }
        for i, heading in enumerate(headings)
    ]


def _template_form(
    template: library.TemplateView | None,
    sections: list[dict],
    status=200,
    refused: Refused | None = None,
):
    """The template editor; ``refused``: the posted form refused, with its errors."""
    sections = list(sections)
    while sections and not any(sections[-1].values()):
        sections.pop()  # the empty rows a refused form sent back: three are added again
    # Three empty rows to add sections without scripts.
    rows = sections + [{"heading": "", "guidance": "", "prompts": []}] * 3
    hints = {p: rules.closed_question_hint(p) for s in sections for p in s["prompts"]}
    return render_template(
        "notes/template_form.html",
        template=template,
        rows=rows,
        hints={p: h for p, h in hints.items() if h},
        name=request.form.get("name", template.name if template else ""),
        description=request.form.get("description", template.description if template else ""),
        form=EmptyForm(),
        refused=refused,
    ), status


def _refused(error: InvalidInput) -> Refused:
    """The template form refused: the name's problem at the name, a section's at its
    heading (rows are numbered from 1 as on the page), the rest at the first heading."""
    ids = {"name": "name", "description": "description", "sections": "heading-1"}
    ids |= {
        p.field: f"heading-{p.field[9:]}"
        for p in error.problems
        if p.field and p.field.startswith("sections.")
    }
    return Refused.of(error, ids, fallback="heading-1")


@bp.route("/templates/new", methods=["GET", "POST"])
@editor_required
def new():
    """Write a template of your own."""
    if request.method == "POST" and EmptyForm().validate_on_submit():
        try:
            made = library.create_template(
                g.member,
                name=request.form.get("name", ""),
                description=request.form.get("description", ""),
                sections=_posted_sections(),
            )
        except InvalidInput as error:
            return _template_form(None, _posted_sections(), 422, _refused(error))
        flash(f"Template “{made.name}” saved.", "success")
        return redirect(url_for("templates.show", template_id=made.id))
    return _template_form(None, [])


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@login_required
def show(template_id: int):
    """One template: its sections, prompts and hints; editors change it here."""
    current = library.get_template(g.member.workspace_id, template_id)
    if request.method == "POST":
        if not g.member.can_edit:
            abort(403)
        if EmptyForm().validate_on_submit():
            try:
                saved = library.update_template(
                    g.member,
                    template_id,
                    name=request.form.get("name", ""),
                    description=request.form.get("description", ""),
                    sections=_posted_sections(),
                )
            except InvalidInput as error:
                return _template_form(current, _posted_sections(), 422, _refused(error))
            flash(f"Saved as version {saved.version}. Notes already taken keep theirs.", "success")
            return redirect(url_for("templates.show", template_id=template_id))
    sections = [
        {"heading": s.heading, "guidance": s.guidance, "prompts": [p.text for p in s.prompts]}
        for s in current.sections
    ]
    return _template_form(current, sections)


@bp.post("/templates/<int:template_id>/copy")
@editor_required
def copy(template_id: int):
    """A copy to change freely."""
    if EmptyForm().validate_on_submit():
        made = library.copy_template(g.member, template_id)
        flash(f"Copied as “{made.name}”.", "success")
        return redirect(url_for("templates.show", template_id=made.id))
    return redirect(url_for("templates.index"))


@bp.post("/templates/<int:template_id>/archive")
@editor_required
def archive(template_id: int):
    """Archive or restore a template."""
    if EmptyForm().validate_on_submit():
        archived = request.form.get("archived") == "1"
        made = library.set_archived(g.member, template_id, archived)
        flash(f"“{made.name}” {'archived' if archived else 'restored'}.", "success")
    return redirect(url_for("templates.index"))


@bp.post("/studies/<int:study_id>/template")
@editor_required
def choose_for_study(study_id: int):
    """The template this study's interviews are taken on."""
    if EmptyForm().validate_on_submit():
        chosen = request.form.get("template_id", "")
        if not (chosen.isascii() and chosen.isdigit()):
            raise InvalidInput("Pick a template.")
        template_id = int(chosen)
        library.choose_for_study(g.member, study_id, template_id)
        flash("Template chosen: new notes in this study use it.", "success")
    return redirect(url_for("studies.show", study_id=study_id))
