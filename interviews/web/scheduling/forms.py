"""Form input for the public booking and manage pages, and a host's calendars (CSRF included)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
)
from wtforms.validators import InputRequired, Length, Optional

from interviews.addresses import LinkUse
from interviews.scheduling.pages import timezone_choices
from interviews.web import TypedAddress


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


class BusyCalendarForm(FlaskForm):
    """A busy calendar's iCal address: https://, http:// or webcal://. Where it leads (no
    private network) is checked by the service, after the name is resolved."""

    url = URLField(
        "Calendar address (.ics)",
        [TypedAddress(LinkUse.FEED)],
        id="calendar-url",
        render_kw={
            "placeholder": "https://calendar.example.com/private/….ics",
            "autocomplete": "off",
            "required": True,
        },
    )


class TimezoneForm(FlaskForm):
    """A person's own time zone (profile, or the banner offering the browser's zone)."""

    timezone = SelectField(
        "Your time zone",
        [InputRequired("Choose your time zone.")],
        choices=[],
        description="Every time you read here is shown in it, and your hours are kept in it.",
    )
    next = HiddenField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = [(z, z.replace("_", " ")) for z in timezone_choices()]
