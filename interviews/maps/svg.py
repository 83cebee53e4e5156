"""The map drawn as one server-rendered SVG: a left-to-right tree from the goal (WHY)
through actors (WHO), outcomes (HOW) and outputs (WHAT) to experiments (WHETHER).

Folding and selecting work without script: every toggle and every node is a plain link
whose URL the caller builds from ``{"fold": ..., "node": ...}``. Styling is done with
presentation attributes, not a ``<style>`` element, because the app's Content Security
Policy (``style-src 'self'``) blocks inline styles in a page, and so that the file looks
the same opened on its own. Pure: a ``MapTree`` in, text out.
"""
# Stays whole past 400 lines: one drawing, whose layout and shapes share the same measurements.

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from interviews.maps.labels import (
    badge_lines,
    evidence_counts,
    fold_param,
    one_line,
    plural,
    spoken,
    toggle,
    wrap,
    xml_safe,
)
from interviews.maps.rules import (
    EVIDENCE_KINDS,
    QUESTION,
    ExperimentResult,
    NodeKind,
    OutputStatus,
    Strength,
)
from interviews.maps.tree import Goal, MapTree, Node

# Geometry, in px. Text widths are estimated (no font metrics on the server): a "unit"
# is one average Latin character, two for a wide one (CJK, most emoji).
PAD = 16
HEADER = 36  # the band of column headers above the tree
BOX_W = 220
GAP_X = 64  # room for the connectors between two columns
BOX_PAD_Y = 9
TITLE_LINE = 17  # 13 px text
META_LINE = 15  # 11 px text
TITLE_UNITS = 26
META_UNITS = 34
TITLE_LINES = 3
GOAL_UNITS = 23  # the goal is bold, so wider
GOAL_LINES = 4
TOGGLE_H = 20
# Gaps between sibling branches, by depth: actors stand further apart than experiments.
SIBLING_GAP = {1: 24, 2: 14, 3: 10, 4: 8}

INK = "#111827"
MUTED = "#4b5563"
LINK = "#9ca3af"
SELECTED = "#b45309"
COLUMN_WORDS = {
    0: ("WHY", "goal"),
    1: (QUESTION[NodeKind.ACTOR], "actors"),
    2: (QUESTION[NodeKind.OUTCOME], "outcomes"),
    3: (QUESTION[NodeKind.OUTPUT], "outputs"),
    4: (QUESTION[NodeKind.EXPERIMENT], "experiments"),
}
# Strength shows in the border's pattern and width and in the word itself, so it reads
# without colour: solid for a pattern, dashed for an anecdote, dotted grey for a guess.
BORDER = {
    Strength.PATTERN: {"stroke": "#1d4ed8", "stroke-width": "2.5"},
    Strength.ANECDOTE: {"stroke": "#1d4ed8", "stroke-width": "1.5", "stroke-dasharray": "7 4"},
    Strength.ASSUMPTION: {"stroke": "#6b7280", "stroke-width": "1.5", "stroke-dasharray": "2 3"},
}
BADGE_FILL = {
    Strength.PATTERN: "#dbeafe",
    Strength.ANECDOTE: "#fef3c7",
    Strength.ASSUMPTION: "#f3f4f6",
}
EXPERIMENT_BORDER = {"stroke": "#6d28d9", "stroke-width": "1.5"}
NO_ACTORS = "No actors yet: who can help or hinder this goal?"

_TEXT_SPECIAL = re.compile("[&<>]")
_ATTR_SPECIAL = re.compile('[&<>"\t\n\r]')


@dataclass(slots=True)
class _Box:
    """One drawn box and where it goes; ``node`` is None for the goal."""

    node: Node | None
    depth: int
    title: str  # the full title on one line, safe for XML
    lines: list[str]
    meta: list[str]
    height: int
    children: list[_Box] = field(default_factory=list)
    hidden: int = 0  # descendants not drawn because this node is folded
    extent: int = 0  # height of the band this box and its drawn branches take
    y: int = 0

    @property
    def x(self) -> int:
        return PAD + self.depth * (BOX_W + GAP_X)

    @property
    def cy(self) -> int:
        return self.y + self.height // 2

    def walk(self) -> Iterator[_Box]:
        yield self
        for child in self.children:
            yield from child.walk()


class _Svg:
    """The document as a list of strings: ElementTree took about three times as long for
    a 500-node map (6,000 small elements). Every text and attribute is escaped here;
    user text is made XML-safe where it comes in (``one_line``, ``xml_safe`` on links)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def open(self, tag: str, attrib: dict[str, str]) -> None:
        self.parts.append(f"<{tag}{_attrs(attrib)}>")

    def close(self, tag: str) -> None:
        # A space after each text run: drawn nowhere (every run is placed on its own), it
        # keeps the words apart for screen readers, search and copy ("report every week",
        # not "reportevery week").
        self.parts.append(f"</{tag}> " if tag == "text" else f"</{tag}>")

    def leaf(self, tag: str, attrib: dict[str, str], text: str | None = None) -> None:
        if text is None:
            self.parts.append(f"<{tag}{_attrs(attrib)}/>")
        else:
            space = " " if tag == "tspan" else ""
            self.parts.append(f"<{tag}{_attrs(attrib)}>{_text(text)}</{tag}>{space}")


def _text(value: str) -> str:
    if not _TEXT_SPECIAL.search(value):  # most are: numbers, colours, plain titles
        return value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    if not _ATTR_SPECIAL.search(value):
        return value
    # Newlines and tabs as references: a parser would fold them to spaces otherwise.
    escaped = _text(value).replace('"', "&quot;")
    return escaped.replace("\n", "&#10;").replace("\t", "&#9;").replace("\r", "&#13;")


def _attrs(attrib: dict[str, str]) -> str:
    return "".join(f' {name}="{_attr(value)}"' for name, value in attrib.items())


def render_svg(
    tree: MapTree,
    *,
    folded: frozenset[int] = frozenset(),
    selected: int | None = None,
    href: Callable[[dict], str] | None = None,
) -> str:
    """The map as a standalone SVG document (no script, no external files).

    Nodes in ``folded`` that have branches show a "+N" marker instead of them. With
    ``href``, every node links to ``href({"fold": <current>, "node": id})`` and every
    toggle to ``href({"fold": <after the click>, "node": selected})``; without it the
    picture has no links. The ``selected`` node is outlined and marked aria-current.
    """
    parents = {n.id for n in tree.nodes() if n.children}
    # Ids that fold nothing on this map (stale links, other maps) are dropped so they
    # do not ride along in every link the picture hands out.
    folded = frozenset(folded) & parents
    if selected is not None and tree.find(selected) is None:
        selected = None
    root = _goal_box(tree.goal)
    root.children = [_node_box(actor, 1, folded) for actor in tree.actors]
    _measure(root)
    _place(root, PAD + HEADER)

    boxes = list(root.walk())
    # An empty map still shows the WHO column, with the hint standing in for actors.
    columns = max(b.depth for b in boxes) + 1 if tree.actors else 2
    width = PAD + columns * BOX_W + (columns - 1) * GAP_X + PAD + 24  # toggles stick out
    if not tree.actors:
        width += 150  # the hint is longer than a box is wide
    height = PAD + HEADER + root.extent + PAD

    prefix = f"map{tree.id}"
    out = _Svg()
    out.open(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "impact-map",
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "role": "group",
            "aria-labelledby": f"{prefix}-title {prefix}-desc",
            "font-family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
            "font-size": "13",
            "fill": INK,
        },
    )
    out.leaf("title", {"id": f"{prefix}-title"}, f"Impact map: {root.title}")
    out.leaf("desc", {"id": f"{prefix}-desc"}, _description(tree, root.title))
    _columns(out, columns)
    out.open(
        "g",
        {"class": "map-links", "fill": "none", "stroke": LINK, "stroke-width": "1.5"}
        | {"aria-hidden": "true"},
    )
    for box in boxes:
        x1 = box.x + BOX_W
        for child in box.children:
            x2 = child.x
            mid = (x1 + x2) // 2
            d = f"M{x1},{box.cy} C{mid},{box.cy} {mid},{child.cy} {x2},{child.cy}"
            out.leaf("path", {"d": d})
    out.close("g")

    _draw_goal(out, root)
    if not tree.actors:
        hint = {"x": str(PAD + BOX_W + GAP_X), "y": str(root.cy + 4), "fill": MUTED}
        out.leaf("text", hint | {"font-style": "italic"}, NO_ACTORS)
    out.open("g", {"class": "map-nodes"})
    current = fold_param(folded)
    for box in boxes[1:]:
        _draw_node(out, box, prefix, folded, current, selected, href)
    out.close("g")
    out.close("svg")
    return "".join(out.parts)


def _goal_box(goal: Goal) -> _Box:
    title = one_line(goal.statement)
    lines = wrap(title, GOAL_UNITS, GOAL_LINES)
    describe = one_line(goal.describe())
    meta = wrap(describe, META_UNITS, 2) if describe else []
    return _Box(None, 0, title, lines, meta, _height(lines, meta))


def _node_box(node: Node, depth: int, folded: frozenset[int]) -> _Box:
    title = one_line(node.title)
    lines = wrap(title, TITLE_UNITS, TITLE_LINES)
    meta = badge_lines(node)
    box = _Box(node, depth, title, lines, meta, _height(lines, meta))
    if node.id in folded:
        box.hidden = sum(1 for _ in node.walk()) - 1
    else:
        box.children = [_node_box(child, depth + 1, folded) for child in node.children]
    return box


def _height(lines: list[str], meta: list[str]) -> int:
    return 2 * BOX_PAD_Y + len(lines) * TITLE_LINE + len(meta) * META_LINE + 2


def _measure(box: _Box) -> int:
    if box.children:
        gap = SIBLING_GAP[box.depth + 1]
        block = sum(_measure(c) for c in box.children) + gap * (len(box.children) - 1)
        box.extent = max(box.height, block)
    else:
        box.extent = box.height
    return box.extent


def _place(box: _Box, top: int) -> None:
    """Lay out ``box``'s band from ``top``: its branches stacked and centred in the
    band, the box centred on its first and last branch (a tidy tree). The clamp keeps
    the box inside its band, so it cannot overlap a neighbour's; with today's box sizes
    it never binds, but it keeps that promise if the sizes change."""
    if not box.children:
        box.y = top + (box.extent - box.height) // 2
        return
    gap = SIBLING_GAP[box.depth + 1]
    block = sum(c.extent for c in box.children) + gap * (len(box.children) - 1)
    y = top + (box.extent - block) // 2
    for child in box.children:
        _place(child, y)
        y += child.extent + gap
    mid = (box.children[0].cy + box.children[-1].cy) // 2
    box.y = max(top, min(mid - box.height // 2, top + box.extent - box.height))


def _description(tree: MapTree, goal: str) -> str:
    counts = {kind: 0 for kind in NodeKind}
    for node in tree.nodes():
        counts[node.kind] += 1
    describe = one_line(tree.goal.describe())
    text = f"{goal} ({describe})" if describe else goal
    summary = ", ".join(plural(counts[kind], kind.value, f"{kind.value}s") for kind in NodeKind)
    return f"{text}. {summary}."


def _columns(out: _Svg, columns: int) -> None:
    out.open("g", {"class": "map-columns", "font-size": "11", "aria-hidden": "true"})
    for depth in range(columns):
        question, level = COLUMN_WORDS[depth]
        out.open("text", {"x": str(PAD + depth * (BOX_W + GAP_X)), "y": str(PAD + 14)})
        bold = {"font-weight": "bold", "letter-spacing": "1"}
        out.leaf("tspan", bold, question)
        # dx, not a leading space: XML drops leading spaces in text.
        out.leaf("tspan", {"dx": "6", "fill": MUTED}, level)
        out.close("text")
    out.close("g")


def _lines(out: _Svg, x: int, top: int, lines: list[str], step: int) -> int:
    """``tspan``s of ``lines`` down from ``top``, inside a ``text`` the caller opened;
    returns the y below them."""
    left = str(x + 12)
    for line in lines:
        top += step
        out.leaf("tspan", {"x": left, "y": str(top - 4)}, line)
    return top


def _draw_goal(out: _Svg, box: _Box) -> None:
    out.open("g", {"class": "map-goal"})
    rect = {"x": str(box.x), "y": str(box.y), "width": str(BOX_W), "height": str(box.height)}
    out.leaf("rect", rect | {"rx": "10", "fill": "#1e3a8a"})
    out.open("text", {"fill": "#ffffff", "font-weight": "bold"})
    top = _lines(out, box.x, box.y + BOX_PAD_Y, box.lines, TITLE_LINE)
    out.close("text")
    if box.meta:
        out.open("text", {"fill": "#dbeafe", "font-size": "11"})
        _lines(out, box.x, top, box.meta, META_LINE)
        out.close("text")
    out.close("g")


def _draw_node(
    out: _Svg,
    box: _Box,
    prefix: str,
    folded: frozenset[int],
    current: str,
    selected: int | None,
    href: Callable[[dict], str] | None,
) -> None:
    node = box.node
    assert node is not None
    strength = node.evidence.strength
    has_evidence = node.kind in EVIDENCE_KINDS
    is_selected = node.id == selected
    classes = ["map-node", node.kind.value]
    if has_evidence:
        classes.append(strength.value)
    if is_selected:
        classes.append("selected")
    out.open("g", {"id": f"{prefix}-node{node.id}", "class": " ".join(classes)})
    if href is not None:
        # A link's name must contain the words it shows (WCAG 2.5.3: speech users say
        # what they see), so it reads the box as drawn, then what is folded under it.
        shown = ", ".join([" ".join(box.lines), *box.meta])
        folded_note = f", {box.hidden} more folded below" if box.hidden else ""
        label = {"aria-label": f"{node.kind.value.capitalize()}: {shown}{folded_note}"}
    else:
        label = {"aria-label": spoken(node, box.title, box.hidden)}
    if is_selected:
        label["aria-current"] = "true"
    if href is not None:
        link = xml_safe(href({"fold": current, "node": node.id}))
        out.open("a", {"href": link} | label)
    else:
        out.open("g", {"role": "img"} | label)
    out.leaf("title", {}, box.title)  # the whole title on hover: the box may cut it short

    x, y, h = box.x, box.y, box.height
    if is_selected:
        outline = {"x": str(x - 5), "y": str(y - 5), "width": str(BOX_W + 10)}
        outline |= {"height": str(h + 10), "rx": "13", "fill": "none"}
        out.leaf("rect", outline | {"stroke": SELECTED, "stroke-width": "3"})
    border = BORDER[strength] if has_evidence else EXPERIMENT_BORDER
    faded = node.output_status is OutputStatus.DROPPED or (
        node.verdict is ExperimentResult.INVALIDATED
    )
    rect = {"class": "map-box", "x": str(x), "y": str(y), "width": str(BOX_W)}
    rect |= {"height": str(h), "rx": "8", "fill": "#f3f4f6" if faded else "#ffffff"}
    out.leaf("rect", rect | border)
    out.open("text", {})
    top = _lines(out, x, y + BOX_PAD_Y, box.lines, TITLE_LINE)
    out.close("text")
    meta = box.meta
    if has_evidence:
        # The strength word on a small badge with the border's own line style.
        width = len(strength.value) * 7 + 8
        badge = {"x": str(x + 8), "y": str(top + 3), "width": str(width)}
        badge |= {"height": str(META_LINE), "rx": "7", "fill": BADGE_FILL[strength]}
        out.leaf("rect", badge | border | {"stroke-width": "1"})
    out.open("text", {"fill": MUTED, "font-size": "11"})
    if has_evidence:
        top += META_LINE + 2
        out.leaf("tspan", {"x": str(x + 12), "y": str(top - 2)}, strength.value)
        counts = evidence_counts(node.evidence)
        out.leaf("tspan", {"x": str(x + 14 + width), "y": str(top - 2)}, counts)
        meta = meta[1:]
    _lines(out, x, top + 2, meta, META_LINE)
    out.close("text")
    out.close("a" if href is not None else "g")
    if node.children:
        _draw_toggle(out, box, folded, selected, href)
    out.close("g")


def _draw_toggle(
    out: _Svg,
    box: _Box,
    folded: frozenset[int],
    selected: int | None,
    href: Callable[[dict], str] | None,
) -> None:
    """The fold control on the box's right edge: "−" while open, "+N" while folded.
    Without links only the "+N" marker is drawn (there is nothing to click)."""
    node = box.node
    assert node is not None
    if href is None and not box.hidden:
        return
    mark = f"+{box.hidden}" if box.hidden else "−"
    width = 12 + 7 * len(mark) if box.hidden else 22
    cx, top = box.x + BOX_W, box.cy - TOGGLE_H // 2
    if href is not None:
        after = fold_param(toggle(folded, node.id))
        words = f"Show {box.hidden} folded under {box.title}" if box.hidden else f"Fold {box.title}"
        link = xml_safe(href({"fold": after, "node": selected}))
        out.open("a", {"class": "map-toggle", "href": link, "aria-label": words})
        out.leaf("title", {}, f"Show {box.hidden} folded" if box.hidden else "Fold")
    else:
        out.open("g", {"class": "map-toggle", "aria-hidden": "true"})
    rect = {"x": str(cx - width // 2), "y": str(top), "width": str(width)}
    rect |= {"height": str(TOGGLE_H), "rx": str(TOGGLE_H // 2)}
    out.leaf("rect", rect | {"fill": "#ffffff", "stroke": MUTED, "stroke-width": "1.5"})
    text = {"x": str(cx), "y": str(top + 14), "text-anchor": "middle", "font-size": "12"}
    out.leaf("text", text | {"font-weight": "bold"}, mark)
    out.close("a" if href is not None else "g")
