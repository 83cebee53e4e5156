"""A map exported for other tools: JSON (the API's own shape), a Mermaid flowchart for
docs and wikis, and a FreeMind .mm mind map (FreeMind, Freeplane, MindMup open it).
Pure: a ``MapTree`` in, text or bytes out."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from interviews.maps.labels import badge_lines, plural, xml_safe
from interviews.maps.rules import EVIDENCE_KINDS, NodeKind, Strength
from interviews.maps.tree import MapTree, Node

FORMAT = "interview-desk.impact-map"
VERSION = 1
EXPORTS = {
    "json": ("application/json", "json"),
    "mermaid": ("text/plain; charset=utf-8", "mmd"),
    "freemind": ("application/x-freemind", "mm"),
}

# Mermaid styles per strength: the border's line, like the drawing on the page.
MERMAID_CLASSES = {
    "goal": "fill:#1e3a8a,color:#ffffff,stroke:#1e3a8a",
    Strength.PATTERN.value: "fill:#ffffff,stroke:#1d4ed8,stroke-width:3px",
    Strength.ANECDOTE.value: "fill:#ffffff,stroke:#1d4ed8,stroke-width:1px,stroke-dasharray: 6 4",
    Strength.ASSUMPTION.value: "fill:#ffffff,stroke:#6b7280,stroke-width:1px,stroke-dasharray: 2 3",
    "experiment": "fill:#ffffff,stroke:#6d28d9,stroke-width:1px",
}
# Characters that mean something to Mermaid's parser or to the HTML it renders labels
# as, written as Mermaid entity codes ("#35;" is "#"; one pass, so the codes are not
# coded again). ":" too: Mermaid rewrites lines with "style...:...#...;" before parsing,
# which would cut the ";" off the last code on a label that has a colon.
_MERMAID_CODES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#38;",
    "<": "#60;",
    ">": "#62;",
    "[": "#91;",
    "]": "#93;",
    "(": "#40;",
    ")": "#41;",
    "{": "#123;",
    "}": "#125;",
    "|": "#124;",
    "`": "#96;",
    "%": "#37;",
    ";": "#59;",
    ":": "#58;",
}
_MERMAID_TABLE = str.maketrans(_MERMAID_CODES)


def to_json(tree: MapTree) -> str:
    """The map in the API's shape (``tree.as_json()``, unchanged) with the export's
    format name and version beside it, so a file says what it is."""
    return json.dumps(
        {"format": FORMAT, "version": VERSION, **tree.as_json()}, indent=2, ensure_ascii=False
    )


def mermaid_text(text: str) -> str:
    """``text`` safe inside a quoted Mermaid label: one line, every character that
    Mermaid or HTML would read as syntax written as an entity code."""
    return " ".join(xml_safe(text).split()).translate(_MERMAID_TABLE)


def to_mermaid(tree: MapTree) -> str:
    """The map as a Mermaid ``flowchart LR``: the goal ``g``, node ``n<id>`` for every
    node with its title and badge lines in the label, an edge from each parent to each
    child, and a class per evidence strength."""
    # The diagram type comes first: older Mermaid versions do not skip a comment there.
    lines = [
        "flowchart LR",
        f"    %% Impact map {tree.id}, exported from the interview desk",
        f'    g["{_mermaid_label(tree.goal.statement, [tree.goal.describe()])}"]',
    ]
    edges = [f"    g --> n{actor.id}" for actor in tree.actors]
    classes: dict[str, list[str]] = {name: [] for name in MERMAID_CLASSES}
    classes["goal"].append("g")
    for node in tree.nodes():
        label = _mermaid_label(node.title, badge_lines(node))
        lines.append(f'    n{node.id}["{label}"]')
        edges += [f"    n{node.id} --> n{child.id}" for child in node.children]
        name = node.evidence.strength.value if node.kind in EVIDENCE_KINDS else "experiment"
        classes[name].append(f"n{node.id}")
    lines += edges
    lines += [f"    classDef {name} {style}" for name, style in MERMAID_CLASSES.items()]
    lines += [f"    class {','.join(ids)} {name}" for name, ids in classes.items() if ids]
    return "\n".join(lines) + "\n"


def _mermaid_label(title: str, extra: list[str]) -> str:
    return "<br/>".join(mermaid_text(part) for part in [title, *extra] if part.strip())


def to_freemind(tree: MapTree) -> bytes:
    """The map as a FreeMind 1.0 document: the goal as the root node, each level nested
    in the one above, evidence, status, ICE and result as node attributes, descriptions
    as notes.

    Written as ASCII with character references for everything else (still valid
    UTF-8): FreeMind itself writes its files that way, and older versions read them
    in the platform's encoding, which would garble anything else."""
    document = ET.Element("map", {"version": "1.0.1"})
    goal = ET.SubElement(document, "node", {"ID": "ID_0", "TEXT": xml_safe(tree.goal.statement)})
    _note(goal, tree.goal.describe())
    for name, value in tree.goal.as_json().items():
        if name != "statement" and value not in (None, ""):
            _attribute(goal, name, str(value))
    for actor in tree.actors:
        _freemind_node(goal, actor, {"POSITION": "right"})
    return ET.tostring(document, encoding="us-ascii", xml_declaration=False)


def freemind_evidence(node: Node) -> str:
    """ "pattern (5 takeaways, 3 people)", "assumption (no takeaways yet)"."""
    ev = node.evidence
    if ev.takeaways <= 0:
        return f"{ev.strength.value} (no takeaways yet)"
    counts = plural(ev.takeaways, "takeaway", "takeaways")
    if ev.participants > 0:
        counts += ", " + plural(ev.participants, "person", "people")
    return f"{ev.strength.value} ({counts})"


def _freemind_node(parent: ET.Element, node: Node, extra: dict[str, str]) -> None:
    element = ET.SubElement(
        parent, "node", {"ID": f"ID_{node.id}", "TEXT": xml_safe(node.title), **extra}
    )
    _note(element, node.description or node.result_note)
    attributes = [("kind", node.kind.value)]
    if node.kind in EVIDENCE_KINDS:
        attributes.append(("evidence", freemind_evidence(node)))
    if node.kind is NodeKind.ACTOR and node.stage is not None:
        attributes.append(("stage", node.stage.value.replace("_", " ")))
    if node.kind is NodeKind.OUTCOME:
        if node.direction is not None:
            attributes.append(("direction", node.direction.value))
        attributes += [("metric", node.metric), ("how might we", node.how_might_we)]
    if node.kind is NodeKind.EXPERIMENT:
        if node.experiment_kind is not None:
            attributes.append(("type", node.experiment_kind.value.replace("_", " ")))
        if node.ice is not None:
            attributes.append(("ICE", f"{node.ice:g}"))
    attributes.append(("status", node.status or ""))
    if node.verdict is not None:
        attributes.append(("verdict", node.verdict.value))
    if node.result is not None:
        attributes.append(("result", node.result.value))
    for name, value in attributes:
        if value:
            _attribute(element, name, value)
    for child in node.children:
        _freemind_node(element, child, {})


def _attribute(element: ET.Element, name: str, value: str) -> None:
    ET.SubElement(element, "attribute", {"NAME": name, "VALUE": xml_safe(value)})


def _note(element: ET.Element, text: str) -> None:
    """A FreeMind note: an XHTML fragment, one paragraph per line of ``text``."""
    paragraphs = [line.strip() for line in xml_safe(text).splitlines() if line.strip()]
    if not paragraphs:
        return
    note = ET.SubElement(element, "richcontent", {"TYPE": "NOTE"})
    html = ET.SubElement(note, "html")
    ET.SubElement(html, "head")
    body = ET.SubElement(html, "body")
    for line in paragraphs:
        ET.SubElement(body, "p").text = line


def export(tree: MapTree, fmt: str) -> tuple[bytes, str, str]:
    """The map in ``fmt`` (a key of ``EXPORTS``) as (content, mimetype, file extension).
    Raises ValueError for any other format."""
    if fmt not in EXPORTS:
        raise ValueError(f"Unknown export format {fmt!r}: use one of {', '.join(EXPORTS)}.")
    mimetype, extension = EXPORTS[fmt]
    if fmt == "freemind":
        return to_freemind(tree), mimetype, extension
    text = to_json(tree) if fmt == "json" else to_mermaid(tree)
    # "replace": a lone surrogate (possible in SQLite text) must not turn a download
    # into a server error.
    return text.encode("utf-8", errors="replace"), mimetype, extension
