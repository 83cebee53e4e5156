"""The transcript page of an interview: bring the file in (uploaded or pasted), read it as
speaker turns, find words in it, say who each speaker is, and highlight words into a
takeaway with the moment they were said. Its routes are on the notes blueprint of
views.py. It also gives every team page two template helpers: the transcript's size (the
notes page's link to it) and a highlight's "play" link into the recording."""

from __future__ import annotations

import re
from functools import partial
from itertools import groupby

from flask import (
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from interviews.errors import InvalidInput, NotFound, TooLarge
from interviews.maps import evidence
from interviews.maps.rules import NodeKind
from interviews.notes import search, transcripts
from interviews.notes import service as notes
from interviews.notes.recording_links import moment_link
from interviews.notes.takeaways import TakeawayView
from interviews.notes.transcript_files import format_moment
from interviews.notes.transcript_rules import SpeakerRole, Turn, turns
from interviews.scheduling import pages, team
from interviews.web import (
    Refused,
    editor_required,
    id_from,
    ids_from,
    login_required,
)
from interviews.web.accounts.forms import EmptyForm
from interviews.web.notes.refusals import refusal
from interviews.web.notes.views import bp

# Words as the search cuts them (notes/search.py): what is marked is what matched.
_WORD = re.compile(r"[^\W_]+")

# The inputs of the upload form by the service's field names: (id, label). A refused
# file is named at the file input, pasted text that cannot be read at the text box.
_UPLOAD_INPUTS = {
    "transcript": ("transcript-file", "Transcript file"),
    "text": ("transcript-text", "Pasted transcript"),
    "confirm": ("confirm", "They agreed to be recorded"),
}

# The highlight form's inputs, by the field names of the transcript, takeaway and maps
# services: (id, label).
_HIGHLIGHT_INPUTS = {
    "quote": ("h-quote", "Quote"),
    "text": ("h-text", "Takeaway"),
    "tags": ("h-tags", "Tags"),
    "importance": ("h-importance", "Importance"),
    "actor_ids": ("h-actor", "Actor"),
    "outcome_ids": ("h-outcome", "Outcome"),
}


def _transcript_url(interview_id: int, anchor: str | None = None) -> str:
    return url_for("notes.transcript", interview_id=interview_id, _anchor=anchor)


# --- reading -----------------------------------------------------------------------------


@bp.get("/interviews/<int:interview_id>/transcript")
@login_required
def transcript(interview_id: int):
    """The interview's transcript as speaker turns, with find; editors bring one in, say
    who each speaker is and highlight words into takeaways (``?highlight=<segment id>``
    opens the highlight form on that segment's words)."""
    return _render_transcript(interview_id)


def _said(text: str, words: list[str]) -> bool:
    """Every searched word starts a word of ``text``: the segments whose words the page
    marks (search.highlight marks by the same rule)."""
    said = [w.lower() for w in _WORD.findall(text)]
    return all(any(s.startswith(w) for s in said) for w in words)


def _turns(segments: list[transcripts.SegmentView]) -> list[Turn]:
    """Speaker turns of ``segments``; segments not next to each other in the file (a
    filtered transcript) are never one turn, so each turn's time is its own."""
    runs = groupby(enumerate(segments), key=lambda pair: pair[1].position - pair[0])
    return [turn for _, run in runs for turn in turns([s for _, s in run])]


def _by_map(refs: list[evidence.NodeRef], kind: NodeKind) -> list[tuple[str, list]]:
    """[(map goal, its nodes of ``kind``)] for a select's option groups."""
    chosen = [r for r in refs if r.kind is kind]
    return [
        (goal, list(group))
        for (_, goal), group in groupby(chosen, key=lambda r: (r.map_id, r.map_goal))
    ]


def _render_transcript(interview_id: int, status: int = 200, refused: Refused | None = None):
    """The transcript page. ``refused`` is a refused form of it (``refused.form``:
    "upload", "remove", "speakers" or "highlight"), shown as typed with its errors."""
    workspace_id = g.member.workspace_id
    view = notes.notes_of(workspace_id, interview_id)  # NotFound for another workspace's
    summary = view.interview
    try:
        said = transcripts.transcript_of(workspace_id, interview_id)
    except NotFound:
        said = None
    q = request.args.get("q", "")[:200]
    words = search.search_words(q)
    segments = said.segments if said else []
    shown = [s for s in segments if _said(s.text, words)] if words else segments
    # The segment the highlight form is on: the one whose "Highlight" link was followed,
    # or the one of a refused highlight.
    if refused is not None and refused.form == "highlight":
        wanted = id_from(refused.value("segment_id"))
    else:
        wanted = id_from(request.args.get("highlight"))
    chosen = next((s for s in segments if s.id == wanted), None)
    editing = g.member.can_edit and said is not None
    refs = evidence.node_refs(workspace_id, (NodeKind.ACTOR, NodeKind.OUTCOME)) if editing else []
    timezone = team.viewer_timezone(g.member.user_id)
    return render_template(
        "notes/transcript.html",
        summary=summary,
        when=pages.local_when(summary.start, summary.end, timezone),
        consent=view.recording_consent,
        recording_url=view.recording_url,
        said=said,
        turns=_turns(shown),
        q=q,
        words=words,
        matched=len(shown),
        mark=partial(search.highlight, words=words),
        at=format_moment,
        play=partial(moment_link, view.recording_url),
        chosen=chosen,
        roles=[r.value for r in SpeakerRole],
        actors=_by_map(refs, NodeKind.ACTOR),
        outcomes=_by_map(refs, NodeKind.OUTCOME),
        refused=refused,
        form=EmptyForm(),
    ), status


# --- bringing it in, replacing, removing -------------------------------------------------


def _posted_file() -> tuple[bytes, str, str, str]:
    """The transcript of the upload form: (bytes, content type, file name, the input it
    came from). A file or pasted text, not both. Raises InvalidInput (field
    "transcript" or "text")."""
    upload = request.files.get("transcript")
    pasted = request.form.get("text", "")
    has_file = upload is not None and bool(upload.filename)
    if has_file and pasted.strip():
        raise InvalidInput(
            "Choose a file or paste the text, not both: empty the text box to upload the file.",
            field="text",
        )
    if has_file:
        # A browser labels a .srt file application/octet-stream or nothing at all: then
        # the service goes by the file's name and its first lines.
        mimetype = "" if upload.mimetype == "application/octet-stream" else upload.mimetype
        return upload.read(), mimetype or "", upload.filename or "", "transcript"
    if pasted.strip():
        return pasted.encode("utf-8"), "", "", "text"
    raise InvalidInput(
        "Choose the transcript file (WebVTT, SRT or plain text), or paste its text.",
        field="transcript",
    )


@bp.post("/interviews/<int:interview_id>/transcript")
@editor_required
def upload_transcript(interview_id: int):
    """Bring in the interview's transcript from a file or pasted text; it replaces any
    earlier one whole. A refused one stores nothing and keeps the pasted text."""
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")
    came_from = "transcript"
    try:
        data, content_type, filename, came_from = _posted_file()
        said = transcripts.put_transcript(
            g.member,
            interview_id,
            data,
            content_type=content_type,
            filename=filename,
            confirmed=request.form.get("confirm") == "1",
        )
    except (InvalidInput, TooLarge) as error:
        if error.field == "transcript" and came_from == "text":
            error.field = "text"  # the pasted text is what could not be read
        refused = refusal(error, _UPLOAD_INPUTS, "upload", fallback="transcript-file")
        return _render_transcript(interview_id, error.status_code, refused)
    n = len(said.segments)
    flash(f"Transcript saved: {n} segment{'' if n == 1 else 's'}.", "success")
    return redirect(_transcript_url(interview_id))


@bp.post("/interviews/<int:interview_id>/transcript/remove")
@editor_required
def remove_transcript(interview_id: int):
    """Remove the interview's transcript once the box saying so is ticked; takeaways
    made from it keep their quote, speaker and moment."""
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")
    if request.form.get("sure") != "1":
        error = InvalidInput(
            "Tick the box to confirm, then remove it: this cannot be undone.", field="sure"
        )
        refused = refusal(
            error, {"sure": ("remove-sure", "Remove the transcript")}, "remove", "remove-sure"
        )
        return _render_transcript(interview_id, 422, refused)
    transcripts.delete_transcript(g.member, interview_id)
    flash("Transcript removed. Takeaways made from it keep their quotes and moments.", "success")
    return redirect(_transcript_url(interview_id))


@bp.post("/interviews/<int:interview_id>/transcript/speakers")
@editor_required
def transcript_speakers(interview_id: int):
    """Say who each speaker of the transcript is: interviewer, interviewee or other."""
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")
    names = request.form.getlist("speaker")
    roles = request.form.getlist("role")
    try:
        if len(names) != len(roles):
            raise InvalidInput("Choose a role for each speaker.", field="speakers")
        transcripts.set_speakers(g.member, interview_id, dict(zip(names, roles, strict=True)))
    except InvalidInput as error:
        refused = refusal(error, {"speakers": ("role-1", "Speakers")}, "speakers", "role-1")
        return _render_transcript(interview_id, 422, refused)
    flash("Speakers saved.", "success")
    return redirect(_transcript_url(interview_id, "speakers"))


# --- highlighting ------------------------------------------------------------------------


@bp.post("/interviews/<int:interview_id>/transcript/highlights")
@editor_required
def add_highlight(interview_id: int):
    """Make a takeaway of words of one segment (they may run on into the next ones),
    tagged and linked to an actor or outcome; then back to that segment. 201 with the
    takeaway for a caller asking for JSON."""
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")
    wants_json = request.accept_mimetypes.best == "application/json"
    segment_id = id_from(request.form.get("segment_id"))
    importance = request.form.get("importance", "")
    try:
        if segment_id is None:
            raise InvalidInput(
                "Choose the words first: select them in the transcript, or follow a "
                "segment's “Highlight” link.",
                field="quote",
            )
        links = evidence.checked_links(
            g.member.workspace_id,
            ids_from(request.form.getlist("actor_id")),
            ids_from(request.form.getlist("outcome_id")),
        )
        made = transcripts.add_highlight(
            g.member,
            interview_id,
            transcripts.HighlightDraft(
                segment_id=segment_id,
                quote=request.form.get("quote", ""),
                text=request.form.get("text", ""),
                tags=tuple(request.form.get("tags", "").split(",")),
                # Unreadable is 0, which the takeaway's rules refuse, naming it.
                importance=(id_from(importance) or 0) if importance else 2,
                tags_typed=request.form.get("tags", ""),
            ),
            links,
        )
    except (InvalidInput, NotFound) as error:
        # A segment of no transcript of this interview is a 404; a map node that is not
        # an actor or outcome of this workspace is the form's to say (checked_links
        # names its field).
        if wants_json or (isinstance(error, NotFound) and error.field not in _HIGHLIGHT_INPUTS):
            raise
        refused = refusal(error, _HIGHLIGHT_INPUTS, "highlight", fallback="h-quote")
        return _render_transcript(interview_id, 422, refused)
    if wants_json:
        return jsonify(made.as_json()), 201
    moment = made.moment
    said = f" at {moment.at}" if moment and moment.at else ""
    who = f" from {moment.speaker}" if moment and moment.speaker else ""
    flash(f"Takeaway made{who}{said}: “{made.text[:80]}”.", "success")
    return redirect(_transcript_url(interview_id, f"segment-{segment_id}"))


# --- on other pages ------------------------------------------------------------------------


@bp.app_template_global()
def transcript_size(interview_id: int) -> int | None:
    """How many segments the interview's transcript has, None when it has none yet: the
    notes page's link to it says so."""
    return transcripts.segment_count(g.member.workspace_id, interview_id)


@bp.app_template_global()
def play_link(takeaway: TakeawayView) -> str | None:
    """A link that plays the interview's recording where a highlight's words were said,
    when the recording's address allows one (recording_links.moment_link); else None.
    Each interview's recording link is read once per request, however many of its
    takeaways a page lists."""
    moment = takeaway.moment
    member = g.get("member")
    if member is None or moment is None or moment.start is None or not takeaway.interview_id:
        return None
    known: dict[int, str] = g.setdefault("recording_urls", {})
    if takeaway.interview_id not in known:
        known[takeaway.interview_id] = notes.recording_url_of(
            member.workspace_id, takeaway.interview_id
        )
    return moment_link(known[takeaway.interview_id], moment.start)
