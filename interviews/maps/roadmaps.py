"""Outcome roadmap use cases: a roadmap's challenge, target condition and current state,
its themes (hypothesis, outcomes it should move, status, priority), and the map a theme
opens. One transaction each; refusals are named errors."""
# Stays whole past 400 lines: a roadmap and its themes change together; the themes' checks and reads share the roadmap's lookups.

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import MAX_ID, db
from interviews.errors import Forbidden, InvalidInput, NotFound, refuse_all
from interviews.maps import evidence
from interviews.maps import service as maps
from interviews.maps.models import ImpactMap, Roadmap, RoadmapTheme, theme_outcome
from interviews.maps.rules import NodeKind, ThemeStatus

MAX_THEMES = 200  # on one roadmap: past this it is a backlog, not a roadmap
MAX_OUTCOMES = 50  # linked to one theme
MAX_TEXT = 4000
PRIORITIES = (1, 2, 3, 4, 5)  # 1 first


@dataclass(frozen=True)
class RoadmapDraft:
    """What a form or the API says about a roadmap."""

    challenge: str
    target_condition: str = ""
    current_state: str = ""


@dataclass(frozen=True)
class ThemeDraft:
    """What a form says about a theme; ``priority`` and ``status`` as typed."""

    title: str
    hypothesis: str = ""
    status: str = ThemeStatus.DISCOVERY.value
    priority: str = "3"
    outcome_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ThemeView:
    id: int
    roadmap_id: int
    title: str
    hypothesis: str
    status: ThemeStatus
    priority: int
    outcomes: tuple[evidence.NodeRef, ...]
    map_id: int | None  # the map this theme opens, once started
    map_goal: str | None

    @property
    def outcome_ids(self) -> tuple[int, ...]:
        return tuple(o.id for o in self.outcomes)


@dataclass(frozen=True)
class RoadmapView:
    id: int
    challenge: str
    target_condition: str
    current_state: str
    themes: tuple[ThemeView, ...]  # by priority (1 first), then title
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RoadmapSummary:
    id: int
    challenge: str
    themes: int
    in_discovery: int
    in_delivery: int
    updated_at: datetime


# --- checking what was typed (no database) ----------------------------------------------


def _text(
    value: str, field: str, what: str, problems: list[InvalidInput], limit: int = MAX_TEXT
) -> str:
    """``value`` stripped; a problem with it goes on ``problems``."""
    text = (value or "").strip()
    if len(text) > limit:
        problems.append(InvalidInput(f"Keep the {what} under {limit:,} characters.", field=field))
    if "\x00" in text:
        problems.append(InvalidInput(f"The {what} has a NUL character in it.", field=field))
    return text


MAX_CHALLENGE = 300  # the columns' sizes: the forms' maxlength says the same
MAX_THEME_TITLE = 200


def _clean_roadmap(draft: RoadmapDraft) -> tuple[str, str, str]:
    """Raises InvalidInput carrying every problem found."""
    problems: list[InvalidInput] = []
    challenge = " ".join((draft.challenge or "").split())
    if not challenge:
        problems.append(
            InvalidInput(
                "Write the challenge: the one problem this roadmap is about, e.g. "
                "“Teams stop using us after the trial”.",
                field="challenge",
            )
        )
    challenge = _text(challenge, "challenge", "challenge", problems, MAX_CHALLENGE)
    target = _text(draft.target_condition, "target_condition", "target condition", problems)
    current = _text(draft.current_state, "current_state", "current state", problems)
    refuse_all(problems)
    return challenge, target, current


def _clean_theme(
    draft: ThemeDraft, problems: list[InvalidInput]
) -> tuple[str, str, ThemeStatus, int]:
    """The theme as typed; each problem found goes on ``problems``."""
    title = " ".join((draft.title or "").split())
    if not title:
        problems.append(InvalidInput("Name the theme: the problem area to work on.", field="title"))
    title = _text(title, "title", "theme's title", problems, MAX_THEME_TITLE)
    hypothesis = _text(draft.hypothesis, "hypothesis", "hypothesis", problems)
    status = ThemeStatus.DISCOVERY
    try:
        status = ThemeStatus((draft.status or ThemeStatus.DISCOVERY.value).strip())
    except ValueError:
        problems.append(
            InvalidInput("A theme's status is in discovery or in delivery.", field="status")
        )
    raw = (draft.priority or "3").strip()
    priority = 3
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 2 or int(raw) not in PRIORITIES:
        problems.append(
            InvalidInput("Give the theme a priority from 1 (first) to 5.", field="priority")
        )
    else:
        priority = int(raw)
    return title, hypothesis, status, priority


# --- reading -----------------------------------------------------------------------------


def _can_edit(actor: accounts.Member, what: str) -> None:
    if not actor.can_edit:
        raise Forbidden(f"Viewers can read roadmaps but not {what}.")


def _roadmap_in(workspace_id: int, roadmap_id: int) -> Roadmap:
    row = db.session.get(Roadmap, roadmap_id) if 0 < roadmap_id <= MAX_ID else None
    if row is None or row.workspace_id != workspace_id:
        raise NotFound("No such roadmap in this workspace.")
    return row


def _theme_in(workspace_id: int, theme_id: int) -> RoadmapTheme:
    row = db.session.get(RoadmapTheme, theme_id) if 0 < theme_id <= MAX_ID else None
    if row is None or row.workspace_id != workspace_id:
        raise NotFound("No such roadmap theme in this workspace.")
    return row


def list_roadmaps(workspace_id: int) -> list[RoadmapSummary]:
    """The workspace's roadmaps, most recently changed first, with their themes counted."""
    counts: dict[int, dict[ThemeStatus, int]] = defaultdict(dict)
    for roadmap_id, status, n in db.session.execute(
        select(RoadmapTheme.roadmap_id, RoadmapTheme.status, func.count())
        .where(RoadmapTheme.workspace_id == workspace_id)
        .group_by(RoadmapTheme.roadmap_id, RoadmapTheme.status)
    ):
        counts[roadmap_id][ThemeStatus(status)] = n
    rows = db.session.scalars(
        select(Roadmap)
        .where(Roadmap.workspace_id == workspace_id)
        .order_by(Roadmap.updated_at.desc(), Roadmap.id.desc())
    ).all()
    return [
        RoadmapSummary(
            id=row.id,
            challenge=row.challenge,
            themes=sum(counts[row.id].values()),
            in_discovery=counts[row.id].get(ThemeStatus.DISCOVERY, 0),
            in_delivery=counts[row.id].get(ThemeStatus.DELIVERY, 0),
            updated_at=row.updated_at,
        )
        for row in rows
    ]


def get_roadmap(workspace_id: int, roadmap_id: int) -> RoadmapView:
    """One roadmap with its themes by priority (1 first) then title, each with the
    outcomes it should move and the map it opened. Raises NotFound."""
    row = _roadmap_in(workspace_id, roadmap_id)
    themes = db.session.scalars(select(RoadmapTheme).where(RoadmapTheme.roadmap_id == row.id)).all()
    ids = [t.id for t in themes]
    linked: dict[int, list[int]] = defaultdict(list)
    for theme_id, node_id in db.session.execute(
        select(theme_outcome.c.theme_id, theme_outcome.c.node_id).where(
            theme_outcome.c.theme_id.in_(ids)
        )
    ):
        linked[theme_id].append(node_id)
    wanted = {n for nodes in linked.values() for n in nodes}
    refs = (
        {r.id: r for r in evidence.node_refs(workspace_id, (NodeKind.OUTCOME,), ids=wanted)}
        if wanted
        else {}
    )
    order = {node_id: i for i, node_id in enumerate(refs)}
    opened: dict[int, tuple[int, str]] = {}
    for map_id, theme_id, goal in db.session.execute(
        select(ImpactMap.id, ImpactMap.parent_theme_id, ImpactMap.goal)
        .where(ImpactMap.workspace_id == workspace_id, ImpactMap.parent_theme_id.in_(ids))
        .order_by(ImpactMap.id)
    ):
        opened.setdefault(theme_id, (map_id, goal))
    views = [
        ThemeView(
            id=t.id,
            roadmap_id=row.id,
            title=t.title,
            hypothesis=t.hypothesis,
            status=t.status,
            priority=t.priority,
            outcomes=tuple(
                refs[n] for n in sorted(linked[t.id], key=lambda n: order.get(n, 0)) if n in refs
            ),
            map_id=opened[t.id][0] if t.id in opened else None,
            map_goal=opened[t.id][1] if t.id in opened else None,
        )
        for t in themes
    ]
    views.sort(key=lambda t: (t.priority, t.title.casefold(), t.id))
    return RoadmapView(
        id=row.id,
        challenge=row.challenge,
        target_condition=row.target_condition,
        current_state=row.current_state,
        themes=tuple(views),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def theme_roadmap_id(workspace_id: int, theme_id: int) -> int:
    """The roadmap a theme is on. Raises NotFound."""
    return _theme_in(workspace_id, theme_id).roadmap_id


def outcome_choices(workspace_id: int) -> list[evidence.NodeRef]:
    """Every outcome (HOW) on the workspace's maps: what a theme can say it should move."""
    return evidence.node_refs(workspace_id, (NodeKind.OUTCOME,))


# --- changing a roadmap ------------------------------------------------------------------


def create_roadmap(actor: accounts.Member, draft: RoadmapDraft) -> int:
    """A new roadmap under its challenge. Returns its id. Raises Forbidden, InvalidInput."""
    _can_edit(actor, "make them")
    challenge, target, current = _clean_roadmap(draft)
    now = utc_now()
    row = Roadmap(
        workspace_id=actor.workspace_id,
        challenge=challenge,
        target_condition=target,
        current_state=current,
        created_at=now,
        updated_at=now,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def update_roadmap(actor: accounts.Member, roadmap_id: int, draft: RoadmapDraft) -> None:
    """Change the challenge, target condition or current state.
    Raises Forbidden, NotFound, InvalidInput."""
    _can_edit(actor, "change them")
    row = _roadmap_in(actor.workspace_id, roadmap_id)
    row.challenge, row.target_condition, row.current_state = _clean_roadmap(draft)
    row.updated_at = utc_now()
    db.session.commit()


def delete_roadmap(actor: accounts.Member, roadmap_id: int) -> int:
    """Remove a roadmap and its themes; maps started from its themes stay, without their
    theme. Returns how many maps that was. Raises Forbidden, NotFound."""
    _can_edit(actor, "delete them")
    row = _roadmap_in(actor.workspace_id, roadmap_id)
    theme_ids = select(RoadmapTheme.id).where(RoadmapTheme.roadmap_id == row.id)
    kept = db.session.scalar(select(func.count()).where(ImpactMap.parent_theme_id.in_(theme_ids)))
    # Themes and their outcome links go with it; maps keep going (ON DELETE SET NULL).
    db.session.delete(row)
    db.session.commit()
    return kept or 0


def _outcomes_of(
    workspace_id: int, outcome_ids: tuple[int, ...], problems: list[InvalidInput]
) -> list[int]:
    """The chosen outcomes, each once; a problem with them goes on ``problems``."""
    ids = list(dict.fromkeys(outcome_ids))
    if len(ids) > MAX_OUTCOMES:
        problems.append(
            InvalidInput(f"Link at most {MAX_OUTCOMES} outcomes to one theme.", field="outcome_ids")
        )
        return []
    found = {r.id for r in evidence.node_refs(workspace_id, (NodeKind.OUTCOME,), ids=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        # Chosen from the list, then removed from its map meanwhile (or never there).
        problems.append(
            InvalidInput(f"No outcome {missing[0]} in this workspace.", field="outcome_ids")
        )
    return ids


_THEME_FORM = ("title", "hypothesis", "outcome_ids", "status", "priority")  # as the form asks


def _refuse_theme(problems: list[InvalidInput]) -> None:
    """Raise every problem with a theme at once, in the order its form asks them."""
    problems.sort(key=lambda p: _THEME_FORM.index(p.field) if p.field in _THEME_FORM else 9)
    refuse_all(problems)


def _link_outcomes(theme_id: int, node_ids: list[int]) -> None:
    db.session.execute(delete(theme_outcome).where(theme_outcome.c.theme_id == theme_id))
    if node_ids:
        db.session.execute(
            insert(theme_outcome), [{"theme_id": theme_id, "node_id": n} for n in node_ids]
        )


def add_theme(actor: accounts.Member, roadmap_id: int, draft: ThemeDraft) -> int:
    """A theme on the roadmap with the outcomes it should move. Returns its id.
    Raises Forbidden, NotFound (the roadmap), InvalidInput (every problem at once, an
    unknown outcome among them)."""
    _can_edit(actor, "change them")
    roadmap = _roadmap_in(actor.workspace_id, roadmap_id)
    problems: list[InvalidInput] = []
    title, hypothesis, status, priority = _clean_theme(draft, problems)
    outcomes = _outcomes_of(actor.workspace_id, draft.outcome_ids, problems)
    _refuse_theme(problems)
    size = db.session.scalar(select(func.count()).where(RoadmapTheme.roadmap_id == roadmap.id))
    if size >= MAX_THEMES:
        raise InvalidInput(f"A roadmap holds at most {MAX_THEMES} themes.")
    now = utc_now()
    row = RoadmapTheme(
        workspace_id=actor.workspace_id,
        roadmap_id=roadmap.id,
        title=title,
        hypothesis=hypothesis,
        status=status,
        priority=priority,
        created_at=now,
        updated_at=now,
    )
    db.session.add(row)
    db.session.flush()
    _link_outcomes(row.id, outcomes)
    roadmap.updated_at = now
    db.session.commit()
    return row.id


def update_theme(actor: accounts.Member, theme_id: int, draft: ThemeDraft) -> int:
    """Change a theme: title, hypothesis, status, priority, the outcomes it should move.
    Returns its roadmap's id. Raises Forbidden, NotFound, InvalidInput."""
    _can_edit(actor, "change them")
    row = _theme_in(actor.workspace_id, theme_id)
    problems: list[InvalidInput] = []
    checked = _clean_theme(draft, problems)
    outcomes = _outcomes_of(actor.workspace_id, draft.outcome_ids, problems)
    _refuse_theme(problems)  # before anything changes
    row.title, row.hypothesis, row.status, row.priority = checked
    _link_outcomes(row.id, outcomes)
    now = utc_now()
    row.updated_at = now
    db.session.get(Roadmap, row.roadmap_id).updated_at = now
    db.session.commit()
    return row.roadmap_id


def delete_theme(actor: accounts.Member, theme_id: int) -> int:
    """Remove a theme (a map started from it stays, without its theme). Returns its
    roadmap's id. Raises Forbidden, NotFound."""
    _can_edit(actor, "change them")
    row = _theme_in(actor.workspace_id, theme_id)
    roadmap_id = row.roadmap_id
    db.session.delete(row)
    db.session.get(Roadmap, roadmap_id).updated_at = utc_now()
    db.session.commit()
    return roadmap_id


def start_theme_map(actor: accounts.Member, theme_id: int) -> int:
    """A theme opens its map: a new impact map whose goal is the theme's title, linked
    back to the theme. Returns the map's id. Raises Forbidden, NotFound, Conflict (the
    theme has its map already)."""
    _can_edit(actor, "start maps from them")
    theme = _theme_in(actor.workspace_id, theme_id)
    return maps.create_map(actor, maps.GoalDraft(statement=theme.title), from_theme_id=theme.id)
