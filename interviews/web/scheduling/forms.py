"""Form input for the public booking and manage pages, and a host's calendars (CSRF included)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
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


class CalDavForm(FlaskForm):
    """A CalDAV login: where discovery starts, the username and the (app) password.
    Whether the server answers, and what it holds, is the service's to say."""

    url = StringField(
        "Server or calendar address",
        [InputRequired("Enter your CalDAV server's address."), Length(max=2000)],
        id="caldav-url",
        description="E.g. https://caldav.fastmail.com/, https://caldav.icloud.com/ or "
        "https://cloud.example.com/remote.php/dav/. A calendar's own address adds just that one.",
        render_kw={"autocomplete": "url", "inputmode": "url", "spellcheck": "false"},
    )
    username = StringField(
        "Username",
        [InputRequired("Enter the username you log in to the server with."), Length(max=254)],
        id="caldav-username",
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        [
            InputRequired("Enter the password (an app password, if your service has them)."),
            Length(max=1000),
        ],
        id="caldav-password",
        description="Use an app password where your service offers one (Fastmail, iCloud, "
        "Nextcloud). It is kept encrypted and never shown again.",
        render_kw={"autocomplete": "new-password"},
    )
    write = BooleanField("Also write my interviews into it", id="caldav-write")


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
