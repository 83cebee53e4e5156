"""Every error message names its field: WTForms' defaults are reworded with the label,
a form's own message that does not mention its field gets the label in front."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange

from interviews.web import field_messages, form_errors, named_message


class TitleForm(FlaskForm):
    title = StringField("Title", [InputRequired(), Length(max=200)])
    email = EmailField("Email address", [InputRequired(), Email()])
    seats = IntegerField("Seats", [InputRequired(), NumberRange(min=1, max=50)])
    starts = DateField("Start date", [InputRequired()])
    kind = SelectField("Kind", choices=[SelectChoice("a", "A"), SelectChoice("b", "B")])
    code = StringField("Invite code", [Length(min=6, max=12)])


def _errors(data: dict[str, str]) -> dict[str, list[str]]:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    with app.test_request_context(method="POST"):
        form = TitleForm(formdata=MultiDict(data))
        form.validate()
        return {f.id: field_messages(f) for f in form if f.errors} | {
            "summary": [m for _, m in form_errors(form)]
        }


def test_missing_and_too_long_values_name_their_field_in_plain_words():
    errors = _errors({"title": "", "email": "", "seats": "", "starts": "", "kind": "z"})
    assert errors["title"] == ["Enter the title"]
    assert errors["email"] == ["Enter the email address"]
    assert errors["starts"] == ["Enter the start date"]
    assert errors["kind"] == ["Choose the kind from the list"]
    too_long = _errors(
        {
            "title": "t" * 201,
            "email": "x@example.com",
            "seats": "3",
            "starts": "2026-03-14",
            "kind": "a",
            "code": "abcdef",
        }
    )
    assert too_long["title"] == ["Title can be at most 200 characters"]
    assert too_long["summary"] == ["Title can be at most 200 characters"]


def test_badly_written_values_say_what_is_expected():
    errors = _errors(
        {
            "title": "ok",
            "email": "ada at example",
            "seats": "many",
            "starts": "14/03",
            "kind": "a",
            "code": "abc",
        }
    )
    assert errors["email"] == ["Enter an email address like name@example.com"]
    assert errors["seats"][0] == "Seats must be a whole number, like 12"
    assert errors["starts"] == ["Enter the start date as a date, like 2026-03-14"]
    # Between 6 and 12: the side that failed is the one said.
    assert errors["code"] == ["Invite code must be at least 6 characters"]
    out_of_range = _errors(
        {
            "title": "ok",
            "email": "a@example.com",
            "seats": "99",
            "starts": "2026-03-14",
            "kind": "a",
        }
    )
    assert out_of_range["seats"] == ["Seats must be between 1 and 50"]


@pytest.mark.parametrize(
    ("label", "message", "shown"),
    [
        ("Your name", "Enter your name.", "Enter your name."),
        (
            "Reminder",
            "Say when, like 24 hours before.",
            "Reminder: say when, like 24 hours before.",
        ),
        ("Tags", "Keep each tag under 60 characters.", "Keep each tag under 60 characters."),
        ("CSV file", "This field is required.", "Enter the CSV file"),
    ],
)
def test_a_forms_own_message_is_kept_when_it_names_its_field_else_prefixed(label, message, shown):
    assert named_message(label, message) == shown
