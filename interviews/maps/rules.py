"""The rules of impact maps as plain functions over plain data: no Flask, no database.

Evidence strength, the "How might we" test, ICE scores, what an experiment's result
says about its output, the goal-to-experiment sentence and segment rules.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

DEFAULT_PATTERN_THRESHOLD = 3  # distinct people before an anecdote is a pattern


class NodeKind(enum.StrEnum):
    ACTOR = "actor"
    OUTCOME = "outcome"
    OUTPUT = "output"
    EXPERIMENT = "experiment"


# Each level hangs under the one before it; actors hang under the goal (no parent).
PARENT_KIND: dict[NodeKind, NodeKind | None] = {
    NodeKind.ACTOR: None,
    NodeKind.OUTCOME: NodeKind.ACTOR,
    NodeKind.OUTPUT: NodeKind.OUTCOME,
    NodeKind.EXPERIMENT: NodeKind.OUTPUT,
}
CHILD_KIND: dict[NodeKind | None, NodeKind | None] = {
    None: NodeKind.ACTOR,
    NodeKind.ACTOR: NodeKind.OUTCOME,
    NodeKind.OUTCOME: NodeKind.OUTPUT,
    NodeKind.OUTPUT: NodeKind.EXPERIMENT,
    NodeKind.EXPERIMENT: None,
}
QUESTION = {
    NodeKind.ACTOR: "WHO",
    NodeKind.OUTCOME: "HOW",
    NodeKind.OUTPUT: "WHAT",
    NodeKind.EXPERIMENT: "WHETHER",
}
# Evidence can back who and how (the reasons a branch exists) and what (why an idea is on it).
EVIDENCE_KINDS = (NodeKind.ACTOR, NodeKind.OUTCOME, NodeKind.OUTPUT)


class Stage(enum.StrEnum):
    ON = "on_stage"  # uses the product
    OFF = "off_stage"  # does not, but decides or hinders (an IT admin, finance, a spouse)


class Direction(enum.StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


class OutputStatus(enum.StrEnum):
    IDEA = "idea"
    PLANNED = "planned"
    BUILDING = "building"
    SHIPPED = "shipped"
    DROPPED = "dropped"


class ExperimentKind(enum.StrEnum):
    PROTOTYPE_INTERVIEW = "prototype_interview"
    FAKE_DOOR = "fake_door"
    WIZARD_OF_OZ = "wizard_of_oz"
    SURVEY = "survey"
    SPIKE = "spike"
    OTHER = "other"


class ExperimentStatus(enum.StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    DONE = "done"


class ExperimentResult(enum.StrEnum):
    VALIDATED = "validated"
    INVALIDATED = "invalidated"
    INCONCLUSIVE = "inconclusive"


class ThemeStatus(enum.StrEnum):
    DISCOVERY = "discovery"
    DELIVERY = "delivery"


class Strength(enum.StrEnum):
    ASSUMPTION = "assumption"  # nobody said so yet
    ANECDOTE = "anecdote"  # one or two people (below the threshold)
    PATTERN = "pattern"  # many distinct people


# An output may move on, back a step, or be dropped; shipped and dropped can be reopened
# (shipping is rarely the end: a dropped idea comes back when the evidence changes).
OUTPUT_MOVES: dict[OutputStatus, frozenset[OutputStatus]] = {
    OutputStatus.IDEA: frozenset({OutputStatus.PLANNED, OutputStatus.DROPPED}),
    OutputStatus.PLANNED: frozenset(
        {OutputStatus.IDEA, OutputStatus.BUILDING, OutputStatus.DROPPED}
    ),
    OutputStatus.BUILDING: frozenset(
        {OutputStatus.PLANNED, OutputStatus.SHIPPED, OutputStatus.DROPPED}
    ),
    OutputStatus.SHIPPED: frozenset({OutputStatus.BUILDING}),
    OutputStatus.DROPPED: frozenset({OutputStatus.IDEA}),
}


def can_move(current: OutputStatus, to: OutputStatus) -> bool:
    return to == current or to in OUTPUT_MOVES[current]


@dataclass(frozen=True)
class Evidence:
    takeaways: int
    participants: int
    strength: Strength

    def as_json(self) -> dict:
        return {
            "takeaways": self.takeaways,
            "participants": self.participants,
            "strength": self.strength.value,
        }


def strength(takeaways: int, participants: int, threshold: int) -> Strength:
    """No takeaway: an assumption. Fewer distinct people than ``threshold``: an anecdote
    (even with many takeaways: one loud customer is still one customer). Otherwise a
    pattern. Takeaways from outside interviews with no person count as takeaways only."""
    if takeaways <= 0:
        return Strength.ASSUMPTION
    if participants < max(1, threshold):
        return Strength.ANECDOTE
    return Strength.PATTERN


def evidence(takeaways: int, participants: int, threshold: int) -> Evidence:
    return Evidence(takeaways, participants, strength(takeaways, participants, threshold))


def ice_score(impact: int | None, confidence: int | None, ease: int | None) -> float | None:
    """The mean of the three 1-10 scores (one decimal), or None until all three are set."""
    if impact is None or confidence is None or ease is None:
        return None
    return round((impact + confidence + ease) / 3, 1)


def valid_score(value: int | None) -> bool:
    return value is None or 1 <= value <= 10


# Words that name a thing to build rather than a change in what someone does.
_FEATURE_WORDS = {
    "add", "adding", "api", "app", "build", "building", "button", "dashboard",
    "develop", "feature", "features", "implement", "integration", "launch", "menu",
    "modal", "page", "plugin", "popup", "redesign", "screen", "ship", "tab", "tool",
    "widget", "wizard", "create", "make",
}  # fmt: skip
_WORD = re.compile(r"[a-z]+")


def how_might_we_warning(text: str) -> str | None:
    """A warning when a "How might we ..." names a feature to build instead of a change
    in an actor's behaviour; None when it reads as a behaviour (or is empty).

    The test of an outcome is that it reads "How might we <enable actor to change
    behaviour>?", never "How might we build <feature>?".
    """
    words = _WORD.findall(text.casefold())
    if not words:
        return None
    if words[:3] == ["how", "might", "we"]:
        words = words[3:]
    found = [w for w in words[:4] if w in _FEATURE_WORDS]
    if found:
        return (
            f"“{found[0]}” names something to build. An outcome is a change in what the "
            "actor does: “How might we help admins invite their team in the first week?”, "
            "not “How might we build an invite page?”. Put features under WHAT."
        )
    return None


def output_verdict(results: Iterable[ExperimentResult | None]) -> ExperimentResult | None:
    """What the finished experiments say about their output: invalidated when any
    experiment invalidated it (a killed idea stays visibly killed), validated when one
    validated it, inconclusive when all that finished were, else None (nothing known)."""
    found = {r for r in results if r is not None}
    if ExperimentResult.INVALIDATED in found:
        return ExperimentResult.INVALIDATED
    if ExperimentResult.VALIDATED in found:
        return ExperimentResult.VALIDATED
    if ExperimentResult.INCONCLUSIVE in found:
        return ExperimentResult.INCONCLUSIVE
    return None


def format_number(value: Decimal | None) -> str:
    """1200 as "1,200", 12.5 as "12.5": the goal's numbers as people write them."""
    if value is None:
        return ""
    normal = value.normalize()
    if normal == normal.to_integral():
        return f"{int(normal):,}"
    return f"{normal:,f}"


_EXPERIMENT_PHRASE = {
    ExperimentKind.PROTOTYPE_INTERVIEW: "prototype interviews",
    ExperimentKind.FAKE_DOOR: "a fake door",
    ExperimentKind.WIZARD_OF_OZ: "a wizard-of-oz test",
    ExperimentKind.SURVEY: "a survey",
    ExperimentKind.SPIKE: "a spike",
    ExperimentKind.OTHER: "an experiment",
}


@dataclass(frozen=True)
class PathStep:
    kind: NodeKind
    title: str
    direction: Direction | None = None
    experiment_kind: ExperimentKind | None = None
    result: ExperimentResult | None = None


def _lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def path_sentence(goal: str, deadline: date | None, steps: list[PathStep]) -> str:
    """The path from the goal down to one node read as one sentence, e.g. "To grow weekly
    active teams to 400 by 30 June 2027, we need more team admins to invite their team in
    the first week, by building bulk invite from a CSV; prototype interviews ("Mock-up
    with five admins") will tell us whether it works: validated." Steps are the node and its ancestors, top first.
    """
    sentence = f"To {_lower_first(goal)}"
    if deadline is not None:
        sentence += f" by {deadline.day} {deadline:%B %Y}"
    by_kind = {step.kind: step for step in steps}
    actor, outcome = by_kind.get(NodeKind.ACTOR), by_kind.get(NodeKind.OUTCOME)
    output, experiment = by_kind.get(NodeKind.OUTPUT), by_kind.get(NodeKind.EXPERIMENT)
    if actor is None:
        return sentence + "."
    # "more team admins to invite their team", "fewer agents to escalate tickets": the
    # direction reads best on the actor, and the outcome stays a plain behaviour.
    more = {Direction.INCREASE: "more ", Direction.DECREASE: "fewer "}
    lead = more.get(outcome.direction, "") if outcome is not None else ""
    sentence += f", we need {lead}{_lower_first(actor.title)}"
    if outcome is not None:
        sentence += f" to {_lower_first(outcome.title)}"
    if output is not None:
        sentence += f", by building {_lower_first(output.title)}"
    if experiment is not None:
        how = _EXPERIMENT_PHRASE.get(experiment.experiment_kind, "an experiment")
        sentence += (
            f"; {how} (“{experiment.title.strip().rstrip('.')}”) will tell us whether it works"
        )
        if experiment.result is not None:
            sentence += f": {experiment.result.value}"
    return sentence + "."


@dataclass(frozen=True)
class SegmentRule:
    """Who on the panel an actor is: a segment and/or attribute values, all of which must
    match (case and surrounding spaces ignored). An empty rule matches nobody: "find
    people like this" should never mean "everyone"."""

    segment: str = ""
    attributes: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_json(cls, data: Mapping | None) -> SegmentRule:
        data = data or {}
        attributes = data.get("attributes") or {}
        return cls(
            segment=str(data.get("segment") or "").strip(),
            attributes=tuple(
                sorted((str(k).strip(), str(v).strip()) for k, v in attributes.items())
            ),
        )

    def as_json(self) -> dict:
        return {"segment": self.segment, "attributes": dict(self.attributes)}

    @property
    def empty(self) -> bool:
        return not self.segment and not self.attributes

    def describe(self) -> str:
        parts = [f"segment is {self.segment}"] if self.segment else []
        parts += [f"{k} is {v}" for k, v in self.attributes]
        return " and ".join(parts) if parts else "no rule yet"

    def matches(self, segment: str, attributes: Mapping[str, str]) -> bool:
        if self.empty:
            return False
        if self.segment and segment.strip().casefold() != self.segment.casefold():
            return False
        folded = {
            str(k).strip().casefold(): str(v).strip().casefold() for k, v in attributes.items()
        }
        return all(folded.get(k.casefold()) == v.casefold() for k, v in self.attributes)


def parse_rule_text(text: str) -> SegmentRule:
    """A rule written as lines "segment: enterprise" and "plan: team" (one per line, or
    separated by commas). Raises ValueError with a message naming the bad part."""
    segment = ""
    attributes: dict[str, str] = {}
    for part in re.split(r"[\n,]", text):
        if not part.strip():
            continue
        key, sep, value = part.partition(":")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"Write each part as “name: value”, not “{part.strip()[:40]}”.")
        key, value = key.strip(), value.strip()
        if len(key) > 60 or len(value) > 120:
            raise ValueError("Keep rule names under 60 and values under 120 characters.")
        if key.casefold() == "segment":
            segment = value
        else:
            attributes[key] = value
    return SegmentRule(segment=segment, attributes=tuple(sorted(attributes.items())))
