"""Feedback heard outside interviews, logged by hand on the library page: with its
source and context (never an anonymous vote), optionally as evidence for a map node."""

from __future__ import annotations

from interviews.accounts.rules import Role
from interviews.db import db
from interviews.maps import nodes
from interviews.maps import service as maps
from interviews.notes.models import Takeaway
from interviews.participants import service as participants
from tests.conftest import log_in

FEEDBACK = {
    "text": "Procurement needs SSO before the 200-seat rollout",
    "quote": "No SSO, no signature.",
    "source": "account_management",
    "context": "Globex renewal call with their CFO, November",
    "tags": "security, renewal",
}


def test_feedback_is_logged_with_its_source_and_context_and_linked_to_an_outcome(
    app, client, make_workspace
):
    owner = make_workspace(name="Northwind", email="olive@northwind.example")
    with app.app_context():
        map_id = maps.create_map(owner, maps.GoalDraft("Grow enterprise seats"))
        actor = nodes.add_node(owner, map_id, None, nodes.NodeDraft("IT buyers"))
        outcome = nodes.add_node(owner, map_id, actor, nodes.NodeDraft("Approve rollouts faster"))
    log_in(client, "olive@northwind.example")
    page = client.get("/takeaways").get_data(as_text=True)
    assert "Log feedback from outside an interview" in page
    response = client.post(
        "/takeaways/feedback",
        data={**FEEDBACK, "node_id": str(outcome), "back": "/takeaways?tag=security"},
    )
    assert response.headers["Location"] == "/takeaways?tag=security"
    listed = client.get("/takeaways?tag=security").get_data(as_text=True)
    assert "Logged from account management" in listed
    assert "Procurement needs SSO before the 200-seat rollout" in listed
    assert "Globex renewal call with their CFO" in listed
    evidence = client.get(f"/maps/{map_id}?node={outcome}").get_data(as_text=True)
    assert "No SSO, no signature." in evidence and "1 takeaway · 0 people" in evidence


def test_feedback_without_context_or_a_person_is_refused_and_nothing_is_written(
    app, client, make_workspace
):
    make_workspace(name="Northwind", email="olive@northwind.example")
    log_in(client, "olive@northwind.example")
    refused = client.post(
        "/takeaways/feedback", data={**FEEDBACK, "context": ""}, follow_redirects=True
    )
    assert "Say who said it and why it matters" in refused.get_data(as_text=True)
    unknown = client.post(
        "/takeaways/feedback", data={**FEEDBACK, "node_id": "999999"}, follow_redirects=True
    )
    assert "No such actor, outcome or output" in unknown.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Takeaway)) == 0


def test_feedback_from_a_person_on_the_panel_counts_them_and_a_viewer_cannot_log(
    app, client, make_workspace, add_member
):
    owner = make_workspace(name="Northwind", email="olive@northwind.example")
    with app.app_context():
        participants.create_participant(
            owner, participants.ParticipantDraft(name="Gus Grant", email="gus@globex.example")
        )
    log_in(client, "olive@northwind.example")
    client.post(
        "/takeaways/feedback",
        data={**FEEDBACK, "context": "", "participant_email": "gus@globex.example"},
    )
    with app.app_context():
        (row,) = db.session.scalars(db.select(Takeaway)).all()
        assert row.participant_id is not None and row.source.value == "account_management"
    add_member(owner, role=Role.VIEWER, name="Vic", email="vic@northwind.example")
    client.post("/logout")
    log_in(client, "vic@northwind.example")
    assert "Log feedback" not in client.get("/takeaways").get_data(as_text=True)
    assert client.post("/takeaways/feedback", data=FEEDBACK).status_code == 403
