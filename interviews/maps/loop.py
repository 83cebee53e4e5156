"""Closing the loop: when an output ships, each person whose takeaways led to it hears
about it personally from the PM, in a note drafted from their own words and edited
before it goes. Who was told is recorded; a person is told once per output.

This module holds the page, the drafts and the record of who was told; sending the
notes writes mail too, so it is a use case: interviews/flows/close_loop.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from interviews.accounts import service as accounts
from interviews.db import MAX_ID, db
from interviews.errors import InvalidInput
from interviews.maps.models import LoopNote, MapNode
from interviews.maps.outreach import output_node
from interviews.maps.rules import OutputStatus
from interviews.notes import links
from interviews.notes.takeaways import TakeawayView
from interviews.participants import lookalikes
from interviews.scheduling import team

MAX_SUBJECT = 200
MAX_BODY = 5000
MAX_WORDS = 600  # of their own words quoted back in a draft


@dataclass(frozen=True)
class OutputRef:
    id: int
    title: str
    map_id: int
    status: OutputStatus | None
    shipped_at: datetime | None


@dataclass(frozen=True)
class Told:
    by: str
    at: datetime
    subject: str


@dataclass(frozen=True)
class LoopPerson:
    participant_id: int
    name: str
    email: str
    takeaways: tuple[TakeawayView, ...]  # theirs behind the output, most important first
    talked_at: datetime | None  # when they said it (the interview, else the takeaway)
    do_not_contact: bool
    told: Told | None
    subject: str  # the draft
    body: str

    @property
    def can_tell(self) -> bool:
        return self.told is None and not self.do_not_contact


@dataclass(frozen=True)
class LoopPage:
    output: OutputRef
    shipped: bool
    people: list[LoopPerson]  # by name
    detached: int  # takeaways behind it with nobody on the panel to tell

    @property
    def to_tell(self) -> list[LoopPerson]:
        return [p for p in self.people if p.can_tell]


def first_name(name: str) -> str:
    words = name.split()
    return words[0] if words else "there"


def _their_words(takeaway: TakeawayView) -> str:
    words = " ".join((takeaway.quote or takeaway.text).split()).strip("“”\"' ")
    if len(words) > MAX_WORDS:
        words = words[: MAX_WORDS - 1].rsplit(" ", 1)[0] + "…"
    return words.rstrip(".")


def loop_draft(
    name: str, output_title: str, pm_name: str, words: str, talked_at: datetime | None
) -> tuple[str, str]:
    """The note a PM starts from: (subject, body) in the PM's voice, quoting the
    person's own words back to them. The PM edits it before it goes."""
    title = " ".join(output_title.split())
    subject = f"You asked, we built it: {title}"
    if len(subject) > MAX_SUBJECT:
        subject = subject[: MAX_SUBJECT - 1].rsplit(" ", 1)[0] + "…"
    when = f" in {talked_at:%B %Y}" if talked_at else ""
    told = f"When we talked{when}, you told us: “{words}”. That stuck with us.\n\n" if words else ""
    body = (
        f"Hi {first_name(name)},\n\n"
        f"{told}"
        f"We have now shipped {title}. What you told us is part of why it exists. "
        "If you try it, I would love to hear what you think: just reply to this email.\n\n"
        "Thank you for taking the time.\n\n"
        f"{pm_name}"
    )
    return subject, body


def told_in(workspace_id: int, node_id: int) -> dict[int, LoopNote]:
    """Who was told about this output already: their note, by participant id."""
    rows = db.session.scalars(
        select(LoopNote).where(
            LoopNote.workspace_id == workspace_id,
            LoopNote.node_id == node_id,
            LoopNote.participant_id.is_not(None),
        )
    )
    return {row.participant_id: row for row in rows}


def loop_page(workspace_id: int, output_id: int, pm_name: str) -> LoopPage:
    """An output and the people whose takeaways are linked to it: their words, whether
    they were told it shipped (by whom, when), do-not-contact marked, and a draft note
    from ``pm_name`` to each. Raises NotFound, InvalidInput (not an output)."""
    node = output_node(workspace_id, output_id)
    output = OutputRef(node.id, node.title, node.map_id, node.output_status, node.shipped_at)
    behind = links.participants_of(workspace_id, node.id)
    total, _ = links.counts(workspace_id, [node.id]).get(node.id, (0, 0))
    people = lookalikes.people_by_id(workspace_id, behind)
    gone = {pid for pid in behind if pid not in people or people[pid].erased}
    detached = total - sum(len(t) for pid, t in behind.items() if pid not in gone)
    said = {t.id: t for t in links.evidence_of(workspace_id, node.id, limit=2000)}
    talks = team.interviews_by_id(
        workspace_id, sorted({t.interview_id for t in said.values() if t.interview_id})
    )
    names = {m.user_id: m.name for m in accounts.members(workspace_id)}
    told = told_in(workspace_id, node.id)
    found = []
    for pid, takeaway_ids in behind.items():
        if pid in gone:
            continue
        person = people[pid]
        theirs = tuple(
            sorted(
                (said[t] for t in takeaway_ids if t in said),
                key=lambda t: (-t.importance, -t.created_at.timestamp(), -t.id),
            )
        )
        best = theirs[0] if theirs else None
        talked_at = None
        if best is not None:
            talk = talks.get(best.interview_id) if best.interview_id else None
            talked_at = talk.start if talk else best.created_at
        subject, body = loop_draft(
            person.name, node.title, pm_name, _their_words(best) if best else "", talked_at
        )
        note = told.get(pid)
        found.append(
            LoopPerson(
                participant_id=pid,
                name=person.name,
                email=person.email,
                takeaways=theirs,
                talked_at=talked_at,
                do_not_contact=person.do_not_contact,
                told=Told(
                    by=names.get(note.sent_by, "a former teammate"),
                    at=note.sent_at,
                    subject=note.subject,
                )
                if note
                else None,
                subject=subject,
                body=body,
            )
        )
    found.sort(key=lambda p: (p.name.casefold(), p.participant_id))
    return LoopPage(
        output=output,
        shipped=node.output_status is OutputStatus.SHIPPED,
        people=found,
        detached=max(0, detached),
    )


@dataclass(frozen=True)
class LoopDraft:
    """One note as the PM left it on the form."""

    participant_id: int
    subject: str
    body: str


@dataclass(frozen=True)
class LoopReport:
    sent: list[str]  # names
    already_told: list[str]
    do_not_contact: list[str]
    undelivered: list[tuple[str, str]]  # (name, error): recorded, the email failed


def checked_drafts(drafts: Iterable[LoopDraft]) -> list[LoopDraft]:
    """The notes with their words tidied, each checked. Raises InvalidInput naming the
    first note at fault (by its field), so nothing is sent when one is wrong."""
    checked: dict[int, LoopDraft] = {}
    for draft in drafts:
        if draft.participant_id in checked or not 0 < draft.participant_id <= MAX_ID:
            continue
        pid = draft.participant_id
        subject = " ".join((draft.subject or "").split())
        body = (draft.body or "").replace("\r\n", "\n").strip()
        if not subject:
            raise InvalidInput("Give every note a subject.", field=f"subject_{pid}")
        if len(subject) > MAX_SUBJECT:
            raise InvalidInput(
                f"Keep the subject under {MAX_SUBJECT} characters.", field=f"subject_{pid}"
            )
        if not body:
            raise InvalidInput("Write the note: it cannot be empty.", field=f"body_{pid}")
        if len(body) > MAX_BODY:
            raise InvalidInput(
                f"Keep the note under {MAX_BODY:,} characters (this one has {len(body):,}).",
                field=f"body_{pid}",
            )
        if "\x00" in subject + body:
            raise InvalidInput("The note has a NUL character in it.", field=f"body_{pid}")
        checked[pid] = LoopDraft(pid, subject, body)
    if not checked:
        raise InvalidInput("Choose at least one person to tell.", field="participant_ids")
    return list(checked.values())


def add_loop_note(
    actor: accounts.Member,
    node_id: int,
    participant_id: int,
    message_id: int,
    draft: LoopDraft,
    now: datetime,
) -> None:
    """Record, in the caller's transaction, that ``actor`` told this person about the
    output with the email ``message_id``. Flushed at once: raises IntegrityError when
    someone told them about it meanwhile (a person is told once per output)."""
    db.session.add(
        LoopNote(
            workspace_id=actor.workspace_id,
            node_id=node_id,
            participant_id=participant_id,
            mail_message_id=message_id,
            subject=draft.subject,
            body=draft.body,
            sent_by=actor.user_id,
            sent_at=now,
        )
    )
    db.session.flush()


def detach_participant(workspace_id: int, participant_id: int, scrub: Callable[[str], str]) -> int:
    """Part of erasing a person, in the caller's transaction (no commit): the record that
    someone was told stays, no longer theirs, its note scrubbed of them (the email itself
    is deleted with their other mail). Returns how many notes."""
    rows = db.session.scalars(
        select(LoopNote).where(
            LoopNote.workspace_id == workspace_id, LoopNote.participant_id == participant_id
        )
    ).all()
    for row in rows:
        row.participant_id = None
        row.subject, row.body = scrub(row.subject), scrub(row.body)
    return len(rows)


def notes_to(workspace_id: int, participant_id: int) -> list[dict]:
    """The notes a person was sent when something they asked for shipped, oldest first,
    for their data export: the output, who wrote, when, and the words."""
    rows = db.session.execute(
        select(LoopNote, MapNode.title)
        .join(MapNode, MapNode.id == LoopNote.node_id)
        .where(LoopNote.workspace_id == workspace_id, LoopNote.participant_id == participant_id)
        .order_by(LoopNote.sent_at, LoopNote.id)
    ).all()
    writers = {m.user_id: m.name for m in accounts.members(workspace_id)}
    return [
        {
            "output": title,
            "sent_at": note.sent_at.isoformat(),
            "sent_by": writers.get(note.sent_by, "a former teammate"),
            "subject": note.subject,
            "body": note.body,
        }
        for note, title in rows
    ]
