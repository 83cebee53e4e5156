"""Map exports: what a PM gets when they download a map as JSON, Mermaid or FreeMind,
and what the tools they open it in will read, whatever the titles contain."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings

from interviews.maps.exports import (
    EXPORTS,
    export,
    mermaid_text,
    to_freemind,
    to_json,
    to_mermaid,
)
from interviews.maps.labels import xml_safe
from interviews.maps.rules import (
    Direction,
    ExperimentResult,
    ExperimentStatus,
    NodeKind,
    OutputStatus,
    Stage,
)
from interviews.maps.tree import Goal, MapTree, NodeRecord, build_tree
from tests.unit.map_trees import trees

GOAL = Goal("Grow weekly active teams to 400", metric="weekly active teams")
HOSTILE = [
    'Admins who say "no" [always] (sometimes) {never}',
    "C# & F#; 50% of <b>teams</b> | `code` %% not a comment",
    "Two\nlines\r\nand a tab\there",
    "Emoji 🎉 and 中文 👩‍👩‍👧",
    "Long " + "word " * 59,
    "Control\x00\x0b characters\ud800 and end --> n1",
    "style:#quot; classDef:#35; x",
]


def sample_tree(titles: dict[int, str] | None = None) -> MapTree:
    """Two actors; the first has the whole path down to two experiments."""
    titles = titles or {}
    rows = [
        (1, NodeKind.ACTOR, None, "Team admins", {"stage": Stage.ON}),
        (
            2,
            NodeKind.OUTCOME,
            1,
            "Invite their team in the first week",
            {"direction": Direction.INCREASE, "how_might_we": "How might we help admins invite?"},
        ),
        (
            3,
            NodeKind.OUTPUT,
            2,
            "Bulk invite from a CSV",
            {"output_status": OutputStatus.SHIPPED, "description": "Upload a list.\nOne per line."},
        ),
        (
            4,
            NodeKind.EXPERIMENT,
            3,
            "Mock-up with five admins",
            {
                "impact": 8,
                "confidence": 6,
                "ease": 7,
                "experiment_status": ExperimentStatus.DONE,
                "result": ExperimentResult.VALIDATED,
            },
        ),
        (5, NodeKind.EXPERIMENT, 3, "Fake door on the members page", {}),
        (6, NodeKind.OUTPUT, 2, "Invite link for Slack", {"output_status": OutputStatus.IDEA}),
        (7, NodeKind.ACTOR, None, "Finance approvers", {"stage": Stage.OFF}),
    ]
    records = [
        NodeRecord(node_id, kind, parent, titles.get(node_id, title), position=node_id, **extra)
        for node_id, kind, parent, title, extra in rows
    ]
    counts = {1: (5, 3), 2: (4, 3), 3: (2, 1)}
    return build_tree(1, GOAL, records, counts, threshold=3)


def edges(tree: MapTree) -> list[tuple[str, str]]:
    pairs = [("g", f"n{a.id}") for a in tree.actors]
    pairs += [(f"n{n.id}", f"n{c.id}") for n in tree.nodes() for c in n.children]
    return pairs


# --- JSON ---------------------------------------------------------------------------


def test_json_export_is_the_api_shape_with_format_and_version():
    tree = sample_tree()
    data = json.loads(to_json(tree))
    assert data["format"] == "interview-desk.impact-map"
    assert data["version"] == 1
    assert {k: v for k, v in data.items() if k not in ("format", "version")} == tree.as_json()
    actor = data["actors"][0]
    assert actor["name"] == "Team admins"
    outcome = actor["outcomes"][0]
    assert outcome["behaviour"] == "Invite their team in the first week"
    assert outcome["outputs"][0]["status"] == "shipped"
    assert outcome["outputs"][0]["experiments"][0]["result"] == "validated"


def test_json_export_carries_every_nodes_evidence_counts():
    tree = sample_tree()
    data = json.loads(to_json(tree))
    found = {}

    def collect(items):
        for item in items:
            found[item["id"]] = item["evidence"]
            for key in ("outcomes", "outputs", "experiments"):
                collect(item.get(key, []))

    collect(data["actors"])
    assert found == {
        n.id: {
            "takeaways": n.evidence.takeaways,
            "participants": n.evidence.participants,
            "strength": n.evidence.strength.value,
        }
        for n in tree.nodes()
    }
    assert found[1] == {"takeaways": 5, "participants": 3, "strength": "pattern"}


def test_json_export_keeps_hostile_titles_exactly():
    titles = dict(enumerate(HOSTILE[:5], start=1))
    data = json.loads(to_json(sample_tree(titles)))
    assert data["actors"][0]["name"] == HOSTILE[0]
    assert data["actors"][0]["outcomes"][0]["behaviour"] == HOSTILE[1]
    assert "🎉" in to_json(sample_tree(titles))  # written as text, not \\u escapes


# --- Mermaid ------------------------------------------------------------------------

NODE_LINE = re.compile(r'^    (g|n\d+)\["((?:[^"\[\](){}<>`|;:%#\n]|<br/>|#quot;|#\d+;)*)"\]$')
EDGE_LINE = re.compile(r"^    (g|n\d+) --> (n\d+)$")
CLASSDEF_LINE = re.compile(r"^    classDef (\w+) [\w#:,\- ]+$")
CLASS_LINE = re.compile(r"^    class ((?:g|n\d+)(?:,n\d+)*) (\w+)$")


def mermaid_lines(text: str) -> dict[str, list]:
    """The export's lines sorted by kind; fails on any line Mermaid's grammar (as far
    as this export uses it) would not accept."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert re.fullmatch(r"    %% Impact map \d+, exported from the interview desk", lines[1])
    found: dict[str, list] = {"nodes": [], "edges": [], "classdefs": [], "classes": []}
    for line in lines[2:]:
        if match := NODE_LINE.match(line):
            found["nodes"].append(match.groups())
        elif match := EDGE_LINE.match(line):
            found["edges"].append(match.groups())
        elif match := CLASSDEF_LINE.match(line):
            found["classdefs"].append(match.group(1))
        elif match := CLASS_LINE.match(line):
            found["classes"].append((match.group(1).split(","), match.group(2)))
        else:
            pytest.fail(f"not a line this export should write: {line!r}")
    return found


def mermaid_decoded(label: str) -> str:
    """What Mermaid shows for a label: entity codes decoded, <br/> as a line break."""
    label = label.replace("#quot;", '"').replace("<br/>", "\n")
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label)


def test_mermaid_has_one_line_per_node_and_one_edge_per_branch():
    tree = sample_tree()
    found = mermaid_lines(to_mermaid(tree))
    assert [node_id for node_id, _ in found["nodes"]] == ["g", *(f"n{n.id}" for n in tree.nodes())]
    assert sorted(found["edges"]) == sorted(edges(tree))


def test_mermaid_labels_show_title_and_evidence():
    found = dict(mermaid_lines(to_mermaid(sample_tree()))["nodes"])
    assert mermaid_decoded(found["n1"]) == "Team admins\npattern · 5 takeaways · 3 people"
    assert mermaid_decoded(found["n3"]) == (
        "Bulk invite from a CSV\nanecdote · 2 takeaways · 1 person\nshipped · validated"
    )
    assert mermaid_decoded(found["n4"]) == "Mock-up with five admins\nICE 7 · done · validated"
    assert mermaid_decoded(found["g"]).startswith("Grow weekly active teams to 400")


def test_mermaid_classes_follow_evidence_strength():
    found = mermaid_lines(to_mermaid(sample_tree()))
    assert {"pattern", "anecdote", "assumption", "goal"} <= set(found["classdefs"])
    classes = {name: set(ids) for ids, name in found["classes"]}
    assert classes["pattern"] == {"n1", "n2"}
    assert classes["anecdote"] == {"n3"}
    assert classes["assumption"] == {"n6", "n7"}
    assert classes["experiment"] == {"n4", "n5"}
    assert classes["goal"] == {"g"}
    assert set(classes) <= set(found["classdefs"])


def test_mermaid_labels_escape_everything_that_would_break_the_diagram():
    titles = dict(enumerate(HOSTILE, start=1))
    text = to_mermaid(sample_tree(titles))
    found = dict(mermaid_lines(text)["nodes"])  # every line still matches the grammar
    for node_id, title in titles.items():
        shown = mermaid_decoded(found[f"n{node_id}"]).split("\n")[0]
        assert shown == " ".join(xml_safe(title).split())
    assert len(text.splitlines()) == 2 + 8 + 7 + 5 + len(mermaid_lines(text)["classes"])


def test_mermaid_text_codes_syntax_characters():
    assert mermaid_text('say "hi" [now]') == "say #quot;hi#quot; #91;now#93;"
    # "#" itself is coded, so a "#1;" in a title cannot pass for a code.
    assert mermaid_text("C# 100% #1;") == "C#35; 100#37; #35;1#59;"


# --- FreeMind -----------------------------------------------------------------------


def depth(element: ET.Element) -> int:
    return 1 + max((depth(child) for child in element.findall("node")), default=0)


def attributes(element: ET.Element) -> dict[str, str]:
    return {a.get("NAME"): a.get("VALUE") for a in element.findall("attribute")}


def test_freemind_is_one_goal_node_with_the_levels_nested_under_it():
    tree = sample_tree()
    document = ET.fromstring(to_freemind(tree))
    assert document.tag == "map"
    assert document.get("version") == "1.0.1"
    [goal] = document.findall("node")
    assert goal.get("TEXT") == "Grow weekly active teams to 400"
    assert depth(goal) == 5  # goal, actor, outcome, output, experiment
    actors = goal.findall("node")
    assert [a.get("TEXT") for a in actors] == ["Team admins", "Finance approvers"]
    assert {a.get("POSITION") for a in actors} == {"right"}
    assert len(document.findall(".//node")) == 1 + len(list(tree.nodes()))
    ids = [n.get("ID") for n in document.iter("node")]
    assert ids == ["ID_0", *(f"ID_{n.id}" for n in tree.nodes())]


def test_freemind_nodes_carry_evidence_status_and_results_as_attributes():
    document = ET.fromstring(to_freemind(sample_tree()))
    by_id = {n.get("ID"): n for n in document.iter("node")}
    assert attributes(by_id["ID_1"]) == {
        "kind": "actor",
        "evidence": "pattern (5 takeaways, 3 people)",
        "stage": "on stage",
    }
    assert attributes(by_id["ID_2"])["how might we"] == "How might we help admins invite?"
    assert attributes(by_id["ID_3"])["evidence"] == "anecdote (2 takeaways, 1 person)"
    assert attributes(by_id["ID_3"])["status"] == "shipped"
    assert attributes(by_id["ID_3"])["verdict"] == "validated"
    assert attributes(by_id["ID_4"]) == {
        "kind": "experiment",
        "ICE": "7",
        "status": "done",
        "result": "validated",
    }
    assert attributes(by_id["ID_7"])["evidence"] == "assumption (no takeaways yet)"
    assert attributes(by_id["ID_0"]) == {"metric": "weekly active teams"}


def test_freemind_descriptions_become_notes():
    document = ET.fromstring(to_freemind(sample_tree()))
    output = next(n for n in document.iter("node") if n.get("ID") == "ID_3")
    note = output.find("richcontent")
    assert note.get("TYPE") == "NOTE"
    assert [p.text for p in note.iter("p")] == ["Upload a list.", "One per line."]
    assert document.find(".//node[@ID='ID_1']/richcontent") is None


def test_freemind_keeps_hostile_titles_and_is_plain_ascii():
    titles = dict(enumerate(HOSTILE, start=1))
    content = to_freemind(sample_tree(titles))
    assert content.isascii()  # every other character as a reference: old FreeMinds read it
    document = ET.fromstring(content)
    by_id = {n.get("ID"): n for n in document.iter("node")}
    for node_id, title in titles.items():
        assert by_id[f"ID_{node_id}"].get("TEXT") == xml_safe(title)
    assert b"<b>" not in content


def test_freemind_attribute_values_are_escaped_too():
    tree = sample_tree()
    records = [
        NodeRecord(1, NodeKind.ACTOR, None, "Admins"),
        NodeRecord(2, NodeKind.OUTCOME, 1, "Invite", how_might_we='How <might> "we"\x0b & co'),
    ]
    goal = Goal("Grow", metric="teams\x00 & <seats>")
    tree = build_tree(1, goal, records, {}, threshold=3)
    document = ET.fromstring(to_freemind(tree))
    by_id = {n.get("ID"): n for n in document.iter("node")}
    assert attributes(by_id["ID_2"])["how might we"] == 'How <might> "we" & co'
    assert attributes(by_id["ID_0"])["metric"] == "teams & <seats>"


# --- export() -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mimetype", "extension"),
    [
        ("json", "application/json", "json"),
        ("mermaid", "text/plain; charset=utf-8", "mmd"),
        ("freemind", "application/x-freemind", "mm"),
    ],
)
def test_export_gives_bytes_with_the_formats_type_and_extension(fmt, mimetype, extension):
    content, got_mimetype, got_extension = export(sample_tree(), fmt)
    assert isinstance(content, bytes)
    assert (got_mimetype, got_extension) == (mimetype, extension) == EXPORTS[fmt]
    assert "Team admins" in content.decode("utf-8")


def test_export_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="Unknown export format"):
        export(sample_tree(), "pdf")


def test_export_survives_a_lone_surrogate_in_a_title():
    tree = sample_tree({1: "Admins\ud800"})
    for fmt in EXPORTS:
        content, _, _ = export(tree, fmt)
        assert "Admins" in content.decode("utf-8")


# --- any map ------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(tree=trees())
def test_any_map_exports_to_freemind_that_parses_with_every_node(tree):
    document = ET.fromstring(to_freemind(tree))
    [goal] = document.findall("node")
    assert len(goal.findall(".//node")) == len(list(tree.nodes()))
    assert goal.get("TEXT") == xml_safe(tree.goal.statement)


@settings(max_examples=60, deadline=None)
@given(tree=trees())
def test_any_map_exports_to_mermaid_in_the_grammar_with_every_node_and_edge(tree):
    found = mermaid_lines(to_mermaid(tree))
    assert len(found["nodes"]) == 1 + len(list(tree.nodes()))
    assert sorted(found["edges"]) == sorted(edges(tree))


@settings(max_examples=30, deadline=None)
@given(tree=trees())
def test_any_map_exports_to_json_that_loads_back_to_the_same_shape(tree):
    data = json.loads(to_json(tree))
    assert {k: v for k, v in data.items() if k not in ("format", "version")} == tree.as_json()
    content, _, _ = export(tree, "json")
    assert len(json.loads(content)["actors"]) == len(tree.actors)
