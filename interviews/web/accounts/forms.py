"""Form input for the account pages (WTForms via Flask-WTF, CSRF included)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Email, InputRequired, Length, Optional

from interviews.accounts.rules import MIN_PASSWORD_LENGTH, Role
from interviews.addresses import LinkUse
from interviews.web import TypedAddress

ROLE_CHOICES = [
    SelectChoice(
        Role.RESEARCHER.value, "Researcher: runs studies and interviews, edits notes and maps"
    ),
    SelectChoice(Role.VIEWER.value, "Viewer: reads the library, maps and reports"),
    SelectChoice(Role.OWNER.value, "Owner: everything, and manages members"),
]

_email = [
    InputRequired("Enter an email address."),
    Email("Enter an email address like name@company.com."),
    Length(max=254),
]
_new_password = [
    InputRequired("Choose a password."),
    # The default message, worded with the field's label by interviews.web.named_message:
    # "New password must be at least 12 characters".
    Length(min=MIN_PASSWORD_LENGTH, max=512),
]


class SignUpForm(FlaskForm):
    workspace_name = StringField(
        "Workspace name",
        [InputRequired("Name your workspace, e.g. your company."), Length(max=120)],
        description="Usually your company or team. Teammates you invite join it.",
    )
    name = StringField(
        "Your name",
        [InputRequired("Enter your name."), Length(max=120)],
        description="Interviewees see it: messages come from you.",
    )
    email = EmailField("Work email", _email)
    password = PasswordField(
        "Password", _new_password, description=f"At least {MIN_PASSWORD_LENGTH} characters."
    )


class LoginForm(FlaskForm):
    email = EmailField("Email", _email)
    password = PasswordField("Password", [InputRequired("Enter your password.")])
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", _email)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", _new_password, description=f"At least {MIN_PASSWORD_LENGTH} characters."
    )


class InviteForm(FlaskForm):
    email = EmailField("Email", _email)
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.RESEARCHER.value)


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(r.value, r.label) for r in Role])


class AcceptInviteForm(FlaskForm):
    name = StringField("Your name", [InputRequired("Enter your name."), Length(max=120)])
    password = PasswordField(
        "Password",
        _new_password,
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
    )


class ProfileForm(FlaskForm):
    name = StringField("Name", [InputRequired("Enter your name."), Length(max=120)])


class RoomForm(FlaskForm):
    personal_room_url = URLField(
        "Your video room",
        [Optional(), TypedAddress(LinkUse.WEB)],
        description="Your own https:// meeting link (a Zoom personal room, a Meet or "
        "Whereby address). Studies that use each host's own room send it for your "
        "interviews. Leave it empty to have none.",
    )


class DigestForm(FlaskForm):
    """The weekly digest, on or off: the button posts the setting it changes to."""

    weekly_digest = HiddenField(
        validators=[
            InputRequired("Choose on or off."),
            AnyOf(("on", "off"), message="The weekly digest is either on or off."),
        ]
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", [InputRequired("Enter your current password.")]
    )
    new_password = PasswordField(
        "New password", _new_password, description=f"At least {MIN_PASSWORD_LENGTH} characters."
    )


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        [InputRequired("Name the token after where it is used."), Length(max=80)],
        description="Where it is used, e.g. “CRM sync”.",
    )


class EmptyForm(FlaskForm):
    """Buttons that only post (revoke, remove, log out): CSRF and nothing else."""
