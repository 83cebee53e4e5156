"""Team API of compensation: the payout queue, marking a reward sent, budgets, the offer."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from interviews.accounts import api_tokens
from interviews.accounts import service as accounts
from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.compensation.models import Reward
from interviews.db import db
from interviews.studies.models import Study
from tests.conftest import (
    book_interview,
    give_offer,
    log_in,
    next_weekday_slot,
    started_minutes_ago,
)


def token_of(app, member: accounts.Member) -> dict[str, str]:
    with app.app_context():
        _, secret = api_tokens.create_api_token(member.user_id, member.workspace_id, "finance")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def auth(app, study) -> dict[str, str]:
    """The study owner's (Dana's) API token."""
    return token_of(app, study["dana"])


def study_id(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Study.id).filter_by(slug="dashboards"))


def offer(app, owner, kind="gift_card", amount="19.99", currency="USD", text="") -> None:
    give_offer(app, owner, kind, amount, currency, text)


def book(client, hour: int, email: str) -> int:
    return book_interview(client, next_weekday_slot(hour), email=email)["interview_id"]


def complete(app, client, auth, interview_id: int) -> None:
    """Say through the API that the interview took place (it started 50 minutes ago)."""
    started_minutes_ago(app, interview_id, 50)
    response = client.post(
        f"/api/v1/interviews/{interview_id}/attendance", json={"status": "completed"}, headers=auth
    )
    assert response.status_code == 200, response.json


def participant_of(client, auth, interview_id: int) -> int:
    listed = client.get("/api/v1/interviews", headers=auth).json["items"]
    return next(i["participant"]["id"] for i in listed if i["id"] == interview_id)


def owed_since(app, interview_id: int, days: int) -> None:
    """Backdate an interview's reward: it has been owed for that many days."""
    with app.app_context():
        reward = db.session.scalar(db.select(Reward).filter_by(interview_id=interview_id))
        reward.owed_at = utc_now() - timedelta(days=days)
        db.session.commit()


def owed_queue(client, auth) -> list[dict]:
    response = client.get("/api/v1/rewards?status=owed", headers=auth)
    assert response.status_code == 200, response.json
    return response.json["items"]


@pytest.fixture
def two_owed(app, client, study, auth) -> dict[str, int]:
    """Ana's interview owes the study's $19.99; Ben's, completed later, owes his own
    ¥3000 but has been owed for five days. Returns the interview ids by name."""
    offer(app, study["dana"])
    ana = book(client, 10, "ana@customer.example")
    ben = book(client, 13, "ben@customer.example")
    log_in(client, study["dana"].email)
    response = client.post(
        f"/participants/{participant_of(client, auth, ben)}/offers",
        data={"study_id": study_id(app), "kind": "gift_card", "amount": "3000", "currency": "JPY"},
    )
    assert response.status_code == 302
    complete(app, client, auth, ana)
    complete(app, client, auth, ben)
    owed_since(app, ben, 5)
    return {"ana": ana, "ben": ben}


def test_owed_rewards_list_oldest_first_with_exact_amounts_in_their_currencies(
    client, auth, two_owed
):
    body = client.get("/api/v1/rewards?status=owed", headers=auth).json

    assert body["total"] == 2
    assert body["facets"]["status"] == {
        "owed": 2,
        "sent": 0,
        "declined": 0,
        "donated": 0,
        "withdrawn": 0,
    }
    ben, ana = body["items"]
    assert ben["interview_id"] == two_owed["ben"]  # owed five days ago: first in the queue
    assert (ben["amount"], ben["currency"], ben["kind"]) == ("3000", "JPY", "gift_card")
    assert (ana["amount"], ana["currency"]) == ("19.99", "USD")
    assert ben["overdue"] is True and ana["overdue"] is False
    assert ana["status"] == "owed" and ana["settled_at"] is None and ana["granted"] is False
    assert ana["method"] == "" and ana["note"] == ""
    owed_at = datetime.fromisoformat(ana["owed_at"])
    assert owed_at.utcoffset() == timedelta(0)
    assert abs(utc_now() - owed_at) < timedelta(minutes=5)
    assert datetime.fromisoformat(ben["owed_at"]) < owed_at - timedelta(days=4)
    identity = {"id", "interview_id", "participant_id", "study_id", "kind", "amount", "currency"}
    state = {"status", "granted", "method", "note", "owed_at", "settled_at", "overdue"}
    assert set(ana) == identity | state


def test_a_page_of_the_queue_holds_limit_rewards_from_offset(client, auth, two_owed):
    first = client.get("/api/v1/rewards?status=owed&limit=1", headers=auth).json
    second = client.get("/api/v1/rewards?status=owed&limit=1&offset=1", headers=auth).json

    assert [r["interview_id"] for r in first["items"]] == [two_owed["ben"]]
    assert [r["interview_id"] for r in second["items"]] == [two_owed["ana"]]
    assert first["total"] == second["total"] == 2


def test_mark_sent_settles_once_tells_the_interviewee_and_a_second_call_is_409(
    client, auth, two_owed, sent_mail
):
    ana = next(r for r in owed_queue(client, auth) if r["interview_id"] == two_owed["ana"])

    response = client.post(
        f"/api/v1/rewards/{ana['id']}/sent",
        json={"method": "AMZN-GIFT-7731-QX", "note": "Look for a message from Amazon."},
        headers=auth,
    )

    assert response.status_code == 200, response.json
    sent = response.json
    assert (sent["id"], sent["status"], sent["amount"]) == (ana["id"], "sent", "19.99")
    assert sent["method"] == "••••••••••••1-QX"  # the code itself never comes back
    assert sent["note"] == "Look for a message from Amazon."
    assert datetime.fromisoformat(sent["settled_at"]) >= datetime.fromisoformat(sent["owed_at"])
    [mail] = [m for m in sent_mail() if m.kind == "reward_sent"]
    assert mail.recipient == "ana@customer.example"
    assert "is on its way: $19.99 as a gift card." in mail.text_body
    assert "Look for a message from Amazon." in mail.text_body
    assert "AMZN" not in mail.text_body
    assert [r["interview_id"] for r in owed_queue(client, auth)] == [two_owed["ben"]]
    listed = client.get("/api/v1/rewards?status=sent", headers=auth).json
    assert [r["id"] for r in listed["items"]] == [ana["id"]]

    again = client.post(f"/api/v1/rewards/{ana['id']}/sent", headers=auth)

    assert again.status_code == 409
    assert again.json["error"]["code"] == "not_owed"
    assert "sent cannot be marked sent" in again.json["error"]["message"]
    assert len([m for m in sent_mail() if m.kind == "reward_sent"]) == 1


def test_the_status_filter_shows_only_that_state_and_no_filter_shows_all(client, auth, two_owed):
    ana = next(r for r in owed_queue(client, auth) if r["interview_id"] == two_owed["ana"])
    client.post(f"/api/v1/rewards/{ana['id']}/sent", headers=auth)

    def interviews(query: str) -> list[int]:
        return [r["interview_id"] for r in client.get(query, headers=auth).json["items"]]

    assert interviews("/api/v1/rewards?status=sent") == [two_owed["ana"]]
    assert interviews("/api/v1/rewards?status=owed") == [two_owed["ben"]]
    assert interviews("/api/v1/rewards?status=declined") == []
    assert sorted(interviews("/api/v1/rewards")) == sorted(two_owed.values())
    assert interviews(f"/api/v1/rewards?study_id={ana['study_id']}&status=sent") == [
        two_owed["ana"]
    ]
    assert interviews(f"/api/v1/rewards?study_id={ana['study_id'] + 1}") == []


def test_another_workspaces_reward_is_not_found_and_stays_owed(
    app, client, auth, two_owed, make_workspace, sent_mail
):
    theirs = token_of(app, make_workspace(name="Elsewhere"))
    [ben, ana] = owed_queue(client, auth)

    response = client.post(f"/api/v1/rewards/{ana['id']}/sent", json={}, headers=theirs)

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert client.get("/api/v1/rewards", headers=theirs).json["items"] == []
    assert [r["id"] for r in owed_queue(client, auth)] == [ben["id"], ana["id"]]
    assert not [m for m in sent_mail() if m.kind == "reward_sent"]
    assert client.post("/api/v1/rewards/999999/sent", headers=auth).status_code == 404


def test_a_viewer_reads_the_queue_but_cannot_mark_a_reward_sent(
    app, client, study, auth, two_owed, add_member, sent_mail
):
    viewer = token_of(app, add_member(study["dana"], role=Role.VIEWER, name="Vic Viewer"))
    [ben, ana] = owed_queue(client, viewer)

    response = client.post(f"/api/v1/rewards/{ana['id']}/sent", json={}, headers=viewer)

    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert [r["status"] for r in owed_queue(client, auth)] == ["owed", "owed"]
    assert not [m for m in sent_mail() if m.kind == "reward_sent"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=201", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("status=paid", "status"),
        ("status=", "status"),
        ("study_id=abc", "study_id"),
    ],
)
def test_a_bad_list_parameter_is_a_422_naming_it(client, auth, study, query, field):
    response = client.get(f"/api/v1/rewards?{query}", headers=auth)

    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_input"
    assert field in response.json["error"]["message"]


def test_two_hundred_is_the_largest_page(client, auth, study):
    assert client.get("/api/v1/rewards?limit=200", headers=auth).json == {
        "items": [],
        "total": 0,
        "facets": {
            "status": dict.fromkeys(["owed", "sent", "declined", "donated", "withdrawn"], 0)
        },
    }


@pytest.mark.parametrize(
    "body",
    [
        ["not", "an", "object"],
        "sent",
        {"method": 7},
        {"note": None},
        {"method": "x" * 501},
        {"note": "x" * 1001},
        {"method": "AB\x00CD"},
    ],
)
def test_a_bad_mark_sent_body_is_a_422_and_the_reward_stays_owed(
    client, auth, two_owed, sent_mail, body
):
    ana = next(r for r in owed_queue(client, auth) if r["interview_id"] == two_owed["ana"])

    response = client.post(f"/api/v1/rewards/{ana['id']}/sent", json=body, headers=auth)

    assert response.status_code == 422
    # A NUL is refused by the one text guard every request passes, before the API.
    holds_nul = isinstance(body, dict) and any("\x00" in str(v) for v in body.values())
    expected = "invalid_text" if holds_nul else "invalid_input"
    assert response.json["error"]["code"] == expected
    assert [r["status"] for r in owed_queue(client, auth)] == ["owed", "owed"]
    assert not [m for m in sent_mail() if m.kind == "reward_sent"]


def test_budgets_show_allocated_committed_owed_paid_and_remaining_per_currency(
    app, client, study, auth
):
    offer(app, study["dana"], amount="20")
    ana, ben = book(client, 10, "ana@customer.example"), book(client, 13, "ben@customer.example")
    complete(app, client, auth, ana)
    complete(app, client, auth, ben)
    paid = next(r for r in owed_queue(client, auth) if r["interview_id"] == ana)
    client.post(f"/api/v1/rewards/{paid['id']}/sent", headers=auth)
    book(client, 15, "cy@customer.example")  # booked: its $20 is committed
    log_in(client, study["dana"].email)
    sid = study_id(app)
    for scope, currency, amount in ((sid, "USD", "100"), ("", "EUR", "50")):
        response = client.post(
            "/budgets", data={"study_id": scope, "currency": currency, "amount": amount}
        )
        assert response.status_code == 302

    body = client.get("/api/v1/budgets", headers=auth).json

    assert body["workspace"] == [
        {
            "currency": "EUR",
            "allocated": "50.00",
            "committed": "0.00",
            "owed": "0.00",
            "paid": "0.00",
            "remaining": "50.00",
        },
        {
            "currency": "USD",
            "allocated": None,
            "committed": "20.00",
            "owed": "20.00",
            "paid": "20.00",
            "remaining": None,
        },
    ]
    assert body["studies"] == [
        {
            "study_id": sid,
            "title": "Northwind product interview about dashboards",
            "paused": "New bookings are paused: the workspace's budget has no USD for a "
            "$20.00 reward.",
            "lines": [
                {
                    "currency": "USD",
                    "allocated": "100.00",
                    "committed": "20.00",
                    "owed": "20.00",
                    "paid": "20.00",
                    "remaining": "40.00",
                }
            ],
        }
    ]


def test_budgets_of_a_workspace_without_any_say_no_study_is_paused(client, auth, study, app):
    body = client.get("/api/v1/budgets", headers=auth).json

    assert body == {
        "workspace": [],
        "studies": [
            {
                "study_id": study_id(app),
                "title": "Northwind product interview about dashboards",
                "paused": None,
                "lines": [],
            }
        ],
    }


def test_the_study_carries_its_offer_with_an_exact_amount(app, client, study, auth):
    sid = study_id(app)
    before = client.get(f"/api/v1/studies/{sid}", headers=auth).json["reward"]
    assert before == {
        "text": "a $20 gift card",
        "kind": "none",
        "amount": None,
        "currency": None,
        "description": "a $20 gift card",
    }

    offer(app, study["dana"], kind="product_credit", amount="1500", currency="JPY", text="Pro")

    after = client.get(f"/api/v1/studies/{sid}", headers=auth).json["reward"]
    assert after == {
        "text": "Pro",
        "kind": "product_credit",
        "amount": "1500",
        "currency": "JPY",
        "description": "¥1,500 of product credit (Pro)",
    }
    assert client.get("/api/v1/studies", headers=auth).json["items"][0]["reward"] == after


def test_a_nul_character_in_a_settle_form_or_an_offer_is_refused_not_a_server_error(
    app, client, auth, two_owed
):
    # PostgreSQL cannot store NUL in text; the desk must say so before it tries.
    ana = next(r for r in owed_queue(client, auth) if r["interview_id"] == two_owed["ana"])
    settled = client.post(
        "/rewards/settle", data={"reward_ids": [ana["id"]], "action": "sent", "note": "a\x00b"}
    )
    assert settled.status_code == 422
    assert "“note” holds a character that cannot be stored" in settled.get_data(as_text=True)
    assert [r["status"] for r in owed_queue(client, auth)] == ["owed", "owed"]

    pid = participant_of(client, auth, two_owed["ana"])
    profile = client.post(
        f"/participants/{pid}/offers",
        data={
            "study_id": study_id(app),
            "kind": "gift_card",
            "amount": "5",
            "currency": "USD",
            "text": "a\x00b",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "“text” holds a character that cannot be stored" in profile and "$5.00" not in profile
