"""A study rewrites what its interviewees read; the next reminder uses the new words."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from interviews.accounts.rules import Role
from interviews.messaging import service as messaging
from interviews.studies import service as studies
from tests.conftest import log_in, next_weekday_slot


@pytest.fixture
def dana(app, client, study):
    log_in(client, study["dana"].email)
    with app.app_context():
        return studies.published_study("dashboards").id


def edit(client, study_id, kind, action, subject, body):
    return client.post(
        f"/studies/{study_id}/messages",
        data={"kind": kind, "action": action, "subject": subject, "body": body},
        follow_redirects=True,
    )


def test_the_page_starts_from_the_default_words(client, dana):
    page = client.get(f"/studies/{dana}/messages").get_data(as_text=True)

    assert "Reminder: {{ study.title }}, in {{ in_time }}" in page
    assert "A reminder: your call with {{ study.host.name }} starts in {{ in_time }}." in page
    assert page.count(">default<") == 4


def test_a_preview_shows_the_text_for_a_made_up_interviewee_and_saves_nothing(app, client, dana):
    response = edit(
        client,
        dana,
        "reminder",
        "preview",
        "See you soon, {{ participant.name }}",
        "Hi {{ participant.name }}, {{ study.host.name }} here. Join: {{ study.meeting_url }}",
    )

    page = response.get_data(as_text=True)
    assert "Subject:</strong> See you soon, Pat Example" in page
    assert "Hi Pat Example, Dana Reyes here. Join: https://meet.example.com/northwind-dana" in page
    with app.app_context():
        assert studies.published_study("dashboards").message_texts == {}


def test_saved_words_are_what_the_next_reminder_says(app, client, dana, sent_mail):
    edit(
        client,
        dana,
        "reminder",
        "save",
        "{{ participant.name }}, we talk in {{ in_time }}",
        "Hi {{ participant.name }}!\n\nJoin here: {{ study.meeting_url }}\n\n<b>Not bold</b> & {{ when }}",
    )
    start = next_weekday_slot(10)
    client.post(
        "/api/v1/public/studies/dashboards/bookings",
        json={
            "name": "Pat Customer",
            "email": "pat@customer.example",
            "phone": "+14155552671",
            "timezone": "America/New_York",
            "start": start.isoformat(),
        },
    )
    with app.app_context():
        messaging.dispatch_due(start - timedelta(minutes=60))

    # The 24-hour reminder was due too: both speak in the study's words.
    subjects = sorted(m.subject for m in sent_mail() if m.kind == "reminder")
    assert subjects == ["Pat Customer, we talk in 1 hour", "Pat Customer, we talk in 24 hours"]
    [reminder] = [m for m in sent_mail() if m.subject.endswith("1 hour")]
    assert reminder.text_body.startswith("Hi Pat Customer!\n\nJoin here: https://meet.example.com")
    assert "(America/New_York)" in reminder.text_body
    # The HTML part is the same words, escaped, with the link made clickable.
    assert '<a href="https://meet.example.com/northwind-dana">' in reminder.html_body
    assert "&lt;b&gt;Not bold&lt;/b&gt; &amp;" in reminder.html_body


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("Hi {{ participant.name", "The text does not work: unexpected end of template"),
        ("Hi {{ participant.password }}", "“password” is not there to use"),
        ("{{ config.SECRET_KEY }}", "“config” is not one of the names a text can use"),
        ("{{ ''.__class__.__mro__ }}", "The text does not work"),
        ("", "The text is empty"),
    ],
)
def test_words_that_do_not_work_are_refused_and_nothing_is_saved(app, client, dana, body, problem):
    response = edit(client, dana, "followup_missed", "save", "Sorry", body)

    assert response.status_code == 422
    assert problem in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert studies.published_study("dashboards").message_texts == {}


def test_back_to_the_default_forgets_the_studys_words(app, client, dana):
    edit(client, dana, "thank_you", "save", "Thanks!", "Thank you, {{ participant.name }}.")
    assert ">your words<" in client.get(f"/studies/{dana}/messages").get_data(as_text=True)

    edit(client, dana, "thank_you", "reset", "", "")

    with app.app_context():
        assert studies.published_study("dashboards").message_texts == {}


def test_a_viewer_reads_the_words_but_cannot_change_them(app, study, add_member, dana):
    lee = add_member(study["dana"], role=Role.VIEWER, name="Lee")
    client = app.test_client()
    log_in(client, lee.email)

    page = client.get(f"/studies/{dana}/messages").get_data(as_text=True)

    assert "A reminder: your call with" in page and "<textarea" not in page
    assert edit(client, dana, "reminder", "save", "x", "y").status_code == 403
