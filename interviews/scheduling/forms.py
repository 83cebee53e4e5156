"""Form input for the public booking and manage pages (CSRF included)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField, TelField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


class SlotForm(FlaskForm):
    """A slot picked from the listed ones; the service re-checks that it is still free."""

    start = RadioField(
        "Choose a time", [InputRequired("Choose one of the times above.")], validate_choice=False
    )


class BookingForm(SlotForm):
    name = StringField("Your name", [InputRequired("Enter your name."), Length(max=120)])
    email = EmailField(
        "Email",
        [InputRequired("Enter your email address."), Length(max=254)],
        description="Your confirmation and calendar invite go here.",
    )
    phone = TelField(
        "Phone",
        [Optional(), Length(max=40)],
        description="With country code, e.g. +1 415 555 0100. Only used if the video call fails.",
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Reason (optional)",
        [Optional(), Length(max=2000)],
        description="It helps the host plan; they will see it.",
    )
