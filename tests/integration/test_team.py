"""Invites by email, roles, and what each role may do."""

import re

from interviews.accounts import api_tokens
from interviews.accounts import invites as member_invites
from interviews.accounts import service as accounts
from interviews.accounts.rules import Role
from tests.conftest import PASSWORD, log_in
from tests.integration.html_forms import read_page


def invite_path(mail):
    return re.search(r"http://desk\.test(/invite/\S+)", mail.text_body).group(1)


def test_owner_invites_by_email_and_the_invitee_joins_with_that_role(
    app, client, make_workspace, sent_mail
):
    owner = make_workspace(name="Northwind", owner_name="Dana Reyes")
    log_in(client, owner.email)

    response = client.post("/team/invites", data={"email": "Sam@Example.com", "role": "researcher"})
    assert response.status_code == 302
    team_page = client.get("/team").get_data(as_text=True)
    assert "Invite sent to sam@example.com" in team_page
    assert "sam@example.com" in team_page  # listed as waiting

    invite = sent_mail()[-1]
    assert invite.recipient == "sam@example.com"
    assert invite.sender_name == "Dana Reyes"
    assert invite.reply_to == owner.email
    assert invite.subject == "Dana Reyes invited you to Northwind on Interview Desk"
    assert "as a researcher" in invite.text_body

    teammate = app.test_client()
    page = teammate.get(invite_path(invite)).get_data(as_text=True)
    assert "Join Northwind" in page
    response = teammate.post(invite_path(invite), data={"name": "Sam Rivera", "password": PASSWORD})
    assert response.status_code == 302
    overview = teammate.get("/").get_data(as_text=True)
    assert "You joined Northwind as researcher." in overview

    members_page = client.get("/team").get_data(as_text=True)
    assert "Sam Rivera" in members_page
    assert "Invites waiting for an answer" in members_page and "No invites waiting." in members_page


def test_an_accepted_invite_link_cannot_be_used_again(app, make_workspace, sent_mail):
    owner = make_workspace()
    with app.app_context():
        member_invites.invite_member(owner, email="sam@example.com", role=Role.VIEWER)
    path = invite_path(sent_mail()[-1])
    app.test_client().post(path, data={"name": "Sam", "password": PASSWORD})

    response = app.test_client().post(path, data={"name": "Mallory", "password": PASSWORD})
    assert response.status_code == 410
    assert "already been accepted" in response.get_data(as_text=True)


def test_a_withdrawn_invite_link_stops_working(app, client, make_workspace, sent_mail):
    owner = make_workspace()
    log_in(client, owner.email)
    client.post("/team/invites", data={"email": "sam@example.com", "role": "viewer"})
    with app.app_context():
        _, pending = member_invites.team(owner.workspace_id)
    client.post(f"/team/invites/{pending[0].id}/revoke")

    response = app.test_client().get(invite_path(sent_mail()[-1]))
    assert response.status_code == 410
    assert "This invite was withdrawn" in response.get_data(as_text=True)


def test_a_made_up_invite_link_is_a_404(client):
    response = client.get("/invite/not-a-real-token")
    assert response.status_code == 404
    assert "This invite link is not valid" in response.get_data(as_text=True)


def test_someone_with_an_account_logs_in_to_accept(app, make_workspace, sent_mail):
    owner = make_workspace(name="Northwind")
    other = make_workspace(name="Elsewhere", email="sam@example.com")
    with app.app_context():
        member_invites.invite_member(owner, email=other.email, role=Role.RESEARCHER)
    path = invite_path(sent_mail()[-1])
    sam = app.test_client()

    assert "already has an account" in sam.get(path).get_data(as_text=True)
    log_in(sam, other.email)
    assert sam.post(path).status_code == 302
    with app.app_context():
        assert [name for _, name in accounts.workspaces_of(other.user_id)] == [
            "Elsewhere",
            "Northwind",
        ]


def test_signed_in_as_someone_else_cannot_take_an_invite(app, make_workspace, sent_mail):
    owner = make_workspace()
    stranger = make_workspace(name="Other")
    with app.app_context():
        member_invites.invite_member(owner, email="sam@example.com", role=Role.OWNER)
    browser = app.test_client()
    log_in(browser, stranger.email)

    response = browser.post(invite_path(sent_mail()[-1]))
    assert response.status_code == 403
    with app.app_context():
        assert len(member_invites.team(owner.workspace_id)[0]) == 1


def test_inviting_an_existing_member_is_refused_next_to_the_field(
    client, make_workspace, add_member, sent_mail
):
    owner = make_workspace()
    sam = add_member(owner, email="sam@example.com")
    log_in(client, owner.email)
    before = len(sent_mail())

    response = client.post("/team/invites", data={"email": sam.email, "role": "viewer"})
    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    assert page.summary == [
        ("email", "Email: sam@example.com is already a member of this workspace.")
    ]
    assert page.value("email", "/team/invites") == "sam@example.com"
    assert page.value("role", "/team/invites") == "viewer"  # the chosen role is kept
    assert len(sent_mail()) == before


def test_an_invite_with_every_field_wrong_shows_each_error_at_once(
    client, make_workspace, sent_mail
):
    owner = make_workspace()
    log_in(client, owner.email)
    before = len(sent_mail())

    response = client.post("/team/invites", data={"email": "not an address", "role": "boss"})

    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    assert [target for target, _ in page.summary] == ["email", "role"]
    assert page.value("email", "/team/invites") == "not an address"
    assert len(sent_mail()) == before


def test_researchers_and_viewers_cannot_invite_or_change_roles(
    app, make_workspace, add_member, sent_mail
):
    owner = make_workspace()
    for role in (Role.RESEARCHER, Role.VIEWER):
        member = add_member(owner, role=role)
        browser = app.test_client()
        log_in(browser, member.email)
        before = len(sent_mail())

        page = browser.get("/team").get_data(as_text=True)
        assert "Invite someone" not in page
        assert (
            browser.post(
                "/team/invites", data={"email": "x@example.com", "role": "owner"}
            ).status_code
            == 403
        )
        assert (
            browser.post(
                f"/team/members/{member.membership_id}/role", data={"role": "owner"}
            ).status_code
            == 403
        )
        assert browser.post(f"/team/members/{owner.membership_id}/remove").status_code == 403
        assert len(sent_mail()) == before
        with app.app_context():
            assert accounts.get_member(owner.workspace_id, member.membership_id).role is role


def test_owner_changes_a_role_and_the_member_sees_it(app, client, make_workspace, add_member):
    owner = make_workspace()
    sam = add_member(owner, role=Role.VIEWER)
    log_in(client, owner.email)

    response = client.post(f"/team/members/{sam.membership_id}/role", data={"role": "researcher"})
    assert response.status_code == 302
    browser = app.test_client()
    log_in(browser, sam.email)
    # The workspace menu of every page says who you are here.
    assert f"{sam.name}, researcher" in browser.get("/").get_data(as_text=True)


def test_the_last_owner_cannot_be_demoted_or_removed(app, client, make_workspace):
    owner = make_workspace()
    log_in(client, owner.email)

    response = client.post(f"/team/members/{owner.membership_id}/role", data={"role": "viewer"})
    assert response.status_code == 409
    # Their own page again, the refusal at the top linked to the role, viewer still chosen.
    page = read_page(response.get_data(as_text=True))
    assert page.title.startswith("Error: ")
    assert page.summary == [
        (
            "role",
            "You are the only owner, and a workspace needs one: make someone else an owner "
            "before changing your role.",
        )
    ]
    assert page.summary_focus
    assert page.value("role") == "viewer"
    assert "the only owner" in page.field_errors["role"]
    assert client.post(f"/team/members/{owner.membership_id}/remove").status_code == 409
    with app.app_context():
        assert accounts.get_member(owner.workspace_id, owner.membership_id).role is Role.OWNER


def test_a_role_that_is_none_is_refused_on_the_members_page(
    app, client, make_workspace, add_member
):
    owner = make_workspace()
    sam = add_member(owner, role=Role.VIEWER, name="Sam Rivera")
    log_in(client, owner.email)

    response = client.post(f"/team/members/{sam.membership_id}/role", data={"role": "admin"})

    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    assert page.summary == [("role", "Choose the role from the list")]
    assert "<h1>Sam Rivera</h1>" in response.get_data(as_text=True)
    with app.app_context():
        assert accounts.get_member(owner.workspace_id, sam.membership_id).role is Role.VIEWER


def test_a_role_change_for_a_member_who_left_is_a_404(app, client, make_workspace, add_member):
    owner = make_workspace()
    sam = add_member(owner)
    log_in(client, owner.email)
    client.post(f"/team/members/{sam.membership_id}/remove")

    response = client.post(f"/team/members/{sam.membership_id}/role", data={"role": "owner"})

    assert response.status_code == 404
    assert "No such member in this workspace." in response.get_data(as_text=True)


def test_a_removed_member_loses_access_and_their_tokens_stop_working(
    app, client, make_workspace, add_member
):
    owner = make_workspace()
    sam = add_member(owner)
    with app.app_context():
        _, secret = api_tokens.create_api_token(sam.user_id, sam.workspace_id, "script")
    sam_browser = app.test_client()
    log_in(sam_browser, sam.email)
    log_in(client, owner.email)

    assert client.post(f"/team/members/{sam.membership_id}/remove").status_code == 302

    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )
    response = sam_browser.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/no-workspace"
