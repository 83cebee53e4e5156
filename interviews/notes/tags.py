"""Tags: the words takeaways are filed under. Cleaning typed tags, the workspace's tags
with rename and merge, and tagging or untagging many takeaways at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import MAX_ID, db
from interviews.errors import Forbidden, InvalidInput, NotFound
from interviews.notes.models import (
    Tag,
    Takeaway,
    takeaway_tag,
)

MAX_TAGS = 12
MAX_BULK = 500  # takeaways in one bulk action (tag, link)


def tag_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def clean_tags(names: tuple[str, ...] | list[str]) -> list[str]:
    cleaned: dict[str, str] = {}
    for raw in names:
        name = " ".join(str(raw).strip().lstrip("#").split())
        if not name:
            continue
        if len(name) > 60:
            raise InvalidInput(f"Keep tags under 60 characters: “{name[:20]}…”.", field="tags")
        cleaned.setdefault(tag_key(name), name)
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(f"At most {MAX_TAGS} tags on one takeaway.", field="tags")
    return list(cleaned.values())


def tags_for(workspace_id: int, names: list[str]) -> list[Tag]:
    keys = {tag_key(n): n for n in names}
    existing = {
        t.key: t
        for t in db.session.scalars(
            select(Tag).where(Tag.workspace_id == workspace_id, Tag.key.in_(keys))
        )
    }
    for key, name in keys.items():
        if key not in existing:
            existing[key] = Tag(workspace_id=workspace_id, name=name, key=key)
            db.session.add(existing[key])
    return [existing[k] for k in keys]


@dataclass(frozen=True)
class TagView:
    id: int
    name: str
    takeaways: int


def list_tags(workspace_id: int) -> list[TagView]:
    """The workspace's tags by name, with how many takeaways carry each."""
    rows = db.session.execute(
        select(Tag.id, Tag.name, func.count(takeaway_tag.c.takeaway_id))
        .outerjoin(takeaway_tag, takeaway_tag.c.tag_id == Tag.id)
        .where(Tag.workspace_id == workspace_id)
        .group_by(Tag.id, Tag.name)
        .order_by(func.lower(Tag.name))
    ).all()
    return [TagView(id=i, name=n, takeaways=c) for i, n, c in rows]


def _tag_in(workspace_id: int, tag_id: int) -> Tag:
    tag = db.session.get(Tag, tag_id) if 0 < tag_id <= MAX_ID else None
    if tag is None or tag.workspace_id != workspace_id:
        raise NotFound("No such tag in this workspace.")
    return tag


def rename_tag(actor: accounts.Member, tag_id: int, name: str) -> TagView:
    """Rename a tag everywhere. Renaming to an existing tag's name merges the two.
    Raises Forbidden, NotFound, InvalidInput."""
    if not actor.can_edit:
        raise Forbidden("Viewers cannot change tags.")
    tag = _tag_in(actor.workspace_id, tag_id)
    cleaned = clean_tags([name])
    if not cleaned:
        raise InvalidInput("Give the tag a name.", field="name")
    new_name = cleaned[0]
    other = db.session.scalar(
        select(Tag).where(
            Tag.workspace_id == actor.workspace_id, Tag.key == tag_key(new_name), Tag.id != tag.id
        )
    )
    if other is not None:
        _merge_into(other, [tag])
        other.name = new_name
        db.session.commit()
        return next(t for t in list_tags(actor.workspace_id) if t.id == other.id)
    tag.name, tag.key = new_name, tag_key(new_name)
    db.session.commit()
    return next(t for t in list_tags(actor.workspace_id) if t.id == tag.id)


def _merge_into(target: Tag, sources: list[Tag]) -> None:
    source_ids = [s.id for s in sources if s.id != target.id]
    if not source_ids:
        return
    already = select(takeaway_tag.c.takeaway_id).where(takeaway_tag.c.tag_id == target.id)
    # A takeaway carrying both keeps one link; the rest move to the target.
    db.session.execute(
        delete(takeaway_tag).where(
            takeaway_tag.c.tag_id.in_(source_ids), takeaway_tag.c.takeaway_id.in_(already)
        )
    )
    db.session.execute(
        update(takeaway_tag).where(takeaway_tag.c.tag_id.in_(source_ids)).values(tag_id=target.id)
    )
    db.session.execute(delete(Tag).where(Tag.id.in_(source_ids)))
    db.session.expire_all()


def merge_tags(actor: accounts.Member, tag_ids: list[int], into_id: int) -> TagView:
    """Fold several tags into one: their takeaways carry ``into`` instead. Raises
    Forbidden, NotFound."""
    if not actor.can_edit:
        raise Forbidden("Viewers cannot change tags.")
    target = _tag_in(actor.workspace_id, into_id)
    sources = [_tag_in(actor.workspace_id, i) for i in tag_ids]
    _merge_into(target, sources)
    db.session.commit()
    return next(t for t in list_tags(actor.workspace_id) if t.id == into_id)


def _own_rows(workspace_id: int, takeaway_ids: list[int]) -> list[Takeaway]:
    """The workspace's takeaways with these ids, with their tags. Raises InvalidInput
    (none, or too many) and NotFound (any id not of this workspace)."""
    ids = sorted(set(takeaway_ids))
    if not ids:
        raise InvalidInput("Choose at least one takeaway.", field="takeaway_ids")
    if len(ids) > MAX_BULK:
        raise InvalidInput(f"At most {MAX_BULK} takeaways at once.", field="takeaway_ids")
    rows = db.session.scalars(
        select(Takeaway)
        .options(selectinload(Takeaway.tags))
        .where(
            Takeaway.workspace_id == workspace_id,
            Takeaway.id.in_([i for i in ids if 0 < i <= MAX_ID]),
        )
    ).all()
    found = {r.id for r in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"No takeaway {missing[0]} in this workspace.", field="takeaway_ids")
    return list(rows)


def _one_tag(tag_name: str) -> str:
    cleaned = clean_tags([tag_name])
    if not cleaned:
        raise InvalidInput("Name the tag.", field="tag")
    return cleaned[0]


def one_tag_name(typed: str) -> str:
    """One tag's name as it is kept ("#Pricing " -> "Pricing"), for a form that checks
    it with its other inputs. Raises InvalidInput (none, too long)."""
    return _one_tag(typed)


def bulk_tag(actor: accounts.Member, takeaway_ids: list[int], tag_name: str) -> int:
    """Put one tag on many takeaways (those that have it keep it). Returns how many
    takeaways got it now. Everything is checked before anything is written. Raises
    Forbidden, InvalidInput (no takeaways, too many, a bad tag name, a takeaway that
    would pass MAX_TAGS), NotFound (a takeaway of another workspace)."""
    if not actor.can_edit:
        raise Forbidden("Viewers can read takeaways but not tag them.")
    name = _one_tag(tag_name)
    rows = _own_rows(actor.workspace_id, takeaway_ids)
    key = tag_key(name)
    untagged = [r for r in rows if all(t.key != key for t in r.tags)]
    full = next((r for r in untagged if len(r.tags) >= MAX_TAGS), None)
    if full is not None:
        raise InvalidInput(
            f"“{full.key or full.text[:40]}” has {MAX_TAGS} tags already: "
            "remove one before adding another.",
            field="tag",
        )
    if untagged:
        [tag] = tags_for(actor.workspace_id, [name])
        now = utc_now()
        for row in untagged:
            row.tags.append(tag)
            row.updated_at = now
    db.session.commit()
    return len(untagged)


def bulk_untag(actor: accounts.Member, takeaway_ids: list[int], tag_name: str) -> int:
    """Take one tag off many takeaways (the tag itself stays in the workspace). Returns
    how many had it. Raises Forbidden, InvalidInput, NotFound (a takeaway of another
    workspace)."""
    if not actor.can_edit:
        raise Forbidden("Viewers can read takeaways but not untag them.")
    key = tag_key(_one_tag(tag_name))
    rows = _own_rows(actor.workspace_id, takeaway_ids)
    tagged = [r for r in rows if any(t.key == key for t in r.tags)]
    now = utc_now()
    for row in tagged:
        row.tags = [t for t in row.tags if t.key != key]
        row.updated_at = now
    db.session.commit()
    return len(tagged)
