"""Server limits equal the inputs' limits: every maxlength a page renders is the limit the
server keeps and the column can hold, and one character more is refused with the field
named (never cut short silently, never a 500)."""

from __future__ import annotations

import pytest
from wtforms.validators import Length

from interviews.accounts.models import User, Workspace
from interviews.addresses import MAX_LENGTH as ADDRESS_MAX_LENGTH
from interviews.db import db
from interviews.notes.models import Takeaway
from interviews.studies.models import Study
from interviews.web import TypedAddress
from interviews.web.accounts.forms import (
    AcceptInviteForm,
    ChangePasswordForm,
    InviteForm,
    LoginForm,
    ProfileForm,
    SignUpForm,
    TokenForm,
)
from interviews.web.scheduling.forms import BusyCalendarForm
from interviews.web.studies.forms import StudyForm
from tests.conftest import log_in
from tests.integration.html_forms import read_page


def _length_max(field) -> int | None:
    """The longest value the server takes in ``field``: its Length, or for a typed web
    or calendar address, the length interviews.addresses refuses past."""
    maxes = [v.max for v in field.validators if isinstance(v, Length) and v.max != -1]
    maxes += [ADDRESS_MAX_LENGTH[v.use] for v in field.validators if isinstance(v, TypedAddress)]
    return maxes[0] if maxes else None


def _unbound_limit(unbound) -> int:
    validators = unbound.kwargs.get("validators") or unbound.args[1]
    return next(
        v.max if isinstance(v, Length) else ADDRESS_MAX_LENGTH[v.use]
        for v in validators
        if isinstance(v, Length | TypedAddress)
    )


# (page, form class, prefix of its fields on that page)
PAGES = [
    ("/signup", SignUpForm, ""),
    ("/login", LoginForm, ""),
    ("/team", InviteForm, ""),
    ("/profile", ProfileForm, "profile-"),
    ("/profile", ChangePasswordForm, "password-"),
    ("/profile", TokenForm, "token-"),
    ("/studies/new", StudyForm, ""),
    ("/availability", BusyCalendarForm, ""),
]


@pytest.mark.parametrize(("path", "form_class", "prefix"), PAGES)
def test_each_rendered_maxlength_is_the_form_fields_length_limit(
    app, client, make_workspace, path, form_class, prefix
):
    owner = make_workspace()
    if path != "/signup" and path != "/login":
        log_in(client, owner.email)
    page = read_page(client.get(path).get_data(as_text=True))
    with app.test_request_context():
        form = form_class(meta={"csrf": False})
        checked = 0
        for field in form:
            if field.type in {"HiddenField", "CSRFTokenField"}:
                continue
            limit = _length_max(field)
            (shown,) = [i for i in page.inputs if i.id == prefix + field.id]
            assert shown.maxlength == limit, (path, field.id)
            checked += limit is not None
    assert checked or form_class is LoginForm


def test_form_limits_fit_their_columns(app):
    """The longest value a form lets through fits the column it is stored in."""
    pairs = [
        (SignUpForm.workspace_name, Workspace.name),
        (SignUpForm.name, User.name),
        (SignUpForm.email, User.email),
        (AcceptInviteForm.name, User.name),
        (ProfileForm.name, User.name),
        (StudyForm.title, Study.title),
        (StudyForm.meeting_url, Study.meeting_url),
        (StudyForm.phone_fallback, Study.phone_fallback),
        (StudyForm.reward_currency, Study.reward_currency),
        (StudyForm.reward_text, Study.reward_text),
        (StudyForm.slug, Study.slug),
    ]
    for unbound, column in pairs:
        assert _unbound_limit(unbound) == column.property.columns[0].type.length, column


def test_a_name_one_character_over_the_limit_is_refused_naming_the_field(app, client):
    response = client.post(
        "/signup",
        data={
            "workspace_name": "W" * 121,
            "name": "N" * 120,
            "email": "ada@example.com",
            "password": "long enough password",
        },
    )
    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    assert page.summary == [("workspace_name", "Workspace name can be at most 120 characters")]
    assert page.value("workspace_name") == "W" * 121
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


STUDY = {
    "title": "Northwind product interview about dashboards",
    "duration_minutes": "45",
    "reward_kind": "none",
    "notice_hours": "12",
    "horizon_days": "30",
    "max_per_day": "3",
    "buffer_minutes": "30",
    "step_minutes": "30",
}


@pytest.mark.parametrize(
    ("name", "fill"),
    [
        ("title", "T"),
        ("reward_text", "r"),
        ("meeting_url", "https://meet.example.com/"),
        ("phone_fallback", "1"),
    ],
)
def test_study_inputs_take_exactly_their_maxlength_and_refuse_one_more(
    app, client, make_workspace, name, fill
):
    owner = make_workspace()
    log_in(client, owner.email)
    page = read_page(client.get("/studies/new").get_data(as_text=True))
    (shown,) = [i for i in page.inputs if i.name == name]
    assert shown.maxlength

    def typed(length: int) -> str:
        return (fill + "x" * length)[:length]

    over = client.post(
        "/studies/new",
        data={**STUDY, "host_user_id": owner.user_id, name: typed(shown.maxlength + 1)},
    )
    assert over.status_code == 422
    refused = read_page(over.get_data(as_text=True))
    assert [target for target, _ in refused.summary] == [shown.id]
    assert refused.value(name) == typed(shown.maxlength + 1)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Study)) == 0

    fits = client.post(
        "/studies/new", data={**STUDY, "host_user_id": owner.user_id, name: typed(shown.maxlength)}
    )
    assert fits.status_code == 302, read_page(fits.get_data(as_text=True)).summary
    with app.app_context():
        (study,) = db.session.scalars(db.select(Study)).all()
        assert len(getattr(study, name)) == shown.maxlength


FEEDBACK = {
    "text": "Procurement needs SSO",
    "source": "sales",
    "context": "Globex renewal call",
    "back": "/takeaways",
}


@pytest.mark.parametrize("name", ["text", "quote", "context"])
def test_feedback_inputs_take_exactly_their_maxlength_and_refuse_one_more(
    app, client, make_workspace, name
):
    owner = make_workspace()
    log_in(client, owner.email)
    page = read_page(client.get("/takeaways").get_data(as_text=True))
    (shown,) = [i for i in page.inputs if i.name == name and i.form_action == "/takeaways/feedback"]
    assert shown.maxlength
    over = client.post("/takeaways/feedback", data={**FEEDBACK, name: "x" * (shown.maxlength + 1)})
    assert over.status_code == 422
    refused = read_page(over.get_data(as_text=True))
    assert [target for target, _ in refused.summary] == [shown.id]
    assert refused.value(name, "/takeaways/feedback") == "x" * (shown.maxlength + 1)
    fits = client.post("/takeaways/feedback", data={**FEEDBACK, name: "x" * shown.maxlength})
    assert fits.status_code == 302
    with app.app_context():
        (row,) = db.session.scalars(db.select(Takeaway)).all()
        assert len(getattr(row, name)) == shown.maxlength
