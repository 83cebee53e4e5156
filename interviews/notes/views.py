"""The team's pages for templates, live notes, takeaways, tags and note-taking rotation."""

from __future__ import annotations

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
from interviews.accounts.forms import EmptyForm
from interviews.clock import utc_now
from interviews.errors import DomainError, InvalidInput, NotFound
from interviews.maps import evidence
from interviews.notes import browse, takeaways
from interviews.notes import sections as rules
from interviews.notes import service as notes
from interviews.notes.models import TakeawaySource
from interviews.participants import service as participants
from interviews.scheduling import pages, team
from interviews.studies import service as studies
from interviews.web import Refused, editor_required, id_from, login_required, safe_next

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


@bp.get("/interviews/<int:interview_id>/notes")
@login_required
def live_notes(interview_id: int):
    """Take notes during the call: a section per heading, autosaved, with takeaways."""
    return _render_notes(interview_id)


def _render_notes(
    interview_id: int,
    conflict: notes.NotesConflict | None = None,
    status=200,
    recording: dict | None = None,
):
    """The notes page; ``recording`` is a refused recording form, shown as it was typed
    with its error ({"consent", "url", "error"})."""
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
        recording=recording,
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
    bodies_list = request.form.getlist("body")
    bodies = dict(zip(headings, bodies_list, strict=False))
    base_list = request.form.getlist("base")
    base = dict(zip(headings, base_list, strict=False)) if base_list else None
    try:
        notes.save_notes(
            g.member,
            interview_id,
            bodies,
            revision=_int(request.form.get("revision"), "The revision"),
            base=base,
        )
    except notes.NotesConflict as conflict:
        flash(conflict.message, "error")
        return _render_notes(interview_id, conflict, 409)
    flash("Notes saved.", "success")
    return redirect(url_for("notes.live_notes", interview_id=interview_id))


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
        consent = request.form.get("consent") == "1"
        typed = request.form.get("url", "")
        try:
            notes.set_recording(g.member, interview_id, consent=consent, url=typed)
        except InvalidInput as error:
            # Shown next to the link, with what was typed kept, not lost in a redirect.
            refused = {"consent": consent, "url": typed, "error": error.message}
            return _render_notes(interview_id, status=422, recording=refused)
        flash("Recording details saved.", "success")
    return redirect(url_for("notes.live_notes", interview_id=interview_id) + "#recording")


@bp.post("/interviews/<int:interview_id>/note-taker")
@editor_required
def note_taker(interview_id: int):
    """Who takes notes on this call."""
    if EmptyForm().validate_on_submit():
        user_id = _int(request.form.get("user_id"), "The note-taker")
        notes.assign_note_taker(g.member, interview_id, user_id)
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
    return takeaways.TakeawayDraft(
        text=request.form.get("text", ""),
        key=request.form.get("key", ""),
        quote=request.form.get("quote", ""),
        tags=tuple(request.form.get("tags", "").split(",")),
        importance=_int(request.form.get("importance"), "Importance") or 2,
        **fields,
    )


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
        flash(error.message, "error")
        return redirect(url_for("notes.live_notes", interview_id=interview_id) + "#takeaways")
    if request.accept_mimetypes.best == "application/json":
        return jsonify(added.as_json()), 201
    flash("Takeaway added.", "success")
    return redirect(url_for("notes.live_notes", interview_id=interview_id) + "#takeaways")


@bp.post("/takeaways/<int:takeaway_id>/edit")
@editor_required
def edit_takeaway(takeaway_id: int):
    """Change a takeaway's words, quote, tags or importance."""
    back = request.form.get("interview_id", "")
    target = (
        url_for("notes.live_notes", interview_id=int(back)) + "#takeaways"
        if back.isascii() and back.isdigit()
        else url_for("notes.takeaway_list")
    )
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")
    draft = _posted_takeaway(context=request.form.get("context", ""))
    try:
        takeaways.update_takeaway(g.member, takeaway_id, draft)
        flash("Takeaway saved.", "success")
    except InvalidInput as error:
        flash(error.message, "error")
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
    )


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


def _library(args: MultiDict, feedback: Refused | None = None, status: int = 200):
    """The library filtered by ``args``; ``feedback`` is a refused "log feedback" form,
    shown open with what was typed and its errors."""
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
        if feedback is None
        else _library_url(request.form.get("back")),
        form=EmptyForm(),
        feedback=feedback,
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
        raise InvalidInput("The selection holds something that is not a takeaway.")
    return sorted(set(ids))


def _takeaways(n: int) -> str:
    return f"{n} takeaway{'' if n == 1 else 's'}"


def _already(n: int) -> str:
    """What to add after a bulk action's count, like “ (2 already were)”; nothing for 0."""
    return f" ({n} already {'was' if n == 1 else 'were'})" if n else ""


@bp.post("/takeaways/bulk")
@editor_required
def bulk_takeaways():
    """Tag, untag or link the ticked takeaways of the library, then back to the same
    filtered library."""
    back = _library_url(request.form.get("back"))
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")
    action = request.form.get("action", "")
    try:
        ids = _picked_ids()
        if not ids:
            raise InvalidInput("Tick the takeaways first, or “Select all on this page”.")
        if action == "tag":
            name = request.form.get("tag", "")
            added = takeaways.bulk_tag(g.member, ids, name)
            tag = " ".join(name.strip().lstrip("#").split())
            message = f"Tagged {_takeaways(len(ids))} “{tag}”{_already(len(ids) - added)}."
        elif action == "untag":
            name = request.form.get("tag", "")
            removed = takeaways.bulk_untag(g.member, ids, name)
            tag = " ".join(name.strip().lstrip("#").split())
            message = f"Removed “{tag}” from {_takeaways(removed)}."
        elif action == "link":
            node_id = _int(request.form.get("node_id"), "The actor, outcome or output")
            if node_id is None:
                raise InvalidInput("Choose the actor, outcome or output to link them to.")
            added = evidence.link_evidence(g.member, ids, node_id)
            [node] = evidence.node_refs(g.member.workspace_id, ids=[node_id])
            message = f"Linked {_takeaways(len(ids))} to {node.title}{_already(len(ids) - added)}."
        else:
            raise InvalidInput("Choose what to do with the ticked takeaways.")
    except (InvalidInput, NotFound) as error:
        flash(error.message, "error")
        return redirect(back)
    flash(message, "success")
    return redirect(back)


@bp.get("/tags")
@login_required
def tags():
    """The workspace's tags: rename or merge them."""
    return render_template(
        "notes/tags.html", tags=takeaways.list_tags(g.member.workspace_id), form=EmptyForm()
    )


@bp.post("/tags/<int:tag_id>/rename")
@editor_required
def rename_tag(tag_id: int):
    """Rename a tag (to an existing name: merge them)."""
    if EmptyForm().validate_on_submit():
        try:
            tag = takeaways.rename_tag(g.member, tag_id, request.form.get("name", ""))
            flash(f"Tag is now “{tag.name}” on {tag.takeaways} takeaways.", "success")
        except InvalidInput as error:
            flash(error.message, "error")
    return redirect(url_for("notes.tags"))


@bp.post("/tags/merge")
@editor_required
def merge_tags():
    """Merge the ticked tags into one."""
    if EmptyForm().validate_on_submit():
        ids = [int(i) for i in request.form.getlist("tag_id") if i.isascii() and i.isdigit()]
        into = _int(request.form.get("into"), "The tag to keep")
        if into is None or not ids:
            flash("Tick the tags to merge and choose the one to keep.", "error")
        else:
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
