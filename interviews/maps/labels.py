"""The words of a drawn map: what each box says under its title, what a screen reader
hears, titles wrapped to a box's width, and the fold parameter of a map's links. Pure;
the SVG and the exports share them."""

from __future__ import annotations

import re
import unicodedata

from interviews.maps.rules import EVIDENCE_KINDS, Evidence, NodeKind
from interviews.maps.tree import Node

MAX_FOLDED = 1000  # ids kept from a fold parameter: more than any map has branches
MAX_NODE_ID = 2**31 - 1

_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FOLD_ID = re.compile(r"[0-9]{1,10}")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML cannot carry at all (control characters,
    lone surrogates): escaping cannot save those, a parser refuses the whole file."""
    return _XML_ILLEGAL.sub("", text)


def toggle(folded: frozenset[int], node_id: int) -> frozenset[int]:
    """The folded set after clicking ``node_id``'s toggle: folded if it was open, open
    if it was folded."""
    return folded ^ {node_id}


def parse_folded(text: str) -> frozenset[int]:
    """The folded node ids from a ``fold`` parameter ("12,40,7"). Anything that is not
    a plain id in 1..2**31-1 is ignored rather than refused (a stale or hand-edited
    link still shows the map), and at most ``MAX_FOLDED`` ids are kept."""
    found: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not _FOLD_ID.fullmatch(part):
            continue
        value = int(part)
        if 1 <= value <= MAX_NODE_ID:
            found.add(value)
            if len(found) >= MAX_FOLDED:
                break
    return frozenset(found)


def fold_param(folded: frozenset[int]) -> str:
    """The ``fold`` parameter for a folded set: sorted ids, comma-separated."""
    return ",".join(str(i) for i in sorted(folded))


def plural(count: int, one: str, many: str) -> str:
    """ "1 person", "3 people"."""
    return f"{count} {one if count == 1 else many}"


def evidence_counts(evidence: Evidence) -> str:
    """ "5 takeaways · 3 people", or "no takeaways yet"."""
    if evidence.takeaways <= 0:
        return "no takeaways yet"
    text = plural(evidence.takeaways, "takeaway", "takeaways")
    if evidence.participants > 0:
        text += " · " + plural(evidence.participants, "person", "people")
    return text


def badge_lines(node: Node) -> list[str]:
    """The short lines under a node's title: its evidence (strength word first) for
    actors, outcomes and outputs; an output's status and verdict; an experiment's ICE
    score, status and result."""
    lines = []
    if node.kind in EVIDENCE_KINDS:
        lines.append(f"{node.evidence.strength.value} · {evidence_counts(node.evidence)}")
    if node.kind is NodeKind.OUTPUT:
        words = [w for w in (node.status, node.verdict.value if node.verdict else None) if w]
        if words:
            lines.append(" · ".join(words))
    elif node.kind is NodeKind.EXPERIMENT:
        ice = f"ICE {node.ice:g}" if node.ice is not None else "ICE not scored"
        words = [ice, node.status, node.result.value if node.result else None]
        lines.append(" · ".join(w for w in words if w))
    return lines


def spoken(node: Node, title: str | None = None, hidden: int = 0) -> str:
    """What a screen reader says for a node: "Outcome: Invite their team in the first
    week, pattern, 5 takeaways from 3 people"; ``hidden`` is how many are folded away
    under it."""
    title = one_line(node.title) if title is None else title
    parts = [f"{node.kind.value.capitalize()}: {title}"]
    if node.kind in EVIDENCE_KINDS:
        ev = node.evidence
        parts.append(ev.strength.value)
        if ev.takeaways <= 0:
            parts.append("no takeaways yet")
        elif ev.participants > 0:
            takeaways = plural(ev.takeaways, "takeaway", "takeaways")
            parts.append(f"{takeaways} from {plural(ev.participants, 'person', 'people')}")
        else:
            parts.append(plural(ev.takeaways, "takeaway", "takeaways"))
    if node.kind is NodeKind.EXPERIMENT:
        parts.append(f"ICE {node.ice:g}" if node.ice is not None else "ICE not scored")
    if node.status:
        parts.append(node.status)
    verdict = node.verdict if node.kind is NodeKind.OUTPUT else node.result
    if verdict is not None:
        parts.append(verdict.value)
    if hidden:
        parts.append(f"{hidden} more folded below")
    return ", ".join(parts)


def one_line(text: str) -> str:
    return " ".join(xml_safe(text).split())


def _units(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, units: int) -> int:
    """How many characters of ``text`` fit in ``units``."""
    if text.isascii():
        return min(len(text), units)
    used = 0
    for index, ch in enumerate(text):
        used += _units(ch)
        if used > units:
            return index
    return len(text)


def _trim(text: str, units: int) -> str:
    """The longest start of ``text`` that fits in ``units`` with an ellipsis after it."""
    return text[: _fit(text, units - 1)].rstrip() + "…"


def wrap(text: str, units: int, max_lines: int) -> list[str]:
    """``text`` broken into at most ``max_lines`` lines of about ``units`` characters,
    at spaces where it can, mid-word where a word is longer than a line; the last line
    ends in an ellipsis when the text did not fit."""
    words = text.split()
    lines: list[str] = []
    current: list[str] = []
    used = 0
    for index, word in enumerate(words):
        size = _units(word)
        if current and used + 1 + size <= units:
            current.append(word)
            used += 1 + size
            continue
        if current:
            lines.append(" ".join(current))
        while size > units:  # a word longer than a line: break it
            cut = max(1, _fit(word, units))
            lines.append(word[:cut])
            word = word[cut:]
            size = _units(word)
        current, used = [word], size
        if len(lines) >= max_lines:
            rest = " ".join([*current, *words[index + 1 :]])
            lines = lines[:max_lines]
            lines[-1] = _trim(f"{lines[-1]} {rest}", units)
            return lines
    if current:
        lines.append(" ".join(current))
    return lines or [""]
