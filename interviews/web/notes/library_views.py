"""The takeaway library: searching takeaways, logging feedback, and tagging or linking
the ticked ones in bulk. Its routes are on the notes blueprint of views.py."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from urllib.parse import parse_qsl, urlsplit

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import MultiDict

from interviews import dates
from interviews.errors import DomainError, InvalidInput, NotFound, refuse_all
from interviews.maps import evidence
from interviews.notes import browse, takeaways
from interviews.notes import tags as tagging
from interviews.notes.models import TakeawaySource
from interviews.studies import service as studies
from interviews.web import (
    Refused,
    editor_required,
    id_from,
    login_required,
    safe_next,
)
from interviews.web.accounts.forms import EmptyForm
from interviews.web.notes.refusals import refusal
from interviews.web.notes.views import bp


@bp.get("/takeaways")
@login_required
def takeaway_list():
    """The takeaway library: search words, by tag, source, study, segment, dates, actor
    or outcome, best match or newest first; editors tag or link the ticked results."""
    return _library(request.args)


def _library(
    args: MultiDict,
    feedback: Refused | None = None,
    status: int = 200,
    bulk: Refused | None = None,
):
    """The library filtered by ``args``; ``feedback`` is a refused "log feedback" form,
    shown open with what was typed and its errors, ``bulk`` a refused action on the
    ticked takeaways, shown with the same boxes ticked."""
    workspace_id = g.member.workspace_id
    query = browse.TakeawayQuery(
        q=args.get("q", "")[:200],
        tag=args.get("tag", "")[:60],
        source=args.get("source", "") or "",
        study_id=id_from(args.get("study")),
        segment=args.get("segment", "")[:60],
        since=_day(args, "from"),
        until=_day(args, "to"),
        actor_id=id_from(args.get("actor")),
        outcome_id=id_from(args.get("outcome")),
        sort=args.get("sort") or "relevance",
        limit=100,
    )
    page = browse.list_takeaways(workspace_id, query)
    # Names for the actors and outcomes in the facets and the results; editors also get
    # every actor, outcome and output to pick from for "link to".
    shown = {int(i) for facet in ("actor", "outcome") for i in page.facets[facet]}
    shown |= {i for t in page.items for i in t.node_ids}
    shown |= {i for i in (query.actor_id, query.outcome_id) if i is not None}
    if g.member.can_edit:
        refs = evidence.node_refs(workspace_id)
    else:
        refs = evidence.node_refs(workspace_id, ids=sorted(shown)) if shown else []
    return render_template(
        "notes/takeaways.html",
        page=page,
        query=query,
        study_titles={str(s.id): s.title for s in studies.list_studies(workspace_id)},
        sources=[s.value for s in TakeawaySource],
        nodes={r.id: r for r in refs},
        mark=browse.marker(query.q),
        # [(map goal, [its actors, outcomes, outputs])], for the "link to" picker
        node_choices=[
            (goal, list(group))
            for (_, goal), group in groupby(refs, key=lambda r: (r.map_id, r.map_goal))
        ],
        back=request.full_path.rstrip("?")
        if feedback is None and bulk is None
        else _library_url(request.form.get("back")),
        form=EmptyForm(),
        feedback=feedback,
        bulk=bulk,
    ), status


@bp.post("/takeaways/feedback")
@editor_required
def log_feedback():
    """Log what someone heard outside an interview (sales, support, a survey ...) with
    who said it and why it matters, optionally as evidence for a node of a map."""
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")
    back = _library_url(request.form.get("back"))
    node = id_from(request.form.get("node_id"))
    try:
        links = evidence.links_to(g.member.workspace_id, [node]) if node else ()
        added = takeaways.add_takeaway(
            g.member,
            takeaways.TakeawayDraft(
                text=request.form.get("text", ""),
                quote=request.form.get("quote", ""),
                tags=tuple(request.form.get("tags", "").split(",")),
                source=request.form.get("source", "") or "other",
                context=request.form.get("context", ""),
                participant_email=request.form.get("participant_email", "").strip() or None,
                tags_typed=request.form.get("tags", ""),
            ),
            links=links,
        )
    except DomainError as error:
        if error.status_code >= 500:
            raise
        # Re-rendered, not redirected: the statement, context and tags stay as typed.
        refused = Refused.of(error, _FEEDBACK_INPUTS, fallback="feedback-text")
        return _library(MultiDict(parse_qsl(urlsplit(back).query)), refused, 422)
    flash(f"Logged from {added.source.value.replace('_', ' ')}: “{added.text[:80]}”.", "success")
    return redirect(back)


# The inputs of the "log feedback" form, by the field names the takeaway service uses.
_FEEDBACK_INPUTS = {
    "text": "feedback-text",
    "quote": "feedback-quote",
    "source": "feedback-source",
    "context": "feedback-context",
    "participant_email": "feedback-email",
    "tags": "feedback-tags",
    "node_id": "feedback-node",
}


def _day(args: MultiDict, name: str) -> date | None:
    """A YYYY-MM-DD filter of the library; an empty, unreadable or out-of-window one is none."""
    try:
        return dates.parse_day(args.get(name, ""), name, name)
    except InvalidInput:
        return None


def _library_url(back: str | None) -> str:
    """Back to the library as it was filtered; anything but a path of the library
    (another site, another page) is ignored."""
    library = url_for("notes.takeaway_list")
    target = safe_next(back, library)
    return target if urlsplit(target).path == library and "\\" not in target else library


def _picked_ids() -> list[int]:
    """The ticked takeaways, or every one on the page when "all on this page" is ticked.
    Raises InvalidInput for something that is not an id."""
    values = request.form.getlist("takeaway_id")
    if request.form.get("all_on_page") == "1":
        values += request.form.getlist("page_id")
    ids = [id_from(v) for v in values]
    if None in ids:
        raise InvalidInput(
            "The selection holds something that is not a takeaway.", field="takeaway_ids"
        )
    return sorted(set(ids))


def _takeaways(n: int) -> str:
    return f"{n} takeaway{'' if n == 1 else 's'}"


def _already(n: int) -> str:
    """What to add after a bulk action's count, like “ (2 already were)”; nothing for 0."""
    return f" ({n} already {'was' if n == 1 else 'were'})" if n else ""


# The inputs of the library's bulk form by field name: (id, label).
_BULK_INPUTS = {
    "takeaway_ids": ("bulk-all", "Ticked takeaways"),
    "tag": ("bulk-tag", "Tag"),
    "tags": ("bulk-tag", "Tag"),  # the tag checks shared with the takeaway forms name it so
    "node_id": ("bulk-node", "Actor, outcome or output"),
}


@bp.post("/takeaways/bulk")
@editor_required
def bulk_takeaways():
    """Tag, untag or link the ticked takeaways of the library, then back to the same
    filtered library; a refused action shows the same library again with its errors."""
    back = _library_url(request.form.get("back"))
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")
    action = request.form.get("action", "")
    node_id = None
    try:
        # What is wrong with the form itself, all at once, before anything is written.
        problems: list[InvalidInput] = []
        ids: list[int] = []
        try:
            ids = _picked_ids()
            if not ids:
                problems.append(
                    InvalidInput(
                        "Tick the takeaways first, or “Select all on this page”.",
                        field="takeaway_ids",
                    )
                )
        except InvalidInput as problem:
            problems.append(problem)
        name = request.form.get("tag", "")
        if action in ("tag", "untag"):
            try:
                tagging.one_tag_name(name)
            except InvalidInput as problem:
                problems.append(problem)
        elif action == "link":
            node_id = id_from(request.form.get("node_id"))
            if node_id is None:
                problems.append(
                    InvalidInput(
                        "Choose the actor, outcome or output to link them to.", field="node_id"
                    )
                )
        else:
            problems.append(InvalidInput("Choose what to do with the ticked takeaways."))
        refuse_all(problems)
        if action == "tag":
            added = tagging.bulk_tag(g.member, ids, name)
            tag = " ".join(name.strip().lstrip("#").split())
            message = f"Tagged {_takeaways(len(ids))} “{tag}”{_already(len(ids) - added)}."
        elif action == "untag":
            removed = tagging.bulk_untag(g.member, ids, name)
            tag = " ".join(name.strip().lstrip("#").split())
            message = f"Removed “{tag}” from {_takeaways(removed)}."
        else:
            added = evidence.link_evidence(g.member, ids, node_id)
            [node] = evidence.node_refs(g.member.workspace_id, ids=[node_id])
            message = f"Linked {_takeaways(len(ids))} to {node.title}{_already(len(ids) - added)}."
    except (InvalidInput, NotFound) as error:
        if error.field is None and node_id is not None:
            # The maps area names no field: the node when it is not one to link to
            # (another workspace's, an experiment), else the ticked takeaways.
            linkable = evidence.node_refs(g.member.workspace_id, ids=[node_id])
            error.field = "takeaway_ids" if linkable else "node_id"
        refused = refusal(error, _BULK_INPUTS, "bulk", fallback="bulk-actions")
        return _library(MultiDict(parse_qsl(urlsplit(back).query)), status=422, bulk=refused)
    flash(message, "success")
    return redirect(back)
