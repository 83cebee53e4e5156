"""From a map back to people: "find people like this" for an actor, personal invites
from it, and closing the loop when an output ships."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest

from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.db import db
from interviews.flows import privacy
from interviews.maps import evidence as map_evidence
from interviews.maps import loop as closing
from interviews.maps import nodes
from interviews.maps import service as maps
from interviews.maps.models import LoopNote
from interviews.notes import takeaways
from interviews.participants import service as participants
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies.models import Study, StudyStatus
from tests.conftest import book_interview, log_in, next_weekday_slot, started_minutes_ago


def person(app, owner, name, email, segment="", **attributes):
    with app.app_context():
        return participants.create_participant(
            owner,
            participants.ParticipantDraft(
                name=name,
                email=email,
                company=f"{name.split()[1]} GmbH",
                segment=segment,
                attributes=tuple(attributes.items()),
            ),
        ).id


@pytest.fixture
def panel(app, client, study):
    """Dana's map with the actor "Enterprise team admins" (segment enterprise, plan
    team), an outcome and an output under it, and a panel some of whom match."""
    dana = study["dana"]
    ids = {
        "mei": person(app, dana, "Mei Lin", "mei@northbank.example", "enterprise", plan="Team"),
        "jonas": person(app, dana, "Jonas Weber", "jonas@acme.example", "Enterprise ", plan="team"),
        "ola": person(app, dana, "Ola Berg", "ola@fjord.example", "enterprise", plan="pro"),
        "kim": person(app, dana, "Kim Park", "kim@small.example", "smb", plan="team"),
        "dora": person(app, dana, "Dora Quist", "dora@quiet.example", "enterprise", plan="team"),
        "erin": person(app, dana, "Erin Gone", "erin@gone.example", "enterprise", plan="team"),
    }
    # Cole was interviewed ten days ago: inside the study's 90-day cooldown.
    booking = book_interview(
        client, next_weekday_slot(10), email="cole@late.example", name="Cole Vance"
    )
    started_minutes_ago(app, booking["interview_id"], 60 * 24 * 10)
    with app.app_context():
        interview = db.session.get(Interview, booking["interview_id"])
        interview.status = InterviewStatus.COMPLETED
        db.session.commit()
        ids["cole"] = interview.participant_id
        participants.update_participant(
            dana,
            ids["cole"],
            participants.ParticipantDraft(
                name="Cole Vance", email="cole@late.example", segment="enterprise",
                attributes=(("plan", "TEAM"), ("tenure", "2 years")),
            ),
        )  # fmt: skip
        participants.set_do_not_contact(dana, ids["dora"], True)
        map_id = maps.create_map(dana, maps.GoalDraft(statement="Grow weekly active teams"))
        actor = nodes.add_node(
            dana,
            map_id,
            None,
            nodes.NodeDraft(
                title="Enterprise team admins", segment_rule="segment: enterprise, plan: team"
            ),
        )
        bare = nodes.add_node(dana, map_id, None, nodes.NodeDraft(title="Finance teams"))
        outcome = nodes.add_node(dana, map_id, actor, nodes.NodeDraft(title="Export reports alone"))
        output = nodes.add_node(dana, map_id, outcome, nodes.NodeDraft(title="Bulk export"))
        study_id = db.session.scalar(db.select(Study.id).filter_by(slug="dashboards"))
        cole_interview = booking["interview_id"]
    return {
        **study,
        "ids": ids,
        "map_id": map_id,
        "actor": actor,
        "bare": bare,
        "outcome": outcome,
        "output": output,
        "study_id": study_id,
        "cole_interview": cole_interview,
    }


def erase(app, owner, participant_id, email):
    with app.app_context():
        privacy.erase(owner, participant_id, confirm_email=email, now=utc_now())


def rows(page: str) -> dict[int, str]:
    """The people table's rows by participant id."""
    return {
        int(pid): row for pid, row in re.findall(r'<tr id="person-(\d+)">(.*?)</tr>', page, re.S)
    }


def invites_sent(sent_mail) -> list:
    return [m for m in sent_mail() if m.kind == "participant_invite"]


# --- find people like this ----------------------------------------------------------------


def test_find_people_lists_exactly_the_panel_the_actors_rule_describes(app, client, panel):
    erase(app, panel["dana"], panel["ids"]["erin"], "erin@gone.example")
    log_in(client, panel["dana"].email)

    response = client.get(f"/maps/nodes/{panel['actor']}/people")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    ids = panel["ids"]
    listed = rows(page)
    assert set(listed) == {ids["mei"], ids["jonas"], ids["dora"], ids["cole"]}
    names = re.findall(
        r'<tr id="person-\d+">\s*<td>.*?<a href="/participants/\d+">(.*?)</a>', page, re.S
    )
    assert names == ["Cole Vance", "Dora Quist", "Jonas Weber", "Mei Lin"]
    assert "Erased participant" not in page and "Ola Berg" not in page and "Kim Park" not in page
    checkbox = 'name="participant_ids" value="{}"'
    for name in ("mei", "jonas", "cole"):
        assert checkbox.format(ids[name]) in listed[ids[name]], name
    # Someone who asked not to be contacted is shown, marked, and cannot be chosen.
    assert checkbox.format(ids["dora"]) not in page
    assert "do not contact" in listed[ids["dora"]]
    assert "within cooldown" in listed[ids["cole"]]
    last_talk = (utc_now() - timedelta(days=10)).strftime("%-d %b %Y")
    assert last_talk in listed[ids["cole"]] and "never" in listed[ids["mei"]]
    assert "plan: Team" in listed[ids["mei"]] and "segment: Enterprise" in listed[ids["jonas"]]
    assert "segment is enterprise and plan is team" in page


def test_an_actor_without_a_rule_finds_nobody_and_says_to_set_one(client, panel):
    log_in(client, panel["dana"].email)

    page = client.get(f"/maps/nodes/{panel['bare']}/people").get_data(as_text=True)

    assert "Set a rule on the actor first" in page
    assert rows(page) == {}
    assert client.get(f"/maps/nodes/{panel['outcome']}/people").status_code == 422


def test_inviting_sends_one_invite_each_and_skips_the_cooldown_unless_confirmed(
    client, panel, sent_mail
):
    log_in(client, panel["dana"].email)
    ids = panel["ids"]
    chosen = [ids["mei"], ids["jonas"], ids["cole"], ids["dora"]]

    response = client.post(
        f"/maps/nodes/{panel['actor']}/people/invite",
        data={
            "study_id": panel["study_id"],
            "participant_ids": [str(i) for i in chosen],
            "note": "You told us about exports last year.",
        },
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    sent = invites_sent(sent_mail)
    assert sorted(m.recipient for m in sent) == ["jonas@acme.example", "mei@northbank.example"]
    assert all(m.sender_name == "Dana Reyes" and m.reply_to == panel["dana"].email for m in sent)
    assert all("You told us about exports last year." in m.text_body for m in sent)
    assert "Invited 2 people, each with a personal booking link: Mei Lin, Jonas Weber." in page
    assert "they asked not to be contacted: Dora Quist." in page
    assert "interviewed within the study&#39;s cooldown: Cole Vance." in page

    anyway = client.post(
        f"/maps/nodes/{panel['actor']}/people/invite",
        data={
            "study_id": panel["study_id"],
            "participant_ids": [str(ids["cole"])],
            "despite_cooldown": "1",
        },
        follow_redirects=True,
    )

    assert "Invited 1 person" in anyway.get_data(as_text=True)
    assert [m.recipient for m in invites_sent(sent_mail)][2:] == ["cole@late.example"]


def test_nobody_is_invited_to_a_study_that_is_not_open_or_by_a_viewer(
    app, client, panel, sent_mail, add_member
):
    vic = add_member(panel["dana"], role=Role.VIEWER, name="Vic Viewer")
    log_in(client, vic.email)
    data = {"study_id": panel["study_id"], "participant_ids": [str(panel["ids"]["mei"])]}
    page = client.get(f"/maps/nodes/{panel['actor']}/people").get_data(as_text=True)
    assert "Mei Lin" in page and "Send personal invites" not in page
    assert client.post(f"/maps/nodes/{panel['actor']}/people/invite", data=data).status_code == 403
    client.post("/logout")
    log_in(client, panel["dana"].email)
    with app.app_context():
        db.session.get(Study, panel["study_id"]).status = StudyStatus.CLOSED
        db.session.commit()

    closed = client.post(f"/maps/nodes/{panel['actor']}/people/invite", data=data)

    assert closed.status_code == 409
    assert "Publish the study first" in closed.get_data(as_text=True)
    nobody = client.post(
        f"/maps/nodes/{panel['actor']}/people/invite", data={"study_id": panel["study_id"]}
    )
    assert nobody.status_code == 422
    assert invites_sent(sent_mail) == []


# --- close the loop ---------------------------------------------------------------------


@pytest.fixture
def evidence(app, panel):
    """Takeaways behind "Bulk export": Mei's, Jonas's, Cole's (from his interview),
    Dora's (do not contact), Erin's (erased later) and one from sales with no person."""
    dana = panel["dana"]
    with app.app_context():

        def said(text, quote="", email=None, **fields):
            draft = takeaways.TakeawayDraft(
                text=text, quote=quote, source=fields.pop("source", "support"),
                participant_email=email, **fields,
            )  # fmt: skip
            return takeaways.add_takeaway(dana, draft).id

        found = [
            said("Exports every Monday by hand", "I copy the numbers into a spreadsheet", "mei@northbank.example"),
            said("Needs exports for the board", email="jonas@acme.example"),
            said("Board pack takes a day", "It takes me a whole day", source="interview", interview_id=panel["cole_interview"]),
            said("Wants CSV", email="dora@quiet.example"),
            said("Exports break on big files", email="erin@gone.example"),
            said("Three prospects asked for bulk export", context="Sales call notes, March"),
        ]  # fmt: skip
        map_evidence.link_evidence(dana, found, panel["output"])
    erase(app, dana, panel["ids"]["erin"], "erin@gone.example")
    return found


def ship(app, panel):
    with app.app_context():
        for status in ("planned", "building", "shipped"):
            nodes.update_node(
                panel["dana"], panel["output"], nodes.NodeDraft(title="Bulk export", status=status)
            )


def loop_url(panel, send=False):
    return f"/maps/nodes/{panel['output']}/loop" + ("/send" if send else "")


def test_an_output_not_shipped_yet_lists_its_people_but_offers_no_form(
    client, panel, evidence, sent_mail
):
    log_in(client, panel["dana"].email)

    page = client.get(loop_url(panel)).get_data(as_text=True)

    assert "This output is not shipped yet (it is idea)" in page
    assert "Mei Lin" in page and "I copy the numbers into a spreadsheet" in page
    assert loop_url(panel, send=True) not in page and "<textarea" not in page
    refused = client.post(
        loop_url(panel, send=True),
        data={
            "participant_ids": [str(panel["ids"]["mei"])],
            f"subject_{panel['ids']['mei']}": "It shipped",
            f"body_{panel['ids']['mei']}": "Hi Mei",
        },
    )
    assert refused.status_code == 409 and "Mark the output shipped first" in refused.get_data(
        as_text=True
    )
    assert [m for m in sent_mail() if m.kind == "loop_note"] == []
    assert client.get(f"/maps/nodes/{panel['actor']}/loop").status_code == 422


def test_closing_the_loop_tells_each_person_once_in_the_pms_words(
    app, client, panel, evidence, sent_mail
):
    ship(app, panel)
    log_in(client, panel["dana"].email)
    ids = panel["ids"]

    page = client.get(loop_url(panel)).get_data(as_text=True)

    people = re.findall(r'<article class="card" id="person-(\d+)">', page)
    assert [int(p) for p in people] == [ids["cole"], ids["dora"], ids["jonas"], ids["mei"]]
    assert "Erased participant" not in page and "Exports break on big files" not in page
    assert "2 takeaways behind it are from people no longer on the panel" in page
    assert f'name="participant_ids" value="{ids["dora"]}"' not in page
    mei_subject = f'name="subject_{ids["mei"]}" value="You asked, we built it: Bulk export"'
    assert mei_subject in page
    this_month = utc_now().strftime("%B %Y")
    assert (
        f"Hi Mei,\n\nWhen we talked in {this_month}, you told us: “I copy the numbers into a "
        "spreadsheet”. That stuck with us." in page.replace("&#34;", '"')
    )
    cole_month = (utc_now() - timedelta(days=10)).strftime("%B %Y")
    assert f"When we talked in {cole_month}, you told us: “It takes me a whole day”" in page
    assert page.count("Dana Reyes</textarea>") == 3

    sent = client.post(
        loop_url(panel, send=True),
        data={
            "participant_ids": [str(ids["mei"]), str(ids["jonas"])],
            f"subject_{ids['mei']}": "Bulk export is live",
            f"body_{ids['mei']}": "Hi Mei,\n\nThe Monday spreadsheet is gone: <b>bulk export</b> is live.\n\nDana",
            f"subject_{ids['jonas']}": "You asked, we built it: Bulk export",
            f"body_{ids['jonas']}": "Hi Jonas,\n\nYour board pack is one click now.\n\nDana",
        },
        follow_redirects=True,
    )

    assert "Told 2 people: Mei Lin, Jonas Weber." in sent.get_data(as_text=True)
    notes = {m.recipient: m for m in sent_mail() if m.kind == "loop_note"}
    assert set(notes) == {"mei@northbank.example", "jonas@acme.example"}
    mei = notes["mei@northbank.example"]
    assert mei.subject == "Bulk export is live"
    assert mei.sender_name == "Dana Reyes" and mei.reply_to == panel["dana"].email
    assert "The Monday spreadsheet is gone: <b>bulk export</b> is live." in mei.text_body
    assert "&lt;b&gt;bulk export&lt;/b&gt;" in mei.html_body and "<b>bulk" not in mei.html_body
    assert mei.status == "sent"
    today = utc_now().strftime("%-d %b %Y")
    after = client.get(loop_url(panel)).get_data(as_text=True)
    told = re.findall(r"Told by Dana Reyes on\s*<time[^>]*>(.*?)</time>", after)
    assert told == [today, today]
    assert f'name="participant_ids" value="{ids["mei"]}"' not in after

    again = client.post(
        loop_url(panel, send=True),
        data={
            "participant_ids": [str(ids["mei"])],
            f"subject_{ids['mei']}": "Bulk export is live",
            f"body_{ids['mei']}": "Hi again",
        },
        follow_redirects=True,
    )

    assert "Already told, nothing sent again: Mei Lin." in again.get_data(as_text=True)
    assert len([m for m in sent_mail() if m.kind == "loop_note"]) == 2


def test_a_colleague_telling_them_at_the_same_moment_sends_nothing_twice(
    app, client, panel, evidence, sent_mail, monkeypatch
):
    ship(app, panel)
    log_in(client, panel["dana"].email)
    mei = panel["ids"]["mei"]
    data = {"participant_ids": [str(mei)], f"subject_{mei}": "Live", f"body_{mei}": "Hi Mei"}
    assert client.post(loop_url(panel, send=True), data=data).status_code == 302
    # The next send reads "nobody told yet" once, as a request racing the first would.
    real, calls = closing.told_in, []

    def stale(workspace_id, node_id):
        calls.append(node_id)
        return {} if len(calls) == 1 else real(workspace_id, node_id)

    monkeypatch.setattr(closing, "told_in", stale)

    raced = client.post(loop_url(panel, send=True), data=data, follow_redirects=True)

    assert raced.status_code == 200 and len(calls) == 3  # the stale read, the retry, the page
    assert "Already told, nothing sent again: Mei Lin." in raced.get_data(as_text=True)
    assert len([m for m in sent_mail() if m.kind == "loop_note"]) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LoopNote)) == 1


def test_an_over_long_note_is_refused_and_nothing_is_sent(app, client, panel, evidence, sent_mail):
    ship(app, panel)
    log_in(client, panel["dana"].email)
    ids = panel["ids"]

    response = client.post(
        loop_url(panel, send=True),
        data={
            "participant_ids": [str(ids["mei"]), str(ids["jonas"])],
            f"subject_{ids['mei']}": "Live",
            f"body_{ids['mei']}": "Hi Mei, it is live.",
            f"subject_{ids['jonas']}": "Live",
            f"body_{ids['jonas']}": "x" * 5001,
        },
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Keep the note under 5,000 characters (this one has 5,001)." in page
    assert "Hi Mei, it is live." in page  # what was typed stays on the form
    assert [m for m in sent_mail() if m.kind == "loop_note"] == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LoopNote)) == 0
    empty = client.post(
        loop_url(panel, send=True),
        data={
            "participant_ids": [str(ids["mei"])],
            f"subject_{ids['mei']}": "",
            f"body_{ids['mei']}": "Hi",
        },
    )
    assert empty.status_code == 422 and "Give every note a subject." in empty.get_data(as_text=True)
    stranger = client.post(
        loop_url(panel, send=True),
        data={
            "participant_ids": [str(ids["ola"])],
            f"subject_{ids['ola']}": "Hi",
            f"body_{ids['ola']}": "Hi",
        },
    )
    assert stranger.status_code == 422
    assert [m for m in sent_mail() if m.kind == "loop_note"] == []


def test_a_viewer_sees_who_was_told_but_cannot_send(
    app, client, panel, evidence, add_member, sent_mail
):
    ship(app, panel)
    vic = add_member(panel["dana"], role=Role.VIEWER, name="Vic Viewer")
    log_in(client, vic.email)
    mei = panel["ids"]["mei"]

    page = client.get(loop_url(panel)).get_data(as_text=True)

    assert "Mei Lin" in page and "<textarea" not in page
    response = client.post(
        loop_url(panel, send=True),
        data={"participant_ids": [str(mei)], f"subject_{mei}": "Hi", f"body_{mei}": "Hi"},
    )
    assert response.status_code == 403
    assert [m for m in sent_mail() if m.kind == "loop_note"] == []


def tell_mei(app, client, panel, body: str) -> int:
    """Ship the output and send Mei a loop note with ``body``; returns her id."""
    ship(app, panel)
    log_in(client, panel["dana"].email)
    mei = panel["ids"]["mei"]
    response = client.post(
        loop_url(panel, send=True),
        data={"participant_ids": [str(mei)], f"subject_{mei}": "It shipped", f"body_{mei}": body},
    )
    assert response.status_code == 302
    return mei


def test_erasing_someone_who_was_told_keeps_that_someone_was_told_but_not_who(
    app, client, panel, evidence, sent_mail
):
    mei = tell_mei(
        app, client, panel, "Hi Mei Lin, you said: I copy the numbers into a spreadsheet."
    )
    erase(app, panel["dana"], mei, "mei@northbank.example")
    with app.app_context():
        (note,) = db.session.scalars(db.select(LoopNote)).all()
        assert note.participant_id is None
        assert "Mei" not in note.body and "[erased]" in note.body
    assert not [m for m in sent_mail() if m.recipient == "mei@northbank.example"]


def test_a_persons_data_export_lists_the_notes_they_were_sent_when_it_shipped(
    app, client, panel, evidence
):
    mei = tell_mei(app, client, panel, "Hi Mei, bulk export is out.")
    response = client.get(f"/participants/{mei}/export")
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("participant.json"))
    [told] = data["told_when_shipped"]
    assert (told["output"], told["subject"], told["body"]) == (
        "Bulk export",
        "It shipped",
        "Hi Mei, bulk export is out.",
    )
    assert told["sent_by"] == panel["dana"].name
    jonas = json.loads(
        zipfile.ZipFile(
            io.BytesIO(client.get(f"/participants/{panel['ids']['jonas']}/export").data)
        ).read("participant.json")
    )
    assert jonas["told_when_shipped"] == []  # not told: nothing of Mei's in his
