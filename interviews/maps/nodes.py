"""The nodes of a map: adding the next level under a node, changing one (its words,
stage and segment rule, direction, output status, experiment scores and result) and
removing a branch. One transaction each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import InvalidInput, NotFound, refuse_all
from interviews.maps import rules
from interviews.maps.models import ImpactMap, MapNode
from interviews.maps.rules import (
    CHILD_KIND,
    Direction,
    ExperimentKind,
    ExperimentResult,
    ExperimentStatus,
    NodeKind,
    OutputStatus,
    Stage,
)
from interviews.maps.service import map_in, node_in, require_editor

MAX_NODES = 2000  # on one map: past this a map is a backlog, not a map


@dataclass(frozen=True)
class NodeDraft:
    """What a form or the API says about a node. Which fields count depends on the level."""

    title: str
    description: str = ""
    stage: str = ""
    segment_rule: str = ""  # "segment: enterprise, plan: team"
    direction: str = ""
    metric: str = ""
    how_might_we: str = ""
    status: str = ""  # the output's or the experiment's
    experiment_kind: str = ""
    impact: int | None = None
    confidence: int | None = None
    ease: int | None = None
    result: str = ""
    result_note: str = ""


def _choice(enum_cls, value: str, field: str, what: str, *, default=None):
    if not value:
        if default is None:
            names = ", ".join(m.value for m in enum_cls)
            raise InvalidInput(f"Choose the {what}: {names}.", field=field)
        return default
    try:
        return enum_cls(value)
    except ValueError:
        names = ", ".join(m.value for m in enum_cls)
        raise InvalidInput(f"The {what} must be one of: {names}.", field=field) from None


_TITLE_WORDS = {
    NodeKind.ACTOR: "Name the actor (WHO): who can help or hinder, by what they do.",
    NodeKind.OUTCOME: "Write the outcome (HOW): the change in the actor's behaviour.",
    NodeKind.OUTPUT: "Name the output (WHAT): the feature or project.",
    NodeKind.EXPERIMENT: "Name the experiment (WHETHER): what you will try.",
}
# What the description is called on each level's form, so its message names the field.
_DESCRIPTION_WORDS = {
    NodeKind.ACTOR: "the behaviour that defines them",
    NodeKind.OUTCOME: "the description",
    NodeKind.OUTPUT: "the notes",
    NodeKind.EXPERIMENT: "the plan",
}
# The fields of each level's form, in the order it asks them (templates/maps/_node_fields.html).
_FORM_ORDER = {
    NodeKind.ACTOR: ("title", "description", "stage", "segment_rule"),
    NodeKind.OUTCOME: ("title", "direction", "metric", "how_might_we"),
    NodeKind.OUTPUT: ("title", "status", "description"),
    NodeKind.EXPERIMENT: (
        "title", "experiment_kind", "impact", "confidence", "ease", "status", "result",
        "result_note", "description",
    ),
}  # fmt: skip
# The longest each text may be: the column's size, and the form's maxlength.
MAX_TITLE = 300
MAX_TEXT = 4000
MAX_METRIC = 200
MAX_HMW = 400
MAX_RULE = 600  # the segment rule as typed


def _check(row: MapNode, kind: NodeKind, draft: NodeDraft) -> dict[str, object]:
    """What ``draft`` says for a node of ``kind``, checked: the columns to write and their
    values. Raises InvalidInput carrying every problem found, before anything changes."""
    problems: list[InvalidInput] = []
    values: dict[str, object] = {}

    def choose(name: str, read) -> None:
        try:
            values[name] = read()
        except InvalidInput as problem:
            problems.append(problem)

    title = " ".join(draft.title.split())
    if not title:
        problems.append(InvalidInput(_TITLE_WORDS[kind], field="title"))
    elif len(title) > MAX_TITLE:
        problems.append(
            InvalidInput(f"Keep the title under {MAX_TITLE} characters.", field="title")
        )
    description = draft.description.strip()
    if len(description) > MAX_TEXT:
        problems.append(
            InvalidInput(
                f"Keep {_DESCRIPTION_WORDS[kind]} under {MAX_TEXT:,} characters.",
                field="description",
            )
        )
    for field, text in (
        ("title", title),
        ("description", description),
        ("how_might_we", draft.how_might_we),
        ("result_note", draft.result_note),
    ):
        if "\x00" in text:
            problems.append(
                InvalidInput(
                    f"The {field.replace('_', ' ')} has a NUL character in it.", field=field
                )
            )
    values["title"], values["description"] = title, description
    if kind is NodeKind.ACTOR:
        choose("stage", lambda: _choice(Stage, draft.stage, "stage", "stage", default=Stage.ON))
        if len(draft.segment_rule) > MAX_RULE:
            problems.append(
                InvalidInput(
                    f"Keep the segment rule under {MAX_RULE} characters.", field="segment_rule"
                )
            )
        else:
            try:
                rule = rules.parse_rule_text(draft.segment_rule)
            except ValueError as error:
                message = str(error)
                problems.append(
                    InvalidInput(
                        f"Segment rule: {message[:1].lower()}{message[1:]}", field="segment_rule"
                    )
                )
            else:
                values["segment_rule"] = None if rule.empty else rule.as_json()
    elif kind is NodeKind.OUTCOME:
        choose(
            "direction",
            lambda: _choice(
                Direction, draft.direction, "direction", "direction", default=Direction.INCREASE
            ),
        )
        metric = " ".join(draft.metric.split())
        hmw = " ".join(draft.how_might_we.split())
        if len(metric) > MAX_METRIC:
            problems.append(
                InvalidInput(f"Keep the metric under {MAX_METRIC} characters.", field="metric")
            )
        if len(hmw) > MAX_HMW:
            problems.append(
                InvalidInput(
                    f"Keep the “How might we” under {MAX_HMW} characters.", field="how_might_we"
                )
            )
        values["metric"], values["how_might_we"] = metric, hmw
    elif kind is NodeKind.OUTPUT:
        try:
            status = _choice(
                OutputStatus, draft.status, "status", "status", default=OutputStatus.IDEA
            )
        except InvalidInput as problem:
            problems.append(problem)
        else:
            current = row.output_status or OutputStatus.IDEA
            if row.id is not None and not rules.can_move(current, status):
                allowed = ", ".join(sorted(s.value for s in rules.OUTPUT_MOVES[current]))
                problems.append(
                    InvalidInput(
                        f"An output that is {current.value} can move to: {allowed}. "
                        "Choose one of those for its status.",
                        field="status",
                    )
                )
            elif status is OutputStatus.SHIPPED and row.output_status is not OutputStatus.SHIPPED:
                values["shipped_at"] = utc_now()
            elif status is not OutputStatus.SHIPPED:
                values["shipped_at"] = None
            values["output_status"] = status
    else:
        choose(
            "experiment_kind",
            lambda: _choice(
                ExperimentKind, draft.experiment_kind, "experiment_kind", "type",
                default=ExperimentKind.PROTOTYPE_INTERVIEW,
            ),
        )  # fmt: skip
        for name in ("impact", "confidence", "ease"):
            value = getattr(draft, name)
            if not rules.valid_score(value):
                problems.append(InvalidInput(f"Score {name} from 1 to 10.", field=name))
            values[name] = value
        choose(
            "experiment_status",
            lambda: _choice(
                ExperimentStatus, draft.status, "status", "status",
                default=ExperimentStatus.PLANNED,
            ),
        )  # fmt: skip
        if draft.result:
            choose("result", lambda: _choice(ExperimentResult, draft.result, "result", "result"))
        else:
            values["result"] = None
        done = values.get("experiment_status") is ExperimentStatus.DONE
        if values.get("result") is not None and not done:
            problems.append(
                InvalidInput(
                    "Record a result once the experiment is done (set its status to done).",
                    field="result",
                )
            )
        note = draft.result_note.strip()
        if len(note) > MAX_TEXT:
            problems.append(
                InvalidInput(
                    f"Keep what you learned under {MAX_TEXT:,} characters.", field="result_note"
                )
            )
        values["result_note"] = note
    # In the order the level's form asks, for the list of problems at the top of the page.
    order = _FORM_ORDER[kind]
    problems.sort(key=lambda p: order.index(p.field) if p.field in order else len(order))
    refuse_all(problems)
    return values


def _apply(row: MapNode, kind: NodeKind, draft: NodeDraft) -> None:
    """Check ``draft`` for a node of ``kind`` and write it into ``row``; nothing is
    written when it is refused. Raises InvalidInput (every problem at once)."""
    for name, value in _check(row, kind, draft).items():
        setattr(row, name, value)


def add_node(actor: accounts.Member, map_id: int, parent_id: int | None, draft: NodeDraft) -> int:
    """Add the next level under ``parent_id`` (an actor under the goal when None; an
    outcome under an actor; an output under an outcome; an experiment under an output).
    Raises Forbidden, NotFound, InvalidInput."""
    require_editor(actor, "change them")
    impact_map = map_in(actor.workspace_id, map_id)
    parent = None
    if parent_id is not None:
        parent = node_in(actor.workspace_id, parent_id)
        if parent.map_id != impact_map.id:
            raise NotFound("That node is on another map.")
    kind = CHILD_KIND[parent.kind if parent else None]
    if kind is None:
        raise InvalidInput("Experiments are the last level: nothing goes under them.")
    size = db.session.scalar(select(func.count()).where(MapNode.map_id == impact_map.id))
    if size >= MAX_NODES:
        raise InvalidInput(f"A map holds at most {MAX_NODES:,} nodes: split it into linked maps.")
    now = utc_now()
    last = db.session.scalar(
        select(func.max(MapNode.position)).where(
            MapNode.map_id == impact_map.id,
            MapNode.parent_id.is_(None) if parent is None else MapNode.parent_id == parent.id,
        )
    )
    row = MapNode(
        workspace_id=actor.workspace_id,
        map_id=impact_map.id,
        parent_id=parent.id if parent else None,
        kind=kind,
        position=(last or 0) + 1,
        created_at=now,
        updated_at=now,
    )
    _apply(row, kind, draft)
    db.session.add(row)
    impact_map.updated_at = now
    db.session.commit()
    return row.id


def update_node(actor: accounts.Member, node_id: int, draft: NodeDraft) -> NodeKind:
    """Change a node: its words and, for its level, stage and segment rule, direction
    and "How might we", status (outputs move idea → planned → building → shipped, or
    dropped), or an experiment's scores and result. Raises Forbidden, NotFound,
    InvalidInput."""
    require_editor(actor, "change them")
    row = node_in(actor.workspace_id, node_id)
    _apply(row, row.kind, draft)
    now = utc_now()
    row.updated_at = now
    db.session.get(ImpactMap, row.map_id).updated_at = now
    db.session.commit()
    return row.kind


def delete_node(actor: accounts.Member, node_id: int) -> int:
    """Remove a node and everything under it; its evidence stays in the library.
    Returns the map's id. Raises Forbidden, NotFound."""
    require_editor(actor, "change them")
    row = node_in(actor.workspace_id, node_id)
    map_id = row.map_id
    # The database removes what hangs under it and its evidence links (ON DELETE CASCADE).
    db.session.delete(row)
    db.session.get(ImpactMap, map_id).updated_at = utc_now()
    db.session.commit()
    return map_id
