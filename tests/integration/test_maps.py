"""Impact maps: the goal and its four levels, evidence strength from linked takeaways,
the SVG page with its evidence panel, linked maps, exports and the maps API."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from interviews.accounts import api_tokens
from interviews.accounts import service as accounts
from interviews.accounts.rules import Role
from interviews.db import db
from interviews.maps import evidence as map_evidence
from interviews.maps import nodes
from interviews.maps import service as maps
from interviews.maps.models import ImpactMap, MapNode
from interviews.notes import takeaways
from interviews.notes.models import Takeaway
from interviews.participants import service as participants
from tests.conftest import log_in


def token_of(app, member: accounts.Member) -> dict[str, str]:
    with app.app_context():
        _, secret = api_tokens.create_api_token(member.user_id, member.workspace_id, "maps")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def owner(make_workspace):
    return make_workspace(name="Northwind", email="olive@northwind.example", owner_name="Olive")


@pytest.fixture
def board(app, owner):
    """A map with one branch down to an experiment: ids by level name."""
    with app.app_context():
        map_id = maps.create_map(
            owner,
            maps.GoalDraft(
                "Grow weekly active teams", "Weekly active teams", "240", "400", "2027-06-30"
            ),
        )
        actor = nodes.add_node(
            owner,
            map_id,
            None,
            nodes.NodeDraft(
                "Team admins", "Set up a new workspace", segment_rule="segment: smb, plan: team"
            ),
        )
        outcome = nodes.add_node(
            owner,
            map_id,
            actor,
            nodes.NodeDraft(
                "Invite their team in the first week",
                direction="increase",
                how_might_we="How might we help admins bring their team in during week one?",
            ),
        )
        output = nodes.add_node(owner, map_id, outcome, nodes.NodeDraft("Bulk invite from a CSV"))
        experiment = nodes.add_node(
            owner,
            map_id,
            output,
            nodes.NodeDraft(
                "Mock-up with five admins",
                experiment_kind="prototype_interview",
                impact=8,
                confidence=6,
                ease=7,
            ),
        )
    return {
        "map": map_id,
        "actor": actor,
        "outcome": outcome,
        "output": output,
        "experiment": experiment,
    }


def people_said(app, owner, how_many: int, *, per_person: int = 1, first: int = 0) -> list[int]:
    """Takeaways from ``how_many`` different people on the panel (``per_person`` each)."""
    ids = []
    with app.app_context():
        for n in range(first, first + how_many):
            email = f"person{n}@customer.example"
            participants.create_participant(
                owner, participants.ParticipantDraft(name=f"Person {n}", email=email)
            )
            for k in range(per_person):
                added = takeaways.add_takeaway(
                    owner,
                    takeaways.TakeawayDraft(
                        text=f"Inviting the team is a chore ({n}.{k})",
                        quote=f"I added {10 + n} people one by one",
                        source="support",
                        participant_email=email,
                    ),
                )
                ids.append(added.id)
    return ids


def evidence_of(client, headers, map_id: int) -> dict[str, dict]:
    """{node title: its evidence} from the API's tree."""
    tree = client.get(f"/api/v1/maps/{map_id}", headers=headers).json
    found = {}
    for actor in tree["actors"]:
        found[actor["name"]] = actor["evidence"]
        for outcome in actor["outcomes"]:
            found[outcome["behaviour"]] = outcome["evidence"]
            for output in outcome["outputs"]:
                found[output["title"]] = output["evidence"]
    return found


def test_the_api_gives_the_tree_of_the_contract_with_evidence_on_every_node(
    app, client, owner, board
):
    headers = token_of(app, owner)
    tree = client.get(f"/api/v1/maps/{board['map']}", headers=headers).json
    assert tree["goal"] == {
        "statement": "Grow weekly active teams",
        "metric": "Weekly active teams",
        "current": 240,
        "target": 400,
        "deadline": "2027-06-30",
    }
    (actor,) = tree["actors"]
    assert (actor["id"], actor["name"], actor["stage"]) == (
        board["actor"],
        "Team admins",
        "on_stage",
    )
    assert actor["segment_rule"] == {"segment": "smb", "attributes": {"plan": "team"}}
    (outcome,) = actor["outcomes"]
    assert outcome["behaviour"] == "Invite their team in the first week"
    (output,) = outcome["outputs"]
    assert (output["title"], output["status"]) == ("Bulk invite from a CSV", "idea")
    (experiment,) = output["experiments"]
    assert experiment["ice"] == 7.0 and experiment["type"] == "prototype_interview"
    for node in (actor, outcome, output):
        assert node["evidence"] == {"takeaways": 0, "participants": 0, "strength": "assumption"}
    listed = client.get("/api/v1/maps", headers=headers).json
    assert [m["id"] for m in listed["items"]] == [board["map"]] and listed["items"][0]["nodes"] == 4


def test_two_people_are_an_anecdote_and_three_a_pattern_however_often_one_repeats(
    app, client, owner, board
):
    headers = token_of(app, owner)
    loud = people_said(app, owner, 1, per_person=4)  # one person, four takeaways
    with app.app_context():
        map_evidence.link_evidence(owner, loud, board["outcome"])
    assert evidence_of(client, headers, board["map"])["Invite their team in the first week"] == {
        "takeaways": 4,
        "participants": 1,
        "strength": "anecdote",
    }
    others = people_said(app, owner, 2, first=1)  # two more people
    with app.app_context():
        map_evidence.link_evidence(owner, others, board["outcome"])
        # Feedback from sales with no person behind it is a takeaway, not a person.
        sales = takeaways.add_takeaway(
            owner,
            takeaways.TakeawayDraft(
                text="Prospects ask for bulk invites", source="sales", context="Acme demo call"
            ),
        )
        map_evidence.link_evidence(owner, [sales.id], board["outcome"])
    evidence = evidence_of(client, headers, board["map"])
    assert evidence["Invite their team in the first week"] == {
        "takeaways": 7,
        "participants": 3,
        "strength": "pattern",
    }
    assert evidence["Team admins"]["strength"] == "assumption"  # evidence is per node


def test_the_owner_raising_the_threshold_turns_a_pattern_back_into_an_anecdote(
    app, client, owner, board
):
    headers = token_of(app, owner)
    with app.app_context():
        map_evidence.link_evidence(owner, people_said(app, owner, 3), board["actor"])
    assert evidence_of(client, headers, board["map"])["Team admins"]["strength"] == "pattern"
    log_in(client, "olive@northwind.example")
    response = client.post(
        "/maps/threshold", data={"pattern_threshold": "5"}, follow_redirects=True
    )
    assert "from 5 or more people now counts as a pattern" in response.get_data(as_text=True)
    assert evidence_of(client, headers, board["map"])["Team admins"]["strength"] == "anecdote"
    refused = client.post("/maps/threshold", data={"pattern_threshold": "0"}, follow_redirects=True)
    assert "from 1 to 50" in refused.get_data(as_text=True)
    with app.app_context():
        assert accounts.pattern_threshold(owner.workspace_id) == 5


def test_the_map_page_draws_the_tree_and_opens_a_nodes_evidence_with_quotes(
    app, client, owner, board
):
    linked = people_said(app, owner, 2)
    with app.app_context():
        map_evidence.link_evidence(owner, linked, board["outcome"])
    log_in(client, "olive@northwind.example")
    page = client.get(f"/maps/{board['map']}").get_data(as_text=True)
    drawing = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    ET.fromstring(drawing)  # well-formed, inline, no scripts
    assert "<script" not in drawing
    for title in ("Grow weekly active teams", "Team admins", "Bulk invite from a CSV"):
        assert title in drawing
    chosen = client.get(f"/maps/{board['map']}?node={board['outcome']}").get_data(as_text=True)
    evidence = chosen[chosen.index('id="evidence"') :]
    assert "anecdote" in evidence and "2 takeaways · 2 people" in evidence
    assert "I added 10 people one by one" in evidence and "Person 1" in evidence


def test_the_drawing_follows_every_change_of_what_it_is_drawn_from(app, client, owner, board):
    """The page remembers a drawing by the tree it was drawn from: an edit, new evidence,
    the threshold and a removed branch each show on the very next view."""
    log_in(client, "olive@northwind.example")

    def drawing() -> str:
        page = client.get(f"/maps/{board['map']}").get_data(as_text=True)
        return re.search(r"<svg.*?</svg>", page, re.S).group(0)

    def strength(svg: str, node_id: int) -> str:
        """The strength a node is drawn with (its box's class, border and badge)."""
        return re.search(rf'id="map\d+-node{node_id}" class="map-node \w+ (\w+)"', svg).group(1)

    first = drawing()
    assert first == drawing()  # drawn once, served again
    assert strength(first, board["actor"]) == "assumption"
    with app.app_context():
        nodes.update_node(owner, board["output"], nodes.NodeDraft("Bulk invite from a sheet"))
    renamed = drawing()
    assert "Bulk invite from a sheet" in renamed and "Bulk invite from a CSV" not in renamed
    with app.app_context():
        map_evidence.link_evidence(owner, people_said(app, owner, 3), board["actor"])
    backed = drawing()
    assert strength(backed, board["actor"]) == "pattern"
    client.post("/maps/threshold", data={"pattern_threshold": "5"})
    assert strength(drawing(), board["actor"]) == "anecdote"  # 3 people, 5 needed now
    client.post(f"/maps/nodes/{board['outcome']}/delete", data={})
    assert "Invite their team" not in drawing() and "Bulk invite" not in drawing()


def test_folding_a_branch_hides_what_is_under_it(app, client, owner, board):
    log_in(client, "olive@northwind.example")
    page = client.get(f"/maps/{board['map']}?fold={board['outcome']}").get_data(as_text=True)
    drawing = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert "Invite their team" in drawing
    assert "Bulk invite from a CSV" not in drawing and "Mock-up with five admins" not in drawing


def test_the_path_from_goal_to_an_experiment_reads_as_one_sentence(app, client, owner, board):
    log_in(client, "olive@northwind.example")
    page = client.get(f"/maps/{board['map']}?node={board['experiment']}").get_data(as_text=True)
    assert (
        "To grow weekly active teams by 30 June 2027, we need more team admins to invite their "
        "team in the first week, by building bulk invite from a CSV; prototype interviews"
    ) in page


def test_a_how_might_we_naming_a_feature_is_warned_about_and_a_behaviour_is_not(
    app, client, owner, board
):
    log_in(client, "olive@northwind.example")
    page = client.get(f"/maps/{board['map']}?node={board['outcome']}").get_data(as_text=True)
    assert "names something to build" not in page
    client.post(
        f"/maps/nodes/{board['outcome']}",
        data={
            "map_id": board["map"],
            "title": "Invite their team in the first week",
            "how_might_we": "How might we build an invite page?",
        },
    )
    page = client.get(f"/maps/{board['map']}?node={board['outcome']}").get_data(as_text=True)
    assert "“build” names something to build" in page
    tree = client.get(f"/api/v1/maps/{board['map']}", headers=token_of(app, owner)).json
    assert "names something to build" in tree["actors"][0]["outcomes"][0]["how_might_we_warning"]


def test_an_output_moves_step_by_step_and_cannot_jump_from_idea_to_shipped(
    app, client, owner, board
):
    log_in(client, "olive@northwind.example")

    def move(status: str) -> str:
        return client.post(
            f"/maps/nodes/{board['output']}",
            data={"map_id": board["map"], "title": "Bulk invite from a CSV", "status": status},
            follow_redirects=True,
        ).get_data(as_text=True)

    assert "An output that is idea can move to: dropped, planned." in move("shipped")
    with app.app_context():
        assert db.session.get(MapNode, board["output"]).output_status.value == "idea"
    move("planned"), move("building")
    shipped = move("shipped")
    assert "Close the loop" in shipped
    with app.app_context():
        row = db.session.get(MapNode, board["output"])
        assert row.output_status.value == "shipped" and row.shipped_at is not None


def test_an_invalidated_experiment_marks_its_output_and_the_ice_table_ranks_them(
    app, client, owner, board
):
    headers = token_of(app, owner)
    with app.app_context():
        nodes.add_node(
            owner,
            board["map"],
            board["output"],
            nodes.NodeDraft("Fake door on the members page", experiment_kind="fake_door", impact=9,
                           confidence=9, ease=9, status="done", result="invalidated"),
        )  # fmt: skip
    output = client.get(f"/api/v1/maps/{board['map']}", headers=headers).json["actors"][0][
        "outcomes"
    ][0]["outputs"][0]
    assert output["verdict"] == "invalidated"
    log_in(client, "olive@northwind.example")
    page = client.get(f"/maps/{board['map']}").get_data(as_text=True)
    table = page[page.index('id="ice-heading"') :]
    assert table.index("Fake door on the members page") < table.index("Mock-up with five admins")
    assert "invalidated" in page[page.index("<svg") : page.index("</svg>")]


def test_a_result_before_the_experiment_is_done_is_refused_and_nothing_changes(
    app, client, owner, board
):
    log_in(client, "olive@northwind.example")
    response = client.post(
        f"/maps/nodes/{board['experiment']}",
        data={"map_id": board["map"], "title": "Changed title", "status": "running",
              "result": "validated", "impact": "8", "confidence": "6", "ease": "7"},
        follow_redirects=True,
    )  # fmt: skip
    assert "once the experiment is done" in response.get_data(as_text=True)
    bad = client.post(
        f"/maps/nodes/{board['experiment']}",
        data={"map_id": board["map"], "title": "Changed", "impact": "11"},
        follow_redirects=True,
    )
    assert "Score impact from 1 to 10." in bad.get_data(as_text=True)
    with app.app_context():
        db.session.expire_all()
        row = db.session.get(MapNode, board["experiment"])
        assert (row.title, row.result, row.impact) == ("Mock-up with five admins", None, 8)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"statement": "  "}, "Write the goal (WHY)"),
        ({"statement": "Grow", "current": "a lot"}, "The current value is a number"),
        ({"statement": "Grow", "target": "1e400"}, "too large"),
        ({"statement": "Grow", "deadline": "next year"}, "The deadline is a day"),
        ({"statement": "x" * 301}, "under 300 characters"),
    ],
)
def test_a_goal_that_cannot_be_read_is_refused_with_a_reason(app, client, owner, fields, message):
    log_in(client, "olive@northwind.example")
    response = client.post("/maps", data=fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ImpactMap)) == 0


def test_an_output_grows_a_child_map_with_breadcrumbs_up_and_a_link_down(app, client, owner, board):
    log_in(client, "olive@northwind.example")
    response = client.post(
        "/maps",
        data={"from_output": board["output"], "statement": "Make bulk invite work for admins"},
    )
    child = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/maps/{child}").get_data(as_text=True)
    crumbs = page[
        page.index('aria-label="Breadcrumbs"') : page.index("</nav>", page.index("Breadcrumbs"))
    ]
    assert f'href="/maps/{board["map"]}"' in crumbs and "Grow weekly active teams" in crumbs
    parent = client.get(f"/maps/{board['map']}?node={board['output']}").get_data(as_text=True)
    assert f'href="/maps/{child}"' in parent and "Make bulk invite work for admins" in parent
    api = client.get(f"/api/v1/maps/{board['map']}", headers=token_of(app, owner)).json
    assert api["actors"][0]["outcomes"][0]["outputs"][0]["child_map_ids"] == [child]


def test_removing_a_node_removes_its_branch_and_keeps_the_takeaways(app, client, owner, board):
    linked = people_said(app, owner, 1)
    with app.app_context():
        map_evidence.link_evidence(owner, linked, board["output"])
    log_in(client, "olive@northwind.example")
    client.post(f"/maps/nodes/{board['outcome']}/delete")
    with app.app_context():
        left = db.session.scalars(db.select(MapNode.title)).all()
        assert left == ["Team admins"]
        assert db.session.get(Takeaway, linked[0]) is not None


def test_exports_carry_the_whole_tree_in_json_mermaid_and_freemind(app, client, owner, board):
    with app.app_context():
        map_evidence.link_evidence(owner, people_said(app, owner, 3), board["actor"])
    headers = token_of(app, owner)
    as_json = client.get(f"/api/v1/maps/{board['map']}/export?format=json", headers=headers)
    assert as_json.headers["Content-Disposition"].endswith('.json"')
    data = json.loads(as_json.data)
    assert data["actors"][0]["evidence"] == {
        "takeaways": 3,
        "participants": 3,
        "strength": "pattern",
    }
    mermaid = client.get(f"/api/v1/maps/{board['map']}/export?format=mermaid", headers=headers)
    text = mermaid.get_data(as_text=True)
    first = next(line for line in text.splitlines() if line and not line.startswith("%%"))
    assert first.split()[0] in ("flowchart", "graph") and "Bulk invite from a CSV" in text
    freemind = client.get(f"/api/v1/maps/{board['map']}/export?format=freemind", headers=headers)
    root = ET.fromstring(freemind.data)
    assert root.tag == "map"
    assert root.find("node").get("TEXT").startswith("Grow weekly active teams")
    titles = {n.get("TEXT") for n in root.iter("node")}
    assert {"Team admins", "Mock-up with five admins"} <= {t.split("\n")[0] for t in titles}
    refused = client.get(f"/api/v1/maps/{board['map']}/export?format=pdf", headers=headers)
    assert refused.status_code == 422 and refused.json["error"]["code"] == "invalid_input"


def test_another_workspaces_map_is_not_found_and_a_viewer_reads_but_cannot_change(
    app, client, make_workspace, add_member, owner, board
):
    stranger = make_workspace(name="Globex", email="gus@globex.example")
    assert (
        client.get(f"/api/v1/maps/{board['map']}", headers=token_of(app, stranger)).status_code
        == 404
    )
    log_in(client, "gus@globex.example")
    assert client.get(f"/maps/{board['map']}").status_code == 404
    viewer = add_member(owner, role=Role.VIEWER, name="Vic Viewer", email="vic@northwind.example")
    assert viewer.role is Role.VIEWER
    client.post("/logout")
    log_in(client, "vic@northwind.example")
    page = client.get(f"/maps/{board['map']}")
    assert page.status_code == 200 and "Add an actor" not in page.get_data(as_text=True)
    refused = client.post(f"/maps/{board['map']}/nodes", data={"title": "Sneaky actor"})
    assert refused.status_code == 403
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count())
                .select_from(MapNode)
                .where(MapNode.title == "Sneaky actor")
            )
            == 0
        )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/takeaways?offset=³",
        "/api/v1/takeaways?limit=²",
        "/api/v1/takeaways?study_id=٣",
        "/api/v1/maps/1/export?format=json&x=³",
    ],
)
def test_digits_that_are_not_ascii_are_refused_not_a_server_error(app, client, owner, url):
    """ "³" is a digit to str.isdigit() but not to int(): every id and number we read from
    a request must say no to it with a 4xx."""
    response = client.get(url, headers=token_of(app, owner))
    assert response.status_code in (404, 422), response.get_data(as_text=True)


def test_a_superscript_in_a_form_number_is_ignored_or_refused(app, client, owner, board):
    log_in(client, "olive@northwind.example")
    assert client.get(f"/maps/{board['map']}?node=³").status_code == 200
    refused = client.post(
        f"/maps/nodes/{board['experiment']}",
        data={"map_id": "³", "title": "Mock-up with five admins", "impact": "³"},
    )
    assert refused.status_code == 422 and "Score impact from 1 to 10." in refused.get_data(
        as_text=True
    )
    assert client.post("/maps/threshold", data={"pattern_threshold": "³"}).status_code == 422
    assert client.get("/rewards?study=³").status_code == 200


def test_the_experiments_rank_by_the_score_chosen(app, client, owner, board):
    with app.app_context():
        nodes.add_node(
            owner,
            board["map"],
            board["output"],
            nodes.NodeDraft("Survey of 200 admins", experiment_kind="survey", impact=4,
                            confidence=9, ease=10),
        )  # fmt: skip
    log_in(client, "olive@northwind.example")

    def order(query: str) -> list[str]:
        page = client.get(f"/maps/{board['map']}{query}").get_data(as_text=True)
        table = page[page.index('id="ice-heading"') : page.index("</table>")]
        return re.findall(r"#evidence\">([^<]+)</a></th>", table)

    assert order("") == ["Survey of 200 admins", "Mock-up with five admins"]  # ICE 7.7 > 7
    assert order("?sort=impact") == ["Mock-up with five admins", "Survey of 200 admins"]
    assert order("?sort=nonsense") == order("")


def test_a_refused_child_map_stays_on_its_map_and_follows_no_address_it_was_given(
    app, client, owner, board
):
    log_in(client, "olive@northwind.example")
    response = client.post(
        "/maps",
        data={"from_output": board["output"], "statement": "", "back": "https://evil.example/"},
    )
    assert response.status_code == 422 and "Location" not in response.headers
    assert "Write the goal (WHY)" in response.get_data(as_text=True)
