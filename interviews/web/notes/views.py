"""The team's notes pages: live notes and their takeaways, prep and the note-taking
rotation. The downloads (export_views.py), the takeaway library
(library_views.py) and the tags page (tag_views.py) put their routes on its blueprint."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.errors import InvalidInput
from interviews.notes import sections as rules
from interviews.notes import service as notes
from interviews.notes import takeaways
from interviews.notes.models import TakeawaySource
from interviews.participants import service as participants
from interviews.scheduling import pages, team
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
        refused = refusal(error, inputs, "notes", fallback="body-1")
        editor = _Editor(revision, base or {}, bodies)
        return _render_notes(interview_id, 422, refused=refused, editor=editor)
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
        try:
            notes.set_recording(
                g.member,
                interview_id,
                consent=request.form.get("consent") == "1",
                url=request.form.get("url", ""),
            )
        except InvalidInput as error:
            refused = refusal(error, _RECORDING_INPUTS, "recording", fallback="url")
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
            refused = refusal(error, {"user_id": ("user_id", "Note-taker")}, "taker", "user_id")
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
        refused = refusal(error, _takeaway_inputs("t-"), "takeaway", fallback="t-text")
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
        refused = refusal(error, inputs, f"edit-{takeaway_id}", fallback=f"text-{takeaway_id}")
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
