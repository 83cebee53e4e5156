"""Rules over a transcript's words: who each speaker is, how segments read as turns, and
whether a highlight's quote is really there. Pure: plain values in and out."""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass


class SpeakerRole(enum.StrEnum):
    """Who a speaker of the file is on the call."""

    INTERVIEWER = "interviewer"  # the host or a colleague
    INTERVIEWEE = "interviewee"
    OTHER = "other"


def _folded(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _same_person(speaker: str, name: str) -> bool:
    """A file names people as the call app knew them: "Pat Lee", "Pat", "pat.lee"."""
    said, known = _folded(speaker), _folded(name)
    if not said or not known:
        return False
    if said == known:
        return True
    said_words = re.findall(r"\w+", said)
    known_words = re.findall(r"\w+", known)
    # "Pat" for "Pat Lee", "Pat Lee (Acme)" for "Pat Lee": the first name matches and
    # nothing said contradicts the rest.
    return (
        bool(said_words and known_words)
        and said_words[0] == known_words[0]
        and (
            len(said_words) == 1
            or set(known_words) <= set(said_words)
            or said_words[:2] == known_words[:2]
        )
    )


def guess_roles(
    speakers: list[str], *, interviewee: str, team: list[str], known: dict[str, str]
) -> dict[str, str]:
    """Each speaker's role: as mapped before (``known``, kept when a file is replaced),
    else by name (the interviewee's, a team member's), else by elimination: in a call of
    two where one side is named, the other speaker is the other side. The rest: other."""
    roles: dict[str, str] = {}
    for speaker in speakers:
        if speaker in known and known[speaker] in set(SpeakerRole):
            roles[speaker] = known[speaker]
        elif _same_person(speaker, interviewee):
            roles[speaker] = SpeakerRole.INTERVIEWEE
        elif any(_same_person(speaker, member) for member in team):
            roles[speaker] = SpeakerRole.INTERVIEWER
    open_ = [s for s in speakers if s and s not in roles]
    for role in (SpeakerRole.INTERVIEWEE, SpeakerRole.INTERVIEWER):
        if len(open_) == 1 and role not in roles.values():
            roles[open_.pop()] = role
    return {s: str(roles.get(s, SpeakerRole.OTHER)) for s in speakers}


@dataclass(frozen=True)
class Turn:
    """Consecutive segments of one speaker, shown as one block with its first time."""

    speaker: str
    start: float | None
    segments: tuple


def turns(segments: list) -> list[Turn]:
    """``segments`` (anything with ``speaker`` and ``start``) grouped into turns."""
    found: list[Turn] = []
    for segment in segments:
        if found and found[-1].speaker == segment.speaker:
            last = found[-1]
            found[-1] = Turn(last.speaker, last.start, (*last.segments, segment))
        else:
            found.append(Turn(segment.speaker, segment.start, (segment,)))
    return found


# --- a highlight's quote -------------------------------------------------------------------

_QUOTE_MARKS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
# What people put around a quote they trimmed: quotation marks, and ellipses ("…" or
# "..."), at either end, in any order.
_AROUND = re.compile(r"^(?:[\s\"']|\u2026|\.\.\.)+|(?:[\s\"']|\u2026|\.\.\.)+$")


def plain_words(text: str) -> str:
    """Text as a quote is compared: NFC, curly quotes straight, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_QUOTE_MARKS).split())


@dataclass(frozen=True)
class QuoteFound:
    """Where a quote sits: it starts in the first segment and ends in segment
    ``last`` (an index into the segments given); ``text`` is the words as the
    transcript has them."""

    last: int
    text: str


def find_quote(texts: list[str], quote: str) -> QuoteFound | None:
    """Whether ``quote`` is words of ``texts[0]``, maybe running on into the next ones
    (``texts`` are the segment's text and those after it, in order). Whole words only:
    a quote may not start or end inside a word. Quotation marks and ellipses around it
    are trimmed; case and everything inside must be as said."""
    wanted = _AROUND.sub("", plain_words(quote))
    if not texts or not any(char.isalnum() for char in wanted):
        return None
    # A sentence's own full stop is kept when it was said there ("…are gone."), and
    # forgiven when the words go on ("gone." of "gone, and…").
    found = _find(texts, wanted)
    if found is None and wanted.endswith(".") and len(wanted) > 1:
        found = _find(texts, wanted[:-1].rstrip())
    return found


def _find(texts: list[str], wanted: str) -> QuoteFound | None:
    first = plain_words(texts[0])
    joined, ends = first, [len(first)]
    for more in texts[1:]:
        if len(joined) >= len(first) + len(wanted):
            break
        joined += " " + plain_words(more)
        ends.append(len(joined))
    at = joined.find(wanted)
    while 0 <= at < len(first):
        end = at + len(wanted)
        starts_word = at == 0 or not (joined[at - 1].isalnum() and wanted[0].isalnum())
        ends_word = end == len(joined) or not (joined[end].isalnum() and wanted[-1].isalnum())
        if starts_word and ends_word:
            last = next(i for i, stop in enumerate(ends) if end <= stop)
            return QuoteFound(last=last, text=wanted)
        at = joined.find(wanted, at + 1)
    return None
