"""Privacy requests about a participant: a copy of everything held about them, erasure
on request, and the audit trail of both. Each use case is one transaction.

A person's data lives in several areas; each is read or cleared through that area's
service, and the steps of an erasure all join one transaction, so a failure anywhere
leaves everything as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Text, cast, or_, select, update

from interviews.accounts import service as accounts
from interviews.compensation import service as compensation
from interviews.db import db
from interviews.errors import Conflict, Forbidden, InvalidInput, NotFound
from interviews.mail import service as mail
from interviews.maps import loop as closing
from interviews.messaging import service as messaging
from interviews.notes import service as notes
from interviews.participants import export_sections, personal_data
from interviews.participants.models import (
    AuditEntry,
    Participant,
    ParticipantImport,
    ParticipantInvite,
)
from interviews.scheduling import service as scheduling
from interviews.scheduling.models import InterviewStatus

EXPORTED, ERASED = "participant.exported", "participant.erased"
AUDIT_PAGE = 500


class AlreadyErased(Conflict):
    code = "already_erased"


def _editor(actor: accounts.Member) -> None:
    if not actor.can_edit:
        raise Forbidden("Only owners and researchers can export or erase a participant's data.")


def _participant(workspace_id: int, participant_id: int) -> Participant:
    row = db.session.get(Participant, participant_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound("No such participant in this workspace.")
    return row


def _audit(
    actor: accounts.Member, action: str, participant_id: int, detail: dict, now: datetime
) -> None:
    db.session.add(
        AuditEntry(
            workspace_id=actor.workspace_id,
            actor_user_id=actor.user_id,
            actor_name=actor.name,
            action=action,
            subject=f"participant {participant_id}",  # an id: the entry outlives an erasure
            detail=detail,
            at=now,
        )
    )


# --- export ------------------------------------------------------------------------------


def _document(
    actor: accounts.Member, participant_id: int, now: datetime
) -> tuple[dict, export_sections.Person]:
    _editor(actor)
    row = _participant(actor.workspace_id, participant_id)
    person = export_sections.Person(
        actor.workspace_id, row, scheduling.interview_records_of(actor.workspace_id, row.id)
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
    _audit(actor, EXPORTED, participant_id, {"format": "json"}, now)
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
    _audit(actor, EXPORTED, participant_id, {"format": "zip", "notes_files": len(files)}, now)
    db.session.commit()
    return f"participant-{participant_id}-export.zip", data


# --- erasure -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    """An erasure done: when, by whom, and how much it touched (counts, nothing personal)."""

    participant_id: int
    at: datetime
    by: str
    counts: dict[str, int]


@dataclass(frozen=True)
class ErasurePlan:
    """What the confirmation page shows before an erasure, or the erasure once done."""

    participant_id: int
    name: str
    email: str
    interviews: int
    upcoming: int
    consents: int
    takeaways: int
    invites: int
    done: Erasure | None


def erasure_of(workspace_id: int, participant_id: int) -> Erasure | None:
    """Who erased this participant and when, or None while they are not erased."""
    row = _participant(workspace_id, participant_id)
    if row.erased_at is None:
        return None
    entry = db.session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.workspace_id == workspace_id,
            AuditEntry.action == ERASED,
            AuditEntry.subject == f"participant {participant_id}",
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    if entry is None:  # erased by something that keeps no trail (none does today)
        return Erasure(participant_id, row.erased_at, "the team", {})
    return Erasure(participant_id, entry.at, entry.actor_name, dict(entry.detail or {}))


def erasure_plan(actor: accounts.Member, participant_id: int) -> ErasurePlan:
    """What erasing this participant would touch. Raises Forbidden, NotFound."""
    _editor(actor)
    row = _participant(actor.workspace_id, participant_id)
    interviews = scheduling.interview_records_of(actor.workspace_id, row.id)
    invites = db.session.scalars(
        select(ParticipantInvite.id).where(
            ParticipantInvite.participant_id == row.id,
            ParticipantInvite.revoked_at.is_(None),
            ParticipantInvite.used_at.is_(None),
        )
    ).all()
    return ErasurePlan(
        participant_id=row.id,
        name=row.name,
        email=row.email,
        interviews=len(interviews),
        upcoming=sum(1 for i in interviews if i.status is InterviewStatus.BOOKED),
        consents=len(row.consents),
        takeaways=len(notes.takeaways_from_participant(actor.workspace_id, row.id)),
        invites=len(invites),
        done=erasure_of(actor.workspace_id, row.id),
    )


def _revoke_invites(row: Participant, now: datetime) -> int:
    invites = db.session.scalars(
        select(ParticipantInvite).where(
            ParticipantInvite.participant_id == row.id, ParticipantInvite.revoked_at.is_(None)
        )
    ).all()
    for invite in invites:
        invite.revoked_at = now
    return len(invites)


def _scrub_imports(workspace_id: int, email: str, scrub: Callable[[str], str]) -> int:
    """CSV imports not yet done still hold the file, their row in it included."""
    like = "%" + email.replace("%", "").replace("_", "\\_") + "%"
    rows = db.session.scalars(
        select(ParticipantImport).where(
            ParticipantImport.workspace_id == workspace_id,
            or_(
                ParticipantImport.content.ilike(like, escape="\\"),
                cast(ParticipantImport.errors, Text).ilike(like, escape="\\"),
            ),
        )
    ).all()
    for row in rows:
        row.content = scrub(row.content or "")
        row.errors = [{**e, "message": scrub(str(e.get("message", "")))} for e in row.errors or []]
        row.failure = scrub(row.failure) if row.failure else row.failure
    return len(rows)


def _clear_profile(row: Participant, now: datetime) -> int:
    consents = len(row.consents)
    row.consents.clear()  # delete-orphan: the rows go, wording and all
    row.name = personal_data.ERASED_NAME
    row.erased_email_hash = personal_data.email_fingerprint(
        current_app.config["SECRET_KEY"].encode(), row.email
    )
    row.email = personal_data.erased_email(row.id)
    row.phone = row.company = row.role = row.segment = ""
    row.attributes = {}
    row.timezone = "UTC"
    row.do_not_contact = True  # never invited or booked again, whatever else changes
    row.do_not_contact_at = row.do_not_contact_at or now
    row.erased_at = row.updated_at = now
    return consents


def _erase_everywhere(row: Participant, now: datetime) -> dict[str, int]:
    workspace_id, email = row.workspace_id, row.email
    words = personal_data.erasure_words(
        name=row.name, email=email, phone=row.phone, company=row.company
    )
    interviews = scheduling.interview_records_of(workspace_id, row.id)
    written = [a.get("answer", "") for i in interviews for a in i.answers]
    written += [i.cancel_reason for i in interviews if i.cancel_reason]
    # The team's emails quote what they wrote when booking or cancelling, word for word.
    mail_words = personal_data.erasure_words(
        name=row.name, email=email, phone=row.phone, company=row.company, written=written
    )

    def scrub_mail(text: str) -> str:
        return notes.scrub(text, mail_words)

    interview_ids = scheduling.erase_participant_details(workspace_id, row.id, now)
    counts = {"interviews": len(interview_ids)}
    counts["notes"] = notes.erase_from_notes(workspace_id, interview_ids, words)
    counts["takeaways"] = notes.detach_participant(workspace_id, row.id, words)
    counts["rewards"] = compensation.detach_participant(
        workspace_id, row.id, lambda text: notes.scrub(text, words)
    )
    counts["loop_notes"] = closing.detach_participant(
        workspace_id, row.id, lambda text: notes.scrub(text, words)
    )
    voided, mail_ids = messaging.erase_interview_messages(interview_ids, email, scrub_mail, now)
    counts["messages_voided"] = voided
    counts["emails_deleted"] = mail.delete_messages_to(workspace_id, email)
    counts["emails_scrubbed"] = mail.scrub_messages(workspace_id, mail_words, scrub_mail, mail_ids)
    counts["invites_revoked"] = _revoke_invites(row, now)
    counts["imports_scrubbed"] = _scrub_imports(workspace_id, email, scrub_mail)
    counts["consents"] = _clear_profile(row, now)
    return counts


def erase(
    actor: accounts.Member, participant_id: int, *, confirm_email: str, now: datetime
) -> Erasure:
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
    _editor(actor)
    row = _participant(actor.workspace_id, participant_id)
    if row.erased_at is None and not personal_data.confirms(confirm_email, row.email):
        raise InvalidInput(
            "Type the participant's email address exactly as shown to confirm.", field="email"
        )
    # Claimed in one statement first: of two erasures at once, one does the work.
    claimed = db.session.execute(
        update(Participant)
        .where(Participant.id == row.id, Participant.erased_at.is_(None))
        .values(erased_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        done = erasure_of(actor.workspace_id, participant_id)
        raise AlreadyErased(
            f"This participant was already erased on {done.at:%-d %b %Y} by {done.by}: "
            "nothing about them is left to remove."
        )
    try:
        counts = _erase_everywhere(row, now)
        _audit(actor, ERASED, row.id, counts, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return Erasure(row.id, now, actor.name, counts)


# --- the audit trail ---------------------------------------------------------------------


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor_name: str
    action: str
    subject: str
    detail: dict[str, Any]

    @property
    def label(self) -> str:
        return personal_data.ACTIONS.get(self.action, self.action)


def audit_log(actor: accounts.Member) -> list[AuditLine]:
    """The workspace's audit trail, newest first (the latest 500). Owners only: it is
    the record of who took or removed people's data. Raises Forbidden."""
    if not actor.can_manage_members:
        raise Forbidden("Only owners can read the audit trail.")
    rows = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.workspace_id == actor.workspace_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(AUDIT_PAGE)
    ).all()
    return [AuditLine(r.at, r.actor_name, r.action, r.subject, dict(r.detail or {})) for r in rows]
