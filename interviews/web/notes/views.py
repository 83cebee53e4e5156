"""The team's pages for templates, live notes, takeaways, tags and note-taking rotation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import MultiDict

from interviews import dates
from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.errors import DomainError, InvalidInput, NotFound, refuse_all
from interviews.maps import evidence
from interviews.notes import browse, takeaways
from interviews.notes import sections as rules
from interviews.notes import service as notes
from interviews.notes.models import TakeawaySource
from interviews.participants import service as participants
from interviews.scheduling import pages, team
from interviews.studies import service as studies
from interviews.web import (
    Refused,
    editor_required,
    id_from,
    login_required,
    named_message,
    safe_next,
)
from interviews.web.accounts.forms import EmptyForm

bp = Blueprint("notes", __name__)


def _int(value: str | None, what: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{what} must be a number.") from None


# --- live notes --------------------------------------------------------------------------


def _notes_json(view: notes.NotesView, merged: bool = False) -> dict:
    return {
        "revision": view.revision,
        "merged": merged,
        "sections": [{"heading": s.heading, "body": s.body} for s in view.sections],
        "updated_at": view.updated_at.isoformat() if view.updated_at else None,
    }


@dataclass(frozen=True)
class _Editor:
    """What the notes editor holds: the revision it was loaded at and, per heading, the
    text it started from (``base``, for the merge when someone else saves meanwhile)
    and the text in the box. A heading missing from either is the saved text."""

    revision: int | None  # None: the saved notes' revision
    base: Mapping[str, str]
    text: Mapping[str, str]


@bp.get("/interviews/<int:interview_id>/notes")
@login_required
def live_notes(interview_id: int):
    """Take notes during the call: a section per heading, autosaved, with takeaways."""
    return _render_notes(interview_id)


def _render_notes(
    interview_id: int,
    status: int = 200,
    *,
    conflict: notes.NotesConflict | None = None,
    refused: Refused | None = None,
    editor: _Editor | None = None,
):
    """The notes page. ``refused`` is a refused form of it (``refused.form``: "takeaway",
    "edit-<takeaway id>", "recording" or "notes"), shown as typed with its errors;
    ``editor`` what the notes editor holds when it is not the saved notes."""
    workspace_id = g.member.workspace_id
    view = notes.notes_of(workspace_id, interview_id)
    timezone = team.viewer_timezone(g.member.user_id)
    summary = view.interview
    items = takeaways.takeaways_of_interview(workspace_id, interview_id)
    return render_template(
        "notes/notes.html",
        view=view,
        summary=summary,
        when=pages.local_when(summary.start, summary.end, timezone),
        timezone=timezone,
        takeaways=items,
        nudge=rules.takeaway_nudge(len(items)) if summary.status.value == "completed" else None,
        checklist=rules.CHECKLIST,
        members=accounts.members(workspace_id),
        sources=[s.value for s in TakeawaySource],
        conflict=conflict,
        refused=refused,
        editor=editor or _Editor(None, {}, {}),
        form=EmptyForm(),
        study=studies.get_study(workspace_id, summary.study_id),
    ), status


@bp.post("/interviews/<int:interview_id>/notes")
@editor_required
def save_notes(interview_id: int):
    """Save notes: JSON from the autosave (409 with both versions on a clash), or the
    plain form without scripts."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("sections"), list):
            raise InvalidInput('Send {"revision", "sections": [{"heading", "body"}]}.')
        bodies = _bodies(body["sections"])
        base = _bodies(body["base"]) if isinstance(body.get("base"), list) else None
        revision = body.get("revision")
        if revision is not None and not isinstance(revision, int):
            raise InvalidInput("revision must be a whole number.")
        try:
            view, merged = notes.save_notes(
                g.member, interview_id, bodies, revision=revision, base=base
            )
        except notes.NotesConflict as conflict:
            return jsonify(
                error={"code": "conflict", "message": conflict.message},
                conflicts=list(conflict.headings),
                current=_notes_json(conflict.current),
                combined=conflict.combined,
            ), 409
        return jsonify(_notes_json(view, merged))
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired: reload the page and save again.")
    headings = request.form.getlist("heading")
    # Line breaks as the autosave sends them ("\n"), not as a form does ("\r\n"): the
    # same text either way, and the box's maxlength counts each as one character.
    bodies_list = [b.replace("\r\n", "\n") for b in request.form.getlist("body")]
    bodies = dict(zip(headings, bodies_list, strict=False))
    base_list = [b.replace("\r\n", "\n") for b in request.form.getlist("base")]
    base = dict(zip(headings, base_list, strict=False)) if base_list else None
    revision = _int(request.form.get("revision"), "The revision")
    try:
        notes.save_notes(g.member, interview_id, bodies, revision=revision, base=base)
    except notes.NotesConflict as conflict:
        # Nothing was written. The editor starts again from the notes as saved now: each
        # clashing section holds both versions merged line by line, every other section
        # what this writer typed merged with what the others saved.
        saved = conflict.current.bodies
        merged = rules.merge_sections(base if base is not None else saved, bodies, saved)
        text = {**merged.bodies, **conflict.combined}
        return _render_notes(
            interview_id,
            409,
            conflict=conflict,
            editor=_Editor(conflict.current.revision, saved, text),
        )
    except InvalidInput as error:
        # A section too long: shown as typed, the editor still at the revision and base
        # it was loaded with, so saving again merges with whatever others saved meanwhile.
        sections = notes.notes_of(g.member.workspace_id, interview_id).sections
        inputs = {
            s.heading: (f"body-{i}", f"Notes for {s.heading}") for i, s in enumerate(sections, 1)
        }
        refused = _refusal(error, inputs, "notes", fallback="body-1")
        editor = _Editor(revision, base or {}, bodies)
        return _render_notes(interview_id, 422, refused=refused, editor=editor)
    flash("Notes saved.", "success")
    return redirect(url_for("notes.live_notes", interview_id=interview_id))


def _refusal(
    error: DomainError,
    inputs: Mapping[str, tuple[str, str]],
    form: str,
    fallback: str,
) -> Refused:
    """The posted form refused by ``error`` and every problem found with it, each message
    worded to name its field. ``inputs`` maps an error's field name to the (id, label) of
    its input on the page; an error of no listed field goes to ``fallback`` (an id).
    What was typed is the whole posted form, repeated names (ticked boxes) included."""
    problems = error.problems if isinstance(error, InvalidInput) else (error,)
    labels = {input_id: label for input_id, label in inputs.values()}
    errors = []
    for problem in problems:
        input_id = inputs[problem.field][0] if problem.field in inputs else fallback
        errors.append((input_id, named_message(labels.get(input_id, ""), problem.message)))
    # In the order the inputs are on the page (``inputs`` lists them so), as a reader
    # meets them; an error of no listed input last.
    order = list(labels)
    errors.sort(key=lambda e: order.index(e[0]) if e[0] in order else len(order))
    return Refused(request.form.copy(), errors, form)


def _bodies(items: list) -> dict[str, str]:
    bodies: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            raise InvalidInput('Each section is {"heading", "body"}.')
        heading, body = item.get("heading"), item.get("body", "")
        if not isinstance(heading, str) or not heading.strip() or not isinstance(body, str):
            raise InvalidInput("Each section needs a heading and a body, both text.")
        bodies[heading] = body
    return bodies


@bp.post("/interviews/<int:interview_id>/recording")
@editor_required
def recording(interview_id: int):
    """Their permission to record, and the recording's link."""
    if EmptyForm().validate_on_submit():
        try:
            notes.set_recording(
                g.member,
                interview_id,
                consent=request.form.get("consent") == "1",
                url=request.form.get("url", ""),
            )
        except InvalidInput as error:
            refused = _refusal(error, _RECORDING_INPUTS, "recording", fallback="url")
            return _render_notes(interview_id, 422, refused=refused)
        flash("Recording details saved.", "success")
    return redirect(url_for("notes.live_notes", interview_id=interview_id) + "#recording")


# The recording form's inputs by the service's field names: (id, label).
_RECORDING_INPUTS = {
    "recording_consent": ("consent", "They agreed to be recorded"),
    "recording_url": ("url", "Recording link"),
}


@bp.post("/interviews/<int:interview_id>/note-taker")
@editor_required
def note_taker(interview_id: int):
    """Who takes notes on this call."""
    if EmptyForm().validate_on_submit():
        typed = request.form.get("user_id", "")
        # Unreadable is 0, no one's id: refused like someone who left the workspace.
        user_id = (id_from(typed) or 0) if typed else None
        try:
            notes.assign_note_taker(g.member, interview_id, user_id)
        except InvalidInput as error:
            refused = _refusal(error, {"user_id": ("user_id", "Note-taker")}, "taker", "user_id")
            return _render_prep(interview_id, refused, 422)
        flash("Note-taker saved." if user_id else "No note-taker for now.", "success")
    prep = url_for("notes.prep", interview_id=interview_id)
    return redirect(safe_next(request.form.get("back"), prep))


@bp.post("/interviews/<int:interview_id>/checklist")
@editor_required
def checklist(interview_id: int):
    """Tick an after-call item."""
    if EmptyForm().validate_on_submit():
        notes.check_item(
            g.member,
            interview_id,
            request.form.get("item", ""),
            request.form.get("done") == "1",
        )
    back = request.form.get("back")
    if back == "interview":
        return redirect(url_for("agenda.interview", interview_id=interview_id) + "#checklist")
    return redirect(url_for("notes.live_notes", interview_id=interview_id) + "#checklist")


def _posted_takeaway(**fields) -> takeaways.TakeawayDraft:
    importance = request.form.get("importance", "")
    return takeaways.TakeawayDraft(
        text=request.form.get("text", ""),
        key=request.form.get("key", ""),
        quote=request.form.get("quote", ""),
        tags=tuple(request.form.get("tags", "").split(",")),
        tags_typed=request.form.get("tags", ""),
        # Unreadable is 0, which the service refuses with the other problems, naming it.
        importance=(id_from(importance) or 0) if importance else 2,
        **fields,
    )


def _takeaway_inputs(prefix: str) -> dict[str, tuple[str, str]]:
    """The inputs of a takeaway form on the notes page, by the service's field names:
    (id, label); ``prefix`` is "t-" for the quick-add form, "<field>-<id>" otherwise."""
    labels = {
        "key": "Key",
        "text": "Takeaway",
        "quote": "Quote",
        "tags": "Tags",
        "importance": "Importance",
    }
    if prefix == "t-":
        return {name: (f"t-{name}", label) for name, label in labels.items()}
    return {name: (f"{name}-{prefix}", label) for name, label in labels.items()}


@bp.post("/interviews/<int:interview_id>/takeaways")
@editor_required
def add_takeaway(interview_id: int):
    """Quick-add a takeaway while taking notes."""
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")
    draft = _posted_takeaway(interview_id=interview_id)
    try:
        added = takeaways.add_takeaway(g.member, draft)
    except InvalidInput as error:
        if request.accept_mimetypes.best == "application/json":
            raise
        refused = _refusal(error, _takeaway_inputs("t-"), "takeaway", fallback="t-text")
        return _render_notes(interview_id, 422, refused=refused)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(added.as_json()), 201
    flash("Takeaway added.", "success")
    return redirect(url_for("notes.live_notes", interview_id=interview_id) + "#takeaways")


@bp.post("/takeaways/<int:takeaway_id>/edit")
@editor_required
def edit_takeaway(takeaway_id: int):
    """Change a takeaway's words, quote, tags or importance."""
    interview_id = id_from(request.form.get("interview_id"))
    target = (
        url_for("notes.live_notes", interview_id=interview_id) + "#takeaways"
        if interview_id is not None
        else url_for("notes.takeaway_list")
    )
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")
    draft = _posted_takeaway(context=request.form.get("context", ""))
    try:
        takeaways.update_takeaway(g.member, takeaway_id, draft)
    except InvalidInput as error:
        # Shown again in its edit form on the notes page it was sent from; a takeaway
        # not on that page has no form to show it in, so the refusal is the answer.
        listed = (
            takeaways.takeaways_of_interview(g.member.workspace_id, interview_id)
            if interview_id is not None
            else []
        )
        if all(t.id != takeaway_id for t in listed):
            raise
        inputs = _takeaway_inputs(str(takeaway_id))
        refused = _refusal(error, inputs, f"edit-{takeaway_id}", fallback=f"text-{takeaway_id}")
        return _render_notes(interview_id, 422, refused=refused)
    flash("Takeaway saved.", "success")
    return redirect(target)


@bp.post("/takeaways/<int:takeaway_id>/delete")
@editor_required
def delete_takeaway(takeaway_id: int):
    """Remove a takeaway."""
    if EmptyForm().validate_on_submit():
        takeaways.delete_takeaway(g.member, takeaway_id)
        flash("Takeaway removed.", "success")
    back = request.form.get("interview_id")
    if back and back.isascii() and back.isdigit():
        return redirect(url_for("notes.live_notes", interview_id=int(back)) + "#takeaways")
    return redirect(url_for("notes.takeaway_list"))


@bp.get("/interviews/<int:interview_id>/prep")
@login_required
def prep(interview_id: int):
    """Before the call: who they are, what we learned from them before, the plan."""
    return _render_prep(interview_id)


def _render_prep(interview_id: int, refused: Refused | None = None, status: int = 200):
    """The prep page; ``refused``: the note-taker form refused, with its error."""
    workspace_id = g.member.workspace_id
    detail = team.interview_detail(workspace_id, interview_id)
    view = notes.notes_of(workspace_id, interview_id)
    timezone = team.viewer_timezone(g.member.user_id)
    summary = detail.summary
    return render_template(
        "notes/prep.html",
        detail=detail,
        summary=summary,
        view=view,
        when=pages.local_when(summary.start, summary.end, timezone),
        timezone=timezone,
        earlier=[
            t
            for t in takeaways.takeaways_of_participant(workspace_id, summary.participant_id)
            if t.interview_id != interview_id
        ],
        profile=participants.profile_facts(workspace_id, summary.participant_id),
        members=accounts.members(workspace_id),
        form=EmptyForm(),
        refused=refused,
    ), status


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


# --- takeaways and tags ------------------------------------------------------------------


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
                takeaways.one_tag_name(name)
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
            added = takeaways.bulk_tag(g.member, ids, name)
            tag = " ".join(name.strip().lstrip("#").split())
            message = f"Tagged {_takeaways(len(ids))} “{tag}”{_already(len(ids) - added)}."
        elif action == "untag":
            removed = takeaways.bulk_untag(g.member, ids, name)
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
        refused = _refusal(error, _BULK_INPUTS, "bulk", fallback="bulk-actions")
        return _library(MultiDict(parse_qsl(urlsplit(back).query)), status=422, bulk=refused)
    flash(message, "success")
    return redirect(back)


def _tags_page(refused: Refused | None = None, status: int = 200):
    """The tags page; ``refused`` is a refused rename ("rename-<tag id>") or merge."""
    return render_template(
        "notes/tags.html",
        tags=takeaways.list_tags(g.member.workspace_id),
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
            tag = takeaways.rename_tag(g.member, tag_id, request.form.get("name", ""))
        except InvalidInput as error:
            inputs = {
                field: (f"name-{tag_id}", "New name of the tag") for field in ("name", "tags")
            }
            return _tags_page(_refusal(error, inputs, f"rename-{tag_id}", f"name-{tag_id}"), 422)
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
            listed = takeaways.list_tags(g.member.workspace_id)
            # The ticks are a group of boxes: the summary leads to the first.
            first = f"merge-{listed[0].id}" if listed else "into"
            inputs = {"tag_ids": (first, "Tags to merge"), "into": ("into", "Keep")}
            return _tags_page(_refusal(error, inputs, "merge", fallback="into"), 422)
        tag = takeaways.merge_tags(g.member, ids, into)
        flash(f"Merged into “{tag.name}” ({tag.takeaways} takeaways).", "success")
    return redirect(url_for("notes.tags"))


@bp.get("/rotation")
@login_required
def rotation():
    """Who took notes this month, so the team rotates who joins the calls."""
    timezone = team.viewer_timezone(g.member.user_id)
    zone = ZoneInfo(timezone)
    today = utc_now().astimezone(zone).date()
    start = datetime(today.year, today.month, 1, tzinfo=zone)
    end = (start + timedelta(days=32)).replace(day=1)
    return render_template(
        "notes/rotation.html",
        lines=notes.rotation(g.member.workspace_id, start, end),
        month=start.strftime("%B %Y"),
    )
