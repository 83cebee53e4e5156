"""The rules of impact maps: evidence strength, the "How might we" test, ICE, what
experiments say about an output, the goal-to-experiment sentence, segment rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.maps.rules import (
    Direction,
    ExperimentKind,
    ExperimentResult,
    NodeKind,
    OutputStatus,
    PathStep,
    SegmentRule,
    Strength,
    can_move,
    format_number,
    how_might_we_warning,
    ice_score,
    output_verdict,
    parse_rule_text,
    path_sentence,
    strength,
)
from interviews.maps.tree import Goal, NodeRecord, build_tree


@pytest.mark.parametrize(
    ("takeaways", "people", "threshold", "expected"),
    [
        (0, 0, 3, Strength.ASSUMPTION),
        (1, 1, 3, Strength.ANECDOTE),
        (9, 1, 3, Strength.ANECDOTE),  # one loud customer is still one customer
        (2, 2, 3, Strength.ANECDOTE),
        (3, 3, 3, Strength.PATTERN),
        (5, 0, 3, Strength.ANECDOTE),  # feedback with no person behind it
        (1, 1, 1, Strength.PATTERN),
        (4, 4, 5, Strength.ANECDOTE),
    ],
)
def test_strength_counts_distinct_people_against_the_threshold(
    takeaways, people, threshold, expected
):
    assert strength(takeaways, people, threshold) is expected


@given(st.integers(1, 500), st.integers(0, 200), st.integers(1, 50))
def test_more_people_never_weakens_the_evidence(takeaways, people, threshold):
    order = [Strength.ASSUMPTION, Strength.ANECDOTE, Strength.PATTERN]
    now = order.index(strength(takeaways, people, threshold))
    assert order.index(strength(takeaways, people + 1, threshold)) >= now
    assert strength(takeaways, people, threshold) is not Strength.ASSUMPTION


@pytest.mark.parametrize(
    "text",
    [
        "How might we build an invite page?",
        "How might we add a dashboard for admins?",
        "how might we create a Slack integration",
        "Build bulk invite",
    ],
)
def test_a_how_might_we_that_names_a_feature_is_warned_about(text):
    warning = how_might_we_warning(text)
    assert warning is not None and "names something to build" in warning


@pytest.mark.parametrize(
    "text",
    [
        "",
        "How might we help admins invite their team in the first week?",
        "How might we enable finance leads to share numbers without rebuilding them?",
        "How might we get analysts to open an alert's dashboard?",
    ],
)
def test_a_how_might_we_about_behaviour_passes(text):
    assert how_might_we_warning(text) is None


def test_ice_is_the_mean_of_three_scores_and_unknown_until_all_are_set():
    assert ice_score(8, 6, 7) == 7.0
    assert ice_score(10, 9, 9) == 9.3
    assert ice_score(8, None, 7) is None


def test_an_invalidated_experiment_marks_its_output_whatever_else_validated_it():
    ok, bad, unsure = (
        ExperimentResult.VALIDATED,
        ExperimentResult.INVALIDATED,
        ExperimentResult.INCONCLUSIVE,
    )
    assert output_verdict([ok, bad, None]) is bad
    assert output_verdict([unsure, ok]) is ok
    assert output_verdict([unsure, None]) is unsure
    assert output_verdict([None, None]) is None
    assert output_verdict([]) is None


def test_outputs_move_a_step_at_a_time_and_can_be_dropped_or_reopened():
    assert can_move(OutputStatus.IDEA, OutputStatus.PLANNED)
    assert not can_move(OutputStatus.IDEA, OutputStatus.SHIPPED)
    assert can_move(OutputStatus.BUILDING, OutputStatus.SHIPPED)
    assert can_move(OutputStatus.PLANNED, OutputStatus.DROPPED)
    assert can_move(OutputStatus.DROPPED, OutputStatus.IDEA)
    assert not can_move(OutputStatus.SHIPPED, OutputStatus.IDEA)
    assert can_move(OutputStatus.SHIPPED, OutputStatus.SHIPPED)  # saving without a change


def test_the_path_reads_as_one_sentence_from_goal_to_experiment():
    steps = [
        PathStep(NodeKind.ACTOR, "Support agents"),
        PathStep(NodeKind.OUTCOME, "Escalate tickets to engineering", Direction.DECREASE),
        PathStep(NodeKind.OUTPUT, "A known-issues panel"),
        PathStep(
            NodeKind.EXPERIMENT,
            "Panel mock-up with six agents.",
            experiment_kind=ExperimentKind.WIZARD_OF_OZ,
            result=ExperimentResult.INVALIDATED,
        ),
    ]
    assert path_sentence("Cut support cost per account by 20%", date(2027, 3, 31), steps) == (
        "To cut support cost per account by 20% by 31 March 2027, we need fewer support "
        "agents to escalate tickets to engineering, by building a known-issues panel; a "
        "wizard-of-oz test (“Panel mock-up with six agents”) will tell us whether it works: "
        "invalidated."
    )
    assert path_sentence("Grow revenue", None, steps[:1]) == (
        "To grow revenue, we need support agents."
    )
    assert path_sentence("Grow revenue", None, []) == "To grow revenue."


def test_a_segment_rule_is_read_from_lines_and_matches_ignoring_case():
    rule = parse_rule_text("segment: Enterprise, plan: Team\nrole in buying: approves")
    assert rule.segment == "Enterprise"
    assert dict(rule.attributes) == {"plan": "Team", "role in buying": "approves"}
    assert rule.matches("enterprise", {"Plan": "team ", "role in buying": "Approves"})
    assert not rule.matches("enterprise", {"plan": "team"})  # an attribute missing
    assert not rule.matches("smb", {"plan": "team", "role in buying": "approves"})
    assert SegmentRule.from_json(rule.as_json()) == rule
    assert (
        rule.describe() == "segment is Enterprise and plan is Team and role in buying is approves"
    )


def test_an_empty_rule_matches_nobody_and_a_bad_one_says_what_is_wrong():
    assert not parse_rule_text("").matches("", {})
    with pytest.raises(ValueError, match="name: value"):
        parse_rule_text("enterprise")
    with pytest.raises(ValueError, match="name: value"):
        parse_rule_text("plan:")


def test_numbers_read_as_people_write_them():
    assert format_number(Decimal("1200.0000")) == "1,200"
    assert format_number(Decimal("12.5000")) == "12.5"
    assert format_number(None) == ""


def test_the_tree_nests_levels_in_order_and_leaves_out_orphans():
    records = [
        NodeRecord(3, NodeKind.OUTCOME, 1, "Second outcome", position=2),
        NodeRecord(1, NodeKind.ACTOR, None, "Admins"),
        NodeRecord(2, NodeKind.OUTCOME, 1, "First outcome", position=1),
        NodeRecord(9, NodeKind.OUTPUT, 99, "Orphan: its parent is gone"),
        NodeRecord(4, NodeKind.OUTPUT, 2, "Bulk invite", output_status=OutputStatus.BUILDING),
        NodeRecord(5, NodeKind.EXPERIMENT, 4, "Fake door", result=ExperimentResult.INVALIDATED),
    ]
    goal = Goal("Grow teams", "Weekly active teams", Decimal(240), Decimal(400), date(2027, 6, 30))
    tree = build_tree(7, goal, records, {1: (4, 3), 2: (2, 1)}, threshold=3)
    (admins,) = tree.actors
    assert [o.title for o in admins.children] == ["First outcome", "Second outcome"]
    assert admins.evidence.strength is Strength.PATTERN
    assert admins.children[0].evidence.strength is Strength.ANECDOTE
    assert admins.children[1].evidence.strength is Strength.ASSUMPTION
    assert tree.find(9) is None
    assert tree.find(4).verdict is ExperimentResult.INVALIDATED
    assert [n.id for n in tree.path_to(5)] == [1, 2, 4, 5]
    assert goal.describe() == "Weekly active teams: 240 now, 400 by 30 June 2027"
    shape = tree.as_json()
    assert shape["goal"]["current"] == 240 and shape["goal"]["deadline"] == "2027-06-30"
    output = shape["actors"][0]["outcomes"][0]["outputs"][0]
    assert output["status"] == "building" and output["experiments"][0]["result"] == "invalidated"
