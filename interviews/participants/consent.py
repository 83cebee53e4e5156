"""Consent: what a participant agreed to, in which words, when, and who noted it.

History is never rewritten: a newer consent of the same kind withdraws the one
before, and withdrawing keeps the row with the time it was taken back.
"""

from __future__ import annotations

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import Conflict, InvalidInput, NotFound, refuse_all
from interviews.participants.models import Consent, ConsentKind
from interviews.participants.service import ConsentView, editable_row, view_of

# The words a consent is recorded with unless the PM types the ones they used.
DEFAULT_CONSENT_WORDING = {
    ConsentKind.RESEARCH: "I agree to take part in this research interview and for the team "
    "to keep notes of what I say, to improve the product.",
    ConsentKind.RECORDING: "I agree to the call being recorded; the recording is only used by "
    "the product team and deleted on request.",
    ConsentKind.CONTACT: "I am happy to be invited to future research sessions.",
}
# The longest wording and "how" a consent keeps (the method column holds 40); the
# profile's consent form renders them as its inputs' maxlength.
MAX_WORDING = 2000
MAX_METHOD = 40


def record_consent(
    actor: accounts.Member,
    participant_id: int,
    *,
    kind: str,
    wording: str = "",
    method: str = "",
) -> ConsentView:
    """Record a consent with the words agreed to and the time. A consent of the same
    kind still in force is withdrawn first, so the history shows what changed.
    Raises Forbidden, NotFound, Conflict, InvalidInput with every problem at once."""
    row = editable_row(actor, participant_id)
    problems: list[InvalidInput] = []
    consent_kind = None
    try:
        consent_kind = ConsentKind(kind)
    except ValueError:
        problems.append(
            InvalidInput(
                "Choose what the consent is for: research, recording or contact.", field="kind"
            )
        )
    # A browser counts a line break as one character, and sends it as two (CRLF).
    wording = (wording or "").replace("\r\n", "\n").strip()
    method = " ".join((method or "").split())
    if len(wording) > MAX_WORDING:
        problems.append(
            InvalidInput(
                f"The words they agreed to can be at most {MAX_WORDING:,} characters.",
                field="wording",
            )
        )
    if len(method) > MAX_METHOD:
        problems.append(
            InvalidInput(
                f"How they consented can be at most {MAX_METHOD} characters.", field="method"
            )
        )
    refuse_all(problems)
    wording = wording or DEFAULT_CONSENT_WORDING[consent_kind]
    now = utc_now()
    for earlier in row.consents:
        if earlier.kind is consent_kind and earlier.withdrawn_at is None:
            earlier.withdrawn_at = now
    consent = Consent(
        workspace_id=row.workspace_id,
        kind=consent_kind,
        wording=wording,
        method=method or "in person",
        given_at=now,
        recorded_by=actor.user_id,
    )
    row.consents.append(consent)
    row.updated_at = now
    db.session.commit()
    return view_of(row, {actor.user_id: actor.name}).consents[-1]


def withdraw_consent(actor: accounts.Member, participant_id: int, consent_id: int) -> None:
    """The person took a consent back: it stays in the history, withdrawn now.
    Raises Forbidden, NotFound, Conflict (already withdrawn)."""
    row = editable_row(actor, participant_id)
    consent = next((c for c in row.consents if c.id == consent_id), None)
    if consent is None:
        raise NotFound("No such consent for this participant.")
    if consent.withdrawn_at is not None:
        raise Conflict("That consent was already withdrawn.")
    consent.withdrawn_at = row.updated_at = utc_now()
    db.session.commit()
