"""Refused forms of the maps area (maps, their goal and nodes, roadmaps and themes, report
links, inviting the people behind an actor): re-rendered with 422, every error at the top
linked to its input (the failed form shown open), what was typed kept, nothing written.
And every maxlength on these pages is the server's limit and fits the column."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import String

from interviews.db import db
from interviews.maps import evidence as map_evidence
from interviews.maps import nodes, roadmaps
from interviews.maps import service as maps
from interviews.maps.models import ImpactMap, MapNode, MapShare, Roadmap, RoadmapTheme
from interviews.notes import takeaways
from interviews.participants import service as participants
from interviews.participants.models import ParticipantInvite
from interviews.studies.models import Study
from tests.conftest import log_in
from tests.integration.html_forms import Page, read_page

OWNER = "olive@northwind.example"


@pytest.fixture
def owner(make_workspace):
    return make_workspace(name="Northwind", email=OWNER, owner_name="Olive Owner")


@pytest.fixture
def board(app, owner):
    """A map with one branch down to an experiment, a quote behind the outcome, and a
    roadmap with one theme: ids by name."""
    with app.app_context():
        map_id = maps.create_map(
            owner, maps.GoalDraft("Grow weekly active teams", "Weekly active teams", "240")
        )

        def add(parent, title, **fields):
            return nodes.add_node(owner, map_id, parent, nodes.NodeDraft(title, **fields))

        actor = add(
            None, "Team admins", description="Set up a new workspace", segment_rule="segment: smb"
        )
        outcome = add(actor, "Invite their team in the first week", metric="Invites in week one")
        output = add(outcome, "Bulk invite from a CSV")
        experiment = add(output, "Mock-up with five admins", impact=8, confidence=6, ease=7)
        participants.create_participant(
            owner,
            participants.ParticipantDraft(name="Priya Nakamura", email="priya@globex.example"),
        )
        quote = takeaways.add_takeaway(
            owner,
            takeaways.TakeawayDraft(
                text="Inviting is a chore",
                quote="I added forty people one by one",
                source="support",
                participant_email="priya@globex.example",
            ),
        ).id
        map_evidence.link_evidence(owner, [quote], outcome)
        roadmap = roadmaps.create_roadmap(
            owner, roadmaps.RoadmapDraft("Teams stop using us after the trial", "Nine in ten stay")
        )
        theme = roadmaps.add_theme(
            owner, roadmap, roadmaps.ThemeDraft("Onboarding for teams", "If admins invite early")
        )
    return {
        "map": map_id,
        "actor": actor,
        "outcome": outcome,
        "output": output,
        "experiment": experiment,
        "quote": quote,
        "roadmap": roadmap,
        "theme": theme,
    }


def refused_page(response) -> tuple[Page, str]:
    """The re-rendered page of a refused form, checked for what every refusal shows: 422
    on the same page (no redirect), "Error:" in the title, the summary focused, each of
    its links pointing at an id on the page whose input shows the same message."""
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:3000]
    assert "Location" not in response.headers
    page = read_page(html)
    assert page.title.startswith("Error: ")
    assert page.summary_focus
    for target, message in page.summary:
        assert target in page.ids, target
        assert message in page.field_errors[target], target
    return page, html


def targets(page: Page) -> list[str]:
    return [target for target, _ in page.summary]


def shown_open(html: str, action: str) -> bool:
    """Whether the form posting to ``action`` sits in an open <details> (or none at all)."""
    at = html.index(f'action="{action}"')
    start = html.rfind("<details", 0, at)
    if start == -1 or "</details>" in html[start:at]:
        return True
    return re.search(r"\sopen[\s>]", html[start : html.index(">", start) + 1]) is not None


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def node_row(app, node_id: int) -> MapNode:
    with app.app_context():
        row = db.session.get(MapNode, node_id)
        db.session.expunge(row)
        return row


# --- maps ---------------------------------------------------------------------------------


def test_a_new_map_without_a_goal_and_with_an_unreadable_target_names_both_and_keeps_the_rest(
    app, client, board
):
    log_in(client, OWNER)
    maps_before = count(app, ImpactMap)
    typed = {
        "statement": "  ",
        "metric": "Weekly active teams",
        "current": "240",
        "target": "lots",
        "deadline": "2027-06-30",
    }
    page, _ = refused_page(client.post("/maps", data=typed))
    assert page.title.startswith("Error: Impact maps")
    assert targets(page) == ["goal-statement", "goal-target"]
    messages = dict(page.summary)
    assert "Write the goal (WHY)" in messages["goal-statement"]
    assert "The target is a number" in messages["goal-target"]
    for name in ("metric", "current", "target", "deadline"):
        assert page.value(name, "/maps") == typed[name]
    assert count(app, ImpactMap) == maps_before


def test_an_owner_setting_a_threshold_out_of_range_sees_it_kept_and_named(app, client, board):
    log_in(client, OWNER)
    page, _ = refused_page(client.post("/maps/threshold", data={"pattern_threshold": "51"}))
    assert targets(page) == ["threshold"]
    assert "threshold is a number of people from 1 to 50" in page.summary[0][1]
    assert page.value("pattern_threshold") == "51"
    index = client.get("/maps").get_data(as_text=True)
    assert read_page(index).value("pattern_threshold") == "3"  # unchanged


def test_a_goal_edit_too_long_with_an_unreadable_deadline_reopens_the_goal_form(app, client, board):
    log_in(client, OWNER)
    action = f"/maps/{board['map']}/goal"
    typed = {"statement": "g" * 301, "metric": "Teams active weekly", "deadline": "next spring"}
    page, html = refused_page(client.post(action, data=typed))
    assert page.title.startswith("Error: Grow weekly active teams")
    assert targets(page) == ["goal-statement", "goal-deadline"]
    assert "under 300 characters" in page.summary[0][1]
    assert "The deadline is a day" in page.summary[1][1]
    assert shown_open(html, action)
    assert page.value("statement", action) == "g" * 301
    assert page.value("metric", action) == "Teams active weekly"
    assert page.value("deadline", action) == "next spring"
    with app.app_context():
        row = db.session.get(ImpactMap, board["map"])
        assert (row.goal, row.metric, row.deadline) == (
            "Grow weekly active teams",
            "Weekly active teams",
            None,
        )


def test_a_new_actor_without_a_name_and_with_a_bad_segment_rule_keeps_its_description(
    app, client, board
):
    log_in(client, OWNER)
    action = f"/maps/{board['map']}/nodes"
    typed = {
        "title": "",
        "description": "Decide on the plan",
        "stage": "off_stage",
        "segment_rule": "enterprise customers",
    }
    page, html = refused_page(client.post(action, data=typed))
    assert targets(page) == ["actor-title", "actor-rule"]
    messages = dict(page.summary)
    assert "Name the actor (WHO)" in messages["actor-title"]
    assert messages["actor-rule"].startswith("Segment rule: write each part")
    assert shown_open(html, action)
    assert page.value("description", action) == "Decide on the plan"
    assert page.value("stage", action) == "off_stage"
    assert page.value("segment_rule", action) == "enterprise customers"
    assert count(app, MapNode) == 4


def test_an_outcome_without_a_title_and_a_metric_too_long_reopens_the_form_under_its_actor(
    app, client, board
):
    log_in(client, OWNER)
    action = f"/maps/{board['map']}/nodes"
    typed = {
        "parent_id": board["actor"],
        "title": " ",
        "direction": "decrease",
        "metric": "m" * 201,
        "how_might_we": "How might we help admins invite?",
    }
    page, html = refused_page(client.post(action, data=typed))
    assert targets(page) == ["add-title", "add-metric"]
    assert "Write the outcome (HOW)" in page.summary[0][1]
    assert "Keep the metric under 200 characters" in page.summary[1][1]
    assert "Team admins" in html[html.index('id="node-heading"') :][:200]  # the actor chosen
    # Two forms post to the same address here: the actor's own form stays closed and empty.
    assert 'id="add-title"' in html and 'id="actor-title"' in html
    (adding,) = [i for i in page.inputs if i.id == "add-direction"]
    assert adding.value == "decrease"
    assert [i.value for i in page.inputs if i.id == "add-hmw"] == [typed["how_might_we"]]
    assert [i.value for i in page.inputs if i.id == "actor-title"] == [""]
    assert re.search(r"<details\s+open><summary>Add an outcome under it", html)
    assert not re.search(r"<details\s+open\s*><summary>Add an actor", html)
    assert count(app, MapNode) == 4


def test_an_output_without_a_title_and_with_notes_too_long_keeps_its_status(app, client, board):
    log_in(client, OWNER)
    action = f"/maps/{board['map']}/nodes"
    typed = {
        "parent_id": board["outcome"],
        "title": "",
        "status": "planned",
        "description": "n" * 4001,
    }
    page, html = refused_page(client.post(action, data=typed))
    assert targets(page) == ["add-title", "add-description"]
    assert "Name the output (WHAT)" in page.summary[0][1]
    assert "Keep the notes under 4,000 characters" in page.summary[1][1]
    assert re.search(r"<details\s+open><summary>Add an output under it", html)
    assert [i.value for i in page.inputs if i.id == "add-status"] == ["planned"]
    assert [i.value for i in page.inputs if i.id == "add-description"] == ["n" * 4001]
    assert count(app, MapNode) == 4


def test_an_experiment_with_scores_out_of_range_and_an_early_result_lists_each_problem(
    app, client, board
):
    log_in(client, OWNER)
    action = f"/maps/{board['map']}/nodes"
    typed = {
        "parent_id": board["output"],
        "title": "Fake door on the members page",
        "experiment_kind": "fake_door",
        "impact": "11",
        "confidence": "a lot",
        "ease": "5",
        "status": "running",
        "result": "validated",
        "result_note": "Two clicks from 300 visitors",
    }
    page, html = refused_page(client.post(action, data=typed))
    assert targets(page) == ["add-impact", "add-confidence", "add-result"]
    assert page.summary[0][1] == "Score impact from 1 to 10."
    assert page.summary[1][1] == "Score confidence from 1 to 10."
    assert "once the experiment is done" in page.summary[2][1]
    assert re.search(r"<details\s+open><summary>Add an experiment under it", html)
    for input_id, name in (("add-title", "title"), ("add-type", "experiment_kind"),
                           ("add-impact", "impact"), ("add-confidence", "confidence"),
                           ("add-status", "status"), ("add-result", "result"),
                           ("add-note", "result_note")):  # fmt: skip
        assert [i.value for i in page.inputs if i.id == input_id] == [typed[name]], input_id
    assert count(app, MapNode) == 4


def test_adding_under_an_experiment_is_refused_at_the_experiment_it_was_tried_on(
    app, client, board
):
    log_in(client, OWNER)
    typed = {"parent_id": board["experiment"], "title": "A follow-up test"}
    page, html = refused_page(client.post(f"/maps/{board['map']}/nodes", data=typed))
    assert page.summary == [
        ("node-heading", "Experiments are the last level: nothing goes under them.")
    ]
    assert "Mock-up with five admins" in html[html.index('id="node-heading"') :][:200]
    assert count(app, MapNode) == 4


def test_editing_an_experiment_without_a_title_and_a_zero_score_changes_nothing(app, client, board):
    log_in(client, OWNER)
    action = f"/maps/nodes/{board['experiment']}"
    typed = {
        "map_id": board["map"],
        "title": "",
        "experiment_kind": "survey",
        "impact": "9",
        "confidence": "6",
        "ease": "0",
        "status": "done",
        "result": "invalidated",
    }
    page, html = refused_page(client.post(action, data=typed))
    assert targets(page) == ["edit-title", "edit-ease"]
    assert "Name the experiment (WHETHER)" in page.summary[0][1]
    assert page.summary[1][1] == "Score ease from 1 to 10."
    assert shown_open(html, action)
    assert page.value("experiment_kind", action) == "survey"
    assert page.value("impact", action) == "9"
    assert page.value("ease", action) == "0"
    assert page.value("result", action) == "invalidated"
    row = node_row(app, board["experiment"])
    assert (row.title, row.impact, row.ease, row.result) == ("Mock-up with five admins", 8, 7, None)


def test_editing_an_output_that_jumps_to_shipped_with_a_title_too_long_changes_nothing(
    app, client, board
):
    log_in(client, OWNER)
    action = f"/maps/nodes/{board['output']}"
    typed = {"map_id": board["map"], "title": "t" * 301, "status": "shipped", "description": "Soon"}
    page, html = refused_page(client.post(action, data=typed))
    assert targets(page) == ["edit-title", "edit-status"]
    assert "Keep the title under 300 characters" in page.summary[0][1]
    assert "An output that is idea can move to: dropped, planned." in page.summary[1][1]
    assert shown_open(html, action)
    assert page.value("title", action) == "t" * 301
    assert page.value("status", action) == "shipped"
    assert page.value("description", action) == "Soon"
    row = node_row(app, board["output"])
    assert (row.title, row.output_status.value, row.shipped_at) == (
        "Bulk invite from a CSV",
        "idea",
        None,
    )


def test_editing_an_actor_with_a_segment_rule_too_long_names_the_rule(app, client, board):
    log_in(client, OWNER)
    action = f"/maps/nodes/{board['actor']}"
    rule = "segment: " + "s" * 592
    typed = {"map_id": board["map"], "title": "Workspace admins", "segment_rule": rule}
    page, _ = refused_page(client.post(action, data=typed))
    assert page.summary == [("edit-rule", "Keep the segment rule under 600 characters.")]
    assert page.value("title", action) == "Workspace admins"
    assert page.value("segment_rule", action) == rule
    assert node_row(app, board["actor"]).title == "Team admins"


def test_a_child_map_without_a_goal_and_a_metric_too_long_stays_on_its_output(app, client, board):
    log_in(client, OWNER)
    maps_before = count(app, ImpactMap)
    typed = {"from_output": board["output"], "statement": "", "metric": "m" * 201}
    page, html = refused_page(client.post("/maps", data=typed))
    assert page.title.startswith("Error: Grow weekly active teams")
    assert targets(page) == ["child-goal", "child-metric"]
    assert shown_open(html, "/maps")
    assert [i.value for i in page.inputs if i.id == "child-goal"] == [""]
    assert [i.value for i in page.inputs if i.id == "child-metric"] == ["m" * 201]
    assert count(app, ImpactMap) == maps_before


# --- roadmaps -------------------------------------------------------------------------------


def test_a_new_roadmap_without_a_challenge_and_a_target_too_long_keeps_the_current_state(
    app, client, board
):
    log_in(client, OWNER)
    typed = {"challenge": "", "target_condition": "t" * 4001, "current_state": "Seven in ten"}
    page, _ = refused_page(client.post("/roadmaps", data=typed))
    assert page.title.startswith("Error: Outcome roadmaps")
    assert targets(page) == ["challenge", "target_condition"]
    assert "Write the challenge" in page.summary[0][1]
    assert "Keep the target condition under 4,000 characters" in page.summary[1][1]
    assert page.value("target_condition") == "t" * 4001
    assert page.value("current_state") == "Seven in ten"
    assert count(app, Roadmap) == 1


def test_editing_a_roadmap_with_two_texts_too_long_reopens_it_and_changes_nothing(
    app, client, board
):
    log_in(client, OWNER)
    action = f"/roadmaps/{board['roadmap']}"
    typed = {"challenge": "c" * 301, "target_condition": "Nine in ten", "current_state": "s" * 4001}
    page, html = refused_page(client.post(action, data=typed))
    assert targets(page) == ["edit-challenge", "edit-current"]
    assert shown_open(html, action)
    assert page.value("challenge", action) == "c" * 301
    assert page.value("current_state", action) == "s" * 4001
    with app.app_context():
        assert db.session.get(Roadmap, board["roadmap"]).challenge.startswith("Teams stop")


def test_a_new_theme_with_three_problems_lists_them_in_the_order_of_the_form(app, client, board):
    log_in(client, OWNER)
    action = f"/roadmaps/{board['roadmap']}/themes"
    typed = {
        "title": "",
        "hypothesis": "If reports explain themselves, fewer teams leave",
        "outcome_ids": [str(board["outcome"]), "99999"],
        "status": "delivery",
        "priority": "9",
    }
    page, html = refused_page(client.post(action, data=typed))
    assert targets(page) == ["new-theme-title", "new-theme-outcomes", "new-theme-priority"]
    assert "Name the theme" in page.summary[0][1]
    assert "No outcome 99999" in page.summary[1][1]
    assert "priority from 1 (first) to 5" in page.summary[2][1]
    assert page.value("hypothesis", action) == typed["hypothesis"]
    assert page.value("status", action) == "delivery"
    chosen = html[html.index('id="new-theme-outcomes"') :]
    assert re.search(rf'value="{board["outcome"]}" selected', chosen[: chosen.index("</select>")])
    assert count(app, RoadmapTheme) == 1


def test_editing_a_theme_badly_reopens_that_theme_and_changes_nothing(app, client, board):
    log_in(client, OWNER)
    action = f"/roadmaps/themes/{board['theme']}"
    typed = {"title": "x" * 201, "hypothesis": "h" * 4001, "status": "discovery", "priority": "2"}
    page, html = refused_page(client.post(action, data=typed))
    prefix = f"theme-{board['theme']}"
    assert targets(page) == [f"{prefix}-title", f"{prefix}-hypothesis"]
    assert "theme's title under 200 characters" in page.summary[0][1].replace("&#39;", "'")
    assert shown_open(html, action)
    assert page.value("title", action) == "x" * 201
    assert page.value("priority", action) == "2"
    with app.app_context():
        row = db.session.get(RoadmapTheme, board["theme"])
        assert (row.title, row.priority) == ("Onboarding for teams", 3)


def test_starting_a_second_map_from_a_theme_says_so_at_the_theme(app, client, board):
    log_in(client, OWNER)
    assert client.post(f"/roadmaps/themes/{board['theme']}/map").status_code == 302
    maps_before = count(app, ImpactMap)
    again = client.post(f"/roadmaps/themes/{board['theme']}/map")
    assert again.status_code == 409 and "Location" not in again.headers
    page = read_page(again.get_data(as_text=True))
    assert page.summary == [
        (f"theme-{board['theme']}", "That theme has its map already: open it from the roadmap.")
    ]
    assert f"theme-{board['theme']}" in page.ids and page.title.startswith("Error: ")
    assert "has its map already" in page.field_errors[f"theme-{board['theme']}"]
    assert count(app, ImpactMap) == maps_before


# --- report links ---------------------------------------------------------------------------


def test_a_report_link_without_a_label_a_past_expiry_and_a_stray_quote_lists_all_three(
    app, client, board
):
    log_in(client, OWNER)
    action = f"/maps/{board['map']}/shares"
    typed = {
        "label": " ",
        "expires_on": "2001-01-01",
        "show_names": "yes",
        "quote_ids": [str(board["quote"]), "99999"],
    }
    page, html = refused_page(client.post(action, data=typed))
    assert page.title.startswith("Error: Share a report")
    assert targets(page) == ["share-label", "share-expires", f"share-quote-{board['quote']}"]
    assert "Say who the report is for" in page.summary[0][1]
    assert "The expiry day has passed" in page.summary[1][1]
    assert "Choose quotes from the evidence on this map only" in page.summary[2][1]
    assert page.value("expires_on", action) == "2001-01-01"
    assert page.value("show_names", action) == "yes"
    assert page.value("quote_ids", action) == str(board["quote"])
    assert count(app, MapShare) == 0


# --- inviting the people behind an actor ------------------------------------------------------


@pytest.fixture
def panel(app, study):
    """Dana's actor "Enterprise admins" and two people on the panel it describes."""
    dana = study["dana"]
    with app.app_context():
        ids = [
            participants.create_participant(
                dana,
                participants.ParticipantDraft(name=name, email=email, segment="enterprise"),
            ).id
            for name, email in (("Mei Lin", "mei@northbank.example"),
                                ("Jonas Weber", "jonas@acme.example"))
        ]  # fmt: skip
        map_id = maps.create_map(dana, maps.GoalDraft("Grow weekly active teams"))
        actor = nodes.add_node(
            dana,
            map_id,
            None,
            nodes.NodeDraft("Enterprise admins", segment_rule="segment: enterprise"),
        )
        study_id = db.session.scalar(db.select(Study.id).filter_by(slug="dashboards"))
    return {"dana": dana, "ids": ids, "actor": actor, "study_id": study_id}


def test_inviting_nobody_with_a_note_too_long_names_both_and_keeps_the_note(
    app, client, panel, sent_mail
):
    log_in(client, panel["dana"].email)
    mail_before = len(sent_mail())  # the study's colleague was invited to the team
    action = f"/maps/nodes/{panel['actor']}/people/invite"
    typed = {"study_id": panel["study_id"], "note": "n" * 2001, "despite_cooldown": "1"}
    page, _ = refused_page(client.post(action, data=typed))
    assert page.title.startswith("Error: People like Enterprise admins")
    first = next(i.id for i in page.inputs if i.name == "participant_ids")  # Jonas, by name
    assert targets(page) == [first, "note"]
    assert "Choose at least one person to invite" in page.summary[0][1]
    assert "Keep the personal note under 2,000 characters" in page.summary[1][1]
    assert page.value("note", action) == "n" * 2001
    assert page.value("study_id", action) == str(panel["study_id"])
    assert page.value("despite_cooldown", action) == "1"
    assert count(app, ParticipantInvite) == 0 and len(sent_mail()) == mail_before


def test_inviting_without_a_study_lists_every_problem_in_the_order_of_the_page(
    app, client, panel, sent_mail
):
    log_in(client, panel["dana"].email)
    mail_before = len(sent_mail())  # the study's colleague was invited to the team
    action = f"/maps/nodes/{panel['actor']}/people/invite"
    chosen = str(panel["ids"][0])
    page, _ = refused_page(client.post(action, data={"participant_ids": [chosen], "note": "Hi"}))
    assert page.summary == [("study_id", "Choose a published study to invite them to.")]
    ticked = [i for i in page.inputs if i.name == "participant_ids" and i.value]
    assert [i.id for i in ticked] == [f"choose-{chosen}"]
    assert page.value("note", action) == "Hi"
    nobody = client.post(action, data={"note": "n" * 2001})
    page, _ = refused_page(nobody)
    assert [t.split("-")[0] for t in targets(page)] == ["choose", "study_id", "note"]
    assert count(app, ParticipantInvite) == 0 and len(sent_mail()) == mail_before


# --- every maxlength is the server's limit and fits the column -----------------------------


def _rule_of(length: int) -> str:
    """A readable segment rule exactly ``length`` characters long (values up to 120)."""
    parts: list[str] = []
    while True:
        part = f"k{len(parts)}: " + "v" * 100
        if len(", ".join([*parts, part])) + 10 >= length:
            break
        parts.append(part)
    head = ", ".join(parts) + (", " if parts else "")
    key = f"k{len(parts)}: "
    rule = head + key + "v" * (length - len(head) - len(key))
    assert len(rule) == length and len(rule.rsplit(": ", 1)[1]) <= 120
    return rule


def _filled(name: str, length: int) -> str:
    return _rule_of(length) if name == "segment_rule" else "x" * length


# Columns that hold what an input sends, where the column has a size.
COLUMNS = {
    "goal-statement": ImpactMap.goal,
    "goal-metric": ImpactMap.metric,
    "child-goal": ImpactMap.goal,
    "child-metric": ImpactMap.metric,
    "edit-title": MapNode.title,
    "add-title": MapNode.title,
    "actor-title": MapNode.title,
    "edit-metric": MapNode.metric,
    "add-metric": MapNode.metric,
    "edit-hmw": MapNode.how_might_we,
    "add-hmw": MapNode.how_might_we,
    "challenge": Roadmap.challenge,
    "edit-challenge": Roadmap.challenge,
    "new-theme-title": RoadmapTheme.title,
    "share-label": MapShare.label,
}


# On every map page: the goal's form and the new actor's (checked on the actor's page), and
# on a node's page its edit and add titles (checked there too).
_ON_EVERY_MAP = {"goal-statement", "goal-metric", "actor-title", "actor-description", "actor-rule"}
CHECKED_ELSEWHERE = {
    "outcome": _ON_EVERY_MAP | {"edit-title", "add-title"},
    "output": _ON_EVERY_MAP | {"edit-title", "add-title"},
}


def _cases(b: dict) -> dict[str, tuple[str, dict[str, tuple[str, dict]]]]:
    """Per page: its address, and per input with a maxlength the address its form posts
    to and the rest of a form that would be accepted."""
    goal = {"statement": "Grow weekly active teams"}
    m = b["map"]
    node = "/maps/nodes/{}"
    return {
        "maps": ("/maps", {"goal-statement": ("/maps", goal), "goal-metric": ("/maps", goal)}),
        "actor": (
            f"/maps/{m}?node={b['actor']}",
            {
                "goal-statement": (f"/maps/{m}/goal", goal),
                "goal-metric": (f"/maps/{m}/goal", goal),
                "actor-title": (f"/maps/{m}/nodes", {}),
                "actor-description": (f"/maps/{m}/nodes", {"title": "Admins"}),
                "actor-rule": (f"/maps/{m}/nodes", {"title": "Admins"}),
                "edit-title": (node.format(b["actor"]), {"map_id": m}),
                "edit-description": (node.format(b["actor"]), {"map_id": m, "title": "Admins"}),
                "edit-rule": (node.format(b["actor"]), {"map_id": m, "title": "Admins"}),
                "add-title": (f"/maps/{m}/nodes", {"parent_id": b["actor"]}),
                "add-metric": (f"/maps/{m}/nodes", {"parent_id": b["actor"], "title": "Invite"}),
                "add-hmw": (f"/maps/{m}/nodes", {"parent_id": b["actor"], "title": "Invite"}),
            },
        ),
        "outcome": (
            f"/maps/{m}?node={b['outcome']}",
            {
                "edit-metric": (node.format(b["outcome"]), {"map_id": m, "title": "Invite"}),
                "edit-hmw": (node.format(b["outcome"]), {"map_id": m, "title": "Invite"}),
                "add-description": (
                    f"/maps/{m}/nodes",
                    {"parent_id": b["outcome"], "title": "CSV"},
                ),
            },
        ),
        "output": (
            f"/maps/{m}?node={b['output']}",
            {
                "edit-description": (node.format(b["output"]), {"map_id": m, "title": "CSV"}),
                "add-note": (f"/maps/{m}/nodes", {"parent_id": b["output"], "title": "Door"}),
                "add-description": (
                    f"/maps/{m}/nodes",
                    {"parent_id": b["output"], "title": "Door"},
                ),
                "child-goal": ("/maps", {"from_output": b["output"]}),
                "child-metric": ("/maps", {"from_output": b["output"], **goal}),
            },
        ),
        "roadmaps": (
            "/roadmaps",
            {
                "challenge": ("/roadmaps", {}),
                "target_condition": ("/roadmaps", {"challenge": "Churn"}),
                "current_state": ("/roadmaps", {"challenge": "Churn"}),
            },
        ),
        "roadmap": (
            f"/roadmaps/{b['roadmap']}",
            {
                "edit-challenge": (f"/roadmaps/{b['roadmap']}", {}),
                "edit-target": (f"/roadmaps/{b['roadmap']}", {"challenge": "Churn"}),
                "edit-current": (f"/roadmaps/{b['roadmap']}", {"challenge": "Churn"}),
                f"theme-{b['theme']}-title": (f"/roadmaps/themes/{b['theme']}", {}),
                f"theme-{b['theme']}-hypothesis": (
                    f"/roadmaps/themes/{b['theme']}",
                    {"title": "Onboarding"},
                ),
                "new-theme-title": (f"/roadmaps/{b['roadmap']}/themes", {}),
                "new-theme-hypothesis": (f"/roadmaps/{b['roadmap']}/themes", {"title": "Mobile"}),
            },
        ),
        "shares": (f"/maps/{m}/shares", {"share-label": (f"/maps/{m}/shares", {})}),
    }


@pytest.mark.parametrize(
    "page_name", ["maps", "actor", "outcome", "output", "roadmaps", "roadmap", "shares"]
)
def test_each_maxlength_is_taken_in_full_and_one_more_is_refused_naming_the_field(
    app, client, board, page_name
):
    log_in(client, OWNER)
    path, inputs = _cases(board)[page_name]
    page = read_page(client.get(path).get_data(as_text=True))
    limited = {i.id: i for i in page.inputs if i.maxlength}
    # Every maxlength of the page is checked, here or on another page.
    assert set(limited) == set(inputs) | CHECKED_ELSEWHERE.get(page_name, set()), path
    for input_id, (action, rest) in inputs.items():
        shown = limited[input_id]
        column = COLUMNS.get(input_id)
        if column is not None and isinstance(column.type, String):
            assert shown.maxlength == column.type.length, input_id
        over = client.post(
            action, data={**rest, shown.name: _filled(shown.name, shown.maxlength + 1)}
        )
        refused, _ = refused_page(over)
        assert targets(refused) == [input_id], input_id
        assert (
            str(shown.maxlength) in refused.summary[0][1]
            or str(f"{shown.maxlength:,}") in refused.summary[0][1]
        ), refused.summary
        fits = client.post(action, data={**rest, shown.name: _filled(shown.name, shown.maxlength)})
        assert fits.status_code == 302, (input_id, fits.get_data(as_text=True)[:2000])
        assert urlsplit(fits.headers["Location"]).netloc in ("", "localhost")


def test_the_invite_note_takes_its_maxlength_in_full_and_one_more_is_refused(
    app, client, panel, sent_mail
):
    log_in(client, panel["dana"].email)
    path = f"/maps/nodes/{panel['actor']}/people"
    page = read_page(client.get(path).get_data(as_text=True))
    limited = {i.id: i for i in page.inputs if i.maxlength}
    assert set(limited) == {"note"}
    action = f"{path}/invite"
    chosen = {"study_id": panel["study_id"], "participant_ids": [str(panel["ids"][0])]}
    over = client.post(action, data={**chosen, "note": "n" * (limited["note"].maxlength + 1)})
    refused, _ = refused_page(over)
    assert targets(refused) == ["note"] and "2,000" in refused.summary[0][1]
    assert count(app, ParticipantInvite) == 0
    fits = client.post(action, data={**chosen, "note": "n" * limited["note"].maxlength})
    assert fits.status_code == 302
    assert count(app, ParticipantInvite) == 1
