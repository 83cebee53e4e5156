"""Another workspace's ids answer 404, on pages and in the API alike."""

import pytest

from interviews.accounts import api_tokens
from interviews.accounts import invites as member_invites
from interviews.accounts import service as accounts
from interviews.accounts.rules import Role
from tests.conftest import log_in


@pytest.fixture
def two_workspaces(app, make_workspace, add_member):
    mine = make_workspace(name="Mine")
    theirs = make_workspace(name="Theirs")
    their_member = add_member(theirs, role=Role.VIEWER)
    with app.app_context():
        member_invites.invite_member(theirs, email="pending@example.com", role=Role.VIEWER)
        _, pending = member_invites.team(theirs.workspace_id)
        their_token, _ = api_tokens.create_api_token(theirs.user_id, theirs.workspace_id, "theirs")
        _, my_secret = api_tokens.create_api_token(mine.user_id, mine.workspace_id, "mine")
    return mine, theirs, their_member, pending[0], their_token, my_secret


def test_pages_answer_404_for_another_workspaces_ids(app, client, two_workspaces, sent_mail):
    mine, theirs, their_member, their_invite, their_token, _ = two_workspaces
    their_mail = [m.id for m in sent_mail() if m.workspace_id == theirs.workspace_id]
    log_in(client, mine.email)

    attempts = [
        ("get", f"/team/members/{their_member.membership_id}", None),
        ("post", f"/team/members/{their_member.membership_id}/role", {"role": "owner"}),
        ("post", f"/team/members/{their_member.membership_id}/remove", None),
        ("post", f"/team/invites/{their_invite.id}/revoke", None),
        ("post", f"/profile/tokens/{their_token.id}/revoke", None),
        ("post", f"/workspaces/{theirs.workspace_id}/switch", None),
        ("get", f"/dev/mailbox/{their_mail[0]}", None),
    ]
    for method, path, data in attempts:
        response = getattr(client, method)(path, data=data)
        assert response.status_code == 404, path
        assert "Theirs" not in response.get_data(as_text=True), path

    with app.app_context():
        assert (
            accounts.get_member(theirs.workspace_id, their_member.membership_id).role is Role.VIEWER
        )
        assert len(member_invites.team(theirs.workspace_id)[1]) == 1
        assert api_tokens.api_tokens(theirs.user_id, theirs.workspace_id)[0].revoked_at is None


def test_api_answers_404_for_another_workspaces_ids(client, two_workspaces):
    mine, theirs, their_member, _, _, my_secret = two_workspaces
    auth = {"Authorization": f"Bearer {my_secret}"}

    response = client.get(f"/api/v1/members/{their_member.membership_id}", headers=auth)
    assert response.status_code == 404
    assert response.json == {
        "error": {"code": "not_found", "message": "No such member in this workspace."}
    }

    listed = client.get("/api/v1/members", headers=auth).json
    assert [m["email"] for m in listed["items"]] == [mine.email]
    assert (
        client.get(f"/api/v1/members/{mine.membership_id}", headers=auth).json["email"]
        == mine.email
    )


def test_the_mailbox_lists_only_this_workspaces_mail(client, two_workspaces):
    mine, *_ = two_workspaces
    log_in(client, mine.email)
    page = client.get("/dev/mailbox").get_data(as_text=True)
    assert "pending@example.com" not in page
    assert "invited you to Theirs" not in page
