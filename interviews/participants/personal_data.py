"""What a person's data is made of, and how it is written out or removed on request.
Pure: no Flask, no database; plain data in and out."""

from __future__ import annotations

import hashlib
import hmac
import html
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import phonenumbers
from markupsafe import escape

ERASED_NAME = "Erased participant"

ACTIONS = {
    "participant.exported": "Exported a participant's data",
    "participant.erased": "Erased a participant",
}


def erased_email(participant_id: int) -> str:
    """The address an erased participant keeps: unique per row (the panel's addresses
    are unique), says nothing about them, and cannot receive mail (.invalid)."""
    return f"erased-{participant_id}@erased.invalid"


def email_fingerprint(key: bytes, email: str) -> str:
    """A keyed hash of an address (HMAC-SHA256 under the server's secret): kept on an
    erased row so an import can recognise the person without the address being kept.
    Without the key it cannot be checked against a list of guesses."""
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def confirms(typed: str, email: str) -> bool:
    """Whether what was typed to confirm an erasure is the person's address (any case)."""
    return bool(typed) and typed.strip().lower() == email.strip().lower()


def _phone_forms(phone: str) -> list[str]:
    """The ways a stored E.164 number is written in notes and mail: "+14155552671",
    "+1 415-555-2671", "+1 415 555 2671", "(415) 555-2671", "4155552671"."""
    if not phone:
        return []
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return [phone]
    international = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return [
        phone,
        international,
        international.replace("-", " "),
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
        phonenumbers.national_significant_number(parsed),
    ]


def _ics_escaped(word: str) -> str:
    # RFC 5545 TEXT values escape backslash, semicolon, comma and line breaks.
    escaped = word.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\n", "\\n")


def erasure_words(
    *, name: str, email: str, phone: str, company: str, written: Sequence[str] = ()
) -> list[str]:
    """Everything that names a person in free text, longest first: their full name and
    each part of it (notes say "Pat said"), email, phone as people write it, company,
    and phrases they wrote themselves (``written``: booking answers and cancel reasons,
    which the team's emails quote word for word); each also as HTML and calendar files
    escape it, so stored mail is caught too."""
    # A one-word answer ("Dashboards", "yes") names nothing, and erasing it would blank
    # that word everywhere the emails use it, the study's own title included.
    phrases = [text for text in written if len((text or "").split()) > 1]
    bases = [name, *name.split(), email, *_phone_forms(phone), company, *phrases]
    words: dict[str, str] = {}
    for base in bases:
        base = (base or "").strip()
        for form in (base, html.escape(base), str(escape(base)), _ics_escaped(base)):
            if len(form) > 2:
                words.setdefault(form.casefold(), form)
    return sorted(words.values(), key=len, reverse=True)


def readme(
    *, product: str, workspace: str, participant_id: int, made_at: datetime, sections: Sequence
) -> str:
    """The README.txt of an export: what the archive is, when it was made, what is in it.
    ``sections`` are (key, what it holds) pairs, in the order participant.json has them."""
    lines = [
        f"{product}: personal data export",
        "",
        f"This archive holds everything {workspace} keeps about participant {participant_id}",
        f"in {product}, as it was on {made_at:%-d %B %Y at %H:%M} UTC, when it was made at",
        "the person's request.",
        "",
        "participant.json (all times are ISO 8601, in UTC unless a time zone is given):",
    ]
    lines += [f"  {key}: {what}" for key, what in sections]
    lines += [
        "",
        "notes/: the notes of each interview, one Markdown file per interview.",
        "",
    ]
    return "\n".join(lines)


def notes_file_name(interview_id: int) -> str:
    return f"notes/interview-{interview_id}.md"


def build_archive(document: Mapping[str, Any], files: Mapping[str, str], readme_text: str) -> bytes:
    """The export as one zip: README.txt, participant.json and ``files`` (name -> text)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme_text)
        archive.writestr("participant.json", json.dumps(document, indent=2, ensure_ascii=False))
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()
