"""Close the loop: tell the people whose words led to a shipped output, personally and
from the PM, that it is out. The notes for one output, the record of who was told
(maps' LoopNote) and their emails (mail's messages) are written in one transaction;
the emails are sent after it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import Conflict, InvalidInput
from interviews.mail import service as mail
from interviews.maps import loop as closing
from interviews.maps import outreach
from interviews.maps import service as maps
from interviews.maps.rules import OutputStatus
from interviews.notes import links
from interviews.participants import lookalikes


def close_loop(
    actor: accounts.Member, output_id: int, drafts: Iterable[closing.LoopDraft]
) -> closing.LoopReport:
    """Tell each chosen person, personally and from the PM, that the output their words
    led to has shipped: the email and the record of who told them go in one
    transaction, then the emails are sent. A person is told once: someone told already
    (even by a colleague a moment ago) is reported, not written to again.

    Raises Forbidden, NotFound, InvalidInput (not an output, nobody chosen, a note
    empty or too long, someone not behind this output), Conflict (not shipped).
    """
    maps.require_editor(actor, "write to people from them")
    notes = closing.checked_drafts(drafts)
    try:
        return _send_loop_notes(actor, output_id, notes)
    except IntegrityError:
        # A colleague told one of them between our read and our write: read again.
        db.session.rollback()
    try:
        return _send_loop_notes(actor, output_id, notes)
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "A colleague is writing to these people right now. Reload the page to see who "
            "has been told."
        ) from None


def _send_loop_notes(
    actor: accounts.Member, output_id: int, notes: list[closing.LoopDraft]
) -> closing.LoopReport:
    node = outreach.output_node(actor.workspace_id, output_id)
    if node.output_status is not OutputStatus.SHIPPED:
        raise Conflict("Mark the output shipped first: the note tells them it is out.")
    behind = links.participants_of(actor.workspace_id, node.id)
    people = lookalikes.people_by_id(actor.workspace_id, behind)
    strangers = [n.participant_id for n in notes if n.participant_id not in people]
    if strangers:
        raise InvalidInput(
            "Only the people whose takeaways are linked to this output can be told here.",
            field="participant_ids",
        )
    told = closing.told_in(actor.workspace_id, node.id)
    report = closing.LoopReport([], [], [], [])
    now = utc_now()
    queued: list[tuple[str, int]] = []
    for note in notes:
        person = people[note.participant_id]
        if person.erased:  # nobody left to write to
            continue
        if note.participant_id in told:
            report.already_told.append(person.name)
            continue
        if person.do_not_contact:
            report.do_not_contact.append(person.name)
            continue
        message = mail.queue_email(
            kind="loop_note",
            recipient=person.email,
            subject=note.subject,
            template="loop_note",
            context={"body": note.body, "name": person.name, "sender": actor.name},
            sender_name=actor.name,
            reply_to=actor.email,
            workspace_id=actor.workspace_id,
            from_person=True,
        )
        db.session.flush()
        closing.add_loop_note(actor, node.id, person.id, message.id, note, now)
        queued.append((person.name, message.id))
    db.session.commit()
    for name, message_id in queued:
        report.sent.append(name)
        delivery = mail.dispatch(message_id)
        if delivery.failed:
            report.undelivered.append((name, delivery.error or ""))
    return report
