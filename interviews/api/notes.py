"""Team endpoints of notes: templates, an interview's notes, takeaways.

They hang on the team blueprint of api/views.py (same bearer-token check);
interviews/api/__init__.py imports this module so the routes exist whenever the API does.
"""

from __future__ import annotations

from typing import Annotated, Literal

from flask import g, jsonify
from flask.views import MethodView
from pydantic import BaseModel, Field

from interviews.api.contract import (
    BodyId,
    BodyInt,
    Day,
    ErrorDetail,
    Filled,
    Id,
    Instant,
    Page,
    Query,
    operation,
    worded,
)
from interviews.api.views import NOT_FOUND, bp
from interviews.maps import evidence
from interviews.notes import browse, takeaways
from interviews.notes import sections as rules
from interviews.notes import service as notes
from interviews.notes import template_library as library
from interviews.notes.models import TakeawaySource, TemplateKind

FORBIDDEN = "Viewers can read but not write"

# --- templates ---------------------------------------------------------------------------


class TemplateSection(BaseModel):
    heading: str
    guidance: str
    prompts: list[str]


class Template(BaseModel):
    id: int
    name: str
    kind: TemplateKind
    description: str
    archived: bool
    version: int = Field(description="Bumped by each edit of the sections")
    sections: list[TemplateSection]


class TemplateQuery(Query):
    archived: Literal["0", "1"] = Field("0", description="1: archived ones too")


@bp.get("/templates")
@operation("listTemplates", ok=(200, list[Template], "Templates by name"))
def template_list(query: TemplateQuery):
    """The workspace's note templates (built-in ones included)."""
    found = library.list_templates(g.api_member.workspace_id, archived=query.archived == "1")
    return jsonify([t.as_json() for t in found])


# --- an interview's notes ----------------------------------------------------------------


class Moment(BaseModel):
    """Where a highlight's words were said."""

    segment_id: int | None = Field(description="Null once its transcript was replaced or removed")
    start: float | None = Field(description="Seconds into the recording; null for plain text")
    end: float | None
    speaker: str


class Takeaway(BaseModel):
    id: int
    key: str
    text: str
    quote: str
    tags: list[str]
    importance: Literal[1, 2, 3]
    source: TakeawaySource
    context: str
    interview_id: int | None
    participant_id: int | None
    study_id: int | None
    actor_ids: list[int] = Field(description="The impact-map actors (WHO) it is evidence for")
    outcome_ids: list[int] = Field(description="The outcomes (HOW) it is evidence for")
    output_ids: list[int] = Field(description="The outputs (WHAT) it is evidence for")
    created_at: Instant
    transcript: Moment | None = Field(
        None, description="Made from a transcript (a highlight): where its words were said"
    )


class NoteSection(BaseModel):
    heading: Filled = Field(max_length=120)
    body: str = Field("", max_length=notes.MAX_SECTION, description="Markdown")


class Notes(BaseModel):
    interview_id: int
    template_id: int
    template_version: int
    revision: int = Field(description="Send it back with PUT")
    sections: list[NoteSection]
    takeaways: list[Takeaway]
    recording_consent: bool
    recording_url: str
    note_taker_id: int | None
    checklist: dict[str, str] = Field(description="Each done step of the checklist, and when")
    updated_at: Instant | None


class NotesUpdate(BaseModel):
    revision: BodyInt | None = Field(
        None,
        description="The revision you read. If others saved since, edits to other sections "
        "merge and a section both changed answers 409. Leave it out to overwrite.",
    )
    base: list[NoteSection] | None = Field(
        None, description="The sections as you read them, for the merge"
    )
    sections: list[NoteSection]
    template_id: Annotated[
        BodyId | None,
        worded(
            "`{field}` is the id of the template these notes are taken on (a whole number), "
            "or left out."
        ),
    ] = Field(
        None,
        description="The template the notes are taken on, as GET gives it; optional. Saving "
        "cannot move notes to another template: any other id answers 422",
    )


class NotesConflict(BaseModel):
    """Someone saved the same section differently since your revision; nothing was
    written. Review `sections` and PUT them with `current.revision`."""

    error: ErrorDetail
    conflicts: list[str] = Field(description="The headings both sides changed")
    combined: dict[str, str] = Field(
        description="Per clashing heading, both versions merged line by line from the "
        f"common base: only lines both changed appear twice, between `{rules.YOURS_MARKER}`, "
        f"`{rules.THEIRS_MARKER}` and `{rules.END_MARKER}` lines"
    )
    sections: list[NoteSection] = Field(
        description="Every section merged: what you typed and what others saved, each "
        "clashing section as in `combined`"
    )
    current: Notes = Field(description="The notes as saved now")


def _notes_json(view: notes.NotesView) -> dict:
    items = takeaways.takeaways_of_interview(g.api_member.workspace_id, view.interview.id)
    return {
        "interview_id": view.interview.id,
        "template_id": view.template_id,
        "template_version": view.template_version,
        "revision": view.revision,
        "sections": [{"heading": s.heading, "body": s.body} for s in view.sections],
        "takeaways": [t.as_json() for t in items],
        "recording_consent": view.recording_consent,
        "recording_url": view.recording_url,
        "note_taker_id": view.note_taker_id,
        "checklist": view.checklist,
        "updated_at": view.updated_at.isoformat() if view.updated_at else None,
    }


def _bodies(sections: list[NoteSection]) -> dict[str, str]:
    return {s.heading: s.body for s in sections}


class InterviewNotes(MethodView):
    """GET and PUT share one rule: with two, an id past the database's integer made
    werkzeug answer PUT with 405 (the GET rule's path matched) instead of 404."""

    @operation("getInterviewNotes", ok=(200, Notes, "The notes"), errors={404: NOT_FOUND})
    def get(self, interview_id: int):
        """An interview's notes on its template, with its takeaways."""
        return jsonify(_notes_json(notes.notes_of(g.api_member.workspace_id, interview_id)))

    @operation(
        "putInterviewNotes",
        ok=(200, Notes, "The notes as saved (merged when others saved since)"),
        errors={
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: (NotesConflict, "Someone changed the same section since your revision"),
        },
        # A rule no schema can say: template_id must be the notes' own template's.
        semantic=True,
    )
    def put(self, interview_id: int, json: NotesUpdate):
        """Save section bodies (by heading); takeaways are managed at /takeaways."""
        mine = _bodies(json.sections)
        base = _bodies(json.base) if json.base is not None else None
        try:
            view, _ = notes.save_notes(
                g.api_member,
                interview_id,
                mine,
                revision=json.revision,
                base=base,
                template_id=json.template_id,
            )
        except notes.NotesConflict as conflict:
            # As the notes page restarts its editor: both sides merged, clashes combined.
            saved = conflict.current.bodies
            merged = rules.merge_sections(base if base is not None else saved, mine, saved)
            text = {**merged.bodies, **conflict.combined}
            order = [*saved, *(h for h in text if h not in saved)]
            return jsonify(
                error={"code": conflict.code, "message": conflict.message},
                conflicts=list(conflict.headings),
                combined=conflict.combined,
                sections=[{"heading": h, "body": text.get(h, "")} for h in order],
                current=_notes_json(conflict.current),
            ), 409
        return jsonify(_notes_json(view))


bp.add_url_rule(
    "/interviews/<int:interview_id>/notes", view_func=InterviewNotes.as_view("interview_notes")
)


# --- takeaways ---------------------------------------------------------------------------

FACETS = {
    "tag": "Takeaways by tag name",
    "source": "By source",
    "study": "By study id (as a string)",
    "segment": "By the participant's segment",
    "month": "By the UTC month added, YYYY-MM, newest first",
    "actor": "By the id (as a string) of the impact-map actor they are evidence for",
    "outcome": "By the id (as a string) of the outcome they are evidence for",
}
Counts = dict[str, Annotated[int, Field(ge=1)]]


class TakeawayFacets(BaseModel):
    tag: Counts = Field(description=FACETS["tag"])
    source: Counts = Field(description=FACETS["source"])
    study: Counts = Field(description=FACETS["study"])
    segment: Counts = Field(description=FACETS["segment"])
    month: Counts = Field(description=FACETS["month"])
    actor: Counts = Field(description=FACETS["actor"])
    outcome: Counts = Field(description=FACETS["outcome"])


class Takeaways(BaseModel):
    """A page of takeaways; the total and the facets count every match."""

    items: list[Takeaway]
    total: int = Field(ge=0)
    facets: TakeawayFacets


class TakeawayQuery(Page):
    q: str = Field(
        "",
        description="Words in the key, text, quote or context: all of them, the last also "
        "as a prefix (export finds exports); punctuation only separates words",
    )
    tag: str = Field("", description="A tag name")
    study_id: Id | None = Field(None, description="Takeaways from this study's interviews")
    source: TakeawaySource | None = Field(None, description="Where it came from")
    interview_id: Id | None = Field(None, description="One interview's")
    participant_id: Id | None = Field(None, description="One person's")
    segment: str = Field("", description="The participant's segment on the panel")
    from_: Day | None = Field(
        None, alias="from", description="Added on or after this day (UTC), 2000 to 2100"
    )
    to: Day | None = Field(None, description="Added on or before this day (UTC), 2000 to 2100")
    actor_id: Id | None = Field(None, description="Evidence for this actor of an impact map")
    outcome_id: Id | None = Field(None, description="Evidence for this outcome of an impact map")
    sort: Annotated[Literal["relevance", "date"], worded("{field} must be relevance or date.")] = (
        Field(
            "relevance",
            description="relevance: best match first when q has words, else newest first; "
            "date: newest first",
        )
    )


@bp.get("/takeaways")
@operation("listTakeaways", ok=(200, Takeaways, "A page of takeaways, with facet counts"))
def takeaway_list(query: TakeawayQuery):
    """Takeaways, best match first for words in `q` (or newest first), filtered, with
    counts by tag, source, study, segment, month, actor and outcome."""
    found = browse.TakeawayQuery(
        # Longer words than these find nothing more: cut, not refused.
        q=query.q[:200],
        tag=query.tag[:60],
        study_id=query.study_id,
        source=query.source.value if query.source else "",
        interview_id=query.interview_id,
        participant_id=query.participant_id,
        segment=query.segment[:60],
        since=query.from_,
        until=query.to,
        actor_id=query.actor_id,
        outcome_id=query.outcome_id,
        sort=query.sort,
        limit=query.limit,
        offset=query.offset,
    )
    page = browse.list_takeaways(g.api_member.workspace_id, found)
    return jsonify(items=[t.as_json() for t in page.items], total=page.total, facets=page.facets)


MAX_LINKS = 100  # ids in one of a new takeaway's actor_ids, outcome_ids, output_ids
LinkIds = Annotated[
    list[BodyId],
    Field(max_length=MAX_LINKS),
    worded(f"{{field}} must be a list of up to {MAX_LINKS} ids (whole numbers)."),
]


class NewTakeaway(BaseModel):
    text: str = Field(max_length=2000)
    key: str | None = Field(None, max_length=120)
    quote: str | None = Field(None, max_length=4000)
    tags: list[Annotated[str, Field(max_length=60)]] | None = None
    importance: BodyInt = Field(2, ge=1, le=3)
    source: TakeawaySource | None = Field(
        None, description="Default: interview with an interview_id, else other"
    )
    context: str | None = Field(None, description="Who said it, which customer, why it matters")
    interview_id: BodyId | None = None
    participant_email: str | None = Field(None, json_schema_extra={"format": "email"})
    actor_ids: LinkIds | None = Field(
        None,
        description="Actors of the workspace's impact maps it is evidence for; an unknown "
        "id, or another level's, answers 404 and nothing is written",
    )
    outcome_ids: LinkIds | None = Field(None, description="Outcomes it is evidence for")
    output_ids: LinkIds | None = Field(None, description="Outputs it is evidence for")


@bp.post("/takeaways")
@operation(
    "createTakeaway",
    ok=(201, Takeaway, "The takeaway"),
    errors={403: FORBIDDEN, 404: NOT_FOUND},
    # Rules no schema can say: a participant_email must be someone in the workspace,
    # feedback from outside an interview needs a source and its context.
    semantic=True,
)
def create_takeaway(json: NewTakeaway):
    """Log a takeaway from an interview, or from sales, support, a survey ..."""
    # Checked against the workspace's maps before anything is written: an unknown or
    # another workspace's node answers 404 and no takeaway is made.
    links = evidence.checked_links(
        g.api_member.workspace_id,
        json.actor_ids or [],
        json.outcome_ids or [],
        json.output_ids or [],
    )
    default_source = "interview" if json.interview_id is not None else "other"
    added = takeaways.add_takeaway(
        g.api_member,
        takeaways.TakeawayDraft(
            text=json.text,
            key=json.key or "",
            quote=json.quote or "",
            tags=tuple(json.tags or ()),
            importance=json.importance,
            source=json.source.value if json.source else default_source,
            context=json.context or "",
            interview_id=json.interview_id,
            participant_email=json.participant_email or None,
        ),
        links,
    )
    return jsonify(added.as_json()), 201
