"""The REFI-QDA exchange, gathered from the workspace: a study's (or every study's)
interviews as a project for NVivo, ATLAS.ti, MAXQDA or Taguette, and the tags as a
codebook, both ways. The file formats are refi_qda.py's (pure); this module reads the
tags, transcripts, notes and takeaways and places each quote in its source.

What goes in a project: every tag as a code; per interview, its transcript (one line a
segment: "[12:34] Speaker: words") and its written notes as text sources; each takeaway
with a quote as a selection where the quote sits (a highlight in its transcript near
the moment it was said, another quote in the transcript or the notes), coded with the
takeaway's tags. A quote found in neither source is not invented a place."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import Forbidden, NotFound
from interviews.notes import refi_qda, takeaways, transcripts
from interviews.notes import tags as tagging
from interviews.notes import transcript_files as files
from interviews.notes.models import InterviewNotes, Tag, Takeaway
from interviews.scheduling import team
from interviews.studies import service as studies

ORIGIN = "Interview Desk"
MAX_IMPORTED = 2_000  # codes taken from one codebook


@dataclass(frozen=True)
class _Placed:
    """A source's text, and where each transcript segment's words start in it."""

    source: refi_qda.TextSource
    offsets: dict[int, int]


def _guid(workspace_id: int, *parts: object) -> str:
    return refi_qda.stable_guid("interview-desk", str(workspace_id), *map(str, parts))


def _codes(workspace_id: int) -> list[refi_qda.Code]:
    tags = db.session.scalars(
        select(Tag).where(Tag.workspace_id == workspace_id).order_by(Tag.key)
    ).all()
    return [refi_qda.Code(guid=_guid(workspace_id, "tag", t.id), name=t.name) for t in tags]


def _transcript_source(workspace_id: int, title: str, view: transcripts.TranscriptView) -> _Placed:
    lines, offsets, at = [], {}, 0
    for segment in view.segments:
        head = f"[{files.format_moment(segment.start)}] " if segment.start is not None else ""
        head += f"{segment.speaker}: " if segment.speaker else ""
        offsets[segment.id] = at + len(head)
        line = head + segment.text
        lines.append(line)
        at += len(line) + 1
    return _Placed(
        refi_qda.TextSource(
            guid=_guid(workspace_id, "transcript", view.interview_id),
            name=f"{title}: transcript",
            text="\n".join(lines) + "\n",
            created_at=view.updated_at,
        ),
        offsets,
    )


def _notes_source(workspace_id: int, title: str, row: InterviewNotes) -> refi_qda.TextSource | None:
    parts = [
        f"{s.get('heading', '')}\n\n{s.get('body', '').strip()}\n"
        for s in row.sections
        if s.get("body", "").strip()
    ]
    if not parts:
        return None
    return refi_qda.TextSource(
        guid=_guid(workspace_id, "notes", row.interview_id),
        name=f"{title}: notes",
        text="\n".join(parts),
        created_at=row.updated_at,
    )


def _with_selections(
    source: refi_qda.TextSource, selections: list[refi_qda.Selection]
) -> refi_qda.TextSource:
    return refi_qda.TextSource(
        guid=source.guid,
        name=source.name,
        text=source.text,
        description=source.description,
        created_at=source.created_at,
        selections=tuple(sorted(selections, key=lambda s: (s.start, s.end))),
    )


def project(actor: accounts.Member, study_id: int | None = None) -> tuple[str, bytes]:
    """A study's interviews (or the whole workspace's) as a REFI-QDA project: the file
    name and the .qdpx bytes. Raises NotFound (no such study)."""
    workspace_id = actor.workspace_id
    if study_id is not None:
        study = studies.get_study(workspace_id, study_id)
        interview_ids = team.interview_ids_of_study(workspace_id, study_id)
        name, filename = study.title, f"{study.slug}.qdpx"
    else:
        interview_ids = [i.id for i in team.list_interviews(workspace_id, limit=100_000)]
        name, filename = actor.workspace_name, "workspace.qdpx"
    summaries = team.interviews_by_id(workspace_id, interview_ids)
    codes = _codes(workspace_id)
    code_of = {c.name: c.guid for c in codes}
    placed = {
        v.interview_id: v for v in transcripts.transcripts_for_export(workspace_id, interview_ids)
    }
    notes = (
        {
            r.interview_id: r
            for r in db.session.scalars(
                select(InterviewNotes).where(
                    InterviewNotes.workspace_id == workspace_id,
                    InterviewNotes.interview_id.in_(interview_ids),
                )
            )
        }
        if interview_ids
        else {}
    )
    quoted: dict[int, list[Takeaway]] = defaultdict(list)
    if interview_ids:
        for row in db.session.scalars(
            select(Takeaway)
            .options(selectinload(Takeaway.tags))
            .where(
                Takeaway.workspace_id == workspace_id,
                Takeaway.interview_id.in_(interview_ids),
                Takeaway.quote != "",
            )
            .order_by(Takeaway.id)
        ):
            quoted[row.interview_id].append(row)
    moments = takeaways.moments_of([t.id for ts in quoted.values() for t in ts])
    sources: list[refi_qda.TextSource] = []
    for interview_id in sorted(summaries, key=lambda i: (summaries[i].start, i)):
        summary = summaries[interview_id]
        title = f"{summary.participant_name}, {summary.start:%Y-%m-%d}"
        said = (
            _transcript_source(workspace_id, title, placed[interview_id])
            if interview_id in placed
            else None
        )
        written = (
            _notes_source(workspace_id, title, notes[interview_id])
            if interview_id in notes
            else None
        )
        chosen: dict[str, list[refi_qda.Selection]] = defaultdict(list)
        for takeaway in quoted.get(interview_id, []):
            moment = moments.get(takeaway.id)
            near = said.offsets.get(moment.segment_id) if said and moment else None
            for source in (said.source if said else None, written):
                if source is None:
                    continue
                span = refi_qda.find_quote(
                    source.text,
                    takeaway.quote,
                    near if source is (said.source if said else None) else None,
                )
                if span is not None:
                    chosen[source.guid].append(
                        refi_qda.Selection(
                            guid=_guid(workspace_id, "takeaway", takeaway.id),
                            name=(takeaway.key or takeaway.text)[:100],
                            start=span[0],
                            end=span[1],
                            code_guids=tuple(
                                code_of[t.name] for t in takeaway.tags if t.name in code_of
                            ),
                            description=takeaway.text,
                            created_at=takeaway.created_at,
                        )
                    )
                    break
        for source in (said.source if said else None, written):
            if source is not None:
                sources.append(_with_selections(source, chosen.get(source.guid, [])))
    data = refi_qda.write_project(
        refi_qda.Project(
            name=name,
            origin=ORIGIN,
            created_at=utc_now(),
            user_guid=_guid(workspace_id, "user", actor.user_id),
            user_name=actor.name,
            codes=tuple(codes),
            sources=tuple(sources),
        )
    )
    return filename, data


def codebook(workspace_id: int) -> bytes:
    """The workspace's tags as a REFI-QDA codebook (.qdc). Raises NotFound when there
    are no tags (a codebook holds at least one code)."""
    codes = _codes(workspace_id)
    if not codes:
        raise NotFound("This workspace has no tags yet: tag a takeaway first.")
    return refi_qda.write_codebook(codes, origin=ORIGIN)


def import_codebook(actor: accounts.Member, data: bytes) -> tuple[list[str], list[str]]:
    """Add a codebook's codes as tags; none is removed or renamed. Returns the names
    added and those already there. Raises Forbidden, UnreadableCodebook."""
    if not actor.can_edit:
        raise Forbidden("Viewers can read tags but not add them.")
    cleaned: dict[str, str] = {}
    for code in refi_qda.read_codebook(data):
        # Our tags are single names up to 60 characters; a longer code name is cut.
        name = " ".join(code.name.strip().lstrip("#").split())[:60].strip()
        if name:
            cleaned.setdefault(tagging.tag_key(name), name)
    if len(cleaned) > MAX_IMPORTED:
        raise refi_qda.UnreadableCodebook(
            f"This codebook has {len(cleaned):,} codes; at most {MAX_IMPORTED:,} are taken at once."
        )
    names, keys = list(cleaned.values()), set(cleaned)
    existing = set(
        db.session.scalars(
            select(Tag.key).where(Tag.workspace_id == actor.workspace_id, Tag.key.in_(keys))
        )
    )
    tagging.tags_for(actor.workspace_id, names)
    db.session.commit()
    added = [n for n in names if tagging.tag_key(n) not in existing]
    return added, [n for n in names if tagging.tag_key(n) in existing]
