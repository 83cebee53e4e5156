"""Team API: studies and interviews, scoped to the token's workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interviews.accounts import api_tokens
from tests.conftest import book_interview, next_weekday_slot


@pytest.fixture
def auth(app, study):
    with app.app_context():
        _, secret = api_tokens.create_api_token(
            study["dana"].user_id, study["dana"].workspace_id, "crm"
        )
    return {"Authorization": f"Bearer {secret}"}


def book(client, start, email):
    return book_interview(client, start, email, email.split("@")[0].title())


def test_studies_list_the_booking_link_host_limits_and_reward(client, study, auth):
    listed = client.get("/api/v1/studies", headers=auth).json
    assert listed["total"] == 1
    [item] = listed["items"]
    assert item["slug"] == "dashboards" and item["status"] == "published"
    assert item["booking_url"] == "http://desk.test/book/dashboards"
    assert item["host"]["email"] == study["dana"].email
    assert item["limits"] == {
        "notice_minutes": 720,
        "horizon_days": 30,
        "max_per_day": 3,
        "buffer_minutes": 30,
        "step_minutes": 30,
    }
    assert item["reward"] == {
        "text": "a $20 gift card",
        "kind": "none",
        "amount": None,
        "currency": None,
        "description": "a $20 gift card",
    }
    assert client.get(f"/api/v1/studies/{item['id']}", headers=auth).json == item


def test_another_workspaces_study_and_interviews_are_out_of_reach(
    client, study, make_workspace, app, auth
):
    book(client, next_weekday_slot(10), "pat@customer.example")
    stranger = make_workspace(name="Elsewhere")
    with app.app_context():
        _, secret = api_tokens.create_api_token(stranger.user_id, stranger.workspace_id, "x")
    theirs = {"Authorization": f"Bearer {secret}"}
    study_id = client.get("/api/v1/studies", headers=auth).json["items"][0]["id"]

    assert client.get(f"/api/v1/studies/{study_id}", headers=theirs).status_code == 404
    assert client.get("/api/v1/studies", headers=theirs).json == {"items": [], "total": 0}
    assert client.get("/api/v1/interviews", headers=theirs).json == {"items": [], "total": 0}


def test_interviews_filter_by_status_study_and_time(client, study, auth):
    first = next_weekday_slot(10)
    kept = book(client, first, "pat@customer.example")
    gone = book(client, first + timedelta(hours=3), "quinn@customer.example")
    client.post(f"/api/v1/public/manage/{gone['manage_url'].rsplit('/', 1)[1]}/cancel", json={})

    everything = client.get("/api/v1/interviews", headers=auth).json
    assert [i["id"] for i in everything["items"]] == [kept["interview_id"], gone["interview_id"]]
    item = everything["items"][0]
    assert item["participant"] == {
        "id": item["participant"]["id"],
        "name": "Pat",
        "email": "pat@customer.example",
        "phone": "+14155552671",
    }
    assert datetime.fromisoformat(item["start"]) == first
    assert item["timezone"] == "America/New_York"

    booked = client.get("/api/v1/interviews?status=booked", headers=auth).json
    assert [i["id"] for i in booked["items"]] == [kept["interview_id"]]
    later = (first + timedelta(hours=1)).astimezone(UTC).isoformat().replace("+00:00", "Z")
    after = client.get("/api/v1/interviews", headers=auth, query_string={"from": later}).json
    assert [i["id"] for i in after["items"]] == [gone["interview_id"]]
    assert (
        client.get(f"/api/v1/interviews?study_id={item['study_id']}", headers=auth).json["total"]
        == 2
    )


@pytest.mark.parametrize(
    "query", ["status=maybe", "study_id=abc", "study_id=²", "from=yesterday", "to="]
)
def test_a_bad_filter_is_a_422_naming_it(client, study, auth, query):
    response = client.get(f"/api/v1/interviews?{query}", headers=auth)
    assert response.status_code == 422
    assert query.split("=")[0] in response.json["error"]["message"]
