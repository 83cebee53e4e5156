"""The map drawing: what a PM sees and clicks on the map page, and what a screen reader
hears, whatever the titles contain."""

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviews.maps.labels import MAX_FOLDED, parse_folded, toggle, xml_safe
from interviews.maps.rules import (
    ExperimentResult,
    ExperimentStatus,
    NodeKind,
    OutputStatus,
    Stage,
)
from interviews.maps.svg import render_svg
from interviews.maps.tree import Goal, MapTree, NodeRecord, build_tree
from tests.unit.map_trees import trees

NS = "{http://www.w3.org/2000/svg}"
GOAL = Goal("Grow weekly active teams to 400")
HOSTILE = [
    "<script>alert('x')</script>",
    'Tom & Jerry say "hi" & <b>bye</b>',
    "]]> and <![CDATA[ x ]]>",
    "Emoji 🎉 and 中文 titles 👩‍👩‍👧",
    "Long " + "word " * 59,  # 300 characters
    "Control\x00\x0b\x1f characters\ud800 and a lone surrogate",
]


def sample_records(titles: dict[int, str] | None = None) -> list[NodeRecord]:
    """Two actors; the first has the whole path down to two experiments."""
    titles = titles or {}
    rows = [
        (1, NodeKind.ACTOR, None, "Team admins", {"stage": Stage.ON}),
        (2, NodeKind.OUTCOME, 1, "Invite their team in the first week", {}),
        (3, NodeKind.OUTPUT, 2, "Bulk invite from a CSV", {"output_status": OutputStatus.SHIPPED}),
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
        (8, NodeKind.OUTCOME, 7, "Approve the upgrade without a call", {}),
    ]
    return [
        NodeRecord(node_id, kind, parent, titles.get(node_id, title), position=node_id, **extra)
        for node_id, kind, parent, title, extra in rows
    ]


# 1, 2: a pattern (3 people); 3: an anecdote; 6, 7, 8: assumptions.
COUNTS = {1: (5, 3), 2: (4, 3), 3: (2, 1)}


def sample_tree(titles: dict[int, str] | None = None) -> MapTree:
    return build_tree(1, GOAL, sample_records(titles), COUNTS, threshold=3)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def node_group(root: ET.Element, node_id: int) -> ET.Element | None:
    return root.find(f".//{NS}g[@id='map1-node{node_id}']")


def visible_text(element: ET.Element) -> str:
    """What is drawn: the text elements, not the hover titles."""
    pieces = (piece for t in element.iter(f"{NS}text") for piece in t.itertext())
    return " ".join(" ".join(pieces).split())


def drawn_node_ids(root: ET.Element) -> list[int]:
    return [
        int(g.get("id").removeprefix("map1-node"))
        for g in root.iter(f"{NS}g")
        if (g.get("class") or "").startswith("map-node ")
    ]


def recording_href(params: dict) -> str:
    return f"/maps/1?fold={params['fold']}&node={'' if params['node'] is None else params['node']}"


def links(element: ET.Element) -> list[ET.Element]:
    return list(element.iter(f"{NS}a"))


def test_every_node_is_drawn_with_its_title():
    tree = sample_tree()
    root = parse(render_svg(tree))
    assert sorted(drawn_node_ids(root)) == sorted(n.id for n in tree.nodes())
    for node in tree.nodes():
        group = node_group(root, node.id)
        assert group.find(f".//{NS}title").text == node.title
        assert node.title in visible_text(group).replace("\n", " ")


def test_goal_is_the_root_box_at_the_left_and_named_in_title_and_desc():
    root = parse(render_svg(sample_tree()))
    assert root.find(f"{NS}title").text == "Impact map: Grow weekly active teams to 400"
    assert "Grow weekly active teams to 400" in root.find(f"{NS}desc").text
    assert root.get("aria-labelledby") == "map1-title map1-desc"
    goal = root.find(f".//{NS}g[@class='map-goal']")
    goal_x = int(goal.find(f"{NS}rect").get("x"))
    boxes = [int(r.get("x")) for r in root.iter(f"{NS}rect") if r.get("class") == "map-box"]
    assert goal_x < min(boxes)


def test_columns_are_headed_by_their_question_left_to_right():
    root = parse(render_svg(sample_tree()))
    header = root.find(f".//{NS}g[@class='map-columns']")
    words = [t.find(f"{NS}tspan").text for t in header.iter(f"{NS}text")]
    assert words == ["WHY", "WHO", "HOW", "WHAT", "WHETHER"]
    xs: dict[NodeKind, set[int]] = {}
    for node in sample_tree().nodes():
        rect = node_group(root, node.id).find(f".//{NS}rect[@class='map-box']")
        xs.setdefault(node.kind, set()).add(int(rect.get("x")))
    assert all(len(x) == 1 for x in xs.values())  # one column per level
    lefts = [min(xs[kind]) for kind in NodeKind]
    assert lefts == sorted(set(lefts))  # actors, outcomes, outputs, experiments in order


@pytest.mark.parametrize(
    ("node_id", "strength", "counts"),
    [
        (1, "pattern", "5 takeaways · 3 people"),
        (3, "anecdote", "2 takeaways · 1 person"),
        (8, "assumption", "no takeaways yet"),
    ],
)
def test_each_node_shows_its_evidence_strength_in_words(node_id, strength, counts):
    root = parse(render_svg(sample_tree()))
    group = node_group(root, node_id)
    text = visible_text(group)
    assert strength in text
    assert counts in text
    assert strength in group.get("class").split()


def test_strengths_differ_by_border_line_not_only_colour():
    root = parse(render_svg(sample_tree()))
    borders = {}
    for node_id, strength in [(1, "pattern"), (3, "anecdote"), (8, "assumption")]:
        rect = node_group(root, node_id).find(f".//{NS}rect[@class='map-box']")
        borders[strength] = (rect.get("stroke-dasharray"), rect.get("stroke-width"))
    assert len(set(borders.values())) == 3
    assert borders["pattern"][0] is None  # solid
    assert borders["anecdote"][0] and borders["assumption"][0]  # dashed and dotted


def test_outputs_show_status_and_verdict_and_experiments_their_ice_and_result():
    root = parse(render_svg(sample_tree()))
    assert "shipped · validated" in visible_text(node_group(root, 3))
    assert "idea" in visible_text(node_group(root, 6))
    assert "validated" not in visible_text(node_group(root, 6))
    assert "ICE 7 · done · validated" in visible_text(node_group(root, 4))
    assert "ICE not scored" in visible_text(node_group(root, 5))


def test_screen_readers_hear_kind_title_and_evidence_of_each_node():
    root = parse(render_svg(sample_tree(), href=recording_href))
    labels = [a.get("aria-label") for a in links(node_group(root, 2))]
    assert (
        labels[0]
        == "Outcome: Invite their team in the first week, pattern · 4 takeaways · 3 people"
    )
    assert links(node_group(root, 8))[0].get("aria-label") == (
        "Outcome: Approve the upgrade without a call, assumption · no takeaways yet"
    )


def test_a_folded_node_hides_its_branches_and_says_how_many():
    tree = sample_tree()
    svg = render_svg(tree, folded=frozenset({2}), href=recording_href)
    root = parse(svg)
    hidden = ["Bulk invite from a CSV", "Mock-up with five admins", "Fake door", "Invite link"]
    assert not [title for title in hidden if title in svg]
    assert sorted(drawn_node_ids(root)) == [1, 2, 7, 8]
    group = node_group(root, 2)
    assert "+4" in visible_text(group)
    assert "4 more folded below" in links(group)[0].get("aria-label")
    # The WHAT and WHETHER columns are gone with them.
    header = root.find(f".//{NS}g[@class='map-columns']")
    assert [t.find(f"{NS}tspan").text for t in header.iter(f"{NS}text")] == ["WHY", "WHO", "HOW"]


def test_open_nodes_with_branches_get_a_fold_toggle_and_leaves_none():
    root = parse(render_svg(sample_tree(), href=recording_href))
    toggles = {
        node_id
        for node_id in drawn_node_ids(root)
        if node_group(root, node_id).find(f".//{NS}a[@class='map-toggle']") is not None
    }
    assert toggles == {1, 2, 3, 7}


def test_toggle_links_carry_the_fold_after_the_click_and_keep_the_selection():
    root = parse(render_svg(sample_tree(), folded=frozenset({3}), selected=8, href=recording_href))

    def toggle_href(node_id):
        return node_group(root, node_id).find(f".//{NS}a[@class='map-toggle']").get("href")

    assert toggle_href(2) == "/maps/1?fold=2,3&node=8"  # fold 2 as well
    assert toggle_href(3) == "/maps/1?fold=&node=8"  # unfold 3
    assert toggle_href(7) == "/maps/1?fold=3,7&node=8"


def test_node_links_select_the_node_and_keep_the_fold():
    root = parse(render_svg(sample_tree(), folded=frozenset({3, 7}), href=recording_href))
    assert links(node_group(root, 2))[0].get("href") == "/maps/1?fold=3,7&node=2"
    assert links(node_group(root, 7))[0].get("href") == "/maps/1?fold=3,7&node=7"


def test_fold_ids_that_fold_nothing_here_are_left_out_of_links():
    # 5 is a leaf, 999 is not on this map: neither should ride along in every link.
    root = parse(render_svg(sample_tree(), folded=frozenset({5, 999}), href=recording_href))
    assert len(drawn_node_ids(root)) == 8
    for node_id in drawn_node_ids(root):
        group = node_group(root, node_id)
        assert links(group)[0].get("href") == f"/maps/1?fold=&node={node_id}"
        toggle_link = group.find(f".//{NS}a[@class='map-toggle']")
        if toggle_link is not None:
            assert toggle_link.get("href") == f"/maps/1?fold={node_id}&node="


def test_without_href_there_are_no_links_but_folds_still_show():
    svg = render_svg(sample_tree(), folded=frozenset({3}))
    root = parse(svg)
    assert "<a " not in svg
    assert links(root) == []
    assert "+2" in visible_text(node_group(root, 3))
    assert "−" not in visible_text(root)  # nothing to click, so no fold control


def test_the_selected_node_is_outlined_and_marked_current():
    root = parse(render_svg(sample_tree(), selected=3, href=recording_href))
    current = [e for e in root.iter() if e.get("aria-current") == "true"]
    assert current == [links(node_group(root, 3))[0]]
    outlines = [len(list(node_group(root, node_id).iter(f"{NS}rect"))) for node_id in (2, 3, 4)]
    assert outlines[1] == outlines[0] + 1  # one more rect: the outline
    assert "selected" in node_group(root, 3).get("class").split()


def test_a_selection_not_on_this_map_marks_nothing():
    svg = render_svg(sample_tree(), selected=999, href=recording_href)
    assert "aria-current" not in svg
    assert "node=999" not in svg


def test_hostile_titles_are_escaped_and_still_parse():
    titles = dict(enumerate(HOSTILE, start=1))
    tree = sample_tree(titles)
    svg = render_svg(tree, selected=1, href=recording_href)
    root = parse(svg)
    assert "<script" not in svg
    assert "<b>" not in svg
    for node_id, title in titles.items():
        shown = node_group(root, node_id).find(f".//{NS}title").text
        assert shown == " ".join(xml_safe(title).split())
    assert "🎉" in visible_text(node_group(root, 4))


def test_long_titles_wrap_to_three_lines_ending_in_an_ellipsis():
    long_title = "Let admins invite their whole team " * 9  # 315 characters
    root = parse(render_svg(sample_tree({2: long_title})))
    group = node_group(root, 2)
    title_text = next(group.iter(f"{NS}text"))
    lines = [t.text for t in title_text.iter(f"{NS}tspan")]
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert all(len(line) <= 27 for line in lines)
    assert group.find(f".//{NS}title").text == long_title.strip()


def test_a_single_huge_word_is_broken_rather_than_overflowing():
    root = parse(render_svg(sample_tree({1: "x" * 300})))
    lines = [t.text for t in next(node_group(root, 1).iter(f"{NS}text")).iter(f"{NS}tspan")]
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(len(line) <= 27 for line in lines)


def test_the_drawing_is_the_same_every_time_and_whatever_the_record_order():
    tree = sample_tree()
    first = render_svg(tree, folded=frozenset({3}), selected=2, href=recording_href)
    assert first == render_svg(tree, folded=frozenset({3}), selected=2, href=recording_href)
    shuffled = build_tree(1, GOAL, reversed(sample_records()), COUNTS, threshold=3)
    assert render_svg(shuffled, folded=frozenset({3}), selected=2, href=recording_href) == first


def test_an_empty_map_shows_the_goal_and_a_hint():
    tree = build_tree(3, Goal("Cut churn to 2%"), [], {}, threshold=3)
    root = parse(render_svg(tree, href=recording_href))
    assert "Cut churn to 2%" in visible_text(root)
    assert "No actors yet" in visible_text(root)
    assert drawn_node_ids(root) == []
    assert links(root) == []


def assert_layout_is_sound(root: ET.Element) -> None:
    """Every box inside the picture, no two boxes of a column overlapping, and each
    parent midway between its first and last branch (a tidy tree)."""
    width, height = int(root.get("width")), int(root.get("height"))
    assert root.get("viewBox") == f"0 0 {width} {height}"
    columns: dict[int, list[tuple[int, int]]] = {}
    for rect in root.iter(f"{NS}rect"):
        x, y = int(rect.get("x")), int(rect.get("y"))
        w, h = int(rect.get("width")), int(rect.get("height"))
        assert x >= 0 and x + w <= width and y >= 0 and y + h <= height
        if rect.get("class") == "map-box":
            columns.setdefault(x, []).append((y, y + h))
    for spans in columns.values():
        spans.sort()
        assert all(
            a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False)
        )
    branches: dict[tuple[int, int], list[int]] = {}
    for path in root.iter(f"{NS}path"):
        x1, y1, *_, y2 = (int(v) for v in re.findall(r"\d+", path.get("d")))
        branches.setdefault((x1, y1), []).append(y2)
    for (_, parent_y), child_ys in branches.items():
        assert parent_y == (min(child_ys) + max(child_ys)) // 2


def test_boxes_fit_the_picture_and_never_overlap():
    titles = {2: "A long outcome title " * 10, 7: "Short", 3: "x"}
    assert_layout_is_sound(parse(render_svg(sample_tree(titles), selected=3)))


def test_parse_folded_keeps_plain_ids_and_ignores_junk():
    assert parse_folded("12, 40,7") == {7, 12, 40}
    assert parse_folded("") == frozenset()
    assert parse_folded("0,-3,abc,1.5,0x10,²,٣,99999999999,2147483648,2147483647") == {2**31 - 1}
    assert parse_folded(",,5,,5,") == {5}


def test_parse_folded_keeps_at_most_a_thousand_ids():
    text = ",".join(str(i) for i in range(1, 5001))
    assert len(parse_folded(text)) == MAX_FOLDED


def test_toggle_folds_an_open_node_and_opens_a_folded_one():
    assert toggle(frozenset({1, 2}), 3) == {1, 2, 3}
    assert toggle(frozenset({1, 2}), 2) == {1}


@settings(max_examples=60, deadline=None)
@given(tree=trees(), data=st.data())
def test_any_map_draws_as_valid_svg_with_every_unfolded_node(tree, data):
    ids = [n.id for n in tree.nodes()]
    folded = (
        frozenset(data.draw(st.lists(st.sampled_from(ids), max_size=4))) if ids else frozenset()
    )
    svg = render_svg(tree, folded=folded, href=recording_href)
    root = parse(svg)
    hidden = set()
    for node in tree.nodes():
        if node.id in folded and node.id not in hidden:
            hidden |= {n.id for n in node.walk()} - {node.id}
    assert sorted(drawn_node_ids(root)) == sorted(set(ids) - hidden)
    assert re.search(r"<script", svg, re.IGNORECASE) is None
    assert_layout_is_sound(root)
