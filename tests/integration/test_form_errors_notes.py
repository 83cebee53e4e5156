"""Refused forms of the library and the notes page: re-rendered with 422, every error at
the top linked to its field, each naming its field, what was typed kept, nothing written."""

from __future__ import annotations

from interviews.db import db
from interviews.notes.models import Takeaway
from tests.conftest import log_in
from tests.integration.html_forms import read_page

FEEDBACK = {
    "text": "Procurement needs SSO before the 200-seat rollout",
    "quote": "No SSO, no signature.",
    "source": "account_management",
    "context": "Globex renewal call with their CFO, November",
    "tags": "security, renewal",
    "back": "/takeaways?tag=security",
}


def _takeaways(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Takeaway))


def test_feedback_with_an_unknown_panel_email_keeps_the_statement_context_and_tags(
    app, client, make_workspace
):
    make_workspace(name="Northwind", email="olive@northwind.example")
    log_in(client, "olive@northwind.example")
    response = client.post(
        "/takeaways/feedback", data={**FEEDBACK, "participant_email": "nobody@globex.example"}
    )
    assert response.status_code == 422
    assert "Location" not in response.headers
    page = read_page(response.get_data(as_text=True))
    assert page.title.startswith("Error: Takeaways")
    assert page.summary_focus
    ((target, message),) = page.summary
    assert target == "feedback-email" and target in page.ids
    assert "No participant with that email" in message
    assert page.field_errors["feedback-email"] == message
    assert page.value("text") == FEEDBACK["text"]
    assert page.value("quote") == FEEDBACK["quote"]
    assert page.value("context") == FEEDBACK["context"]
    assert page.value("tags") == FEEDBACK["tags"]
    assert page.value("source", "/takeaways/feedback") == "account_management"
    assert page.value("participant_email") == "nobody@globex.example"
    assert _takeaways(app) == 0


def test_feedback_with_three_problems_lists_all_three_at_once(app, client, make_workspace):
    make_workspace(name="Northwind", email="olive@northwind.example")
    log_in(client, "olive@northwind.example")
    response = client.post(
        "/takeaways/feedback",
        data={**FEEDBACK, "text": "", "context": "", "tags": "x" * 61},
    )
    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    targets = [target for target, _ in page.summary]
    assert targets == ["feedback-text", "feedback-tags", "feedback-context"]
    assert all(target in page.ids for target in targets)
    messages = " | ".join(message for _, message in page.summary)
    assert "Write the takeaway" in messages and "tags" in messages and "context" in messages
    assert page.value("quote") == FEEDBACK["quote"]
    assert _takeaways(app) == 0
