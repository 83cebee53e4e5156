"""Shared map reports, the team's side: a read-only link to one map's report, for
people without an account (leadership, another team). Editors make and revoke links;
anyone holding a live link reads the report (shared_report.py, the visitor's side).
One transaction per use case.

Only the token's hash is stored: the token is shown once, when the link is made. A
revoked, expired or unknown token and a deleted map all look the same to a visitor
(``ShareNotFound``), so a link says nothing about what it once pointed at.

Participant names and companies stay out of a report unless it opts in (see
shared_report.py for how they are withheld).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from interviews import dates
from interviews.accounts import service as accounts
from interviews.db import MAX_ID, db
from interviews.errors import InvalidInput, NotFound, refuse_all
from interviews.maps import rules
from interviews.maps.models import MapShare
from interviews.maps.rules import NodeKind
from interviews.maps.service import get_tree, map_in, require_editor
from interviews.maps.tree import MapTree, Node
from interviews.notes import links
from interviews.notes.models import TakeawaySource
from interviews.notes.takeaways import TakeawayView
from interviews.tokens import hash_secret, new_secret

MAX_LABEL = 200
MAX_QUOTES = 40  # on one report: past this it is the library, not a summary
PRETICKED_PER_NODE = 2
MAX_EXPIRY_DAYS = 731  # two years; no date at all means "until revoked"
WITHHELD = "[withheld]"
_DEPTH = {
    NodeKind.ACTOR: 0,
    NodeKind.OUTCOME: 1,
    NodeKind.OUTPUT: 2,
}  # the more specific, the deeper
_SOURCE_WORDS = {
    TakeawaySource.INTERVIEW: "From an interview",
    TakeawaySource.SALES: "From sales",
    TakeawaySource.SUPPORT: "From support",
    TakeawaySource.ACCOUNT_MANAGEMENT: "From account management",
    TakeawaySource.SURVEY: "From a survey",
    TakeawaySource.OTHER: "From feedback",
}


class ShareNotFound(NotFound):
    """The one answer a visitor gets for any link that does not open a report."""

    def __init__(self) -> None:
        super().__init__("This report link does not work: it may have been revoked or expired.")


# --- rules (plain data in and out) ------------------------------------------------------


def expiry_from(text: str, today: date) -> datetime | None:
    """The instant a link stops working: the end of the chosen day (UTC), or None for a
    link that lasts until revoked. Raises InvalidInput for a past day or a bad date."""
    text = text.strip()
    if not text:
        return None
    day = dates.parse_day(text, "The expiry", "expires_on")
    if day < today:
        raise InvalidInput(
            "The expiry day has passed: choose today or a later day.", field="expires_on"
        )
    if day > today + timedelta(days=MAX_EXPIRY_DAYS):
        raise InvalidInput(
            "Choose an expiry within two years, or none: you can revoke it any time.",
            field="expires_on",
        )
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def is_live(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> bool:
    return revoked_at is None and (expires_at is None or now < expires_at)


def attribution(
    show_names: bool, name: str | None, company: str | None, source: TakeawaySource
) -> str:
    """Who a quote is from on a report. Hidden names say only "A participant": the
    segment is free text a PM typed (it can name a pilot customer, or a group of one),
    so it is left out too. A takeaway with nobody behind it says where it came from."""
    if name:
        if show_names:
            return f"{name}, {company}" if company else name
        return "A participant"
    return _SOURCE_WORDS.get(source, "From feedback")


def preticked(groups: Iterable[tuple[int, list[int]]]) -> set[int]:
    """The quotes ticked when a link is made: the first two of each node, in the order
    the map page lists them (most important, then newest), at most MAX_QUOTES in all."""
    ids = [i for _, node_ids in groups for i in node_ids[:PRETICKED_PER_NODE]]
    return set(ids[:MAX_QUOTES])


# --- reading the map's quotes ------------------------------------------------------------


@dataclass(frozen=True)
class QuoteChoice:
    takeaway: TakeawayView
    ticked: bool


@dataclass(frozen=True)
class QuoteGroup:
    node: Node
    choices: list[QuoteChoice]


def quoted_evidence(workspace_id: int, tree: MapTree) -> list[tuple[Node, list[TakeawayView]]]:
    """Each node's quoted takeaways, in the order of the map. A takeaway backing several
    nodes sits under the most specific one (an outcome rather than its actor): that is
    what the quote says most about, and a report shows it once."""
    backed = [
        (node, [t for t in links.evidence_of(workspace_id, node.id) if t.quote.strip()])
        for node in tree.nodes()
        if node.kind in rules.EVIDENCE_KINDS and node.evidence.takeaways
    ]
    home: dict[int, tuple[int, int]] = {}  # takeaway id: (depth, node id) it sits under
    for node, quoted in backed:
        for t in quoted:
            if t.id not in home or _DEPTH[node.kind] > home[t.id][0]:
                home[t.id] = (_DEPTH[node.kind], node.id)
    found = []
    for node, quoted in backed:
        mine = [t for t in quoted if home[t.id][1] == node.id]
        if mine:
            found.append((node, mine))
    return found


def report_quotes(
    workspace_id: int, tree: MapTree, quote_ids: list[int]
) -> list[tuple[int, TakeawayView]]:
    """The chosen quotes that are still quoted evidence on the map, in the order chosen,
    each with the node it sits under as quoted_evidence places it (the most specific,
    then the first in the map's order). Reads only these takeaways: a report's dozen
    quotes, not the evidence of every node of a 500-node map."""
    backed = [
        node
        for node in tree.nodes()
        if node.kind in rules.EVIDENCE_KINDS and node.evidence.takeaways
    ]
    order = {node.id: n for n, node in enumerate(backed)}
    depth = {node.id: _DEPTH[node.kind] for node in backed}
    quoted, pairs = links.quoted_evidence_for(workspace_id, quote_ids, list(order))
    home: dict[int, int] = {}  # takeaway id: the node it sits under
    for takeaway_id, node_id in sorted(pairs, key=lambda pair: order[pair[1]]):
        if takeaway_id not in home or depth[node_id] > depth[home[takeaway_id]]:
            home[takeaway_id] = node_id
    return [(home[i], quoted[i]) for i in quote_ids if i in home]


# --- the team's side ---------------------------------------------------------------------


@dataclass(frozen=True)
class ShareLine:
    """A link as the team's list shows it (never the token: only its hash is kept)."""

    id: int
    label: str
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    show_names: bool
    quotes: int
    view_count: int
    last_viewed_at: datetime | None
    live: bool

    @property
    def expires_on(self) -> date | None:
        """The last day the link works (it stops at the end of it, UTC)."""
        return (self.expires_at - timedelta(microseconds=1)).date() if self.expires_at else None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "live" if self.live else "expired"


@dataclass(frozen=True)
class SharesPage:
    tree: MapTree
    shares: list[ShareLine]
    quotes: list[QuoteGroup]


def shares_page(workspace_id: int, map_id: int, now: datetime) -> SharesPage:
    """The map's report links, newest first, and the quotes a new one can show (the
    first two of each node ticked). Raises NotFound."""
    tree = get_tree(workspace_id, map_id)
    names = {m.user_id: m.name for m in accounts.members(workspace_id)}
    rows = db.session.scalars(
        select(MapShare)
        .where(MapShare.workspace_id == workspace_id, MapShare.map_id == tree.id)
        .order_by(MapShare.created_at.desc(), MapShare.id.desc())
    ).all()
    lines = [
        ShareLine(
            id=r.id,
            label=r.label,
            created_by=names.get(r.created_by, "a former member"),
            created_at=r.created_at,
            expires_at=r.expires_at,
            revoked_at=r.revoked_at,
            show_names=r.show_names,
            quotes=len(r.quote_ids or []),
            view_count=r.view_count,
            last_viewed_at=r.last_viewed_at,
            live=is_live(r.revoked_at, r.expires_at, now),
        )
        for r in rows
    ]
    evidence = quoted_evidence(workspace_id, tree)
    ticked = preticked((n.id, [t.id for t in ts]) for n, ts in evidence)
    groups = [QuoteGroup(n, [QuoteChoice(t, t.id in ticked) for t in ts]) for n, ts in evidence]
    return SharesPage(tree, lines, groups)


@dataclass(frozen=True)
class ShareDraft:
    label: str
    show_names: bool = False
    quote_ids: tuple[int, ...] = ()  # in the order chosen
    expires_on: str = ""  # YYYY-MM-DD, or empty for "until revoked"


@dataclass(frozen=True)
class NewShare:
    id: int
    label: str
    token: str  # shown once; only its hash is stored


def create_share(actor: accounts.Member, map_id: int, draft: ShareDraft, now: datetime) -> NewShare:
    """A new read-only link to the map's report. Raises Forbidden (a viewer), NotFound,
    InvalidInput (no label, a past or unreadable expiry, quotes not on this map: every
    problem at once)."""
    require_editor(actor, "share them")
    row = map_in(actor.workspace_id, map_id)
    problems: list[InvalidInput] = []
    label = " ".join(draft.label.split())
    if not label:
        problems.append(
            InvalidInput("Say who the report is for, e.g. “Leadership review”.", field="label")
        )
    elif len(label) > MAX_LABEL:
        problems.append(
            InvalidInput(f"Keep “Who it is for” under {MAX_LABEL} characters.", field="label")
        )
    expires_at = None
    try:
        expires_at = expiry_from(draft.expires_on, now.date())
    except InvalidInput as problem:
        problems.append(problem)
    wanted = list(dict.fromkeys(draft.quote_ids))
    if len(wanted) > MAX_QUOTES:
        problems.append(InvalidInput(f"Choose at most {MAX_QUOTES} quotes.", field="quote_ids"))
    elif wanted:
        tree = get_tree(actor.workspace_id, row.id)
        allowed = {t.id for _, ts in quoted_evidence(actor.workspace_id, tree) for t in ts}
        if any(i not in allowed for i in wanted):
            problems.append(
                InvalidInput("Choose quotes from the evidence on this map only.", field="quote_ids")
            )
    refuse_all(problems)
    token = new_secret()
    share = MapShare(
        workspace_id=actor.workspace_id,
        map_id=row.id,
        token_hash=hash_secret(token),
        label=label,
        show_names=draft.show_names,
        quote_ids=wanted,
        created_by=actor.user_id,
        created_at=now,
        expires_at=expires_at,
        view_count=0,
    )
    db.session.add(share)
    db.session.commit()
    return NewShare(share.id, label, token)


def revoke_share(actor: accounts.Member, map_id: int, share_id: int, now: datetime) -> str:
    """Stop a link working at once (revoking twice keeps the first time). Returns its
    label. Raises Forbidden, NotFound (not a link of this map in this workspace)."""
    require_editor(actor, "revoke their links")
    row = db.session.get(MapShare, share_id) if 0 < share_id <= MAX_ID else None
    if row is None or row.workspace_id != actor.workspace_id or row.map_id != map_id:
        raise NotFound("No such report link on this map.")
    if row.revoked_at is None:
        row.revoked_at = now
    db.session.commit()
    return row.label
