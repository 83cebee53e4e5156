"""The tags page: renaming and merging a workspace's tags. Its routes are on the notes
blueprint of views.py."""

from __future__ import annotations

from flask import (
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from interviews.errors import InvalidInput, refuse_all
from interviews.notes import tags as tagging
from interviews.web import (
    Refused,
    editor_required,
    id_from,
    login_required,
)
from interviews.web.accounts.forms import EmptyForm
from interviews.web.notes.refusals import refusal
from interviews.web.notes.views import bp


def _tags_page(refused: Refused | None = None, status: int = 200):
    """The tags page; ``refused`` is a refused rename ("rename-<tag id>") or merge."""
    return render_template(
        "notes/tags.html",
        tags=tagging.list_tags(g.member.workspace_id),
        form=EmptyForm(),
        refused=refused,
    ), status


@bp.get("/tags")
@login_required
def tags():
    """The workspace's tags: rename or merge them."""
    return _tags_page()


@bp.post("/tags/<int:tag_id>/rename")
@editor_required
def rename_tag(tag_id: int):
    """Rename a tag (to an existing name: merge them)."""
    if EmptyForm().validate_on_submit():
        try:
            tag = tagging.rename_tag(g.member, tag_id, request.form.get("name", ""))
        except InvalidInput as error:
            inputs = {
                field: (f"name-{tag_id}", "New name of the tag") for field in ("name", "tags")
            }
            return _tags_page(refusal(error, inputs, f"rename-{tag_id}", f"name-{tag_id}"), 422)
        flash(f"Tag is now “{tag.name}” on {tag.takeaways} takeaways.", "success")
    return redirect(url_for("notes.tags"))


@bp.post("/tags/merge")
@editor_required
def merge_tags():
    """Merge the ticked tags into one."""
    if EmptyForm().validate_on_submit():
        ids = [i for i in map(id_from, request.form.getlist("tag_id")) if i is not None]
        into = id_from(request.form.get("into"))
        problems = []
        if not [i for i in ids if i != into]:
            problems.append(
                InvalidInput("Tick the tags to merge, besides the one to keep.", field="tag_ids")
            )
        if into is None:
            problems.append(InvalidInput("Choose the tag to keep.", field="into"))
        try:
            refuse_all(problems)
        except InvalidInput as error:
            listed = tagging.list_tags(g.member.workspace_id)
            # The ticks are a group of boxes: the summary leads to the first.
            first = f"merge-{listed[0].id}" if listed else "into"
            inputs = {"tag_ids": (first, "Tags to merge"), "into": ("into", "Keep")}
            return _tags_page(refusal(error, inputs, "merge", fallback="into"), 422)
        tag = tagging.merge_tags(g.member, ids, into)
        flash(f"Merged into “{tag.name}” ({tag.takeaways} takeaways).", "success")
    return redirect(url_for("notes.tags"))
