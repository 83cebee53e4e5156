"""The library's landing (no words, no filter) serves its facet counts from what was
counted before, until a write changes them (issue 24): every write that changes a count
must show on the very next read, whichever path made it, cascades included. The suite
runs once per database: the triggers behind this are written for each."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from interviews.accounts import api_tokens
from interviews.clock import utc_now
from interviews.db import db
from interviews.flows import privacy
from interviews.maps import evidence, nodes
from interviews.maps import service as maps
from interviews.notes import tags, takeaways
from interviews.notes.browse import TakeawayQuery, list_takeaways
from interviews.notes.models import LibraryCount, Takeaway, TakeawaySource, takeaway_tag
from interviews.participants import service as participants
from interviews.scheduling.models import Interview
from interviews.studies import service as studies
from tests.conftest import book_interview, log_in, next_weekday_slot


@pytest.fixture
def auth(app, study):
    with app.app_context():
        _, secret = api_tokens.create_api_token(
            study["dana"].user_id, study["dana"].workspace_id, "library"
        )
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def library(app, client, auth, study):
    """Three takeaways: two from a booked call (tagged), one from support."""
    booked = book_interview(client, next_weekday_slot(10))
    made = [
        client.post("/api/v1/takeaways", json=body, headers=auth).json
        for body in (
            {
                "text": "Re-keys invoices",
                "tags": ["invoicing", "pain"],
                "interview_id": booked["interview_id"],
            },
            {"text": "Wants dark mode", "tags": ["ui"], "interview_id": booked["interview_id"]},
            {"text": "Asks for SSO", "source": "support", "context": "Ticket 12"},
        )
    ]
    landing(client, auth)  # counted and kept: what follows reads the kept counts
    return {"ids": [m["id"] for m in made], "interview_id": booked["interview_id"], **study}


def landing(client, auth) -> dict:
    return client.get("/api/v1/takeaways", headers=auth).json


def evidence_on_map(client, auth, map_id: int) -> dict[int, int]:
    """{node id: takeaways} for the map's actors and outcomes with evidence, from the API."""
    tree = client.get(f"/api/v1/maps/{map_id}", headers=auth).json
    nodes = [(a["id"], a["evidence"]) for a in tree["actors"]]
    nodes += [(o["id"], o["evidence"]) for a in tree["actors"] for o in a["outcomes"]]
    return {node: found["takeaways"] for node, found in nodes if found["takeaways"]}


def home_text(client) -> str:
    """The home page's words, markup taken out."""
    return " ".join(re.sub(r"<[^>]+>", " ", client.get("/").get_data(as_text=True)).split())


def test_the_landing_serves_the_counts_it_kept_and_a_write_brings_fresh_ones(
    app, client, auth, library
):
    with app.app_context():
        # Prove the kept counts are what is served: change them behind the app's back
        # (nothing watches this table), and the landing shows the change.
        kept = db.session.get(LibraryCount, (library["dana"].workspace_id, "facets"))
        assert kept.value["tag"] == {"invoicing": 1, "pain": 1, "ui": 1}
        db.session.execute(
            update(LibraryCount)
            .where(LibraryCount.name == "facets")
            .values(value={**kept.value, "tag": {"kept": 9}})
        )
        db.session.commit()
    assert landing(client, auth)["facets"]["tag"] == {"kept": 9}

    client.post(
        "/api/v1/takeaways",
        json={
            "text": "Exports time out",
            "tags": ["pain"],
            "source": "sales",
            "context": "Acme call",
        },
        headers=auth,
    )

    fresh = landing(client, auth)
    assert fresh["total"] == 4
    assert fresh["facets"]["tag"] == {"pain": 2, "invoicing": 1, "ui": 1}
    assert fresh["facets"]["source"] == {"interview": 2, "support": 1, "sales": 1}
    assert [t["text"] for t in fresh["items"]][0] == "Exports time out"  # newest first


def test_tagging_renaming_merging_and_untagging_show_on_the_next_read(app, client, auth, library):
    dana, (invoice, dark, sso) = library["dana"], library["ids"]
    with app.app_context():
        tags.bulk_tag(dana, [dark, sso], "pain")
    assert landing(client, auth)["facets"]["tag"] == {"pain": 3, "invoicing": 1, "ui": 1}

    with app.app_context():
        ui = next(t for t in tags.list_tags(dana.workspace_id) if t.name == "ui")
        tags.rename_tag(dana, ui.id, "Interface")
    assert landing(client, auth)["facets"]["tag"] == {"pain": 3, "Interface": 1, "invoicing": 1}

    with app.app_context():
        by_name = {t.name: t.id for t in tags.list_tags(dana.workspace_id)}
        tags.merge_tags(dana, [by_name["Interface"]], by_name["invoicing"])
    assert landing(client, auth)["facets"]["tag"] == {"pain": 3, "invoicing": 2}

    with app.app_context():
        tags.bulk_untag(dana, [invoice, dark, sso], "pain")
    assert landing(client, auth)["facets"]["tag"] == {"invoicing": 2}


def test_editing_and_deleting_a_takeaway_show_on_the_next_read(app, client, auth, library):
    dana, (_, dark, sso) = library["dana"], library["ids"]
    with app.app_context():
        takeaways.delete_takeaway(dana, dark)
    after = landing(client, auth)
    assert after["total"] == 2 and after["facets"]["tag"] == {"invoicing": 1, "pain": 1}

    with app.app_context():  # a bulk statement, as an import or a script would write
        db.session.execute(
            update(Takeaway)
            .where(Takeaway.id == sso)
            .values(created_at=utc_now() - timedelta(days=400))
        )
        db.session.commit()
    months = landing(client, auth)["facets"]["month"]
    assert sum(months.values()) == 2 and len(months) == 2


def test_evidence_linked_unlinked_and_a_removed_node_show_on_the_next_read(
    app, client, auth, library
):
    dana, (invoice, _, sso) = library["dana"], library["ids"]
    with app.app_context():
        map_id = maps.create_map(dana, maps.GoalDraft("Grow team accounts"))
        actor = nodes.add_node(dana, map_id, None, nodes.NodeDraft("Finance leads"))
        outcome = nodes.add_node(dana, map_id, actor, nodes.NodeDraft("Close the month faster"))
        evidence.link_evidence(dana, [invoice, sso], actor)
        evidence.link_evidence(dana, [invoice], outcome)
    linked = landing(client, auth)["facets"]
    assert linked["actor"] == {str(actor): 2} and linked["outcome"] == {str(outcome): 1}
    assert evidence_on_map(client, auth, map_id) == {actor: 2, outcome: 1}
    log_in(client, library["dana"].email)
    assert "1 takeaway linked to no map" in home_text(client)

    with app.app_context():
        evidence.unlink_evidence(dana, sso, actor)
    assert landing(client, auth)["facets"]["actor"] == {str(actor): 1}
    assert evidence_on_map(client, auth, map_id) == {actor: 1, outcome: 1}

    with app.app_context():  # the links go by the database's cascade, not by the app
        nodes.delete_node(dana, actor)
    gone = landing(client, auth)["facets"]
    assert gone["actor"] == {} and gone["outcome"] == {}
    assert "3 takeaways linked to no map" in home_text(client)


def test_a_persons_segment_and_an_interviews_study_show_on_the_next_read(
    app, client, auth, library
):
    dana = library["dana"]
    with app.app_context():
        person_id = db.session.get(Interview, library["interview_id"]).participant_id
        person = participants.get_participant(dana.workspace_id, person_id)
        participants.update_participant(
            dana,
            person_id,
            participants.ParticipantDraft(name=person.name, email=person.email, segment="smb"),
        )
    assert landing(client, auth)["facets"]["segment"] == {"smb": 2}

    with app.app_context():
        other = studies.create_study(
            dana,
            studies.StudyDraft(
                title="Northwind interview about exports", host_user_id=dana.user_id
            ),
        )
        db.session.execute(
            update(Interview)
            .where(Interview.id == library["interview_id"])
            .values(study_id=other.id)
        )
        db.session.commit()
    assert landing(client, auth)["facets"]["study"] == {str(other.id): 2}

    with app.app_context():
        privacy.erase(dana, person_id, confirm_email=person.email, now=utc_now())
    assert landing(client, auth)["facets"]["segment"] == {}


def test_rows_removed_by_a_bulk_statement_show_on_the_next_read(app, client, auth, library):
    with app.app_context():
        db.session.execute(delete(takeaway_tag))
        db.session.commit()
    assert landing(client, auth)["facets"]["tag"] == {}


def test_a_read_inside_an_unfinished_write_keeps_nothing_and_commits_nothing(
    app, client, auth, library
):
    dana = library["dana"]
    with app.app_context():
        now = utc_now()
        db.session.add(
            Takeaway(
                workspace_id=dana.workspace_id,
                text="Not saved after all",
                source=TakeawaySource.SALES,
                created_at=now,
                updated_at=now,
            )
        )
        db.session.flush()  # a use case half-way: its own reads see the new row
        assert list_takeaways(dana.workspace_id, TakeawayQuery()).total == 4
        db.session.rollback()  # ...and then it fails

    after = landing(client, auth)
    assert after["total"] == 3 and "sales" not in after["facets"]["source"]


def test_one_facet_clicked_keeps_its_own_counts_until_a_write_changes_them(
    app, client, auth, library
):
    dana, (_, _, sso) = library["dana"], library["ids"]

    def filtered(query: str) -> dict:
        return client.get(f"/api/v1/takeaways?{query}", headers=auth).json

    pain = filtered("tag=pain")
    assert pain["total"] == 1 and pain["facets"]["tag"] == {"invoicing": 1, "pain": 1}
    assert filtered("source=support")["facets"]["tag"] == {}

    with app.app_context():
        tags.bulk_tag(dana, [sso], "pain")
    pain = filtered("tag=pain")
    assert pain["total"] == 2 and pain["facets"]["source"] == {"interview": 1, "support": 1}
    assert [t["text"] for t in pain["items"]] == ["Asks for SSO", "Re-keys invoices"]
    assert filtered("source=support")["facets"]["tag"] == {"pain": 1}

    with app.app_context():
        takeaways.delete_takeaway(dana, sso)
        kept = set(db.session.scalars(select(LibraryCount.name)))
    assert filtered("source=support")["total"] == 0 and filtered("tag=pain")["total"] == 1
    assert {"facets", "facets?source=support"} <= kept
    assert any(name.startswith("facets?tag=") for name in kept)
    # Two filters at once are counted every time, never kept.
    assert filtered("tag=pain&source=interview")["total"] == 1
    with app.app_context():
        assert set(db.session.scalars(select(LibraryCount.name))) == kept
