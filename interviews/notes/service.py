"""Notes use cases: live notes on an interview, the recording, the note-taker, the
after-call checklist and exports. Other areas reach notes through here,
``template_library`` and ``takeaways``."""
# Stays whole past 400 lines: every use case here reads or writes the one notes row through the same view and write lock; exports render that view.

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from interviews import addresses
from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import Conflict, InvalidInput, NotFound, refuse_all
from interviews.notes import browse, takeaways
from interviews.notes import sections as rules
from interviews.notes import template_library as library
from interviews.notes.erasure import scrub
from interviews.notes.markdown import render
from interviews.notes.models import (
    InterviewNotes,
    TemplateVersion,
)
from interviews.notes.takeaways import (  # noqa: F401 (privacy requests reach them through here)
    TakeawayView,
    takeaways_added,
)
from interviews.scheduling import team
from interviews.studies import service as studies

# --- live notes --------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteSection:
    heading: str
    guidance: str
    prompts: tuple[library.Prompt, ...]
    body: str

    @property
    def html(self):
        return render(self.body)


@dataclass(frozen=True)
class NotesView:
    interview: team.InterviewSummary
    template_id: int
    template_name: str
    template_version: int
    sections: tuple[NoteSection, ...]
    revision: int
    updated_at: datetime | None
    recording_consent: bool
    recording_consent_at: datetime | None
    recording_url: str
    note_taker_id: int | None
    checklist: dict[str, str]  # key -> when it was done (ISO)

    @property
    def bodies(self) -> dict[str, str]:
        return {s.heading: s.body for s in self.sections}

    @property
    def empty(self) -> bool:
        return not any(s.body.strip() for s in self.sections)

    @property
    def checklist_open(self) -> list[tuple[str, str]]:
        return [(k, label) for k, label in rules.CHECKLIST if k not in self.checklist]


def _notes_row(interview_id: int) -> InterviewNotes | None:
    return db.session.scalar(
        select(InterviewNotes).where(InterviewNotes.interview_id == interview_id)
    )


def _version_sections(version: TemplateVersion) -> list[dict]:
    return list(version.sections)


def _view(summary: team.InterviewSummary, row: InterviewNotes | None) -> NotesView:
    if row is None:
        template = library.template_for_study(studies.study_by_id(summary.study_id))
        version = db.session.get(TemplateVersion, template.version_id)
        bodies: dict[str, str] = {}
        extra: list[dict] = []
    else:
        version = row.template_version
        template = library.template_view(version.template)
        bodies = {s["heading"]: s.get("body", "") for s in row.sections}
        known = {s["heading"] for s in version.sections}
        extra = [s for s in row.sections if s["heading"] not in known]
    shown = [
        NoteSection(
            heading=s.heading,
            guidance=s.guidance,
            prompts=s.prompts,
            body=bodies.get(s.heading, ""),
        )
        for s in library.section_views(_version_sections(version))
    ]
    shown += [NoteSection(s["heading"], "", (), s.get("body", "")) for s in extra]
    return NotesView(
        interview=summary,
        template_id=template.id,
        template_name=template.name,
        template_version=version.number,
        sections=tuple(shown),
        revision=row.revision if row else 0,
        updated_at=row.updated_at if row else None,
        recording_consent=row.recording_consent if row else False,
        recording_consent_at=row.recording_consent_at if row else None,
        recording_url=row.recording_url if row else "",
        note_taker_id=row.note_taker_id if row else None,
        checklist=dict(row.checklist or {}) if row else {},
    )


def notes_of(workspace_id: int, interview_id: int) -> NotesView:
    """An interview's notes on its template (empty sections before the first save).
    Raises NotFound for another workspace's interview."""
    summary = team.interview_summary(workspace_id, interview_id)
    return _view(summary, _notes_row(interview_id))


def recording_url_of(workspace_id: int, interview_id: int) -> str:
    """The address of an interview's recording, "" when none is on file (or the
    interview is another workspace's): one column, for pages that link many moments."""
    return (
        db.session.scalar(
            select(InterviewNotes.recording_url).where(
                InterviewNotes.workspace_id == workspace_id,
                InterviewNotes.interview_id == interview_id,
            )
        )
        or ""
    )


def _row_for_writing(actor: accounts.Member, interview_id: int, now: datetime):
    library.editor_required(actor)
    summary = team.interview_summary(actor.workspace_id, interview_id)
    row = _notes_row(interview_id)
    if row is None:
        template = library.template_for_study(studies.study_by_id(summary.study_id))
        version = db.session.get(TemplateVersion, template.version_id)
        row = InterviewNotes(
            workspace_id=actor.workspace_id,
            interview_id=interview_id,
            template_version=version,
            sections=[{"heading": s["heading"], "body": ""} for s in version.sections],
            revision=0,
            checklist={},
            recording_url="",
            recording_consent=False,
            created_at=now,
            updated_at=now,
        )
        db.session.add(row)
    return summary, row


class NotesConflict(Conflict):
    """Someone saved these notes since this writer loaded them, and changed the same
    section differently. Carries the saved notes, the clashing headings, the writer's
    text and ``combined``: per clashing heading, both versions merged line by line from
    the common base, with only the lines both changed shown twice between markers."""

    def __init__(
        self,
        current: NotesView,
        headings: tuple[str, ...],
        mine: dict[str, str],
        combined: dict[str, str],
    ):
        listed = ", ".join(f"“{h}”" for h in headings)
        super().__init__(
            f"Someone else changed {listed} while you were writing. Both versions are shown: "
            "keep one or combine them, then save."
        )
        self.current, self.headings, self.mine = current, headings, mine
        self.combined = combined


MAX_SECTION = 100_000  # characters in one section's notes


def save_notes(
    actor: accounts.Member,
    interview_id: int,
    bodies: dict[str, str],
    *,
    revision: int | None,
    base: dict[str, str] | None = None,
    template_id: int | None = None,
) -> tuple[NotesView, bool]:
    """Save section bodies (by heading). ``revision`` is the one the writer loaded; when
    others saved since, edits to different sections are merged and the same section
    changed on both sides raises NotesConflict (nothing is written). ``base`` is the text
    the writer started from, for that merge; without it every differing section clashes.
    ``revision`` None overwrites (an integration that does not track revisions).
    ``template_id``, when given, must be the template the notes are taken on: saving
    cannot move notes to another template, so any other id is refused, not ignored.
    Returns the saved notes and whether a merge happened. Raises Forbidden, NotFound,
    InvalidInput (every section too long at once, each with its heading as the field),
    NotesConflict."""
    too_long: list[InvalidInput] = []
    for heading, body in bodies.items():
        if not isinstance(heading, str) or not isinstance(body, str):
            raise InvalidInput("Each section needs a heading and a body, both text.")
        if len(body) > MAX_SECTION:
            too_long.append(
                InvalidInput(
                    f"“{heading}” is too long: keep a section under 100,000 characters.",
                    field=heading,
                )
            )
    refuse_all(too_long)
    now = utc_now()
    summary, row = _row_for_writing(actor, interview_id, now)
    if template_id is not None:
        _same_template(actor.workspace_id, row.template_version.template_id, template_id)
    theirs = {s["heading"]: s.get("body", "") for s in row.sections}
    merged = False
    if revision is None or revision == row.revision:
        result = {**theirs, **{h: b for h, b in bodies.items()}}
    else:
        outcome = rules.merge_sections(base if base is not None else theirs, bodies, theirs)
        if base is None:
            clashing = tuple(h for h, b in bodies.items() if theirs.get(h, "") != b)
            outcome = rules.Merge(bodies=theirs, conflicts=clashing)
        if outcome.conflicts:
            db.session.rollback()
            started = base or {}
            combined = {
                h: rules.merge_lines(started.get(h, ""), bodies[h], theirs.get(h, "")).text
                for h in outcome.conflicts
            }
            raise NotesConflict(
                notes_of(actor.workspace_id, interview_id), outcome.conflicts, bodies, combined
            )
        result, merged = outcome.bodies, True
    order = [s["heading"] for s in row.sections]
    order += [h for h in result if h not in order]
    row.sections = [{"heading": h, "body": result.get(h, "")} for h in order]
    row.revision += 1
    row.updated_by = actor.user_id
    row.updated_at = now
    db.session.commit()
    return _view(summary, row), merged


def _same_template(workspace_id: int, taken_on: int, template_id: int) -> None:
    """Refuse (InvalidInput, nothing written) a template id other than ``taken_on``."""
    if template_id == taken_on:
        return
    db.session.rollback()  # a first save had added the notes row: it must not stay
    try:
        named = library.get_template(workspace_id, template_id).name
    except NotFound:
        raise InvalidInput(
            f"`template_id` {template_id} is not one of this workspace's templates. These "
            f"notes are taken on template {taken_on}: send that, or leave template_id out.",
            field="template_id",
        ) from None
    raise InvalidInput(
        f"These notes are taken on template {taken_on}; saving cannot move them to "
        f"“{named}” ({template_id}). Send {taken_on}, or leave template_id out.",
        field="template_id",
    )


def set_recording(
    actor: accounts.Member, interview_id: int, *, consent: bool, url: str
) -> NotesView:
    """Record the interviewee's permission to record, and the recording's link. A link
    needs consent first; withdrawing consent drops the link. Raises Forbidden, NotFound,
    InvalidInput (a link without consent: field ``recording_consent``; a link that is
    not a web address: ``recording_url``; both at once)."""
    url = url.strip()
    if url:
        problems: list[InvalidInput] = []
        if not consent:
            problems.append(
                InvalidInput(
                    "Tick that they agreed to be recorded before adding the recording's link.",
                    field="recording_consent",
                )
            )
        problem = addresses.problem_with(url, addresses.LinkUse.WEB)
        if problem:
            problems.append(InvalidInput(problem, field="recording_url"))
        refuse_all(problems)
    now = utc_now()
    summary, row = _row_for_writing(actor, interview_id, now)
    if consent and not row.recording_consent:
        row.recording_consent_at = now
    if not consent:
        row.recording_consent_at = None
    row.recording_consent = consent
    row.recording_url = url if consent else ""
    row.updated_at = now
    db.session.commit()
    return _view(summary, row)


def assign_note_taker(actor: accounts.Member, interview_id: int, user_id: int | None) -> NotesView:
    """Who takes notes on this call (None: nobody yet). Raises Forbidden, NotFound,
    InvalidInput (not a member of this workspace)."""
    if user_id is not None and user_id not in {
        m.user_id for m in accounts.members(actor.workspace_id)
    }:
        raise InvalidInput("Pick someone from this workspace to take notes.", field="user_id")
    now = utc_now()
    summary, row = _row_for_writing(actor, interview_id, now)
    row.note_taker_id = user_id
    row.updated_at = now
    db.session.commit()
    return _view(summary, row)


def check_item(actor: accounts.Member, interview_id: int, key: str, done: bool) -> NotesView:
    """Tick or untick one after-call checklist item. Raises Forbidden, NotFound,
    InvalidInput."""
    if key not in rules.CHECKLIST_KEYS:
        raise InvalidInput("No such checklist item.", field="item")
    now = utc_now()
    summary, row = _row_for_writing(actor, interview_id, now)
    checklist = dict(row.checklist or {})
    if done:
        checklist.setdefault(key, now.isoformat())
    else:
        checklist.pop(key, None)
    row.checklist = checklist
    row.updated_at = now
    db.session.commit()
    return _view(summary, row)


def open_checklists(workspace_id: int, interview_ids: list[int]) -> dict[int, int]:
    """For completed interviews: how many after-call items are still open, by interview
    (all of them for an interview with no notes yet)."""
    done = dict(
        db.session.execute(
            select(InterviewNotes.interview_id, InterviewNotes.checklist).where(
                InterviewNotes.workspace_id == workspace_id,
                InterviewNotes.interview_id.in_(interview_ids),
            )
        ).all()
    )
    return {
        iid: sum(1 for k in rules.CHECKLIST_KEYS if k not in (done.get(iid) or {}))
        for iid in interview_ids
    }


def written_notes(workspace_id: int, interview_ids: list[int]) -> set[int]:
    """Which of these interviews have notes with any text in them."""
    if not interview_ids:
        return set()
    rows = db.session.execute(
        select(InterviewNotes.interview_id, InterviewNotes.sections).where(
            InterviewNotes.workspace_id == workspace_id,
            InterviewNotes.interview_id.in_(interview_ids),
        )
    )
    return {iid for iid, sections in rows if any(s.get("body", "").strip() for s in sections or ())}


@dataclass(frozen=True)
class RotationLine:
    user_id: int
    name: str
    noted: int  # interviews they took notes on
    hosted: int


def rotation(
    workspace_id: int, start: datetime, end: datetime | None, study_id: int | None = None
) -> list[RotationLine]:
    """Who took notes and who hosted the interviews starting between ``start`` and
    ``end`` (no end: from ``start`` on), in one study if given, fewest notes first: the
    next note-taker is near the top. Cancelled interviews count for nobody."""
    # Counted by the database: a year of a busy workspace is thousands of interviews.
    held = team.held_interviews(workspace_id, start, end, study_id)
    hosted = dict(
        db.session.execute(select(held.c.host_id, func.count()).group_by(held.c.host_id)).all()
    )
    noted = dict(
        db.session.execute(
            select(InterviewNotes.note_taker_id, func.count())
            .join(held, held.c.interview_id == InterviewNotes.interview_id)
            .where(
                InterviewNotes.workspace_id == workspace_id,
                InterviewNotes.note_taker_id.is_not(None),
            )
            .group_by(InterviewNotes.note_taker_id)
        ).all()
    )
    lines = [
        RotationLine(m.user_id, m.name, noted.get(m.user_id, 0), hosted.get(m.user_id, 0))
        for m in accounts.members(workspace_id)
    ]
    return sorted(lines, key=lambda line: (line.noted, line.hosted, line.name))


def note_takers(workspace_id: int, interview_ids: list[int]) -> dict[int, int]:
    """The note-taker's user id by interview, for those that have one."""
    if not interview_ids:
        return {}
    return dict(
        db.session.execute(
            select(InterviewNotes.interview_id, InterviewNotes.note_taker_id).where(
                InterviewNotes.workspace_id == workspace_id,
                InterviewNotes.interview_id.in_(interview_ids),
                InterviewNotes.note_taker_id.is_not(None),
            )
        ).all()
    )


# --- exports -----------------------------------------------------------------------------


def _export(view: NotesView, timezone: str, items: list) -> rules.ExportInterview:
    summary = view.interview
    zone = ZoneInfo(timezone)
    when = summary.start.astimezone(zone).strftime("%a %-d %b %Y, %H:%M") + f" ({timezone})"
    facts = [
        ("Study", summary.study_title),
        ("When", when),
        ("Participant", summary.participant_name),
        ("Host", summary.host_name),
        ("Status", summary.status.value.replace("_", " ")),
        ("Template", f"{view.template_name} (version {view.template_version})"),
    ]
    if view.recording_url:
        facts.append(("Recording", view.recording_url))
    return rules.ExportInterview(
        title=f"Interview with {summary.participant_name}",
        facts=tuple(facts),
        takeaways=tuple(
            rules.ExportTakeaway(t.key, t.text, t.quote, t.tags, t.importance) for t in items
        ),
        sections=tuple((s.heading, s.body) for s in view.sections),
    )


def interview_markdown(workspace_id: int, interview_id: int, timezone: str) -> tuple[str, str]:
    """One interview's notes as a Markdown file: (file name, text). Raises NotFound."""
    view = notes_of(workspace_id, interview_id)
    items = takeaways.takeaways_of_interview(workspace_id, interview_id)
    summary = view.interview
    name = rules.file_name(summary.start.strftime("%Y-%m-%d"), summary.participant_name)
    return f"{name}.md", rules.to_markdown(_export(view, timezone, items))


def study_zip(workspace_id: int, study_id: int, timezone: str) -> tuple[str, bytes]:
    """Every interview's notes in a study, one Markdown file each, zipped:
    (file name, bytes). Cancelled interviews are left out. Raises NotFound."""
    study = studies.get_study(workspace_id, study_id)
    buffer = io.BytesIO()
    names: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for summary in team.list_interviews(workspace_id, study_id=study_id, limit=100_000):
            if summary.status.value == "cancelled":
                continue
            name, text = interview_markdown(workspace_id, summary.id, timezone)
            while name in names:  # two interviews with one person on one day
                name = name.removesuffix(".md") + f"-{summary.id}.md"
            names.add(name)
            archive.writestr(name, text)
        if not names:
            archive.writestr("README.md", f"# {study.title}\n\nNo interviews yet.\n")
    return f"{rules.file_name(study.title)}-notes.zip", buffer.getvalue()


def erase_from_notes(workspace_id: int, interview_ids: list[int], words: list[str]) -> int:
    """Part of erasing a person, inside the caller's transaction (no commit): on their
    interviews' notes, recording links and consent times go and ``words`` (their name,
    email, phone, company) are replaced in every section. Returns how many notes."""
    if not interview_ids:
        return 0
    rows = db.session.scalars(
        select(InterviewNotes).where(
            InterviewNotes.workspace_id == workspace_id,
            InterviewNotes.interview_id.in_(interview_ids),
        )
    ).all()
    for row in rows:
        row.recording_url = ""
        row.recording_consent_at = None
        row.sections = [{**s, "body": scrub(s.get("body", ""), words)} for s in row.sections]
    return len(rows)


def takeaways_from_participant(workspace_id: int, participant_id: int) -> list[TakeawayView]:
    """Every takeaway from one person, newest first, however many: a data export must
    be complete, so this reads past the library's page size."""
    found: list[TakeawayView] = []
    while True:
        page = browse.list_takeaways(
            workspace_id,
            browse.TakeawayQuery(participant_id=participant_id, limit=200, offset=len(found)),
        )
        found += page.items
        if not page.items or len(found) >= page.total:
            return found
