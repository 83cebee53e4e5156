"""Outcome roadmaps: a challenge with its target condition and current state, themes by
priority with the outcomes they should move, and the maps themes open."""

from __future__ import annotations

import re

import pytest

from interviews.accounts.rules import Role
from interviews.db import db
from interviews.maps import nodes
from interviews.maps import service as maps
from interviews.maps.models import ImpactMap, Roadmap, RoadmapTheme
from tests.conftest import log_in


@pytest.fixture
def team(app, make_workspace, add_member):
    """Dana's workspace with a map of two outcomes, and Vic, who only views."""
    dana = make_workspace(name="Northwind", owner_name="Dana Reyes")
    vic = add_member(dana, role=Role.VIEWER, name="Vic Viewer")
    with app.app_context():
        map_id = maps.create_map(dana, maps.GoalDraft(statement="Grow weekly active teams"))
        admins = nodes.add_node(dana, map_id, None, nodes.NodeDraft(title="Team admins"))
        invite = nodes.add_node(
            dana, map_id, admins, nodes.NodeDraft(title="Invite their team in the first week")
        )
        exports = nodes.add_node(
            dana, map_id, admins, nodes.NodeDraft(title="Export reports without help")
        )
    return {"dana": dana, "vic": vic, "map_id": map_id, "invite": invite, "exports": exports}


def new_roadmap(client, **fields) -> int:
    response = client.post(
        "/roadmaps",
        data={
            "challenge": "Teams stop using us after the trial",
            "target_condition": "Half of trial teams are active after 60 days",
            "current_state": "One in five trial teams is active after 60 days",
            **fields,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def add_theme(client, roadmap_id: int, title: str, **fields) -> int:
    response = client.post(
        f"/roadmaps/{roadmap_id}/themes",
        data={"title": title, "status": "discovery", "priority": "3", **fields},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("#theme-", 1)[1])


def card(page: str, theme_id: int) -> str:
    """The theme's card on the roadmap page."""
    found = re.search(
        rf'<article class="card theme" id="theme-{theme_id}">(.*?)</article>', page, re.S
    )
    assert found, f"no card for theme {theme_id}"
    return found.group(1)


def test_the_roadmap_shows_its_themes_by_priority_with_the_outcomes_they_should_move(client, team):
    log_in(client, team["dana"].email)
    roadmap_id = new_roadmap(client)
    add_theme(client, roadmap_id, "Pricing clarity", priority="3")
    onboarding = add_theme(
        client,
        roadmap_id,
        "Onboarding for teams",
        priority="1",
        status="delivery",
        hypothesis="If admins invite their team in week one, more teams stay.",
        outcome_ids=[str(team["invite"]), str(team["exports"])],
    )
    add_theme(client, roadmap_id, "Admin reporting", priority="3")
    add_theme(client, roadmap_id, "Mobile", priority="2")

    page = client.get(f"/roadmaps/{roadmap_id}").get_data(as_text=True)

    assert "Teams stop using us after the trial" in page
    assert "Half of trial teams are active after 60 days" in page
    assert "One in five trial teams is active after 60 days" in page
    titles = re.findall(r'<article class="card theme" id="theme-\d+">\s*<h3>(.*?)</h3>', page)
    assert titles == ["Onboarding for teams", "Mobile", "Admin reporting", "Pricing clarity"]
    first = card(page, onboarding)
    assert "priority 1" in first and "delivery" in first
    assert "If admins invite their team in week one, more teams stay." in first
    map_id = team["map_id"]
    assert (
        f'<a href="/maps/{map_id}?node={team["invite"]}">Invite their team in the first week</a>'
        in first
    )
    assert (
        f'<a href="/maps/{map_id}?node={team["exports"]}">Export reports without help</a>' in first
    )
    # The list of roadmaps counts the themes by status.
    listing = client.get("/roadmaps").get_data(as_text=True)
    assert "Teams stop using us after the trial" in listing
    assert re.search(r"<td>4</td>\s*<td>3</td>\s*<td>1</td>", listing)


def test_editing_a_theme_changes_what_the_page_says(client, team):
    log_in(client, team["dana"].email)
    roadmap_id = new_roadmap(client)
    theme = add_theme(client, roadmap_id, "Onboarding", outcome_ids=[str(team["invite"])])

    response = client.post(
        f"/roadmaps/themes/{theme}",
        data={
            "title": "Onboarding for whole teams",
            "status": "delivery",
            "priority": "2",
            "outcome_ids": [str(team["exports"])],
        },
    )

    assert response.status_code == 302
    page = card(client.get(f"/roadmaps/{roadmap_id}").get_data(as_text=True), theme)
    assert "Onboarding for whole teams" in page and "priority 2" in page
    assert "Export reports without help</a>" in page
    assert "Invite their team in the first week</a>" not in page


def test_a_theme_starts_its_map_once_and_the_two_link_to_each_other(app, client, team):
    log_in(client, team["dana"].email)
    roadmap_id = new_roadmap(client)
    theme = add_theme(client, roadmap_id, "Onboarding for teams")
    page = client.get(f"/roadmaps/{roadmap_id}").get_data(as_text=True)
    assert "Start a map from this theme" in card(page, theme)

    started = client.post(f"/roadmaps/themes/{theme}/map")

    assert started.status_code == 302
    new_map = int(started.headers["Location"].split("/maps/")[1].split("?")[0])
    with app.app_context():
        tree = maps.get_tree(team["dana"].workspace_id, new_map)
        assert tree.goal.statement == "Onboarding for teams"
        assert tree.parent == ("theme", roadmap_id, "Onboarding for teams")
    page = card(client.get(f"/roadmaps/{roadmap_id}").get_data(as_text=True), theme)
    assert (
        f'href="/maps/{new_map}"' in page
        and "Its map: <a href=" in page
        and ">Onboarding for teams</a>" in page
    )
    assert "Start a map from this theme" not in page

    again = client.post(f"/roadmaps/themes/{theme}/map")

    assert again.status_code == 409
    assert "That theme has its map already" in again.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(db.select(db.func.count()).where(ImpactMap.parent_theme_id == theme))
            == 1
        )


def test_deleting_a_roadmap_keeps_the_maps_its_themes_started(app, client, team):
    log_in(client, team["dana"].email)
    roadmap_id = new_roadmap(client)
    theme = add_theme(client, roadmap_id, "Onboarding for teams")
    new_map = int(
        client.post(f"/roadmaps/themes/{theme}/map")
        .headers["Location"]
        .split("/maps/")[1]
        .split("?")[0]
    )

    deleted = client.post(f"/roadmaps/{roadmap_id}/delete", follow_redirects=True)

    text = deleted.get_data(as_text=True)
    assert "Roadmap deleted. The 1 map started from its themes stays." in text
    assert "Teams stop using us after the trial" not in text
    assert client.get(f"/roadmaps/{roadmap_id}").status_code == 404
    with app.app_context():
        tree = maps.get_tree(team["dana"].workspace_id, new_map)
        assert tree.goal.statement == "Onboarding for teams" and tree.parent is None


def test_a_viewer_reads_a_roadmap_but_cannot_change_it(app, client, team):
    log_in(client, team["dana"].email)
    roadmap_id = new_roadmap(client)
    theme = add_theme(client, roadmap_id, "Onboarding for teams")
    client.post("/logout")
    log_in(client, team["vic"].email)

    page = client.get(f"/roadmaps/{roadmap_id}").get_data(as_text=True)

    assert "Onboarding for teams" in page
    assert "Add a theme" not in page and "Start a map from this theme" not in page
    assert "Edit theme" not in page
    for path, data in [
        ("/roadmaps", {"challenge": "Mine"}),
        (f"/roadmaps/{roadmap_id}", {"challenge": "Changed"}),
        (f"/roadmaps/{roadmap_id}/themes", {"title": "Another"}),
        (f"/roadmaps/themes/{theme}", {"title": "Renamed", "priority": "1"}),
        (f"/roadmaps/themes/{theme}/map", {}),
        (f"/roadmaps/themes/{theme}/delete", {}),
        (f"/roadmaps/{roadmap_id}/delete", {}),
    ]:
        assert client.post(path, data=data).status_code == 403, path
    with app.app_context():
        assert [r.challenge for r in db.session.scalars(db.select(Roadmap))] == [
            "Teams stop using us after the trial"
        ]
        assert [t.title for t in db.session.scalars(db.select(RoadmapTheme))] == [
            "Onboarding for teams"
        ]
        assert db.session.scalar(db.select(db.func.count()).select_from(ImpactMap)) == 1


def test_another_workspaces_roadmap_is_not_found(app, client, team, make_workspace):
    log_in(client, team["dana"].email)
    roadmap_id = new_roadmap(client)
    theme = add_theme(client, roadmap_id, "Onboarding for teams")
    client.post("/logout")
    other = make_workspace(name="Southwind", owner_name="Omar Other")
    log_in(client, other.email)

    assert client.get(f"/roadmaps/{roadmap_id}").status_code == 404
    assert "Teams stop using us" not in client.get("/roadmaps").get_data(as_text=True)
    assert client.post(f"/roadmaps/{roadmap_id}", data={"challenge": "Mine"}).status_code == 404
    assert client.post(f"/roadmaps/{roadmap_id}/themes", data={"title": "Mine"}).status_code == 404
    assert client.post(f"/roadmaps/themes/{theme}", data={"title": "Mine"}).status_code == 404
    assert client.post(f"/roadmaps/themes/{theme}/map").status_code == 404
    assert client.post(f"/roadmaps/{roadmap_id}/delete").status_code == 404
    # Nor can Omar's theme say it moves Dana's outcome.
    own = new_roadmap(client, challenge="Our own challenge")
    refused = client.post(
        f"/roadmaps/{own}/themes", data={"title": "Borrowed", "outcome_ids": [str(team["invite"])]}
    )
    assert refused.status_code == 422
    assert f"No outcome {team['invite']} in this workspace." in refused.get_data(as_text=True)
    with app.app_context():
        assert [t.title for t in db.session.scalars(db.select(RoadmapTheme))] == [
            "Onboarding for teams"
        ]
        assert (
            db.session.get(Roadmap, roadmap_id).challenge == "Teams stop using us after the trial"
        )


def test_bad_input_is_refused_with_a_message_and_nothing_is_written(app, client, team):
    log_in(client, team["dana"].email)

    empty = client.post("/roadmaps", data={"challenge": "   "})
    assert empty.status_code == 422
    assert "Write the challenge" in empty.get_data(as_text=True)
    too_long = client.post("/roadmaps", data={"challenge": "x" * 301})
    assert too_long.status_code == 422
    assert "Keep the challenge under 300 characters." in too_long.get_data(as_text=True)
    roadmap_id = new_roadmap(client)
    for fields, message in [
        ({"title": "Mobile", "priority": "9"}, "priority from 1 (first) to 5"),
        ({"title": "Mobile", "priority": "x"}, "priority from 1 (first) to 5"),
        ({"title": "Mobile", "status": "shipping"}, "discovery or in delivery"),
        ({"title": ""}, "Name the theme"),
        ({"title": "t" * 201}, "Keep the theme&#39;s title under 200 characters."),
        ({"title": "Mobile", "outcome_ids": ["99999"]}, "No outcome 99999 in this workspace."),
    ]:
        response = client.post(
            f"/roadmaps/{roadmap_id}/themes",
            data={"status": "discovery", "priority": "3", **fields},
        )
        assert 400 <= response.status_code < 500, fields
        assert message in response.get_data(as_text=True), fields
        # The form keeps what was typed.
        if fields.get("title") == "Mobile":
            assert 'value="Mobile"' in response.get_data(as_text=True)

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(RoadmapTheme)) == 0
        assert [r.challenge for r in db.session.scalars(db.select(Roadmap))] == [
            "Teams stop using us after the trial"
        ]
