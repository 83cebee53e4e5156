"""The pure rules of notes: built-in templates, the question-style hint, merging two
people's edits, the after-call checklist and Markdown export. No Flask, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

# --- templates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    heading: str
    guidance: str = ""
    prompts: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"heading": self.heading, "guidance": self.guidance, "prompts": list(self.prompts)}


KEY_TAKEAWAYS = "Key takeaways"

DISCOVERY = (
    Section(
        KEY_TAKEAWAYS,
        "Kept at the top so the notes can be scanned later: 5-10 things you learned, "
        "added after the call.",
    ),
    Section(
        "Who they are",
        "Fill before the call with what we already know: plan, tenure, features used, "
        "support tickets, recent experiments, links.",
    ),
    Section(
        "Introduction",
        "Thank them, say why we talk to customers, ask permission to record and take notes.",
        ("What would make this conversation worth your time?",),
    ),
    Section(
        "People",
        "Their job or life around the product: who they work with, what their day looks like.",
        ("What does a typical week look like for you?", "Who else is involved when you ...?"),
    ),
    Section(
        "Problem",
        "The meat: problems, priorities and feedback. Ask for stories of the last time.",
        (
            "Tell me about the last time you ...",
            "What was the hardest part about that?",
            "How do you solve it today?",
            "What would you change first, and why?",
        ),
    ),
    Section(
        "Solution",
        "Show a prototype or mock-up to react to; watch, don't sell.",
        ("What do you expect to happen when you click here?", "How would this fit your week?"),
    ),
)

JOBS_TO_BE_DONE = (
    Section(KEY_TAKEAWAYS, "The moments and forces that made them switch, at the top."),
    Section(
        "First thought",
        "When did they first realise they needed something different? What happened?",
        ("When did you first start thinking about this?", "What was going on at the time?"),
    ),
    Section(
        "Passive looking",
        "Noticing options without acting: what did they see, hear, try?",
        ("What did you notice out there before you started looking in earnest?",),
    ),
    Section(
        "Active looking",
        "Seriously comparing: where did they look, what did they consider?",
        ("Which options did you compare, and how?",),
    ),
    Section(
        "Deciding",
        "The moment of choice: what tipped it, what almost stopped it?",
        ("What made you decide then, and not a month later?", "What almost stopped you?"),
    ),
    Section("Buying", "How the purchase happened: who paid, what it took.", ()),
    Section(
        "Consuming",
        "First use and since: did it do the job they hired it for?",
        ("How did the first week go?",),
    ),
    Section(
        "Who was involved",
        "Everyone who had a say: users, buyers, blockers (often off-stage).",
        ("Who else had a say, and what did they care about?",),
    ),
    Section("Budget", "Where the money came from and what it competed with.", ()),
    Section(
        "Forcing functions",
        "Deadlines and events that made it happen now: a renewal, a new boss, an audit.",
        ("What would have happened if you had done nothing?",),
    ),
)

BUILT_IN = {
    "discovery": ("Discovery interview", "The PRODUCT.md sections, key takeaways at the top."),
    "jtbd": (
        "Jobs-to-be-done timeline",
        "First thought to consuming; who was involved, budget and forcing functions.",
    ),
}
BUILT_IN_SECTIONS = {"discovery": DISCOVERY, "jtbd": JOBS_TO_BE_DONE}


class TemplateProblem(ValueError):
    """A template that cannot be saved; the message says which part and why.
    ``problems`` holds every problem found, as (section number or None, message): the
    first is the message."""

    def __init__(self, message: str, problems: tuple[tuple[int | None, str], ...] = ()):
        super().__init__(message)
        self.problems = problems or ((None, message),)


def clean_sections(raw: list[dict]) -> list[dict]:
    """Sections as stored: trimmed, prompts one per entry, headings unique and present.
    Raises TemplateProblem with every problem found (numbered by row, from 1)."""
    sections: list[dict] = []
    seen: set[str] = set()
    found: list[tuple[int | None, str]] = []
    for index, item in enumerate(raw, start=1):
        heading = " ".join(str(item.get("heading") or "").split())
        guidance = str(item.get("guidance") or "").strip()
        prompts_raw = item.get("prompts") or []
        if isinstance(prompts_raw, str):
            prompts_raw = prompts_raw.splitlines()
        prompts = [" ".join(str(p).split()) for p in prompts_raw if str(p).strip()]
        if not heading and not guidance and not prompts:
            continue  # an empty row in the editor
        if not heading:
            found.append((index, f"Section {index} needs a heading."))
        elif len(heading) > 120:
            found.append((index, f"Section {index}: keep the heading under 120 characters."))
        elif heading.casefold() in seen:
            found.append((index, f"Two sections are called “{heading}”: headings must differ."))
        else:
            seen.add(heading.casefold())
            sections.append({"heading": heading, "guidance": guidance, "prompts": prompts})
    if not sections and not found:
        found.append((None, "A template needs at least one section."))
    if len(sections) > 40:
        found.append((None, "Keep a template to 40 sections."))
    if found:
        raise TemplateProblem(found[0][1], tuple(found))
    return sections


# --- the question-style hint -------------------------------------------------------------

# A question that opens with one of these can be answered "yes" or "no".
_CLOSED_OPENERS = re.compile(
    r"^(?:do|does|did|is|are|was|were|have|has|had|can|could|will|would|should|shall|"
    r"may|might|must|am|isn't|aren't|don't|doesn't|didn't|won't|wouldn't|can't|couldn't)\b",
    re.IGNORECASE,
)


def closed_question_hint(prompt: str) -> str | None:
    """A gentle suggestion when a prompt reads as a yes/no question; None when it is fine.

    "Do you use reports?" -> suggests "How do you use reports?" style instead.
    """
    text = prompt.strip().lstrip("-*• ").strip()
    if not text.endswith("?") or not _CLOSED_OPENERS.match(text):
        return None
    return (
        "This reads as a yes/no question. Asking “what” or “how” (“How do you …?”, "
        "“What happened when …?”) gets a story instead of a one-word answer."
    )


# --- merging two people's edits ----------------------------------------------------------


@dataclass(frozen=True)
class Merge:
    """The outcome of saving on an older revision: merged bodies by heading, and the
    headings where both sides changed the same section differently."""

    bodies: dict[str, str]
    conflicts: tuple[str, ...] = field(default_factory=tuple)


def merge_sections(base: dict[str, str], mine: dict[str, str], theirs: dict[str, str]) -> Merge:
    """Three-way merge per section: a section only one side changed takes that change;
    a section both changed to different text is a conflict (theirs is kept until a
    person decides). ``base`` is what the writer started from, ``theirs`` what is saved now."""
    bodies: dict[str, str] = {}
    conflicts: list[str] = []
    for heading in dict.fromkeys([*theirs, *mine]):
        was, mine_now, theirs_now = (
            base.get(heading, ""),
            mine.get(heading),
            theirs.get(heading, ""),
        )
        if mine_now is None or mine_now in (was, theirs_now):
            bodies[heading] = theirs_now
        elif theirs_now == was:
            bodies[heading] = mine_now
        else:
            bodies[heading] = theirs_now
            conflicts.append(heading)
    return Merge(bodies=bodies, conflicts=tuple(conflicts))


# Markers around the lines both people changed differently, as "Keep both" writes them.
# Short, git-like and harmless as Markdown: none of them is a heading underline
# ("=======" would turn the line above it into a heading when the notes are shown).
YOURS_MARKER = "<<< yours"
THEIRS_MARKER = "=== theirs"
END_MARKER = ">>>"


@dataclass(frozen=True)
class LineMerge:
    """One section's text merged line by line, and whether any lines clash (then the
    text holds both versions of those lines between the markers)."""

    text: str
    conflicted: bool


@dataclass(frozen=True)
class _Change:
    """One side's edit: base lines [start, stop) become ``lines`` (start == stop: an
    insertion before base line ``start``)."""

    start: int
    stop: int
    lines: tuple[str, ...]
    mine: bool

    def clashes_with(self, other: _Change) -> bool:
        if self.start == self.stop and other.start == other.stop:
            return self.start == other.start  # two insertions at the same place
        if self.start == self.stop:
            return other.start < self.start < other.stop
        if other.start == other.stop:
            return self.start < other.start < self.stop
        return self.start < other.stop and other.start < self.stop


def _changes(base: list[str], other: list[str], mine: bool) -> list[_Change]:
    # autojunk off: notes repeat blank lines and bullets, which must still match.
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    changes: list[_Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            # As many lines rewritten as there were: line k became line k, so a
            # change to one of them clashes only with a change to that same line.
            changes += [_Change(i1 + k, i1 + k + 1, (other[j1 + k],), mine) for k in range(i2 - i1)]
        else:
            changes.append(_Change(i1, i2, tuple(other[j1:j2]), mine))
    return changes


def _apply(base: list[str], start: int, stop: int, changes: list[_Change]) -> list[str]:
    """Base lines [start, stop) with one side's changes (all inside that range) made."""
    out, at = [], start
    for change in changes:
        out += base[at : change.start]
        out += change.lines
        at = change.stop
    return out + base[at:stop]


def merge_lines(base: str, mine: str, theirs: str) -> LineMerge:
    """Three-way merge of one section, line by line: ``base`` is the text both started
    from. Lines only one side changed take that change, lines both changed the same way
    appear once, and only the lines both changed differently appear twice, between
    YOURS_MARKER, THEIRS_MARKER and END_MARKER lines. Edits to neighbouring lines do
    not clash (unlike diff3): a notes section is prose, not code that must compile."""
    if mine == theirs or theirs == base:
        return LineMerge(mine, False)
    if mine == base:
        return LineMerge(theirs, False)
    was = base.split("\n")
    changes = sorted(
        _changes(was, mine.split("\n"), True) + _changes(was, theirs.split("\n"), False),
        key=lambda c: (c.start, c.stop),
    )
    # Group edits that touch the same lines, directly or through a third edit.
    groups: list[list[_Change]] = []
    for change in changes:
        if groups and any(change.clashes_with(other) for other in groups[-1]):
            groups[-1].append(change)
        else:
            groups.append([change])
    out: list[str] = []
    conflicted = False
    at = 0
    for group in groups:
        start = min(c.start for c in group)
        stop = max(c.stop for c in group)
        out += was[at:start]
        ours = _apply(was, start, stop, [c for c in group if c.mine])
        other = _apply(was, start, stop, [c for c in group if not c.mine])
        if all(c.mine for c in group) or ours == other:
            out += ours
        elif not any(c.mine for c in group):
            out += other
        else:
            conflicted = True
            out += [YOURS_MARKER, *ours, THEIRS_MARKER, *other, END_MARKER]
        at = stop
    out += was[at:]
    return LineMerge("\n".join(out), conflicted)


# --- after the call ----------------------------------------------------------------------

CHECKLIST = (
    ("notes_cleaned", "Notes cleaned up"),
    ("takeaways_added", "5-10 key takeaways added"),
    ("thank_you_sent", "Thank-you sent"),
    ("reward_delivered", "Reward delivered"),
    ("followup_asked", "Follow-up question asked (or none needed)"),
)
CHECKLIST_KEYS = tuple(key for key, _ in CHECKLIST)
TAKEAWAY_GOAL = (5, 10)


def takeaway_nudge(count: int) -> str | None:
    """After the call: a nudge toward 5-10 takeaways, or None when in range."""
    low, high = TAKEAWAY_GOAL
    if count < low:
        more = low - count
        return f"Add {more} more takeaway{'s' if more != 1 else ''}: aim for {low}-{high}."
    if count > high:
        return f"{count} takeaways: consider merging some, {low}-{high} scan best."
    return None


# --- Markdown export ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExportTakeaway:
    key: str
    text: str
    quote: str
    tags: tuple[str, ...]
    importance: int


@dataclass(frozen=True)
class ExportInterview:
    title: str  # "Interview with Sam Lee"
    facts: tuple[tuple[str, str], ...]  # ("When", "Tue 24 Nov 2026, 10:00 UTC")
    takeaways: tuple[ExportTakeaway, ...]
    sections: tuple[tuple[str, str], ...]  # (heading, markdown body)


IMPORTANCE = {1: "low", 2: "medium", 3: "high"}


def to_markdown(export: ExportInterview) -> str:
    """One interview's notes as a Markdown document: facts, takeaways first, sections."""
    lines = [f"# {export.title}", ""]
    lines += [f"- **{name}:** {value}" for name, value in export.facts]
    lines += ["", f"## {KEY_TAKEAWAYS}", ""]
    if not export.takeaways:
        lines.append("_None yet._")
    for item in export.takeaways:
        head = f"**{item.key}:** {item.text}" if item.key else item.text
        tags = " ".join(f"`#{tag}`" for tag in item.tags)
        lines.append(
            f"- {head} ({IMPORTANCE.get(item.importance, 'medium')}){' ' + tags if tags else ''}"
        )
        if item.quote:
            lines.append(f"  > {' '.join(item.quote.split())}")
    for heading, body in export.sections:
        if heading == KEY_TAKEAWAYS and not body.strip():
            continue
        lines += ["", f"## {heading}", "", body.strip() or "_No notes._"]
    return "\n".join(lines).rstrip() + "\n"


def file_name(*parts: str) -> str:
    """A safe file name from words: "2026-11-24 Sam Lee" -> "2026-11-24-sam-lee"."""
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(parts).casefold()).strip("-")
    return slug[:80] or "notes"
