"""A first sign-in is welcomed, a return is welcomed back: whether someone signed in
before is read from their account, where every sign-in is recorded."""

from __future__ import annotations

import re

from interviews.accounts import invites as member_invites
from interviews.accounts.rules import Role
from interviews.commands import demo_command
from interviews.flows.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.conftest import PASSWORD, log_in


def flashes(client) -> list[str]:
    """The messages the next page shows at its top."""
    page = client.get("/").get_data(as_text=True)
    return [
        " ".join(re.sub(r"<[^>]+>", "", m).split())
        for m in re.findall(r'<p class="flash flash-\w+"[^>]*>(.*?)</p>', page, re.S)
    ]


def test_the_demo_owners_first_log_in_is_a_welcome_and_the_next_a_welcome_back(app, runner):
    assert runner.invoke(demo_command).exit_code == 0
    first = app.test_client()

    log_in(first, DEMO_EMAIL, DEMO_PASSWORD)
    assert flashes(first) == ["Welcome, Dana Reyes."]

    later = app.test_client()
    log_in(later, DEMO_EMAIL, DEMO_PASSWORD)
    assert flashes(later) == ["Welcome back, Dana Reyes."]


def test_an_account_made_for_someone_is_welcomed_on_its_first_log_in(app, make_workspace):
    owner = make_workspace(owner_name="Kim Tanaka")
    browser = app.test_client()

    log_in(browser, owner.email)

    assert flashes(browser) == ["Welcome, Kim Tanaka."]


def test_joining_from_an_invite_is_a_sign_in_so_the_next_log_in_is_a_return(
    app, make_workspace, sent_mail
):
    owner = make_workspace(name="Northwind")
    with app.app_context():
        sent = member_invites.invite_member(owner, email="sam@example.com", role=Role.RESEARCHER)
    browser = app.test_client()

    browser.post(
        "/invite/" + sent.link.rsplit("/", 1)[1], data={"name": "Sam Rivera", "password": PASSWORD}
    )
    assert flashes(browser) == ["Welcome, Sam Rivera. You joined Northwind as researcher."]
    browser.post("/logout", follow_redirects=True)  # the log-in page shows its flash

    log_in(browser, "sam@example.com")
    assert flashes(browser) == ["Welcome back, Sam Rivera."]


def test_a_failed_log_in_is_not_a_sign_in(app, client, make_workspace):
    owner = make_workspace(owner_name="Kim Tanaka")

    refused = client.post("/login", data={"email": owner.email, "password": "not the password"})
    assert refused.status_code == 422

    log_in(client, owner.email)
    assert flashes(client) == ["Welcome, Kim Tanaka."]
