"""Shared map reports: a read-only link to one map's report, made and revoked by editors,
opened by anyone holding it without an account; names hidden unless opted in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.db import db
from interviews.flows import privacy
from interviews.maps import evidence as map_evidence
from interviews.maps import nodes, shared_report, shares
from interviews.maps import service as maps
from interviews.maps.models import MapShare
from interviews.notes import takeaways
from interviews.notes.models import LibraryCount
from interviews.participants import service as participants
from tests.conftest import log_in

OWNER = "olive@northwind.example"
PRIYA = ("Priya Nakamura", "Globex Logistics", "priya@globex.example")
TOMAS = ("Tomas Berg", "Initech", "tomas@initech.example")
PRIYA_SAID = "At Globex Logistics I added forty people one by one, Priya Nakamura doing it by hand"
TOMAS_SAID = "Nobody at our place reads the invite email"
THIRD_SAID = "I gave up after ten invites"
DEAD = "This report link does not work"


@pytest.fixture
def owner(make_workspace):
    return make_workspace(name="Northwind", email=OWNER, owner_name="Olive Owner")


def _said(owner, person, text: str, quote: str) -> int:
    name, company, email = person
    if participants.find_by_email(owner.workspace_id, email) is None:
        participants.create_participant(
            owner, participants.ParticipantDraft(name=name, email=email, company=company)
        )
    draft = takeaways.TakeawayDraft(
        text=text, quote=quote, source="support", participant_email=email
    )
    return takeaways.add_takeaway(owner, draft).id


@pytest.fixture
def board(app, owner):
    """A map with a shipped output, an invalidated and a validated experiment, and three
    quotes from two people behind its outcome; a second map with a quote of its own."""
    with app.app_context():
        map_id = maps.create_map(
            owner,
            maps.GoalDraft(
                "Grow weekly active teams", "Weekly active teams", "240", "1400", "2027-06-30"
            ),
        )

        def add(parent, title, **fields):
            return nodes.add_node(owner, map_id, parent, nodes.NodeDraft(title, **fields))

        actor = add(None, "Team admins", description="Set up a new workspace")
        outcome = add(actor, "Invite their team in the first week", direction="increase")
        output = add(outcome, "Bulk invite from a CSV")
        for status in ("planned", "building", "shipped"):
            nodes.update_node(
                owner, output, nodes.NodeDraft("Bulk invite from a CSV", status=status)
            )
        add(output, "Fake door on the members page", experiment_kind="fake_door", status="done",
            result="invalidated", result_note="Two clicks from 300 visitors.")  # fmt: skip
        add(output, "Mock-up with five admins", experiment_kind="prototype_interview",
            status="done", result="validated")  # fmt: skip
        quotes = [
            _said(owner, PRIYA, "Inviting is a chore", PRIYA_SAID),
            _said(owner, TOMAS, "Invite emails go unread", TOMAS_SAID),
            _said(owner, PRIYA, "People give up inviting", THIRD_SAID),
        ]
        map_evidence.link_evidence(owner, quotes, outcome)
        other = maps.create_map(owner, maps.GoalDraft("Cut churn"))
        elsewhere = nodes.add_node(owner, other, None, nodes.NodeDraft("Finance leads"))
        stray = _said(owner, TOMAS, "Churn talk", "We left because of the price")
        map_evidence.link_evidence(owner, [stray], elsewhere)
    return {"map": map_id, "actor": actor, "outcome": outcome, "output": output, "quotes": quotes,
            "other": other, "stray": stray}  # fmt: skip


def make_link(client, map_id: int, **fields) -> str:
    """Make a link through the team's form; returns the report's path from the URL shown once."""
    data = {"label": "Leadership review", **fields}
    made = client.post(f"/maps/{map_id}/shares", data=data, follow_redirects=True)
    assert made.status_code == 200, made.get_data(as_text=True)
    url = re.search(r'id="new-share-url"[^>]*value="([^"]+)"', made.get_data(as_text=True))
    assert url, "the new link's address is shown"
    assert url.group(1).startswith("http://desk.test/shared/")
    return url.group(1).removeprefix("http://desk.test")


def test_a_link_opens_the_whole_report_without_logging_in(app, client, owner, board):
    log_in(client, OWNER)
    path = make_link(client, board["map"], quote_ids=[str(i) for i in board["quotes"][:2]])
    visitor = app.test_client()
    assert visitor.head(path).status_code == 200  # a link checker: nobody read it yet
    page = visitor.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Grow weekly active teams" in html and "Weekly active teams" in html
    assert "<dd>240</dd>" in html and "<dd>1,400</dd>" in html and "30 Jun 2027" in html
    assert "Team admins" in html and "Invite their team in the first week" in html
    outcome = html[html.index("Invite their team in the first week") :]
    assert "anecdote" in outcome and "3 takeaways · 2 people" in outcome
    assert TOMAS_SAID in html and THIRD_SAID not in html  # only the chosen quotes
    experiments = html[html.index('id="experiments-heading"') :]
    assert "Fake door on the members page" in experiments
    assert "invalidated</strong>: Two clicks from 300 visitors." in experiments
    assert "validated</strong>" in experiments
    shipped = html[html.index('id="shipped-heading"') :]
    assert "Bulk invite from a CSV</strong>, shipped" in shipped
    assert utc_now().strftime("%-d %b %Y") in shipped
    # No way into the app from here: the only local address is the stylesheet.
    assert re.findall(r'href="(/[^"]*)"', html) == ["/static/app.css", "/static/print.css"]
    assert 'class="site-header"' not in html and "<form" not in html
    assert f"/maps/{board['map']}" not in html
    listing = client.get(f"/maps/{board['map']}/shares").get_data(as_text=True)
    assert "Leadership review" in listing and 'id="new-share-url"' not in listing  # shown once
    with app.app_context():
        row = db.session.scalar(db.select(MapShare))
        assert row.view_count == 1 and row.last_viewed_at is not None
        assert row.quote_ids == board["quotes"][:2]
        assert path.rsplit("/", 1)[1] not in row.token_hash  # only the hash is kept


def test_names_and_companies_are_hidden_by_default_even_inside_quotes(app, client, owner, board):
    log_in(client, OWNER)
    path = make_link(client, board["map"], quote_ids=[str(i) for i in board["quotes"]])
    html = app.test_client().get(path).get_data(as_text=True)
    for word in (*PRIYA, *TOMAS, "Priya", "Nakamura", "Globex", "Initech", "Tomas"):
        assert word.casefold() not in html.casefold(), word
    assert "A participant" in html
    assert "At [withheld] I added forty people one by one, [withheld] doing it by hand" in html


def test_names_the_team_wrote_on_the_map_are_withheld_too(app, client, owner, board):
    # The team writes the way it talks: an actor and a result that name the people.
    with app.app_context():
        nodes.update_node(
            owner,
            board["actor"],
            nodes.NodeDraft(
                "Team admins", description="Tomas Berg at Initech asked for this twice"
            ),
        )
        fake_door = next(
            n.id
            for n in maps.get_tree(owner.workspace_id, board["map"]).nodes()
            if n.title == "Fake door on the members page"
        )
        nodes.update_node(
            owner,
            fake_door,
            nodes.NodeDraft(
                "Fake door on the members page",
                experiment_kind="fake_door",
                status="done",
                result="invalidated",
                result_note="Only Priya clicked it (priya@globex.example).",
            ),
        )
    log_in(client, OWNER)
    hidden = app.test_client().get(make_link(client, board["map"])).get_data(as_text=True)
    shown = app.test_client().get(make_link(client, board["map"], show_names="yes"))

    for word in ("Tomas", "Berg", "Initech", "Priya", "globex"):
        assert word.casefold() not in hidden.casefold(), word
    assert "[withheld] at [withheld] asked for this twice" in hidden
    assert "Only [withheld] clicked it ([withheld])." in hidden
    assert "Tomas Berg at Initech asked for this twice" in shown.get_data(as_text=True)


def test_the_kept_naming_words_follow_every_change_to_who_is_behind_the_map(
    app, client, owner, board
):
    """The words a report withholds are kept between views: a renamed person and a new
    person's evidence each change what is withheld on the next view."""
    log_in(client, OWNER)
    path = make_link(client, board["map"])
    reader = app.test_client()

    def describe_actor(description: str) -> None:
        nodes.update_node(
            owner, board["actor"], nodes.NodeDraft("Team admins", description=description)
        )

    with app.app_context():
        describe_actor("Tomas Berg asked for this twice")
    assert "[withheld] asked for this twice" in reader.get(path).get_data(as_text=True)
    with app.app_context():  # what is served is what was kept
        db.session.execute(
            update(LibraryCount)
            .where(LibraryCount.name == f"naming words of map {board['map']}")
            .values(value=["Team"])
        )
        db.session.commit()
    tampered = reader.get(path).get_data(as_text=True)
    assert "[withheld] admins" in tampered and "Tomas Berg asked" in tampered

    with app.app_context():
        tomas = participants.find_by_email(owner.workspace_id, TOMAS[2])
        participants.update_participant(
            owner, tomas.id, participants.ParticipantDraft(name="Tomasz Bergmann", email=TOMAS[2])
        )
        describe_actor("Tomasz Bergmann asked for this twice")
    html = reader.get(path).get_data(as_text=True)
    assert "Tomasz" not in html and "[withheld] asked for this twice" in html
    assert "Team admins" in html  # the tampered words are gone with the version

    quinn = ("Quinn Okafor", "Hooli", "quinn@hooli.example")
    with app.app_context():
        describe_actor("Quinn Okafor asked too")
        assert "Quinn" in reader.get(path).get_data(as_text=True)  # nobody behind the map yet
        said = _said(owner, quinn, "Invites bounce", "Half my invites bounced")
        map_evidence.link_evidence(owner, [said], board["outcome"])
    assert "[withheld] asked too" in reader.get(path).get_data(as_text=True)


def test_names_and_companies_show_when_the_report_opts_in(app, client, owner, board):
    log_in(client, OWNER)
    path = make_link(
        client, board["map"], show_names="yes", quote_ids=[str(i) for i in board["quotes"]]
    )
    html = app.test_client().get(path).get_data(as_text=True)
    assert "Priya Nakamura, Globex Logistics" in html and "Tomas Berg, Initech" in html
    assert PRIYA_SAID in html
    listing = client.get(f"/maps/{board['map']}/shares").get_data(as_text=True)
    assert "<td>shown</td>" in listing


def test_an_erased_person_is_not_named_even_on_a_report_that_shows_names(app, client, owner, board):
    with app.app_context():
        priya = participants.find_by_email(owner.workspace_id, PRIYA[2])
        privacy.erase(owner, priya.id, confirm_email=PRIYA[2], now=utc_now())
    log_in(client, OWNER)
    path = make_link(
        client, board["map"], show_names="yes", quote_ids=[str(i) for i in board["quotes"]]
    )
    html = app.test_client().get(path).get_data(as_text=True)
    for word in ("Priya", "Nakamura", "Globex"):
        assert word not in html
    assert "Tomas Berg, Initech" in html


def test_revoking_a_link_makes_it_answer_404_at_once(app, client, owner, board):
    log_in(client, OWNER)
    path = make_link(client, board["map"])
    visitor = app.test_client()
    assert visitor.get(path).status_code == 200
    with app.app_context():
        share_id = db.session.scalar(db.select(MapShare.id))
    revoked = client.post(
        f"/maps/{board['map']}/shares/{share_id}/revoke", follow_redirects=True
    ).get_data(as_text=True)
    assert "Report link “Leadership review” revoked" in revoked and "revoked" in revoked
    gone = visitor.get(path)
    assert gone.status_code == 404 and DEAD in gone.get_data(as_text=True)
    assert "Grow weekly active teams" not in gone.get_data(as_text=True)
    assert gone.headers["Cache-Control"] == "no-store"


def test_unknown_revoked_expired_and_deleted_links_all_answer_the_same_404(
    app, client, owner, board
):
    log_in(client, OWNER)
    expired = make_link(
        client, board["map"], label="Expired", expires_on=utc_now().date().isoformat()
    )
    with app.app_context():
        row = db.session.scalar(db.select(MapShare).where(MapShare.label == "Expired"))
        row.expires_at = utc_now() - timedelta(seconds=1)  # the day has ended
        db.session.commit()
    deleted = make_link(client, board["map"], label="Of a deleted map")
    client.post(f"/maps/{board['map']}/delete")
    visitor = app.test_client()
    bodies = set()
    for path in (expired, deleted, "/shared/not-a-real-token", "/shared/" + "x" * 500,
                 "/shared/%C3%A9t%C3%A9"):  # fmt: skip
        response = visitor.get(path)
        assert response.status_code == 404, path
        bodies.add(response.get_data(as_text=True))
    assert len(bodies) == 1 and DEAD in bodies.pop()


def test_a_link_stops_at_the_end_of_its_expiry_day(app, owner, board):
    with app.app_context():
        made = shares.create_share(
            owner, board["map"], shares.ShareDraft("Q3", expires_on="2030-01-31"),
            now=utc_now().replace(year=2030, month=1, day=10),
        )  # fmt: skip
        end = db.session.get(MapShare, made.id).expires_at
        assert (
            shared_report.open_report(made.token, end - timedelta(seconds=1)).tree.id
            == board["map"]
        )
        with pytest.raises(shared_report.ShareNotFound):
            shared_report.open_report(made.token, end)


def test_reports_and_the_share_pages_are_not_cached_indexed_or_referred(app, client, owner, board):
    log_in(client, OWNER)
    path = make_link(client, board["map"])
    for response in (app.test_client().get(path), app.test_client().get("/shared/nope"),
                     client.get(f"/maps/{board['map']}/shares")):  # fmt: skip
        assert response.headers["Cache-Control"] == "no-store"
        assert "noindex" in response.headers["X-Robots-Tag"]
        assert response.headers["Referrer-Policy"] == "no-referrer"
    html = app.test_client().get(path).get_data(as_text=True)
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_the_quotes_start_with_the_first_two_of_each_node_ticked(app, client, owner, board):
    log_in(client, OWNER)
    page = client.get(f"/maps/{board['map']}/shares").get_data(as_text=True)
    ticked = re.findall(r'name="quote_ids" value="(\d+)" checked', page)
    offered = re.findall(r'name="quote_ids" value="(\d+)"', page)
    assert sorted(map(int, offered)) == sorted(board["quotes"])  # not the other map's
    assert len(ticked) == 2 and str(board["stray"]) not in offered
    assert "Share a report" in client.get(f"/maps/{board['map']}").get_data(as_text=True)


def count_links(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(MapShare))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quote_ids": "STRAY"}, "Choose quotes from the evidence on this map only."),
        ({"quote_ids": "abc"}, "Choose quotes from the evidence on this map only."),
        ({"expires_on": "2001-01-01"}, "The expiry day has passed"),
        ({"expires_on": "2099-12-31"}, "Choose an expiry within two years"),
        ({"expires_on": "9999-12-31"}, "The expiry is a day between 2000 and 2100"),
        ({"expires_on": "31/12/2030"}, "The expiry is a day between 2000 and 2100"),
        ({"label": "  "}, "Say who the report is for"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_is_written(
    app, client, owner, board, fields, message
):
    log_in(client, OWNER)
    if fields.get("quote_ids") == "STRAY":
        fields = {"quote_ids": [str(board["quotes"][0]), str(board["stray"])]}
    response = client.post(f"/maps/{board['map']}/shares", data={"label": "Board", **fields})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_links(app) == 0


def test_a_viewer_sees_the_links_but_cannot_make_or_revoke_one(
    app, client, add_member, owner, board
):
    log_in(client, OWNER)
    make_link(client, board["map"])
    client.post("/logout")
    add_member(owner, role=Role.VIEWER, name="Vic Viewer", email="vic@northwind.example")
    log_in(client, "vic@northwind.example")
    listing = client.get(f"/maps/{board['map']}/shares")
    assert listing.status_code == 200
    assert "Leadership review" in listing.get_data(as_text=True)
    assert "Make the link" not in listing.get_data(as_text=True)
    refused = client.post(f"/maps/{board['map']}/shares", data={"label": "Sneaky"})
    assert refused.status_code == 403
    assert "Viewers can read maps but not share them." in refused.get_data(as_text=True)
    with app.app_context():
        share_id = db.session.scalar(db.select(MapShare.id))
    assert client.post(f"/maps/{board['map']}/shares/{share_id}/revoke").status_code == 403
    assert count_links(app) == 1
    with app.app_context():
        assert db.session.get(MapShare, share_id).revoked_at is None


def test_another_workspaces_map_and_links_are_not_found(app, client, make_workspace, owner, board):
    log_in(client, OWNER)
    make_link(client, board["map"])
    with app.app_context():
        share_id = db.session.scalar(db.select(MapShare.id))
    client.post("/logout")
    make_workspace(name="Globex", email="gus@globex.example")
    log_in(client, "gus@globex.example")
    assert client.get(f"/maps/{board['map']}/shares").status_code == 404
    assert client.post(f"/maps/{board['map']}/shares", data={"label": "Mine"}).status_code == 404
    revoke = client.post(f"/maps/{board['map']}/shares/{share_id}/revoke")
    assert revoke.status_code == 404
    with app.app_context():
        assert db.session.get(MapShare, share_id).revoked_at is None
    assert count_links(app) == 1
    # Nor does a link of one map revoke under another map of the same workspace.
    client.post("/logout")
    log_in(client, OWNER)
    assert client.post(f"/maps/{board['other']}/shares/{share_id}/revoke").status_code == 404


def test_a_quote_behind_an_actor_and_its_outcome_shows_once_under_the_outcome(
    app, client, owner, board
):
    with app.app_context():
        map_evidence.link_evidence(owner, [board["quotes"][1]], board["actor"])
    log_in(client, OWNER)
    picker = client.get(f"/maps/{board['map']}/shares").get_data(as_text=True)
    assert picker.count(f'value="{board["quotes"][1]}"') == 1
    path = make_link(client, board["map"], quote_ids=[str(board["quotes"][1])])
    html = app.test_client().get(path).get_data(as_text=True)
    assert html.count(TOMAS_SAID) == 1
    assert html.index("Invite their team in the first week") < html.index(TOMAS_SAID)


def test_guessing_at_report_links_is_rate_limited(make_app, owner):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="3 per minute")
    guesser = limited.test_client()
    visitor = {"REMOTE_ADDR": "203.0.113.77"}
    answers = [guesser.get(f"/shared/guess{n}", environ_base=visitor).status_code for n in range(4)]
    assert answers == [404, 404, 404, 429]
