"""The API speaks for a token's member, in the token's workspace only."""

from interviews.accounts import api_tokens


def test_me_answers_the_tokens_user_and_workspace(app, client, make_workspace):
    owner = make_workspace(name="Northwind", owner_name="Dana Reyes")
    with app.app_context():
        _, secret = api_tokens.create_api_token(owner.user_id, owner.workspace_id, "CRM")

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 200
    assert response.json == {
        "user": {"id": owner.user_id, "email": owner.email, "name": "Dana Reyes"},
        "workspace": {"id": owner.workspace_id, "name": "Northwind"},
        "role": "owner",
    }
