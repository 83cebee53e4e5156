"""The takeaway library as evidence for impact maps: tagging and linking many takeaways
at once from the library page, filtering and counting by actor and outcome, and new
takeaways logged through the API with their links. Runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL: every expected answer holds on both."""

from __future__ import annotations

import re

import pytest

from interviews.accounts import api_tokens
from interviews.accounts.rules import Role
from interviews.maps import nodes
from interviews.maps import service as maps
from interviews.notes.tags import MAX_TAGS
from tests.conftest import PASSWORD, log_in

TEXTS = (
    "Pricing page confuses buyers",
    "Admins want to invite the whole team at once",
    "Seat limits surprise new admins",
    "Exports time out for big accounts",
)


def token_for(app, member) -> dict[str, str]:
    with app.app_context():
        _, secret = api_tokens.create_api_token(member.user_id, member.workspace_id, "bulk")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def dana(study):
    return study["dana"]


@pytest.fixture
def auth(app, dana):
    return token_for(app, dana)


def log(client, auth, text, **fields):
    made = client.post(
        "/api/v1/takeaways",
        json={"text": text, "source": "sales", "context": "Logged by the test", **fields},
        headers=auth,
    )
    assert made.status_code == 201, made.json
    return made.json


@pytest.fixture
def library(client, auth):
    """Four takeaways, by text: {text: id}."""
    return {text: log(client, auth, text)["id"] for text in TEXTS}


@pytest.fixture
def impact_map(app, dana):
    """A map: goal > actor "Team admins" > outcome "Invite their team" > output "Bulk invite"."""
    with app.app_context():
        map_id = maps.create_map(dana, maps.GoalDraft(statement="Grow weekly active teams"))
        actor = nodes.add_node(dana, map_id, None, nodes.NodeDraft(title="Team admins"))
        outcome = nodes.add_node(dana, map_id, actor, nodes.NodeDraft(title="Invite their team"))
        output = nodes.add_node(dana, map_id, outcome, nodes.NodeDraft(title="Bulk invite"))
    return {"map": map_id, "actor": actor, "outcome": outcome, "output": output}


def listed(client, auth, **params):
    response = client.get("/api/v1/takeaways", query_string=params, headers=auth)
    assert response.status_code == 200, response.json
    return response.json


def bulk(client, ids, action, follow=True, **fields):
    return client.post(
        "/takeaways/bulk",
        data={"takeaway_id": [str(i) for i in ids], "action": action, **fields},
        follow_redirects=follow,
    )


def flashed(page) -> str:
    return page.get_data(as_text=True)


def test_bulk_tagging_three_takeaways_counts_and_lists_them_under_the_tag(
    client, auth, dana, library
):
    log_in(client, dana.email)
    picked = [library[t] for t in TEXTS[:3]]

    done = bulk(client, picked, "tag", tag="#pricing", back="/takeaways?q=admins&sort=date")

    assert done.history[0].headers["Location"] == "/takeaways?q=admins&sort=date"
    assert "Tagged 3 takeaways “pricing”." in flashed(done)
    tagged = listed(client, auth, tag="pricing")
    assert sorted(i["id"] for i in tagged["items"]) == sorted(picked)
    assert tagged["total"] == 3
    assert listed(client, auth)["facets"]["tag"] == {"pricing": 3}
    page = client.get("/takeaways", query_string={"tag": "pricing"}).get_data(as_text=True)
    assert "3 takeaways tagged #pricing" in page
    assert all(text in page for text in TEXTS[:3]) and TEXTS[3] not in page
    again = bulk(client, [library[TEXTS[0]], library[TEXTS[3]]], "tag", tag="Pricing")
    assert "Tagged 2 takeaways “Pricing” (1 already was)." in flashed(again)
    assert listed(client, auth)["facets"]["tag"] == {"pricing": 4}


def test_select_all_on_this_page_tags_every_result_of_the_filtered_page(
    client, auth, dana, library
):
    log_in(client, dana.email)
    page = client.get("/takeaways", query_string={"q": "admins"}).get_data(as_text=True)
    on_page = re.findall(r'name="page_id" value="(\d+)"', page)

    done = client.post(
        "/takeaways/bulk",
        data={"all_on_page": "1", "page_id": on_page, "action": "tag", "tag": "admins"},
        follow_redirects=True,
    )

    assert "Tagged 2 takeaways “admins”." in flashed(done)
    assert {i["text"] for i in listed(client, auth, tag="admins")["items"]} == {
        TEXTS[1],
        TEXTS[2],
    }


def test_bulk_tagging_with_another_workspaces_takeaway_tags_nothing(
    app, client, auth, dana, library, make_workspace
):
    rival = make_workspace(name="Rival")
    theirs = log(client, token_for(app, rival), "Their secret takeaway")["id"]
    log_in(client, dana.email)

    done = bulk(client, [library[TEXTS[0]], theirs], "tag", tag="pricing")

    assert done.status_code == 422  # the library again, with the refusal at the top
    assert f"No takeaway {theirs} in this workspace." in flashed(done)
    assert listed(client, auth)["facets"]["tag"] == {}
    assert listed(client, token_for(app, rival))["items"][0]["tags"] == []


def test_a_tag_past_the_limit_on_one_takeaway_tags_none_of_them(client, auth, dana):
    full = log(client, auth, "Tagged to the brim", tags=[f"t{n}" for n in range(MAX_TAGS)])
    other = log(client, auth, "Not tagged yet")
    log_in(client, dana.email)

    done = bulk(client, [full["id"], other["id"]], "tag", tag="pricing")

    assert f"has {MAX_TAGS} tags already" in flashed(done)
    assert listed(client, auth, tag="pricing")["total"] == 0


def test_no_selection_or_no_action_is_a_message_not_an_error(client, auth, dana, library):
    log_in(client, dana.email)

    nothing = bulk(client, [], "tag", tag="pricing")
    no_action = bulk(client, [library[TEXTS[0]]], "")
    no_name = bulk(client, [library[TEXTS[0]]], "tag", tag="  ")
    no_node = bulk(client, [library[TEXTS[0]]], "link")
    garbage = bulk(client, ["x1"], "tag", tag="pricing")

    assert nothing.status_code == 422 and "Tick the takeaways first" in flashed(nothing)
    assert "Choose what to do with the ticked takeaways." in flashed(no_action)
    assert "Name the tag." in flashed(no_name)
    assert "Choose the actor, outcome or output" in flashed(no_node)
    assert "not a takeaway" in flashed(garbage)
    assert listed(client, auth)["facets"]["tag"] == {}


def test_a_viewer_sees_no_checkboxes_and_cannot_tag_or_link(
    app, client, auth, dana, library, impact_map, add_member
):
    viewer = add_member(dana, role=Role.VIEWER, name="Vic Viewer")
    editor_client, viewer_client = app.test_client(), app.test_client()
    log_in(editor_client, dana.email)
    log_in(viewer_client, viewer.email)

    editor_page = editor_client.get("/takeaways").get_data(as_text=True)
    viewer_page = viewer_client.get("/takeaways").get_data(as_text=True)
    tagged = bulk(viewer_client, list(library.values()), "tag", follow=False, tag="pricing")
    linked = bulk(
        viewer_client, list(library.values()), "link", follow=False, node_id=impact_map["actor"]
    )

    assert editor_page.count('name="takeaway_id"') == 4 and 'id="bulk-actions"' in editor_page
    assert all(text in viewer_page for text in TEXTS)
    assert 'name="takeaway_id"' not in viewer_page and "bulk-actions" not in viewer_page
    assert tagged.status_code == 403 and linked.status_code == 403
    assert listed(client, auth)["facets"]["tag"] == {}
    assert listed(client, auth)["facets"]["actor"] == {}


def test_bulk_linking_to_an_outcome_filters_and_counts_by_it(
    client, auth, dana, library, impact_map
):
    log_in(client, dana.email)
    picked = sorted([library[TEXTS[1]], library[TEXTS[2]]])
    outcome = impact_map["outcome"]

    done = bulk(client, picked, "link", node_id=outcome, back="/takeaways?sort=date")

    assert done.history[0].headers["Location"] == "/takeaways?sort=date"
    assert "Linked 2 takeaways to Invite their team." in flashed(done)
    evidence = listed(client, auth, outcome_id=outcome)
    assert sorted(i["id"] for i in evidence["items"]) == picked and evidence["total"] == 2
    assert all(i["outcome_ids"] == [outcome] and i["actor_ids"] == [] for i in evidence["items"])
    assert evidence["facets"]["outcome"] == {str(outcome): 2}
    everything = listed(client, auth)
    assert everything["total"] == 4 and everything["facets"]["outcome"] == {str(outcome): 2}
    # An outcome's id is not an actor's: the actor filter finds nothing by it.
    assert listed(client, auth, actor_id=outcome)["total"] == 0
    page = client.get("/takeaways", query_string={"outcome": outcome}).get_data(as_text=True)
    assert TEXTS[1] in page and TEXTS[2] in page and TEXTS[0] not in page
    assert "2 takeaways" in page and "Evidence for the outcome <strong>Invite their team" in page
    node_link = f'<a href="/maps/{impact_map["map"]}?node={outcome}"'
    assert page.count(node_link) == 2  # "Evidence for: Invite their team" on each result
    assert "By outcome" in page and f"outcome={outcome}" in page


def test_linking_again_says_how_many_were_linked_already(client, auth, dana, library, impact_map):
    log_in(client, dana.email)
    actor = impact_map["actor"]
    first = [library[TEXTS[1]], library[TEXTS[2]]]

    once = bulk(client, first, "link", node_id=actor)
    twice = bulk(client, [*first, library[TEXTS[0]]], "link", node_id=actor)

    assert "Linked 2 takeaways to Team admins." in flashed(once)
    assert "Linked 3 takeaways to Team admins (2 already were)." in flashed(twice)
    assert listed(client, auth)["facets"]["actor"] == {str(actor): 3}
    page = client.get("/takeaways").get_data(as_text=True)
    assert "By actor" in page and ">Team admins</a> 3" in page


def test_linking_to_an_experiment_or_another_workspaces_node_links_nothing(
    app, client, auth, dana, library, impact_map, make_workspace
):
    rival = make_workspace(name="Rival")
    with app.app_context():
        their_map = maps.create_map(rival, maps.GoalDraft(statement="Their goal"))
        their_actor = nodes.add_node(rival, their_map, None, nodes.NodeDraft(title="Theirs"))
        experiment = nodes.add_node(
            dana, impact_map["map"], impact_map["output"], nodes.NodeDraft(title="Fake door")
        )
    log_in(client, dana.email)

    foreign = bulk(client, list(library.values()), "link", node_id=their_actor)
    wrong_level = bulk(client, list(library.values()), "link", node_id=experiment)

    assert "No such actor, outcome, output or experiment" in flashed(foreign)
    assert "Link takeaways to an actor, an outcome or an output." in flashed(wrong_level)
    assert all(i["actor_ids"] == [] for i in listed(client, auth)["items"])


def test_a_takeaway_logged_with_its_actor_and_outcome_is_their_evidence(
    client, auth, dana, impact_map
):
    made = log(
        client,
        auth,
        "Admins copy emails from a spreadsheet",
        actor_ids=[impact_map["actor"]],
        outcome_ids=[impact_map["outcome"]],
        output_ids=[impact_map["output"]],
    )

    assert made["actor_ids"] == [impact_map["actor"]]
    assert made["outcome_ids"] == [impact_map["outcome"]]
    assert made["output_ids"] == [impact_map["output"]]
    by_actor = listed(client, auth, actor_id=impact_map["actor"], outcome_id=impact_map["outcome"])
    assert [i["id"] for i in by_actor["items"]] == [made["id"]]
    assert by_actor["facets"]["actor"] == {str(impact_map["actor"]): 1}
    log_in(client, dana.email)
    page = client.get("/takeaways").get_data(as_text=True)
    assert "Evidence for:" in page
    for node in ("actor", "outcome", "output"):
        assert f'href="/maps/{impact_map["map"]}?node={impact_map[node]}"' in page


def test_an_unknown_or_foreign_node_id_answers_404_and_creates_no_takeaway(
    app, client, auth, impact_map, make_workspace
):
    rival = make_workspace(name="Rival")
    with app.app_context():
        their_map = maps.create_map(rival, maps.GoalDraft(statement="Their goal"))
        their_actor = nodes.add_node(rival, their_map, None, nodes.NodeDraft(title="Theirs"))
    before = listed(client, auth)["total"]

    answers = [
        client.post(
            "/api/v1/takeaways",
            json={"text": "Should not be kept", "source": "sales", "context": "x", **body},
            headers=auth,
        )
        for body in (
            {"actor_ids": [999_999]},
            {"actor_ids": [their_actor]},
            {"actor_ids": [impact_map["outcome"]]},  # an outcome named as an actor
            {"actor_ids": [impact_map["actor"]], "outcome_ids": [impact_map["actor"]]},
        )
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert answers[0].json["error"]["message"] == "No actor 999999 in this workspace."
    assert listed(client, auth)["total"] == before == 0


@pytest.mark.parametrize(
    "value", ["1", 1, [True], ["1"], [1.5], [None], {"id": 1}, [0], [-1], [2**40], [1] * 101]
)
def test_link_ids_of_the_wrong_type_are_refused_with_422(client, auth, impact_map, value):
    response = client.post(
        "/api/v1/takeaways",
        json={"text": "Typed wrong", "source": "sales", "context": "x", "outcome_ids": value},
        headers=auth,
    )

    assert response.status_code == 422
    assert response.json["error"]["message"].startswith("outcome_ids must be a list of")
    assert listed(client, auth)["total"] == 0


def test_the_api_filters_refuse_ids_that_are_not_ids(client, auth):
    for params in ({"actor_id": "x"}, {"outcome_id": "0"}, {"actor_id": "-3"}):
        response = client.get("/api/v1/takeaways", query_string=params, headers=auth)

        assert response.status_code == 422, params
        assert response.json["error"]["message"].endswith("must be a positive whole number.")


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/takeaways",
        "//evil.example/takeaways",
        "/\\evil.example/takeaways",
        "javascript:alert(1)",
        "/interviews/1",
        "/takeaways/bulk",
        "takeaways",
        "",
    ],
)
def test_the_back_field_only_ever_leads_back_to_the_library(client, dana, library, back):
    log_in(client, dana.email)

    done = bulk(client, [library[TEXTS[0]]], "tag", follow=False, tag="pricing", back=back)

    assert done.status_code == 302
    assert done.headers["Location"] == "/takeaways"


def test_the_bulk_form_carries_the_csrf_token_and_is_refused_without_it(make_app, make_workspace):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    owner = make_workspace(name="Guarded")
    made = log(client, token_for(app, owner), "Guarded takeaway")
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": owner.email, "password": PASSWORD, "csrf_token": token})
    library = client.get("/takeaways").get_data(as_text=True)
    form = library.split('id="bulk-actions"')[1].split("</form>")[0]
    form_token = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]

    forged = bulk(client, [made["id"]], "tag", follow=False, tag="forged")
    real = bulk(client, [made["id"]], "tag", follow=False, tag="real", csrf_token=form_token)

    assert forged.status_code == 400
    assert real.status_code == 302
    tags = client.get("/api/v1/takeaways", headers=token_for(app, owner)).json["facets"]["tag"]
    assert tags == {"real": 1}
