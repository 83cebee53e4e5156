"""Refused reward forms (the payout queue, a reward's page, budgets, granting): the same
page again with 422, or 409 when the reward or budget changed meanwhile, every problem
at the top linked to its input, each naming its field, what was typed (and ticked)
kept, nothing written."""

from __future__ import annotations

import re

from interviews.compensation.models import Budget, Reward, RewardOverride
from interviews.compensation.rules import RewardStatus
from interviews.db import db
from interviews.studies.models import Study
from tests.conftest import (
    book_interview,
    give_offer,
    log_in,
    next_weekday_slot,
    started_minutes_ago,
)
from tests.integration.html_forms import read_page

PEOPLE = [
    ("Ana Alvarez", "ana@customer.example", 10),
    ("Ben Okafor", "ben@customer.example", 13),
    ("Cy Tran", "cy@customer.example", 15),
]


def owed_rewards(app, client, study, count: int) -> list[int]:
    """``count`` interviews of the study completed, each owing its $20 gift card; Dana
    is signed in. Returns the rewards' ids, oldest first (the queue's order)."""
    give_offer(app, study["dana"])
    interviews = [
        book_interview(client, next_weekday_slot(hour), email=email, name=name)["interview_id"]
        for name, email, hour in PEOPLE[:count]
    ]
    log_in(client, study["dana"].email)
    for interview_id in interviews:
        started_minutes_ago(app, interview_id, 50)
        done = client.post(f"/interviews/{interview_id}/attendance", data={"status": "completed"})
        assert done.status_code == 302
    return [row[0] for row in books(app)]


def books(app) -> list[tuple[int, RewardStatus, str, str, int]]:
    """Every reward as the finance team would check it: id, status, method, note, cents."""
    with app.app_context():
        rows = db.session.scalars(db.select(Reward).order_by(Reward.owed_at, Reward.id))
        return [(r.id, r.status, r.method, r.note, r.amount_minor) for r in rows]


def budget_rows(app) -> list[tuple[int | None, str, int]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Budget).order_by(Budget.id))
        return [(b.study_id, b.currency, b.allocated_minor) for b in rows]


def dashboards_id(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Study.id).filter_by(slug="dashboards"))


def ticks(page) -> dict[str, str]:
    """The queue's boxes: id -> the reward id it sends when ticked, "" when not ticked."""
    return {i.id: i.value for i in page.inputs if i.name == "reward_ids"}


def refused_page(response, status: int = 422):
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert "Location" not in response.headers
    page = read_page(response.get_data(as_text=True))
    assert page.title.startswith("Error: ")
    assert page.summary_focus
    assert page.summary and all(target in page.ids for target, _ in page.summary)
    return page


# --- the payout queue ---------------------------------------------------------------------


def test_a_batch_with_nothing_ticked_and_no_action_names_both_and_keeps_method_and_note(
    app, client, study
):
    first, second = owed_rewards(app, client, study, 2)
    before = books(app)
    response = client.post(
        "/rewards/settle",
        data={
            "action": "",
            "method": "AMZN-GIFT-7731-QX",
            "note": "Check your inbox for a message from Amazon.",
            "next": "/rewards?status=owed",
        },
    )
    page = refused_page(response)
    assert page.title.startswith("Error: Rewards")
    assert page.summary == [
        (f"reward-{first}", "Choose at least one reward."),
        ("action", "Choose what to mark them: sent, donated or declined."),
    ]
    assert page.field_errors[f"reward-{first}"] == "Choose at least one reward."
    assert page.field_errors["action"].startswith("Choose what to mark them")
    assert page.value("method") == "AMZN-GIFT-7731-QX"
    assert page.value("note") == "Check your inbox for a message from Amazon."
    assert ticks(page) == {f"reward-{first}": "", f"reward-{second}": ""}
    assert books(app) == before


def test_method_and_note_take_their_maxlength_refuse_one_more_and_keep_the_ticks(
    app, client, study
):
    first, second, third = owed_rewards(app, client, study, 3)
    queue = read_page(client.get("/rewards").get_data(as_text=True))
    method_limit = next(i.maxlength for i in queue.inputs if i.name == "method")
    note_limit = next(i.maxlength for i in queue.inputs if i.name == "note")
    assert (method_limit, note_limit) == (500, 1000)
    before = books(app)

    response = client.post(
        "/rewards/settle",
        data={
            "reward_ids": [str(first), str(third)],
            "action": "donated",
            "method": "M" * (method_limit + 1),
            "note": "N" * (note_limit + 1),
            "next": "/rewards?status=owed",
        },
    )
    page = refused_page(response)
    assert page.summary == [
        ("method", "The method can be at most 500 characters."),
        ("note", "The note can be at most 1000 characters."),
    ]
    assert page.field_errors["method"] == "The method can be at most 500 characters."
    assert page.field_errors["note"] == "The note can be at most 1000 characters."
    assert ticks(page) == {
        f"reward-{first}": str(first),
        f"reward-{second}": "",
        f"reward-{third}": str(third),
    }
    assert page.value("action") == "donated"
    assert page.value("method") == "M" * 501 and page.value("note") == "N" * 1001
    assert books(app) == before

    exactly = client.post(
        "/rewards/settle",
        data={
            "reward_ids": [str(first)],
            "action": "donated",
            "method": "M" * method_limit,
            "note": "N" * note_limit,
        },
    )
    assert exactly.status_code == 302
    assert books(app)[0][1:4] == (RewardStatus.DONATED, "M" * 500, "N" * 1000)


def test_a_batch_with_two_rewards_settled_meanwhile_is_a_409_naming_both(
    app, client, study, sent_mail
):
    first, second, third = owed_rewards(app, client, study, 3)
    for settled in (first, second):
        declined = client.post(
            "/rewards/settle", data={"reward_ids": [str(settled)], "action": "declined"}
        )
        assert declined.status_code == 302
    before = books(app)

    response = client.post(
        "/rewards/settle",
        data={
            "reward_ids": [str(first), str(second), str(third)],
            "action": "sent",
            "method": "AMZN-GIFT-7731-QX",
            "note": "Enjoy!",
            "next": f"/rewards?status=owed&study={dashboards_id(app)}",
        },
    )
    page = refused_page(response, 409)
    # Only Cy's reward is still owed: both messages point at the boxes left to tick.
    assert [target for target, _ in page.summary] == [f"reward-{third}"] * 2
    assert [message for _, message in page.summary] == [
        f"Reward {first}: A reward that is declined cannot be marked sent; "
        "only owed rewards can be settled.",
        f"Reward {second}: A reward that is declined cannot be marked sent; "
        "only owed rewards can be settled.",
    ]
    assert ticks(page) == {f"reward-{third}": str(third)}
    assert page.value("method") == "AMZN-GIFT-7731-QX" and page.value("note") == "Enjoy!"
    assert page.value("study") == str(dashboards_id(app))  # still the study it showed
    assert books(app) == before
    assert not [m for m in sent_mail() if m.kind == "reward_sent"]


# --- one reward's page ----------------------------------------------------------------------


def test_the_reward_page_form_refused_shows_that_page_again_with_the_note_kept(app, client, study):
    [reward] = owed_rewards(app, client, study, 1)
    before = books(app)
    response = client.post(
        "/rewards/settle",
        data={
            "reward_ids": [str(reward)],
            "action": "paid",
            "method": "TRANSFER-0042",
            "note": "x" * 1001,
            "next": f"/rewards/{reward}",
        },
    )
    page = refused_page(response)
    assert page.title.startswith("Error: Reward for Ana Alvarez")
    assert page.summary == [
        ("action", "Choose what to mark it: sent, donated or declined."),
        ("note", "The note can be at most 1000 characters."),
    ]
    assert page.field_errors["note"] == "The note can be at most 1000 characters."
    assert page.value("method") == "TRANSFER-0042" and page.value("note") == "x" * 1001
    maxlengths = {i.name: i.maxlength for i in page.inputs if i.name in {"method", "note"}}
    assert maxlengths == {"method": 500, "note": 1000}
    assert books(app) == before


def test_marking_a_reward_already_sent_from_its_page_is_a_409_pointing_at_its_status(
    app, client, study
):
    [reward] = owed_rewards(app, client, study, 1)
    sent = client.post(
        "/rewards/settle",
        data={"reward_ids": [str(reward)], "action": "sent", "method": "FIRST-CODE-1234"},
    )
    assert sent.status_code == 302
    before = books(app)

    response = client.post(
        "/rewards/settle",
        data={
            "reward_ids": [str(reward)],
            "action": "declined",
            "method": "SECOND",
            "next": f"/rewards/{reward}",
        },
    )
    page = refused_page(response, 409)
    message = (
        f"Reward {reward}: A reward that is sent cannot be marked declined; "
        "only owed rewards can be settled."
    )
    assert page.summary == [("reward-status", message)]
    assert page.field_errors["reward-status"] == message
    assert books(app) == before
    assert before[0][1:3] == (RewardStatus.SENT, "FIRST-CODE-1234")


# --- budgets ----------------------------------------------------------------------------------


def test_a_budget_with_a_wrong_amount_and_currency_lists_both_and_keeps_what_was_typed(
    app, client, study
):
    log_in(client, study["dana"].email)
    sid = dashboards_id(app)
    response = client.post(
        "/budgets", data={"study_id": str(sid), "amount": "20,5", "currency": "EU"}
    )
    page = refused_page(response)
    assert page.title.startswith("Error: Budgets and figures")
    assert page.summary == [
        (
            "budget-amount",
            "Write the amount as a number with a dot for decimals, e.g. 20.00.",
        ),
        ("budget-currency", "Use a three-letter ISO 4217 currency code such as USD, EUR or GBP."),
    ]
    assert page.field_errors["budget-amount"] == page.summary[0][1]
    assert page.field_errors["budget-currency"] == page.summary[1][1]
    assert page.value("study_id", "/budgets") == str(sid)
    assert page.value("amount", "/budgets") == "20,5"
    assert page.value("currency", "/budgets") == "EU"
    assert budget_rows(app) == []


def test_an_empty_amount_is_one_message_from_the_server_not_the_browser_and_naming_it(
    app, client, study
):
    log_in(client, study["dana"].email)
    html = client.get("/budgets").get_data(as_text=True)
    (form_tag,) = re.findall(r'<form method="post" action="/budgets"[^>]*>', html)
    assert "novalidate" in form_tag  # no browser bubble beside the server's own words
    (currency,) = [i for i in read_page(html).inputs if i.id == "budget-currency"]
    assert currency.maxlength == Budget.currency.property.columns[0].type.length == 3

    response = client.post("/budgets", data={"study_id": "abc", "amount": "", "currency": "USDX"})
    page = refused_page(response)
    assert page.summary == [
        ("budget-study", "Choose who the budget is for from the list."),
        ("budget-amount", "Enter the amount as a number, like 20.00."),
        ("budget-currency", "Use a three-letter ISO 4217 currency code such as USD, EUR or GBP."),
    ]
    assert page.field_errors["budget-amount"] == "Enter the amount as a number, like 20.00."
    assert page.value("currency", "/budgets") == "USDX"
    # A study id that is not one is never read as the whole workspace.
    assert budget_rows(app) == []


def test_raising_a_budget_past_the_limit_keeps_the_old_amount_and_what_was_typed(
    app, client, study
):
    log_in(client, study["dana"].email)
    sid = dashboards_id(app)
    saved = client.post("/budgets", data={"study_id": str(sid), "amount": "40", "currency": "USD"})
    assert saved.status_code == 302
    response = client.post(
        "/budgets", data={"study_id": str(sid), "amount": "2000000000", "currency": "USD"}
    )
    page = refused_page(response)
    assert page.summary == [("budget-amount", "The amount can be at most 1,000,000,000.")]
    assert page.value("amount", "/budgets") == "2000000000"
    assert page.value("study_id", "/budgets") == str(sid)
    assert budget_rows(app) == [(sid, "USD", 4000)]


def test_removing_a_budget_someone_already_removed_is_a_409_saying_so(app, client, study):
    log_in(client, study["dana"].email)
    assert (
        client.post("/budgets", data={"study_id": "", "amount": "100", "currency": "EUR"})
    ).status_code == 302
    assert client.post("/budgets/remove", data={"currency": "EUR"}).status_code == 302

    response = client.post("/budgets/remove", data={"currency": "EUR"})
    page = refused_page(response, 409)
    message = "That budget is not there any more: someone may have removed it already."
    assert page.summary == [("remove-budgets", message)]
    assert page.field_errors["remove-budgets"] == message
    assert budget_rows(app) == []


# --- granting a no-show's reward ------------------------------------------------------------


def test_granting_a_reward_a_colleague_just_granted_is_a_409_on_the_interview_page(
    app, client, study
):
    give_offer(app, study["dana"])
    interview_id = book_interview(client, next_weekday_slot(10))["interview_id"]
    log_in(client, study["dana"].email)
    started_minutes_ago(app, interview_id, 50)
    client.post(f"/interviews/{interview_id}/attendance", data={"status": "no_show"})
    assert client.post(f"/interviews/{interview_id}/reward/grant").status_code == 302
    before = books(app)

    response = client.post(f"/interviews/{interview_id}/reward/grant")
    assert response.status_code == 409
    assert "Location" not in response.headers
    body = response.get_data(as_text=True)
    assert "This interview already has a reward." in body
    assert "Interview with Pat Customer" in body
    assert books(app) == before and len(before) == 1


# --- one person's own offer, on their profile -------------------------------------------------


def test_a_persons_offer_with_three_problems_lists_all_and_keeps_the_form_as_typed(
    app, client, study
):
    log_in(client, study["dana"].email)
    added = client.post(
        "/participants/new",
        data={"name": "Hannah Berg", "email": "hannah@bigco.example", "timezone": "UTC"},
    )
    assert added.status_code == 302
    profile = added.headers["Location"]
    action = f"{profile}/offers"
    shown = read_page(client.get(profile).get_data(as_text=True))
    limits = {i.name: i.maxlength for i in shown.inputs if i.form_action == action}
    assert limits["text"] == RewardOverride.text.property.columns[0].type.length == 200
    assert limits["currency"] == 3

    response = client.post(
        action,
        data={
            "study_id": str(dashboards_id(app)),
            "kind": "donation",
            "amount": "two hundred",
            "currency": "EURO",
            "text": "t" * (limits["text"] + 1),
        },
    )
    page = refused_page(response)
    assert page.summary == [
        ("offer-amount", "Write the amount as a number with a dot for decimals, e.g. 20.00."),
        ("offer-currency", "Use a three-letter ISO 4217 currency code such as USD, EUR or GBP."),
        ("offer-text", "“In a few words” can be at most 200 characters."),
    ]
    assert page.field_errors["offer-text"] == "“In a few words” can be at most 200 characters."
    assert page.value("kind", action) == "donation"
    assert page.value("study_id", action) == str(dashboards_id(app))
    assert page.value("amount", action) == "two hundred"
    assert page.value("currency", action) == "EURO"
    assert page.value("text", action) == "t" * 201
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(RewardOverride)) == 0
