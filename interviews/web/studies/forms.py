"""The study form: what a PM fills in, with PRODUCT.md's defaults."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from interviews.addresses import LinkUse
from interviews.message_plan import parse_offsets
from interviews.money import KIND_LABELS, RewardKind
from interviews.studies import rules
from interviews.studies.models import JoinMode
from interviews.web import TypedAddress


class StudyForm(FlaskForm):
    title = StringField(
        "Title",
        [InputRequired("Give the study a title."), Length(max=200)],
        description="Say who and what: “<Company> product interview about <topic>”.",
    )
    description = TextAreaField(
        "Why, and what they get",
        [Optional(), Length(max=4000)],
        description="Shown on the booking page and repeated in every email: why you want to talk, and the thank-you.",
    )
    duration_minutes = IntegerField(
        "Length (minutes)", [InputRequired(), NumberRange(5, 480)], default=45
    )
    host_user_id = SelectField(
        "Host", coerce=int, description="Their hours and calendar decide the free times."
    )
    rotation_host_user_ids = SelectMultipleField(
        "Hosts taking turns",
        coerce=int,
        description="Each booking goes to one of them and the host above: whoever is free, "
        "the one with the fewest interviews in the next 14 days first. Interviewees see "
        "every time at least one of them is free.",
    )
    colleague_user_ids = SelectMultipleField(
        "Colleagues on every call",
        coerce=int,
        description="A note-taker gets the calendar invite too.",
    )
    note_takers_required = BooleanField(
        "Note-takers must be free too",
        description="Only times when every colleague above is free are offered: their "
        "hours, days off, interviews and calendars count.",
    )
    # No default: a form posted without it (an older page, a script) keeps the study's
    # (a new study: "fixed" with a video link, else a new room per interview).
    join_mode = SelectField(
        "Join link",
        [Optional()],
        choices=[
            SelectChoice(JoinMode.GENERATED.value, "A new video room for each interview"),
            SelectChoice(JoinMode.PERSONAL.value, "Each host's own video room"),
            SelectChoice(JoinMode.FIXED.value, "One fixed address: the video link below"),
        ],
        description="Sent in the invite, every reminder and the calendars. A new room is "
        "made when someone books; a host's own room is the one on their profile.",
    )
    meeting_url = URLField(
        "Video link",
        [Optional(), TypedAddress(LinkUse.WEB)],
        description="The call's https:// link from Zoom, Meet or Teams, when the join link is "
        "one fixed address (leave it empty for phone calls only).",
    )
    phone_fallback = StringField(
        "Phone fallback",
        [Optional(), Length(max=40)],
        description="A number to call if video fails.",
    )
    reward_kind = SelectField(
        "Thank-you reward",
        choices=[SelectChoice(k.value, KIND_LABELS[k]) for k in RewardKind],
        default=RewardKind.NONE.value,
        description="Promised on the booking page, the invite and every reminder; owed "
        "once the interview is completed.",
    )
    reward_amount = StringField(
        "Amount", [Optional(), Length(max=20)], description="E.g. 20.00. Exact, no rounding."
    )
    reward_currency = StringField(
        "Currency",
        [Optional(), Length(max=3)],
        default="USD",
        description="ISO 4217: USD, EUR, GBP, JPY …",
    )
    reward_text = StringField(
        "In a few words",
        [Optional(), Length(max=200)],
        description="E.g. “your pick of Amazon or REI, sent within 3 days”.",
    )
    phone_required = BooleanField("Ask for a phone number when booking", default=True)
    questions = TextAreaField(
        "Questions to ask when booking",
        [Optional(), Length(max=4000)],
        description="One per line; all optional to answer.",
    )
    notice_hours = IntegerField(
        "Minimum notice (hours)", [InputRequired(), NumberRange(0, 720)], default=12
    )
    horizon_days = IntegerField(
        "Bookable up to (days ahead)", [InputRequired(), NumberRange(1, 365)], default=30
    )
    max_per_day = IntegerField(
        "At most per day (per host)", [InputRequired(), NumberRange(1, 24)], default=3
    )
    buffer_minutes = IntegerField(
        "Buffer between calls (minutes)", [InputRequired(), NumberRange(0, 240)], default=30
    )
    step_minutes = IntegerField(
        "Start times every (minutes)", [InputRequired(), NumberRange(5, 240)], default=30
    )
    cooldown_days = IntegerField(
        "Cooldown between interviews with one person (days)",
        [Optional(), NumberRange(0, 730)],
        default=90,
        description="Inviting someone interviewed more recently than this asks you first.",
    )
    reminders = StringField(
        "Reminders before the call",
        [Optional(), Length(max=100)],
        default="24h, 1h, 10m",
        description="Each repeats the time, join link, phone and thank-you. E.g. 24h, 1h, 10m; "
        "empty for none. One already past when someone books is skipped.",
    )
    followups_enabled = BooleanField(
        "Follow up when someone does not show up",
        default=True,
        description="A nudge with the join link 5 minutes in; 30 minutes in, "
        "a “sorry we missed you” with a link to book again.",
    )
    slug = StringField(
        "Booking link",
        [Optional(), Length(max=60)],
        description="/book/<this>: lowercase letters a-z, digits and dashes. Leave empty "
        "to make one from the title (“Month-End Clöse!” becomes month-end-close).",
    )

    def validate_slug(self, field: StringField) -> None:
        # Checked here as well as in the service, so it shows with the form's other errors.
        slug = (field.data or "").strip()
        problem = rules.slug_problem(slug) if slug else None
        if problem:
            raise ValidationError(problem)

    def validate_reminders(self, field: StringField) -> None:
        try:
            parse_offsets(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None
