"""Transcript use cases: bring in an interview's transcript (one per interview; a new file
replaces it whole), map its speakers, read it, highlight words into a takeaway, search
what was said, and take a person's words out on erasure.

Reading the file is transcript_files.py's (pure); who speaks and where a quote sits,
transcript_rules.py's (pure). Search cuts words as the library does (search.py): an FTS5
table on SQLite, a stored tsvector on PostgreSQL, both from migration 0019."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from sqlalchemy import column, delete, func, insert, literal_column, select, table, text

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import MAX_ID, db
from interviews.errors import Forbidden, InvalidInput, NotFound, TooLarge
from interviews.notes import search, takeaways
from interviews.notes import transcript_files as files
from interviews.notes.erasure import scrub
from interviews.notes.models import (
    InterviewNotes,
    LinkKind,
    Takeaway,
    Transcript,
    TranscriptFormat,
    TranscriptHighlight,
    TranscriptSegment,
)
from interviews.notes.transcript_rules import SpeakerRole, find_quote, guess_roles
from interviews.scheduling import team
from interviews.studies import service as studies

FTS_TABLE = "transcript_segment_fts"
PG_VECTOR_COLUMN = "transcript_segment.search_vector"
# Words read on from the highlighted segment, at most, to find where a quote ends.
RUN_ON_SEGMENTS = 20


@dataclass(frozen=True)
class SegmentView:
    id: int
    position: int
    start: float | None  # seconds from the start of the recording
    end: float | None
    speaker: str
    role: str
    text: str

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "role": self.role,
            "text": self.text,
        }


@dataclass(frozen=True)
class TranscriptView:
    interview_id: int
    file_format: TranscriptFormat
    filename: str
    speakers: dict[str, str]  # name as in the file: role
    without_consent: bool
    updated_at: datetime
    segments: list[SegmentView]

    @property
    def timed(self) -> bool:
        return any(s.start is not None for s in self.segments)

    def as_json(self) -> dict:
        return {
            "interview_id": self.interview_id,
            "format": self.file_format.value,
            "filename": self.filename,
            "speakers": [{"name": n, "role": r} for n, r in self.speakers.items()],
            "without_consent": self.without_consent,
            "updated_at": self.updated_at.isoformat(),
            "segments": [s.as_json() for s in self.segments],
        }


class ConsentNeeded(InvalidInput):
    """No permission to record is on file: the PM must say they have it."""

    code = "consent_needed"


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds * 1000)


def _row(workspace_id: int, interview_id: int) -> Transcript | None:
    return db.session.scalar(
        select(Transcript).where(
            Transcript.workspace_id == workspace_id, Transcript.interview_id == interview_id
        )
    )


def _view(row: Transcript) -> TranscriptView:
    segments = db.session.scalars(
        select(TranscriptSegment)
        .where(TranscriptSegment.transcript_id == row.id)
        .order_by(TranscriptSegment.position)
    ).all()
    return TranscriptView(
        interview_id=row.interview_id,
        file_format=TranscriptFormat(row.file_format),
        filename=row.filename,
        speakers=dict(row.speakers),
        without_consent=row.without_consent,
        updated_at=row.updated_at,
        segments=[
            SegmentView(
                id=s.id,
                position=s.position,
                start=takeaways.seconds(s.start_ms),
                end=takeaways.seconds(s.end_ms),
                speaker=s.speaker,
                role=row.speakers.get(s.speaker, SpeakerRole.OTHER),
                text=s.text,
            )
            for s in segments
        ],
    )


def transcript_of(workspace_id: int, interview_id: int) -> TranscriptView:
    """An interview's transcript. Raises NotFound (no such interview, or no transcript)."""
    team.interview_summary(workspace_id, interview_id)
    row = _row(workspace_id, interview_id)
    if row is None:
        raise NotFound("This interview has no transcript yet.")
    return _view(row)


def segment_count(workspace_id: int, interview_id: int) -> int | None:
    """How many segments the interview's transcript has; None when it has none."""
    row = _row(workspace_id, interview_id)
    if row is None:
        return None
    return db.session.scalar(
        select(func.count())
        .select_from(TranscriptSegment)
        .where(TranscriptSegment.transcript_id == row.id)
    )


def put_transcript(
    actor: accounts.Member,
    interview_id: int,
    data: bytes,
    *,
    content_type: str = "",
    filename: str = "",
    confirmed: bool = False,
) -> TranscriptView:
    """Bring in (or replace) an interview's transcript from a file's bytes. Speakers keep
    the roles they had; new ones are guessed from the interviewee's and the team's
    names. Highlights made from an earlier file keep their quote, speaker and moment.
    Without permission to record on file, ``confirmed`` must say the PM has it.
    Raises Forbidden, NotFound, TooLarge, ConsentNeeded, InvalidInput (unreadable)."""
    if not actor.can_edit:
        raise Forbidden("Viewers can read transcripts but not add them.")
    summary = team.interview_summary(actor.workspace_id, interview_id)
    limit = current_app.config["TRANSCRIPT_MAX_BYTES"]
    if len(data) > limit:
        raise TooLarge(
            f"The file is {len(data) / 1_000_000:.1f} MB; a transcript can be at most "
            f"{limit / 1_000_000:.0f} MB. A two-hour call's WebVTT is well under 1 MB: "
            "check that this is the transcript, not the recording.",
            field="transcript",
        )
    consent = db.session.scalar(
        select(InterviewNotes.recording_consent).where(InterviewNotes.interview_id == interview_id)
    )
    if not consent and not confirmed:
        raise ConsentNeeded(
            "No permission to record is on file for this interview. A transcript is the "
            "person's words: confirm that they agreed to be recorded, then add it.",
            field="confirm",
        )
    kind, segments = files.read_file(data, content_type=content_type, filename=filename)
    # PostgreSQL keeps no NUL in text; no one says one.
    segments = [
        replace(s, text=s.text.replace("\x00", ""), speaker=s.speaker.replace("\x00", ""))
        for s in segments
    ]
    now = utc_now()
    row = _row(actor.workspace_id, interview_id)
    known = dict(row.speakers) if row else {}
    study = studies.get_study(actor.workspace_id, summary.study_id)
    team_names = [summary.host_name, *(c.name for c in study.colleagues)]
    names = files.speakers(segments)
    roles = guess_roles(names, interviewee=summary.participant_name, team=team_names, known=known)
    if row is None:
        row = Transcript(
            workspace_id=actor.workspace_id,
            interview_id=interview_id,
            created_at=now,
        )
        db.session.add(row)
    else:
        db.session.execute(
            delete(TranscriptSegment).where(TranscriptSegment.transcript_id == row.id)
        )
    row.file_format = TranscriptFormat(kind)
    row.filename = (filename or "")[:200]
    row.speakers = roles
    row.without_consent = not consent
    row.created_by = actor.user_id
    row.updated_at = now
    db.session.flush()
    db.session.execute(
        insert(TranscriptSegment),
        [
            {
                "transcript_id": row.id,
                "workspace_id": actor.workspace_id,
                "interview_id": interview_id,
                "position": position,
                "start_ms": _ms(s.start),
                "end_ms": _ms(s.end),
                "speaker": s.speaker,
                "text": s.text,
            }
            for position, s in enumerate(segments)
        ],
    )
    db.session.commit()
    return _view(row)


def delete_transcript(actor: accounts.Member, interview_id: int) -> None:
    """Remove an interview's transcript. Takeaways made from it stay, with their quote,
    speaker and moment. Raises Forbidden, NotFound."""
    if not actor.can_edit:
        raise Forbidden("Viewers can read transcripts but not remove them.")
    team.interview_summary(actor.workspace_id, interview_id)
    row = _row(actor.workspace_id, interview_id)
    if row is None:
        raise NotFound("This interview has no transcript.")
    db.session.delete(row)
    db.session.commit()


def set_speakers(
    actor: accounts.Member, interview_id: int, roles: dict[str, str]
) -> TranscriptView:
    """Say who each speaker of the file is (interviewer, interviewee or other); speakers
    not named keep their role. Raises Forbidden, NotFound, InvalidInput."""
    if not actor.can_edit:
        raise Forbidden("Viewers can read transcripts but not change them.")
    team.interview_summary(actor.workspace_id, interview_id)
    row = _row(actor.workspace_id, interview_id)
    if row is None:
        raise NotFound("This interview has no transcript yet.")
    for name, role in roles.items():
        if name not in row.speakers:
            raise InvalidInput(
                f"“{name[:60]}” does not speak in this transcript.", field="speakers"
            )
        if role not in set(SpeakerRole):
            raise InvalidInput(
                "A speaker is the interviewer, the interviewee or other.", field="speakers"
            )
    row.speakers = {**row.speakers, **roles}
    row.updated_at = utc_now()
    db.session.commit()
    return _view(row)


# --- highlights ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HighlightDraft:
    segment_id: int
    quote: str
    text: str = ""
    tags: tuple[str, ...] = ()
    importance: int = 2
    tags_typed: str | None = None


class QuoteNotThere(InvalidInput):
    code = "quote_not_found"


def add_highlight(
    actor: accounts.Member,
    interview_id: int,
    draft: HighlightDraft,
    links: tuple[tuple[int, LinkKind], ...] = (),
) -> takeaways.TakeawayView:
    """Make a takeaway of words from the interview's transcript: the quote must be words
    of the segment (it may run on into the next ones), and the takeaway keeps the exact
    words, the speaker and the moment. The takeaway's text defaults to the quote.
    ``links`` are map nodes checked by the maps area. Raises Forbidden, NotFound,
    InvalidInput (QuoteNotThere, and the takeaway's own rules)."""
    if not actor.can_edit:
        raise Forbidden("Viewers can read transcripts but not highlight them.")
    team.interview_summary(actor.workspace_id, interview_id)
    segment = (
        db.session.get(TranscriptSegment, draft.segment_id)
        if 0 < draft.segment_id <= MAX_ID
        else None
    )
    if (
        segment is None
        or segment.interview_id != interview_id
        or segment.workspace_id != actor.workspace_id
    ):
        raise NotFound("No such segment in this interview's transcript.")
    following = db.session.scalars(
        select(TranscriptSegment)
        .where(
            TranscriptSegment.transcript_id == segment.transcript_id,
            TranscriptSegment.position >= segment.position,
        )
        .order_by(TranscriptSegment.position)
        .limit(RUN_ON_SEGMENTS)
    ).all()
    found = find_quote([s.text for s in following], draft.quote)
    if found is None:
        raise QuoteNotThere(
            "Those words are not in this part of the transcript. Select the words as "
            "they were said (the quote may run on into the next lines), or trim the "
            "segment's text without changing it.",
            field="quote",
        )
    row = takeaways.new_takeaway(
        actor,
        takeaways.TakeawayDraft(
            text=draft.text.strip() or found.text[:2000],
            quote=found.text,
            tags=draft.tags,
            importance=draft.importance,
            source="interview",
            interview_id=interview_id,
            tags_typed=draft.tags_typed,
        ),
        links,
    )
    last = following[found.last]
    db.session.add(
        TranscriptHighlight(
            takeaway_id=row.id,
            segment_id=segment.id,
            start_ms=segment.start_ms,
            end_ms=last.end_ms,
            speaker=segment.speaker,
        )
    )
    db.session.commit()
    return takeaways.view_of(row, actor.workspace_id)


# --- search -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpokenWords:
    interview_id: int
    segment_id: int
    start: float | None
    speaker: str
    text: str

    def as_json(self) -> dict:
        return {
            "interview_id": self.interview_id,
            "segment_id": self.segment_id,
            "start": self.start,
            "speaker": self.speaker,
            "text": self.text,
        }


def _text_match(dialect: str, words: list[str]):
    if dialect == "sqlite":
        fts = table(FTS_TABLE, column("rowid"))
        return TranscriptSegment.id.in_(
            select(fts.c.rowid).where(
                text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=search.fts5_query(words))
            )
        )
    query = func.to_tsquery(literal_column("'simple'::regconfig"), search.tsquery(words))
    return literal_column(PG_VECTOR_COLUMN).op("@@")(query)


def search_spoken(
    workspace_id: int, q: str, *, study_id: int | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[SpokenWords], int]:
    """Segments of the workspace's transcripts holding every word of ``q`` (the last as
    a prefix, as the library searches), in interview order then time, and how many in
    all. No words, no matches."""
    words = search.search_words(q)
    if not words:
        return [], 0
    where = [
        TranscriptSegment.workspace_id == workspace_id,
        _text_match(db.session.get_bind().dialect.name, words),
    ]
    if study_id is not None:
        where.append(
            TranscriptSegment.interview_id.in_(team.interview_ids_of_study(workspace_id, study_id))
        )
    total = db.session.scalar(select(func.count()).select_from(TranscriptSegment).where(*where))
    # Ordered by "interview_id + 0", not the column: PostgreSQL otherwise walks the
    # interview index backwards hoping for 50 matches soon and, for a word said ten times
    # in 600,000 lines, reads every line (210 ms instead of 1); matches are found first,
    # then sorted.
    rows = db.session.scalars(
        select(TranscriptSegment)
        .where(*where)
        .order_by((TranscriptSegment.interview_id + 0).desc(), TranscriptSegment.position)
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        SpokenWords(r.interview_id, r.id, takeaways.seconds(r.start_ms), r.speaker, r.text)
        for r in rows
    ], total or 0


# --- a person's words ----------------------------------------------------------------------


def transcripts_for_export(workspace_id: int, interview_ids: list[int]) -> list[TranscriptView]:
    """The transcripts of these interviews (a person's data export)."""
    rows = (
        db.session.scalars(
            select(Transcript)
            .where(
                Transcript.workspace_id == workspace_id, Transcript.interview_id.in_(interview_ids)
            )
            .order_by(Transcript.interview_id)
        ).all()
        if interview_ids
        else []
    )
    return [_view(r) for r in rows]


def erase_from_transcripts(workspace_id: int, interview_ids: list[int], words: list[str]) -> int:
    """Part of erasing a person, inside the caller's transaction (no commit): in their
    interviews' transcripts ``words`` (name, email, phone, company) are replaced in what
    was said and in speaker names, and the file's name goes. Returns how many
    transcripts."""
    if not interview_ids:
        return 0
    rows = db.session.scalars(
        select(Transcript).where(
            Transcript.workspace_id == workspace_id, Transcript.interview_id.in_(interview_ids)
        )
    ).all()
    for row in rows:
        renamed = {name: scrub(name, words) for name in row.speakers}
        row.speakers = {renamed[n]: role for n, role in row.speakers.items()}
        row.filename = ""  # a file is often named after the person
        for segment in db.session.scalars(
            select(TranscriptSegment).where(TranscriptSegment.transcript_id == row.id)
        ):
            segment.text = scrub(segment.text, words)
            segment.speaker = renamed.get(segment.speaker, scrub(segment.speaker, words))
    # Through the takeaway: a highlight whose transcript was replaced has no segment.
    highlights = db.session.scalars(
        select(TranscriptHighlight)
        .join(Takeaway, Takeaway.id == TranscriptHighlight.takeaway_id)
        .where(Takeaway.workspace_id == workspace_id, Takeaway.interview_id.in_(interview_ids))
    ).all()
    for highlight in highlights:
        highlight.speaker = scrub(highlight.speaker, words)
    return len(rows)
