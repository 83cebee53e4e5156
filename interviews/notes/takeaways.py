"""Takeaway use cases: quick-add during a call, feedback logged from elsewhere, editing
and reading takeaways. Tags are in tags.py, erasing a person's words in erasure.py."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import MAX_ID, db
from interviews.errors import Forbidden, InvalidInput, NotFound, refuse_all
from interviews.notes import tags as tagging
from interviews.notes.markdown import render
from interviews.notes.models import (
    LinkKind,
    Takeaway,
    TakeawaySource,
    TranscriptHighlight,
    takeaway_link,
)
from interviews.notes.transcript_files import format_moment
from interviews.participants import service as participants
from interviews.scheduling import team

# The tags typed in one box, comma separated (the forms): the box's maxlength.
MAX_TAGS_TYPED = 400


@dataclass(frozen=True)
class TakeawayDraft:
    text: str
    key: str = ""
    quote: str = ""
    tags: tuple[str, ...] = ()
    importance: int = 2
    source: str = "interview"
    context: str = ""
    interview_id: int | None = None
    participant_email: str | None = None
    # The tags as typed in one box (a form), held to MAX_TAGS_TYPED like the box;
    # None when they came as a list (the API).
    tags_typed: str | None = None


@dataclass(frozen=True)
class Moment:
    """Where a highlight's words were said: the segment (None once its transcript was
    replaced or removed), the time span in seconds (None for a transcript without
    times) and the speaker."""

    segment_id: int | None
    start: float | None
    end: float | None
    speaker: str

    @property
    def at(self) -> str:
        """ "12:34", or "" for a transcript without times."""
        return format_moment(self.start) if self.start is not None else ""

    def as_json(self) -> dict:
        return {
            "segment_id": self.segment_id,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
        }


@dataclass(frozen=True)
class TakeawayView:
    id: int
    key: str
    text: str
    quote: str
    tags: tuple[str, ...]
    importance: int
    source: TakeawaySource
    context: str
    interview_id: int | None
    participant_id: int | None
    participant_name: str | None
    study_id: int | None
    created_at: datetime
    # The impact-map nodes this takeaway is evidence for, by level.
    actor_ids: tuple[int, ...] = ()
    outcome_ids: tuple[int, ...] = ()
    output_ids: tuple[int, ...] = ()
    # Made from a transcript: where its quote was said.
    moment: Moment | None = None

    @property
    def node_ids(self) -> tuple[int, ...]:
        """Every node it is evidence for: actors, then outcomes, then outputs."""
        return (*self.actor_ids, *self.outcome_ids, *self.output_ids)

    @property
    def text_html(self):
        return render(self.text)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "key": self.key,
            "text": self.text,
            "quote": self.quote,
            "tags": list(self.tags),
            "importance": self.importance,
            "source": self.source.value,
            "context": self.context,
            "interview_id": self.interview_id,
            "participant_id": self.participant_id,
            "study_id": self.study_id,
            "actor_ids": list(self.actor_ids),
            "outcome_ids": list(self.outcome_ids),
            "output_ids": list(self.output_ids),
            "created_at": self.created_at.isoformat(),
            "transcript": self.moment.as_json() if self.moment else None,
        }


def _links_by_level(takeaway_ids: list[int]) -> dict[int, dict[LinkKind, tuple[int, ...]]]:
    """{takeaway id: {level: node ids}} in one query for a batch of takeaways. Read
    here, not in links.py: links.py lists evidence as TakeawayViews, so it imports this
    module."""
    if not takeaway_ids:
        return {}
    rows = db.session.execute(
        select(takeaway_link.c.takeaway_id, takeaway_link.c.node_id, takeaway_link.c.kind)
        .where(takeaway_link.c.takeaway_id.in_(takeaway_ids))
        .order_by(takeaway_link.c.node_id)
    ).all()
    found: dict[int, dict[LinkKind, list[int]]] = defaultdict(lambda: defaultdict(list))
    for takeaway, node, kind in rows:
        found[takeaway][LinkKind(kind)].append(node)
    return {t: {k: tuple(ids) for k, ids in levels.items()} for t, levels in found.items()}


def _studies_of(workspace_id: int, interview_ids: set[int]) -> dict[int, int]:
    """{interview id: its study's id}: all a view needs of its interview (building each
    interview's summary, with its host, study and participant, took longer than the
    rest of a library page)."""
    if not interview_ids:
        return {}
    studies = team.interview_studies(workspace_id)
    return dict(
        db.session.execute(
            select(studies.c.interview_id, studies.c.study_id).where(
                studies.c.interview_id.in_(sorted(interview_ids))
            )
        ).all()
    )


def _views(rows: list[Takeaway], workspace_id: int) -> list[TakeawayView]:
    people = participants.refs(workspace_id, {r.participant_id for r in rows if r.participant_id})
    study_of = _studies_of(workspace_id, {r.interview_id for r in rows if r.interview_id})
    evidence = _links_by_level([r.id for r in rows])
    moments = moments_of([r.id for r in rows])
    return [
        TakeawayView(
            id=r.id,
            key=r.key,
            text=r.text,
            quote=r.quote,
            tags=tuple(t.name for t in r.tags),
            importance=r.importance,
            source=r.source,
            context=r.context,
            interview_id=r.interview_id,
            participant_id=r.participant_id,
            participant_name=people[r.participant_id].name if r.participant_id in people else None,
            study_id=study_of.get(r.interview_id),
            created_at=r.created_at,
            actor_ids=evidence.get(r.id, {}).get(LinkKind.ACTOR, ()),
            outcome_ids=evidence.get(r.id, {}).get(LinkKind.OUTCOME, ()),
            output_ids=evidence.get(r.id, {}).get(LinkKind.OUTPUT, ()),
            moment=moments.get(r.id),
        )
        for r in rows
    ]


def moments_of(takeaway_ids: list[int]) -> dict[int, Moment]:
    """{takeaway id: where its words were said} for those made from a transcript."""
    if not takeaway_ids:
        return {}
    rows = db.session.execute(
        select(
            TranscriptHighlight.takeaway_id,
            TranscriptHighlight.segment_id,
            TranscriptHighlight.start_ms,
            TranscriptHighlight.end_ms,
            TranscriptHighlight.speaker,
        ).where(TranscriptHighlight.takeaway_id.in_(takeaway_ids))
    ).all()
    return {
        r.takeaway_id: Moment(r.segment_id, seconds(r.start_ms), seconds(r.end_ms), r.speaker)
        for r in rows
    }


def seconds(ms: int | None) -> float | None:
    """Milliseconds into the recording (as stored) as seconds (as shown and answered)."""
    return None if ms is None else ms / 1000


def _lines(typed: str) -> str:
    """``typed`` with each "\r\n" line break as "\n"."""
    return typed.replace("\r\n", "\n")


def _check(
    draft: TakeawayDraft, problems: list[InvalidInput]
) -> tuple[str, str, str, str, TakeawaySource, int]:
    """The draft's cleaned fields; what is wrong with them is added to ``problems`` (every
    problem, so a form shows them all at once)."""
    # A browser sends each line break of a textarea as "\r\n" but counts it as one
    # character against maxlength: counted (and kept) as one here too.
    text = _lines(draft.text).strip()
    if not text:
        problems.append(
            InvalidInput(
                "Write the takeaway: one short statement of what you learned.", field="text"
            )
        )
    elif len(text) > 2000:
        problems.append(InvalidInput("Keep a takeaway under 2,000 characters.", field="text"))
    key = " ".join(draft.key.split())
    if len(key) > 120:
        problems.append(InvalidInput("Keep the key under 120 characters.", field="key"))
    quote = _lines(draft.quote).strip()
    if len(quote) > 4000:
        problems.append(InvalidInput("Keep the quote under 4,000 characters.", field="quote"))
    try:
        source = TakeawaySource(draft.source or "interview")
    except ValueError:
        names = ", ".join(s.value for s in TakeawaySource)
        problems.append(InvalidInput(f"The source must be one of: {names}.", field="source"))
        source = TakeawaySource.OTHER
    if draft.importance not in (1, 2, 3):
        problems.append(
            InvalidInput("Importance is 1 (low), 2 (medium) or 3 (high).", field="importance")
        )
    context = _lines(draft.context).strip()
    if len(context) > 4000:
        problems.append(InvalidInput("Keep the context under 4,000 characters.", field="context"))
    if draft.tags_typed is not None and len(draft.tags_typed) > MAX_TAGS_TYPED:
        problems.append(
            InvalidInput(f"Keep the tags under {MAX_TAGS_TYPED} characters in all.", field="tags")
        )
    return text, key, quote, context, source, draft.importance


def add_takeaway(
    actor: accounts.Member,
    draft: TakeawayDraft,
    links: tuple[tuple[int, LinkKind], ...] = (),
) -> TakeawayView:
    """Record one takeaway, from an interview or from elsewhere (sales, support, ...),
    with the impact-map nodes it is evidence for. Feedback from outside an interview
    needs its context: who said it and why it matters, never an anonymous vote.

    ``links`` are (node id, level) pairs the maps area has checked already
    (``maps.service.checked_links``); they are written in the same transaction as the
    takeaway. Raises Forbidden, NotFound, InvalidInput."""
    row = new_takeaway(actor, draft, links)
    db.session.commit()
    return view_of(row, actor.workspace_id)


def view_of(row: Takeaway, workspace_id: int) -> TakeawayView:
    """One takeaway row as the pages and the API show it."""
    return _views([row], workspace_id)[0]


def new_takeaway(
    actor: accounts.Member,
    draft: TakeawayDraft,
    links: tuple[tuple[int, LinkKind], ...] = (),
) -> Takeaway:
    """``add_takeaway`` inside the caller's transaction: the row is flushed (it has its
    id), not committed. Raises as add_takeaway does."""
    if not actor.can_edit:
        raise Forbidden("Viewers can read takeaways but not add them.")
    problems: list[InvalidInput] = []
    text, key, quote, context, source, importance = _check(draft, problems)
    try:
        tags = tagging.clean_tags(draft.tags)
    except InvalidInput as problem:
        problems.append(problem)
        tags = []
    participant_id = None
    interview_id = draft.interview_id
    if interview_id is not None:
        if not 0 < interview_id <= MAX_ID:
            raise NotFound("No such interview in this workspace.")
        participant_id = team.interview_summary(actor.workspace_id, interview_id).participant_id
    if draft.participant_email:
        person = participants.find_by_email(actor.workspace_id, draft.participant_email)
        if person is None:
            problems.append(
                InvalidInput(
                    "No participant with that email in this workspace: add them first, "
                    "or leave the email empty and say who it was in the context.",
                    field="participant_email",
                )
            )
        elif participant_id is not None and person.id != participant_id:
            problems.append(
                InvalidInput(
                    "That email is not the interviewee of this interview.",
                    field="participant_email",
                )
            )
        else:
            participant_id = person.id
    if interview_id is None and source is TakeawaySource.INTERVIEW:
        problems.append(
            InvalidInput(
                "A takeaway from outside an interview needs its source: sales, support, "
                "account_management, survey or other.",
                field="source",
            )
        )
    if (
        interview_id is None
        and not context
        and participant_id is None
        and not draft.participant_email
    ):
        problems.append(
            InvalidInput(
                "Say who said it and why it matters (context), or give the participant's email.",
                field="context",
            )
        )
    refuse_all(problems)
    now = utc_now()
    row = Takeaway(
        workspace_id=actor.workspace_id,
        interview_id=interview_id,
        participant_id=participant_id,
        key=key,
        text=text,
        quote=quote,
        importance=importance,
        source=source,
        context=context,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    row.tags = tagging.tags_for(actor.workspace_id, tags)
    db.session.add(row)
    db.session.flush()  # the takeaway's id, for its links
    pairs = dict(links)  # a node named twice is one link
    if pairs:
        db.session.execute(
            insert(takeaway_link),
            [
                {"takeaway_id": row.id, "node_id": node_id, "kind": LinkKind(kind)}
                for node_id, kind in pairs.items()
            ],
        )
    return row


def _takeaway_in(workspace_id: int, takeaway_id: int) -> Takeaway:
    row = db.session.get(Takeaway, takeaway_id) if 0 < takeaway_id <= MAX_ID else None
    if row is None or row.workspace_id != workspace_id:
        raise NotFound("No such takeaway in this workspace.")
    return row


def update_takeaway(actor: accounts.Member, takeaway_id: int, draft: TakeawayDraft) -> TakeawayView:
    """Change a takeaway's words, quote, tags or importance. Raises Forbidden, NotFound,
    InvalidInput."""
    if not actor.can_edit:
        raise Forbidden("Viewers can read takeaways but not change them.")
    row = _takeaway_in(actor.workspace_id, takeaway_id)
    problems: list[InvalidInput] = []
    text, key, quote, context, source, importance = _check(
        TakeawayDraft(**{**draft.__dict__, "source": row.source.value}), problems
    )
    try:
        tags = tagging.clean_tags(draft.tags)
    except InvalidInput as problem:
        problems.append(problem)
    refuse_all(problems)
    row.text, row.key, row.quote, row.importance = text, key, quote, importance
    row.context = context or row.context
    row.tags = tagging.tags_for(actor.workspace_id, tags)
    row.updated_at = utc_now()
    db.session.commit()
    return _views([row], actor.workspace_id)[0]


def delete_takeaway(actor: accounts.Member, takeaway_id: int) -> None:
    """Raises Forbidden, NotFound."""
    if not actor.can_edit:
        raise Forbidden("Viewers can read takeaways but not delete them.")
    db.session.delete(_takeaway_in(actor.workspace_id, takeaway_id))
    db.session.commit()


def takeaways_of_interview(workspace_id: int, interview_id: int) -> list[TakeawayView]:
    """Most important first, then in the order they were added."""
    rows = db.session.scalars(
        select(Takeaway)
        .options(selectinload(Takeaway.tags))
        .where(Takeaway.workspace_id == workspace_id, Takeaway.interview_id == interview_id)
        .order_by(Takeaway.importance.desc(), Takeaway.id)
    ).all()
    return _views(list(rows), workspace_id)


def takeaways_of_participant(workspace_id: int, participant_id: int) -> list[TakeawayView]:
    """Everything learned from one person, newest first."""
    rows = db.session.scalars(
        select(Takeaway)
        .options(selectinload(Takeaway.tags))
        .where(Takeaway.workspace_id == workspace_id, Takeaway.participant_id == participant_id)
        .order_by(Takeaway.created_at.desc(), Takeaway.id.desc())
        .limit(200)
    ).all()
    return _views(list(rows), workspace_id)


def count_by_interview(workspace_id: int, interview_ids: list[int]) -> Counter:
    """How many takeaways each interview has."""
    if not interview_ids:
        return Counter()
    rows = db.session.execute(
        select(Takeaway.interview_id, func.count())
        .where(Takeaway.workspace_id == workspace_id, Takeaway.interview_id.in_(interview_ids))
        .group_by(Takeaway.interview_id)
    )
    return Counter(dict(rows.all()))


def takeaways_added(workspace_id: int, start: datetime, end: datetime) -> list[TakeawayView]:
    """The workspace's takeaways added in [start, end), newest first (the weekly digest)."""
    rows = db.session.scalars(
        select(Takeaway)
        .options(selectinload(Takeaway.tags))
        .where(
            Takeaway.workspace_id == workspace_id,
            Takeaway.created_at >= start,
            Takeaway.created_at < end,
        )
        .order_by(Takeaway.created_at.desc(), Takeaway.id.desc())
    ).all()
    return _views(list(rows), workspace_id)
