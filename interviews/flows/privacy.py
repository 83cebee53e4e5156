"""Erase or export a person: a copy of everything held about a participant, or its
erasure on request. Each use case is one transaction and goes on the audit trail.

A person's data lives in several areas; each is read or cleared through that area's
service, and the steps of an erasure all join one transaction, so a failure anywhere
leaves everything as it was. The words to scrub are the participants area's knowledge,
so the areas that keep text about a person are handed a function that scrubs it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app

from interviews.accounts import service as accounts
from interviews.compensation import service as compensation
from interviews.db import db
from interviews.errors import InvalidInput
from interviews.flows import export_sections
from interviews.mail import service as mail
from interviews.maps import loop as closing
from interviews.messaging import service as messaging
from interviews.notes import erasure as notes_erasure
from interviews.notes import service as notes
from interviews.notes import transcripts
from interviews.participants import personal_data, privacy
from interviews.participants.models import Participant
from interviews.scheduling import calendar_writes, person_records
from interviews.scheduling.models import InterviewStatus
from interviews.studies import service as studies

# --- export ------------------------------------------------------------------------------


def _document(
    actor: accounts.Member, participant_id: int, now: datetime
) -> tuple[dict, export_sections.Person]:
    privacy.require_editor(actor)
    row = privacy.participant_row(actor.workspace_id, participant_id)
    person = export_sections.Person(
        actor.workspace_id, row, person_records.interview_records_of(actor.workspace_id, row.id)
    )
    document: dict[str, Any] = {
        "export": {
            "participant_id": row.id,
            "workspace": actor.workspace_name,
            "made_at": export_sections.iso(now),
        }
    }
    for section in export_sections.SECTIONS:
        document[section.key] = section.collect(person)
    return document, person


def export_data(actor: accounts.Member, participant_id: int, now: datetime) -> dict[str, Any]:
    """Everything held about a participant as one JSON document (participant.json of
    the download); the export goes on the audit trail. Raises Forbidden, NotFound."""
    document, _ = _document(actor, participant_id, now)
    privacy.record_audit(actor, privacy.EXPORTED, participant_id, {"format": "json"}, now)
    db.session.commit()
    return document


def export_archive(actor: accounts.Member, participant_id: int, now: datetime) -> tuple[str, bytes]:
    """The download for a data request: (file name, zip bytes) holding README.txt,
    participant.json and the notes of each interview as Markdown; the export goes on the
    audit trail. Raises Forbidden, NotFound."""
    document, person = _document(actor, participant_id, now)
    files = {
        personal_data.notes_file_name(view.interview.id): notes.interview_markdown(
            person.workspace_id, view.interview.id, person.row.timezone
        )[1]
        for view in export_sections.notes_of(person)
    }
    readme = personal_data.readme(
        product=current_app.config["PRODUCT_NAME"],
        workspace=actor.workspace_name,
        participant_id=participant_id,
        made_at=now,
        sections=[(s.key, s.holds) for s in export_sections.SECTIONS],
    )
    data = personal_data.build_archive(document, files, readme)
    privacy.record_audit(
        actor, privacy.EXPORTED, participant_id, {"format": "zip", "notes_files": len(files)}, now
    )
    db.session.commit()
    return f"participant-{participant_id}-export.zip", data


# --- erasure -----------------------------------------------------------------------------


def erasure_plan(actor: accounts.Member, participant_id: int) -> privacy.ErasurePlan:
    """What erasing this participant would touch. Raises Forbidden, NotFound."""
    privacy.require_editor(actor)
    row = privacy.participant_row(actor.workspace_id, participant_id)
    interviews = person_records.interview_records_of(actor.workspace_id, row.id)
    return privacy.ErasurePlan(
        participant_id=row.id,
        name=row.name,
        email=row.email,
        interviews=len(interviews),
        upcoming=sum(1 for i in interviews if i.status is InterviewStatus.BOOKED),
        consents=len(row.consents),
        takeaways=len(notes.takeaways_from_participant(actor.workspace_id, row.id)),
        invites=privacy.open_invites(row.id),
        done=privacy.erasure_of(actor.workspace_id, row.id),
    )


def _erase_everywhere(row: Participant, now: datetime) -> dict[str, int]:
    workspace_id, email = row.workspace_id, row.email
    words = personal_data.erasure_words(
        name=row.name, email=email, phone=row.phone, company=row.company
    )
    interviews = person_records.interview_records_of(workspace_id, row.id)
    written = [a.get("answer", "") for i in interviews for a in i.answers]
    written += [i.cancel_reason for i in interviews if i.cancel_reason]
    # The team's emails quote what they wrote when booking or cancelling, word for word.
    mail_words = personal_data.erasure_words(
        name=row.name, email=email, phone=row.phone, company=row.company, written=written
    )

    def scrub_mail(text: str) -> str:
        return notes_erasure.scrub(text, mail_words)

    interview_ids = person_records.erase_participant_details(workspace_id, row.id, now)
    counts = {"interviews": len(interview_ids)}
    counts["notes"] = notes.erase_from_notes(workspace_id, interview_ids, words)
    counts["transcripts"] = transcripts.erase_from_transcripts(workspace_id, interview_ids, words)
    counts["takeaways"] = notes_erasure.detach_participant(workspace_id, row.id, words)
    counts["rewards"] = compensation.detach_participant(
        workspace_id, row.id, lambda text: notes_erasure.scrub(text, words)
    )
    counts["loop_notes"] = closing.detach_participant(
        workspace_id, row.id, lambda text: notes_erasure.scrub(text, words)
    )
    voided, mail_ids = messaging.erase_interview_messages(interview_ids, email, scrub_mail, now)
    counts["messages_voided"] = voided
    counts["emails_deleted"] = mail.delete_messages_to(workspace_id, email)
    counts["emails_scrubbed"] = mail.scrub_messages(workspace_id, mail_words, scrub_mail, mail_ids)
    counts["invites_revoked"] = privacy.revoke_invites(row, now)
    counts["imports_scrubbed"] = privacy.scrub_imports(workspace_id, email, scrub_mail)
    counts["consents"] = privacy.clear_profile(row, now)
    return counts


def erase(
    actor: accounts.Member, participant_id: int, *, confirm_email: str, now: datetime
) -> privacy.Erasure:
    """Erase a participant at their request, all or nothing. Their profile keeps only
    its id ("Erased participant", a placeholder address, do-not-contact); consents go;
    their interviews stay, so studies still count them, without answers, time zone or
    working links; notes and takeaways stay as evidence with their name, email, phone
    and company replaced; messages not yet sent are voided; emails to them are deleted
    and the team's emails about them scrubbed; personal links are revoked. The erasure
    goes on the audit trail with counts only.

    Raises Forbidden, NotFound, AlreadyErased, InvalidInput (the typed address is not
    theirs).
    """
    privacy.require_editor(actor)
    row = privacy.participant_row(actor.workspace_id, participant_id)
    if row.erased_at is None and not personal_data.confirms(confirm_email, row.email):
        raise InvalidInput(
            "Type the participant's email address exactly as shown to confirm.", field="email"
        )
    if not privacy.claim_erasure(row, now):
        db.session.rollback()
        done = privacy.erasure_of(actor.workspace_id, participant_id)
        raise privacy.AlreadyErased(
            f"This participant was already erased on {done.at:%-d %b %Y} by {done.by}: "
            "nothing about them is left to remove."
        )
    try:
        counts = _erase_everywhere(row, now)
        writes = _rewrite_calendar_events(actor.workspace_id, row.id, now)
        counts["calendar_events"] = len(writes)
        privacy.record_audit(actor, privacy.ERASED, row.id, counts, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    calendar_writes.send_soon(writes)
    return privacy.Erasure(row.id, now, actor.name, counts)


def _rewrite_calendar_events(workspace_id: int, participant_id: int, now: datetime) -> list[int]:
    """The person's interviews as events in the team's own calendars carry their name:
    each is written again, where it may be, as the interview now reads (erased)."""
    writes: list[int] = []
    interviews = person_records.interviews_of(workspace_id, participant_id)
    for interview in interviews:
        study = studies.interview_study(workspace_id, interview.study_id, interview.host_id)
        writes += calendar_writes.plan_writes(interview, study, now, where_written=True)
    calendar_writes.forget_bodies([interview.id for interview in interviews])
    return writes
