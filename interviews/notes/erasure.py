"""Erasing a person from the takeaways: what they said stays as evidence, detached from
them, with the words that name them replaced."""

from __future__ import annotations

import re

from sqlalchemy import select

from interviews.db import db
from interviews.notes.models import Takeaway


def scrub(text: str, words: list[str]) -> str:
    """``text`` with each of ``words`` (3 characters or more, any case) as [erased].

    Whole words only: erasing "Ann" must not turn "annual" into "[erased]ual".
    """
    for word in sorted((w for w in words if w and len(w) > 2), key=len, reverse=True):
        pattern = rf"(?<!\w){re.escape(word)}(?!\w)"
        text = re.sub(pattern, "[erased]", text, flags=re.IGNORECASE)
    return text


def detach_participant(workspace_id: int, participant_id: int, words: list[str]) -> int:
    """Part of erasing a person, inside the caller's transaction (no commit): what they
    said stays as evidence, detached from them, with ``words`` (their name, email,
    phone, company) replaced wherever they appear. Returns how many takeaways."""
    rows = db.session.scalars(
        select(Takeaway).where(
            Takeaway.workspace_id == workspace_id, Takeaway.participant_id == participant_id
        )
    ).all()
    for row in rows:
        row.participant_id = None
        row.text, row.quote = scrub(row.text, words), scrub(row.quote, words)
        row.key, row.context = scrub(row.key, words), scrub(row.context, words)
    return len(rows)
