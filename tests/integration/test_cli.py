"""The `interviews` command: demo seed and API tokens."""

import re
from datetime import datetime, timedelta

import pytest

from interviews.accounts import api_tokens
from interviews.clock import utc_now
from interviews.commands import demo_command, token_group
from interviews.flows.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.conftest import BERLIN, log_in


def test_demo_seeds_a_workspace_the_demo_owner_can_log_in_to(app, runner, sent_mail):
    result = runner.invoke(demo_command)

    assert result.exit_code == 0, result.output
    assert "Seeded the Northwind Analytics demo workspace" in result.output
    client = app.test_client()
    log_in(client, DEMO_EMAIL, DEMO_PASSWORD)
    team = client.get("/team").get_data(as_text=True)
    for name in ("Dana Reyes", "Sam Rivera", "Lee Chen", "alex@example.com"):
        assert name in team
    invites = {m.recipient for m in sent_mail() if m.kind == "invite"}
    # Mina is the demo's second researcher: she takes notes in the reports' history.
    assert invites == {"sam@example.com", "lee@example.com", "alex@example.com", "mina@example.com"}


def test_demo_publishes_a_bookable_study_with_interviews_already_booked(app, runner, sent_mail):
    runner.invoke(demo_command)
    client = app.test_client()

    slots = client.get("/api/v1/public/studies/demo/slots?timezone=Europe/Berlin").json["slots"]
    assert len(slots) > 20  # plenty of open times in the coming two weeks
    page = client.get("/book/demo").get_data(as_text=True)
    assert "Northwind product interview about dashboards" in page
    confirmations = {m.recipient for m in sent_mail() if m.kind == "confirmation"}
    # The dashboards study's two bookings, and the onboarding study's three (round robin).
    assert confirmations == {
        "priya@acme-retail.example",
        "jonas@stadtwerke.example",
        "ravi@lumen.example",
        "elena@stellar.example",
        "tom@quarry.example",
    }


def test_demo_hosts_calendar_keeps_her_meetings_and_special_days_clear(app, runner):
    runner.invoke(demo_command)
    client = app.test_client()
    today = utc_now().astimezone(BERLIN).date()
    next_monday = today + timedelta(days=7 - today.weekday())
    week = f"from={next_monday}&to={next_monday + timedelta(days=6)}&timezone=Europe/Berlin"

    slots = client.get(f"/api/v1/public/studies/demo/slots?{week}").json["slots"]
    starts = [datetime.fromisoformat(s["start"]).astimezone(BERLIN) for s in slots]
    by_day = {}
    for start in starts:
        by_day.setdefault(start.strftime("%a"), []).append(start.strftime("%H:%M"))

    # Tuesday's team sync (10-11) and every weekday lunch (12:30-13:15) block; first
    # Thursdays are an all-day offsite; Friday is a day off; Saturday opens 10-13.
    assert "10:00" not in by_day["Tue"] and "10:30" not in by_day["Tue"]
    weekdays = [times for day, times in by_day.items() if day != "Sat"]
    assert weekdays and all("12:00" not in t and "12:30" not in t for t in weekdays)
    assert "Fri" not in by_day
    assert by_day["Sat"] == ["10:00", "10:30", "11:00", "11:30", "12:00"]
    log_in(client, DEMO_EMAIL, DEMO_PASSWORD)
    hours_page = client.get("/availability").get_data(as_text=True)
    assert "Dana (work)" in hours_page and "busy events in the coming year" in hours_page
    assert "Saturday" in hours_page and "open 10:00–13:00" in hours_page


def test_demo_calendar_is_served_in_development_only(app, make_app):
    assert app.test_client().get("/dev/demo-calendar.ics").mimetype == "text/calendar"
    production = make_app(
        INTERVIEWS_ENV="production", SECRET_KEY="s" * 40, BASE_URL="https://desk.test"
    )
    assert production.test_client().get("/dev/demo-calendar.ics").status_code == 404


def test_demo_study_shows_past_attendance_and_a_recovered_no_show(app, runner):
    runner.invoke(demo_command)
    client = app.test_client()
    log_in(client, DEMO_EMAIL, DEMO_PASSWORD)
    studies_page = client.get("/studies").get_data(as_text=True)
    study_link = re.search(
        r'href="(/studies/\d+)">Northwind product interview about dashboards', studies_page
    )

    page = client.get(study_link.group(1)).get_data(as_text=True)

    # The engaged B2B study sits on the 10% line: 3 no-shows of 30 calls that were due.
    assert "No-show rate: <strong>10%</strong> (3 of 30)" in " ".join(page.split())
    assert "1 of 3 no-shows came back through the follow-up and completed." in page
    assert "24 hours, 1 hour, 10 minutes before" in page
    words = client.get(study_link.group(1) + "/messages").get_data(as_text=True)
    assert words.count(">your words<") == 1 and "most useful" in words  # Dana's own thank-you


def test_demo_twice_says_it_is_already_seeded_and_adds_nothing(app, runner, sent_mail):
    runner.invoke(demo_command)
    mail_before = len(sent_mail())

    result = runner.invoke(demo_command)

    assert result.exit_code == 0
    assert "Demo already seeded" in result.output
    assert len(sent_mail()) == mail_before


def test_demo_is_refused_in_production(make_app):
    app = make_app(INTERVIEWS_ENV="production", BASE_URL="https://desk.test")
    result = app.test_cli_runner().invoke(demo_command)
    assert result.exit_code != 0
    assert "Refusing to seed demo data when INTERVIEWS_ENV=production" in result.output


def test_token_create_prints_a_token_that_reads_me(app, runner, make_workspace):
    owner = make_workspace(name="Northwind")

    result = runner.invoke(token_group, ["create", "--email", owner.email.upper()])

    assert result.exit_code == 0, result.output
    token = result.output.strip()
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json["workspace"]["name"] == "Northwind"
    with app.app_context():
        [stored] = api_tokens.api_tokens(owner.user_id, owner.workspace_id)
        assert stored.prefix == token[:10]


@pytest.mark.parametrize("email", ["nobody@example.com"])
def test_token_create_for_an_unknown_user_fails_with_a_message(runner, email):
    result = runner.invoke(token_group, ["create", "--email", email])
    assert result.exit_code == 1
    assert "No user with email nobody@example.com" in result.output
