"""Links a PM types are web links: anything else is refused next to its field, as typed.

The study's video link and an interview's recording link go through the same rules
(interviews.addresses); a refusal answers 422, shows the reason by the field, keeps
what was typed in it, and stores nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from interviews.db import db
from interviews.errors import InvalidInput
from interviews.notes.models import InterviewNotes
from interviews.studies import service as studies
from interviews.studies.models import Study
from tests.conftest import book_interview, log_in, next_weekday_slot
from tests.integration.test_studies_and_hours import STUDY_FORM

REFUSED = [
    ("javascript:alert(1)", "can run code"),
    ("JaVaScRiPt:alert(document.cookie)", "can run code"),
    ("data:text/html;base64,PHNjcmlwdD4=", "can run code"),
    ("vbscript:msgbox(1)", "can run code"),
    ("file:///etc/passwd", "“file:” links are not accepted"),
    ("ftp://files.example.com/call", "“ftp:” links are not accepted"),
    ("//evil.example.com/call", "no scheme"),
    ("http:", "no server name"),
    ("https://meet.example.com/" + "x" * 500, "longer than 500 characters"),
]


def studies_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Study))


@pytest.mark.parametrize(("typed", "says"), REFUSED)
def test_a_study_video_link_that_is_not_a_web_link_is_refused_next_to_the_field(
    app, client, make_workspace, typed, says
):
    owner = make_workspace()
    log_in(client, owner.email)

    response = client.post(
        "/studies/new",
        data={**STUDY_FORM, "meeting_url": typed, "host_user_id": str(owner.user_id)},
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="meeting_url-error"' in page and says in page
    assert 'aria-invalid="true"' in page
    assert "Acme product interview about exports" in page  # the rest is kept too
    assert studies_count(app) == 0


def test_the_typed_link_is_kept_in_the_field_when_refused(app, client, make_workspace):
    owner = make_workspace()
    log_in(client, owner.email)

    page = client.post(
        "/studies/new",
        data={
            **STUDY_FORM,
            "meeting_url": "javascript:alert(1)",
            "host_user_id": str(owner.user_id),
        },
    ).get_data(as_text=True)

    assert 'value="javascript:alert(1)"' in page


def test_a_web_video_link_is_kept_without_the_spaces_around_it(app, client, make_workspace):
    owner = make_workspace()
    log_in(client, owner.email)

    response = client.post(
        "/studies/new",
        data={
            **STUDY_FORM,
            "meeting_url": "  https://meet.example.com/acme \n",
            "host_user_id": str(owner.user_id),
        },
    )

    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Study.meeting_url)) == "https://meet.example.com/acme"


def test_the_study_service_refuses_a_script_link_whoever_calls_it(app, make_workspace):
    owner = make_workspace()
    with app.app_context():
        draft = studies.StudyDraft(
            title="Acme interview", host_user_id=owner.user_id, meeting_url="javascript:alert(1)"
        )
        with pytest.raises(InvalidInput) as refused:
            studies.create_study(owner, draft)
    assert refused.value.field == "meeting_url" and "can run code" in refused.value.message
    assert studies_count(app) == 0


@pytest.mark.parametrize(("typed", "says"), REFUSED[:7])
def test_a_recording_link_that_is_not_a_web_link_is_refused_next_to_the_field(
    app, client, study, typed, says
):
    interview_id = book_interview(client, next_weekday_slot(10))["interview_id"]
    log_in(client, study["dana"].email)

    response = client.post(
        f"/interviews/{interview_id}/recording", data={"consent": "1", "url": typed}
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="url-error"' in page and says in page
    assert 'aria-invalid="true"' in page
    with app.app_context():
        notes = db.session.scalar(
            select(InterviewNotes).where(InterviewNotes.interview_id == interview_id)
        )
        assert notes is None or notes.recording_url == ""


def test_a_refused_recording_link_keeps_what_was_typed_and_the_ticked_box(client, study):
    interview_id = book_interview(client, next_weekday_slot(10))["interview_id"]
    log_in(client, study["dana"].email)

    page = client.post(
        f"/interviews/{interview_id}/recording",
        data={"consent": "1", "url": "javascript:alert(1)"},
    ).get_data(as_text=True)

    assert 'value="javascript:alert(1)"' in page
    assert 'name="consent" value="1" checked' in page
    assert 'href="javascript:' not in page
