"""Team endpoints of transcripts: bring one in, read it, remove it, highlight its words
into a takeaway, search what was said; and the REFI-QDA exchange (a project of a study or
the workspace, and the tags as a codebook).

They hang on the team blueprint of api/views.py; interviews/api/__init__.py imports this
module so the routes exist whenever the API does.
"""

from __future__ import annotations

from typing import Annotated, Literal

from flask import Response, g, jsonify, request
from flask.views import MethodView
from pydantic import BaseModel, Field

from interviews.api.contract import BodyId, BodyInt, Id, Page, Query, operation
from interviews.api.notes import FORBIDDEN, LinkIds, Moment, Takeaway
from interviews.api.views import NOT_FOUND, bp
from interviews.maps import evidence
from interviews.notes import qda_exchange, transcripts

TRANSCRIPT_TYPES = {
    "text/vtt": "WebVTT, as Zoom, Teams and Meet export it; speakers as <v Name> voices",
    "application/x-subrip": "SubRip (.srt)",
    "text/plain": 'Plain text: "Name: words" turns, a blank line between them',
}


class Segment(BaseModel):
    id: int
    start: float | None = Field(
        description="Seconds from the start of the recording; null for plain text"
    )
    end: float | None
    speaker: str = Field(description='As the file names them; "" when it does not')
    role: Literal["interviewer", "interviewee", "other"]
    text: str = Field(description="The words, without markup")


class Speaker(BaseModel):
    name: str
    role: Literal["interviewer", "interviewee", "other"]


class TranscriptOut(BaseModel):
    interview_id: int
    format: Literal["vtt", "srt", "txt"]
    filename: str
    speakers: list[Speaker]
    without_consent: bool = Field(
        description="Added with no permission to record on file; the PM confirmed they had it"
    )
    updated_at: str
    segments: list[Segment]


class TranscriptPut(Query):
    confirm: Literal["true", "false"] = Field(
        "false",
        description="true: the interviewee agreed to be recorded, although no permission "
        "is on file (without it, and without consent on file, the answer is 422 "
        "consent_needed)",
    )
    filename: str = Field("", max_length=200, description="The file's name, shown on the page")


class InterviewTranscript(MethodView):
    """GET, PUT and DELETE share one rule (see api/notes.py: one rule per path)."""

    @operation("getTranscript", ok=(200, TranscriptOut, "The transcript"), errors={404: NOT_FOUND})
    def get(self, interview_id: int):
        """An interview's transcript: its segments, in order, with speakers and times."""
        view = transcripts.transcript_of(g.api_member.workspace_id, interview_id)
        return jsonify(view.as_json())

    @operation(
        "putTranscript",
        ok=(200, TranscriptOut, "The transcript as read (it replaces any earlier one)"),
        errors={403: FORBIDDEN, 404: NOT_FOUND, 413: "The file is larger than a transcript can be"},
        body_media={
            t: {"schema": {"type": "string", "description": d}} for t, d in TRANSCRIPT_TYPES.items()
        },
        semantic=True,
    )
    def put(self, interview_id: int, query: TranscriptPut):
        """Bring in the interview's transcript: the file is the body. A file that cannot
        be read answers 422 and nothing is stored."""
        view = transcripts.put_transcript(
            g.api_member,
            interview_id,
            request.get_data(cache=False),
            content_type=request.mimetype or "",
            filename=query.filename,
            confirmed=query.confirm == "true",
        )
        return jsonify(view.as_json())

    @operation(
        "deleteTranscript",
        ok=(204, None, "Removed; takeaways made from it keep their quotes"),
        errors={403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, interview_id: int):
        """Remove the interview's transcript."""
        transcripts.delete_transcript(g.api_member, interview_id)
        return "", 204


bp.add_url_rule(
    "/interviews/<int:interview_id>/transcript",
    view_func=InterviewTranscript.as_view("interview_transcript"),
)


class NewHighlight(BaseModel):
    segment_id: BodyId
    quote: str = Field(
        min_length=1,
        max_length=4000,
        description="Words of that segment, as said; they may run on into the next segments",
    )
    text: str | None = Field(
        None, max_length=2000, description="The takeaway; the quote by default"
    )
    tags: list[Annotated[str, Field(max_length=60)]] | None = None
    importance: BodyInt = Field(2, ge=1, le=3)
    actor_ids: LinkIds | None = None
    outcome_ids: LinkIds | None = None
    output_ids: LinkIds | None = None


class Highlight(Takeaway):
    transcript: Moment


@bp.post("/interviews/<int:interview_id>/highlights")
@operation(
    "createHighlight",
    ok=(201, Highlight, "The takeaway, with where its words were said"),
    errors={403: FORBIDDEN, 404: NOT_FOUND},
    # The quote must be words of the segment: no schema can say so.
    semantic=True,
)
def create_highlight(interview_id: int, json: NewHighlight):
    """Make a takeaway of words from the transcript, with the exact quote, the speaker
    and the moment; linked to map nodes like any takeaway."""
    links = evidence.checked_links(
        g.api_member.workspace_id,
        json.actor_ids or [],
        json.outcome_ids or [],
        json.output_ids or [],
    )
    view = transcripts.add_highlight(
        g.api_member,
        interview_id,
        transcripts.HighlightDraft(
            segment_id=json.segment_id,
            quote=json.quote,
            text=json.text or "",
            tags=tuple(json.tags or ()),
            importance=json.importance,
        ),
        links,
    )
    return jsonify(view.as_json()), 201


class SpokenQuery(Page):
    q: str = Field("", description="Words said: all of them, the last also as a prefix")
    study_id: Id | None = Field(None, description="Only this study's interviews")


class Spoken(BaseModel):
    interview_id: int
    segment_id: int
    start: float | None
    speaker: str
    text: str


class SpokenPage(BaseModel):
    items: list[Spoken]
    total: int = Field(ge=0)


@bp.get("/transcripts")
@operation("searchTranscripts", ok=(200, SpokenPage, "Where the words were said"))
def transcript_search(query: SpokenQuery):
    """Search the spoken words of every transcript of the workspace; each match with its
    interview and moment. No words, no matches."""
    items, total = transcripts.search_spoken(
        g.api_member.workspace_id,
        query.q[:200],
        study_id=query.study_id,
        limit=query.limit,
        offset=query.offset,
    )
    return jsonify(items=[i.as_json() for i in items], total=total)


# --- REFI-QDA exchange ---------------------------------------------------------------------


class ProjectQuery(Query):
    study_id: Id | None = Field(None, description="One study's interviews; all of them without")


@bp.get("/exports/refi-qda")
@operation(
    "exportRefiQda",
    ok=(200, None, "A REFI-QDA project (.qdpx), as an attachment"),
    errors={404: NOT_FOUND},
    media={"application/zip": {"schema": {"type": "string", "format": "binary"}}},
)
def refi_qda_export(query: ProjectQuery):
    """A study (or the workspace) as a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA or
    Taguette: tags as codes, transcripts and notes as text sources, quoted takeaways as
    coded selections."""
    filename, data = qda_exchange.project(g.api_member, query.study_id)
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


CODEBOOK_TYPES = {
    "application/xml": {"schema": {"type": "string", "description": "A REFI-QDA codebook (.qdc)"}},
    "text/xml": {"schema": {"type": "string", "description": "The same"}},
}


class CodebookImported(BaseModel):
    added: list[str] = Field(description="Tags that are new")
    existing: list[str] = Field(description="Codes that were tags already (kept as they are)")


class Codebook(MethodView):
    @operation(
        "exportCodebook",
        ok=(200, None, "The workspace's tags as a REFI-QDA codebook (.qdc)"),
        errors={404: "No tags yet"},
        media={"application/xml": {"schema": {"type": "string"}}},
    )
    def get(self):
        """The tags as a REFI-QDA codebook, to code with them in another tool."""
        return Response(
            qda_exchange.codebook(g.api_member.workspace_id),
            mimetype="application/xml",
            headers={"Content-Disposition": 'attachment; filename="codebook.qdc"'},
        )

    @operation(
        "importCodebook",
        ok=(200, CodebookImported, "The codes, added as tags"),
        errors={403: FORBIDDEN},
        body_media=CODEBOOK_TYPES,
        semantic=True,
    )
    def post(self):
        """Add a REFI-QDA codebook's codes as tags; none is removed or renamed. A file that
        is not a codebook answers 422."""
        added, existing = qda_exchange.import_codebook(g.api_member, request.get_data(cache=False))
        return jsonify(added=added, existing=existing)


bp.add_url_rule("/exports/codebook.qdc", view_func=Codebook.as_view("codebook"))
