"""From a map back to people: "find people like this" for an actor, the panel's people
its segment rule describes, invited personally to a study (the use case that sends the
invites is flows.outreach). Closing the loop when an output ships is in loop.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from interviews.clock import utc_now
from interviews.db import MAX_ID
from interviews.errors import InvalidInput
from interviews.maps.models import MapNode
from interviews.maps.rules import NodeKind, SegmentRule
from interviews.maps.service import node_in
from interviews.participants import lookalikes
from interviews.participants.service import ParticipantView
from interviews.scheduling import cooldown, team
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus

MAX_INVITES = 200  # people invited in one go
MAX_SUBJECT = 200
MAX_BODY = 5000
MAX_WORDS = 600  # of their own words quoted back in a draft


def actor_node(workspace_id: int, node_id: int) -> MapNode:
    """The workspace's actor (WHO) node. Raises NotFound, InvalidInput (not an actor)."""
    node = node_in(workspace_id, node_id)
    if node.kind is not NodeKind.ACTOR:
        raise InvalidInput(
            "Find people from an actor (WHO): its segment rule says who on the panel is one."
        )
    return node


def output_node(workspace_id: int, node_id: int) -> MapNode:
    node = node_in(workspace_id, node_id)
    if node.kind is not NodeKind.OUTPUT:
        raise InvalidInput(
            "Close the loop from an output (WHAT): once it ships, the people whose "
            "takeaways led to it hear about it."
        )
    return node


# --- find people like this ----------------------------------------------------------------


@dataclass(frozen=True)
class ActorRef:
    id: int
    title: str
    map_id: int
    rule: SegmentRule


@dataclass(frozen=True)
class Lookalike:
    """Someone on the panel the actor's rule describes."""

    participant: ParticipantView
    matched: tuple[tuple[str, str], ...]  # the rule's fields, with their values as on file
    last_interviewed: datetime | None
    last_study: str | None
    within_cooldown: team.InterviewSummary | None  # against the chosen study's cooldown

    @property
    def do_not_contact(self) -> bool:
        return self.participant.do_not_contact


@dataclass(frozen=True)
class PeoplePage:
    actor: ActorRef
    people: list[Lookalike]  # by name
    more: bool  # more matched than are listed
    studies: list[studies.StudyView]  # published: what they can be invited to
    study: studies.StudyView | None  # whose cooldown the flags are against


def _matched(rule: SegmentRule, person: ParticipantView) -> tuple[tuple[str, str], ...]:
    folded = {k.strip().casefold(): (k, v) for k, v in person.attributes.items()}
    found = [("segment", person.segment)] if rule.segment else []
    found += [folded.get(k.casefold(), (k, "")) for k, _ in rule.attributes]
    return tuple(found)


def published_studies(workspace_id: int) -> list[studies.StudyView]:
    """The studies people can be invited to now."""
    return [s for s in studies.list_studies(workspace_id) if s.status is StudyStatus.PUBLISHED]


def people_like(workspace_id: int, actor_id: int, study_id: int | None = None) -> PeoplePage:
    """The panel's people the actor's segment rule describes (segment and every
    attribute equal, any case), by name, capped; erased people never, people who asked
    not to be contacted marked. Cooldown flags are against ``study_id`` when it is a
    published study, else the first published one. Raises NotFound, InvalidInput (not
    an actor)."""
    node = actor_node(workspace_id, actor_id)
    rule = SegmentRule.from_json(node.segment_rule)
    actor = ActorRef(node.id, node.title, node.map_id, rule)
    open_studies = published_studies(workspace_id)
    study = next((s for s in open_studies if s.id == study_id), None) or next(
        iter(open_studies), None
    )
    if rule.empty:
        return PeoplePage(actor, [], False, open_studies, study)
    found = lookalikes.participants_matching(workspace_id, rule.segment, dict(rule.attributes))
    # The maps' own rule has the last word on what "like this" means.
    people = [p for p in found.people if rule.matches(p.segment, p.attributes)]
    history = cooldown.contact_history(
        workspace_id, [p.id for p in people], study.cooldown_days if study else 0, utc_now()
    )
    return PeoplePage(
        actor=actor,
        people=[
            Lookalike(
                participant=p,
                matched=_matched(rule, p),
                last_interviewed=history[p.id].last_interviewed,
                last_study=history[p.id].last_study,
                within_cooldown=history[p.id].within_cooldown if study else None,
            )
            for p in people
        ],
        more=found.more,
        studies=open_studies,
        study=study,
    )


MAX_NOTE = 2000  # the personal note of an invite, as flows.invites keeps it


def chosen(participant_ids: Iterable[int]) -> list[int]:
    """The ids chosen, each once, in order; ids no row can have are left out."""
    return list(dict.fromkeys(i for i in participant_ids if 0 < i <= MAX_ID))


def invite_problems(participant_ids: Iterable[int], note: str) -> list[InvalidInput]:
    """Every problem with who was chosen and the note, found without the database, so a
    form can show them together with its own."""
    problems = []
    ids = chosen(participant_ids)
    if not ids:
        problems.append(
            InvalidInput("Choose at least one person to invite.", field="participant_ids")
        )
    elif len(ids) > MAX_INVITES:
        problems.append(
            InvalidInput(f"Invite at most {MAX_INVITES} people at once.", field="participant_ids")
        )
    if len((note or "").strip()) > MAX_NOTE:
        problems.append(
            InvalidInput(f"Keep the personal note under {MAX_NOTE:,} characters.", field="note")
        )
    return problems


@dataclass(frozen=True)
class InviteReport:
    invited: list[str]  # names
    do_not_contact: list[str]
    within_cooldown: list[str]
    refused: list[tuple[str, str]]  # (name, why): erased, budget, ...
    undelivered: list[tuple[str, str]]  # (name, error): the invite exists, the email failed
