"""Erasing a person from the takeaways: what they said stays as evidence, detached from
them, with the words that name them replaced."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

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


_TOKEN = re.compile(r"\w+")


def scrubber(words: Iterable[str]) -> Callable[[str], str]:
    """``scrub`` for many words at once (a shared report withholds everyone behind a map:
    thousands of names, addresses and numbers), as a function of the text.

    A word can only be in a text whose words include the word's first word (whole-word
    matches start and end at word boundaries), so each text is scrubbed with just the
    few words that could be in it, not all of them one by one."""
    by_first, always = _index(frozenset(w for w in words if w and len(w) > 2))

    def scrub_text(text: str) -> str:
        if not text:
            return text
        could = list(always)
        for token in set(_TOKEN.findall(text.lower())):
            could += by_first.get(token, ())
        return scrub(text, could) if could else text

    return scrub_text


@lru_cache(maxsize=16)
def _index(words: frozenset[str]) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """The words by their first word, and those without one; remembered by the words
    themselves (a pure function: a shared report asks for the same thousands of words on
    every view, and indexing them was half of its time)."""
    by_first: dict[str, list[str]] = {}
    always: list[str] = []  # no letter or digit to look them up by
    for word in words:
        first = _TOKEN.search(word.lower())
        (by_first.setdefault(first.group(), []) if first else always).append(word)
    return {k: tuple(v) for k, v in by_first.items()}, tuple(always)


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
