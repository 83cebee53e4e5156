"""The profile page: name, password, and API tokens shown once and revocable."""

import re

from tests.conftest import PASSWORD, log_in


def test_a_token_made_on_the_profile_is_shown_once_works_and_stops_when_revoked(
    client, make_workspace
):
    owner = make_workspace(name="Northwind")
    log_in(client, owner.email)

    page = client.post(
        "/profile/tokens", data={"token-name": "CRM sync"}, follow_redirects=True
    ).get_data(as_text=True)
    secret = re.search(r'value="(idk_[^"]+)"', page).group(1)
    assert "copy this token now, it is not shown again" in page
    assert secret not in client.get("/profile").get_data(as_text=True)

    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=auth).json["workspace"]["name"] == "Northwind"

    token_id = re.search(
        r"/profile/tokens/(\d+)/revoke", client.get("/profile").get_data(as_text=True)
    ).group(1)
    client.post(f"/profile/tokens/{token_id}/revoke")

    response = client.get("/api/v1/me", headers=auth)
    assert response.status_code == 401
    assert response.json == {
        "error": {"code": "unauthorized", "message": "This API token is not valid or was revoked."}
    }
    assert "revoked" in client.get("/profile").get_data(as_text=True)


def test_changing_the_name_changes_who_mail_comes_from(client, make_workspace, sent_mail):
    owner = make_workspace()
    log_in(client, owner.email)

    client.post("/profile", data={"profile-name": "Dana R. Reyes"})
    client.post("/team/invites", data={"email": "sam@example.com", "role": "viewer"})

    assert sent_mail()[-1].sender_name == "Dana R. Reyes"


def test_changing_the_password_needs_the_current_one(client, make_workspace):
    owner = make_workspace()
    log_in(client, owner.email)

    wrong = client.post(
        "/profile/password",
        data={"password-current_password": "nope", "password-new_password": "another good one"},
    )
    assert wrong.status_code == 422
    assert "Your current password is not right." in wrong.get_data(as_text=True)

    right = client.post(
        "/profile/password",
        data={"password-current_password": PASSWORD, "password-new_password": "another good one"},
    )
    assert right.status_code == 302
    assert client.get("/").status_code == 200  # this browser stays signed in
    client.post("/logout")
    log_in(client, owner.email, "another good one")


def test_api_errors_use_the_json_shape(client):
    missing = client.get("/api/v1/me")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert missing.json["error"]["code"] == "unauthorized"

    wrong_scheme = client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert wrong_scheme.status_code == 401

    unknown = client.get("/api/v1/no-such-thing")
    assert unknown.status_code == 404
    assert set(unknown.json["error"]) == {"code", "message"}
