"""Helpers shared by the HTML views of every area."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from jinja2 import pass_context
from jinja2.runtime import Context
from wtforms import Field, ValidationError

from interviews.addresses import MAX_LENGTH, LinkUse, problem_with
from interviews.errors import DomainError, InvalidInput

F = TypeVar("F", bound=Callable[..., Any])


def login_required(view: F) -> F:
    """Signed in and a member of a workspace; g.member is who is acting."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        if g.get("member") is None:
            return redirect(url_for("accounts.no_workspace"))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def editor_required(view: F) -> F:
    """Owners and researchers; a viewer gets 403."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not g.member.can_edit:
            abort(
                403,
                "Viewers can read but not change anything. Ask an owner for the researcher role.",
            )
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def apply_error(form: FlaskForm, error: DomainError) -> None:
    """Show a refused input next to its field when there is one, else as a flash."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


# --- error messages that name their field -------------------------------------------------
#
# WTForms' default messages ("This field is required.", "Field cannot be longer than 120
# characters.") do not say which field they are about. Every message a page shows goes
# through field_messages(), at the field and in the error summary, so the wording is
# set here once for every form: the defaults are reworded with the field's label, a
# form's own message that does not mention its field gets the label in front.

_DEFAULTS: list[tuple[re.Pattern[str], Callable[[str, str, re.Match[str]], str]]] = []


def _default(pattern: str):
    """Register the wording of one WTForms default message (a regex of it)."""

    def register(word: Callable[[str, str, re.Match[str]], str]):
        _DEFAULTS.append((re.compile(pattern), word))
        return word

    return register


def _the(label: str) -> str:
    """ "Title" -> "the title", "Your name" -> "your name", "CSV file" -> "the CSV file"."""
    first, _, rest = label.partition(" ")
    lowered = first if first[:2].isupper() else first[:1].lower() + first[1:]
    phrase = f"{lowered} {rest}".strip()
    if lowered.lower() in {"the", "a", "an", "your", "their", "its", "who", "what", "when"}:
        return phrase
    return f"the {phrase}"


def _characters(n: str) -> str:
    return f"{n} character" if n == "1" else f"{n} characters"


@_default(r"^This field is required\.$")
def _required(label: str, kind: str, _: re.Match[str]) -> str:
    if kind in {"SelectField", "RadioField", "SelectMultipleField"}:
        return f"Choose {_the(label)}"
    if kind == "BooleanField":
        return f"Tick “{label}” to go on"
    if kind in {"FileField", "MultipleFileField"}:
        return f"Choose {_the(label)} to upload"
    return f"Enter {_the(label)}"


@_default(r"^Field cannot be longer than (\d+) characters?\.$")
def _too_long(label: str, _: str, m: re.Match[str]) -> str:
    return f"{label} can be at most {_characters(m[1])}"


@_default(r"^Field must be at least (\d+) characters? long\.$")
def _too_short(label: str, _: str, m: re.Match[str]) -> str:
    return f"{label} must be at least {_characters(m[1])}"


@_default(r"^Field must be exactly (\d+) characters? long\.$")
def _exact_length(label: str, _: str, m: re.Match[str]) -> str:
    return f"{label} must be exactly {_characters(m[1])}"


@_default(r"^Field must be between (\d+) and (\d+) characters long\.$")
def _length_between(label: str, _: str, m: re.Match[str]) -> str:
    # field_messages() words the side that failed when it knows the typed length.
    return f"{label} must be between {m[1]} and {m[2]} characters"


@_default(r"^Invalid email address\.$")
def _email(label: str, _: str, __: re.Match[str]) -> str:
    if label.lower().removeprefix("your ").removeprefix("work ") in {"email", "email address"}:
        return "Enter an email address like name@example.com"
    return f"Enter {_the(label)} as an email address like name@example.com"


@_default(r"^Number must be at least (.+)\.$")
def _number_min(label: str, _: str, m: re.Match[str]) -> str:
    return f"{label} must be {m[1]} or more"


@_default(r"^Number must be at most (.+)\.$")
def _number_max(label: str, _: str, m: re.Match[str]) -> str:
    return f"{label} must be {m[1]} or less"


@_default(r"^Number must be between (.+) and (.+)\.$")
def _number_between(label: str, _: str, m: re.Match[str]) -> str:
    return f"{label} must be between {m[1]} and {m[2]}"


@_default(r"^Not a valid integer value\.$")
def _integer(label: str, _: str, __: re.Match[str]) -> str:
    return f"{label} must be a whole number, like 12"


@_default(r"^Not a valid (?:decimal|float) value\.$")
def _decimal(label: str, _: str, __: re.Match[str]) -> str:
    return f"{label} must be a number, like 25.50"


@_default(r"^Not a valid date value\.$")
def _date(label: str, _: str, __: re.Match[str]) -> str:
    return f"Enter {_the(label)} as a date, like 2026-03-14"


@_default(r"^Not a valid datetime value\.$")
def _datetime(label: str, _: str, __: re.Match[str]) -> str:
    return f"Enter {_the(label)} as a date and time, like 2026-03-14 09:30"


@_default(r"^Not a valid time value\.$")
def _time(label: str, _: str, __: re.Match[str]) -> str:
    return f"Enter {_the(label)} as a time, like 09:30"


@_default(
    r"^(?:Not a valid choice\.|Invalid Choice: could not coerce\.|'.*' (?:is not a valid choice|are not valid choices) for this field\.)$"
)
def _choice(label: str, _: str, __: re.Match[str]) -> str:
    return f"Choose {_the(label)} from the list"


@_default(r"^Invalid URL\.$")
def _url(label: str, _: str, __: re.Match[str]) -> str:
    return f"Enter {_the(label)} as a web address, like https://example.com"


@_default(r"^Field must be equal to (.+)\.$")
def _equal(label: str, _: str, m: re.Match[str]) -> str:
    return f"{label} must match {m[1]}"


@_default(r"^Invalid (?:input|value)\b.*$")
def _invalid(label: str, _: str, __: re.Match[str]) -> str:
    return f"Check {_the(label)}: it is not in a form we can read"


@_default(r"^(?:The CSRF .*|CSRF .*|Invalid CSRF Token\.)$")
def _csrf(_: str, __: str, ___: re.Match[str]) -> str:
    return "The form expired: send it again"


_MINOR_WORDS = {"your", "the", "and", "for", "with", "optional", "from", "this", "that"}


def named_message(label: str, message: str, kind: str = "StringField") -> str:
    """One error message worded to name its field (``label``): a WTForms default is
    reworded ("Enter the title"), a message that already names the field is kept, any
    other gets the label in front ("Reminder: ..."). ``kind`` is the field's class name."""
    message = str(message).strip()
    label = (label or "").strip().rstrip(":")
    for pattern, word in _DEFAULTS:
        match = pattern.match(message)
        if match:
            return word(label or "This field", kind, match)
    if not label:
        return message
    words = {w for w in re.findall(r"[a-z]{3,}", label.lower()) if w not in _MINOR_WORDS}
    said = set(re.findall(r"[a-z]{3,}", message.lower()))
    if words & said or any(w.rstrip("s") in said or w + "s" in said for w in words):
        return message
    return f"{label}: {message[:1].lower() + message[1:]}"


_BETWEEN = re.compile(r"^Field must be between (\d+) and (\d+) characters long\.$")


def field_messages(field: Field) -> list[str]:
    """A WTForms field's errors, each worded to name the field (see named_message)."""
    errors = field.errors if isinstance(field.errors, list) else []
    label = field.label.text if field.label else field.name
    typed = field.data if isinstance(field.data, str) else None
    worded = []
    for message in errors:
        between = _BETWEEN.match(str(message))
        if between and typed is not None:
            # Say the side that failed: "at least 10", not "between 10 and 512".
            low, high = int(between[1]), int(between[2])
            message = (
                f"Field must be at least {low} characters long."
                if len(typed) < low
                else f"Field cannot be longer than {high} characters."
            )
        worded.append(named_message(label, message, type(field).__name__))
    return worded


def form_errors(form: FlaskForm | None, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    """Every error of a form as (field id, message) pairs for the error summary, in the
    order the fields appear, each message naming its field (see named_message), then
    ``extra`` pairs a view adds (an error that is not one field's, or the inputs of a
    hand-written form: see Refused). Nested forms (FormField, FieldList) are walked."""
    found: list[tuple[str, str]] = []

    def walk(fields) -> None:
        for item in fields:
            if hasattr(item, "form") and hasattr(item.form, "_fields") and item.form is not form:
                walk(item.form)
                continue
            if hasattr(item, "entries"):
                walk(item.entries)
                continue
            found.extend((item.id, message) for message in field_messages(item))

    if form is not None:
        walk(form)
        for message in getattr(form, "form_errors", []) or []:
            found.append(("main", str(message)))
    found.extend(extra)
    return found


@pass_context
def page_failed(context: Context) -> bool:
    """Whether the page being rendered shows a refused form: ``refused`` (a Refused with
    errors) or ``form_failed`` is set, or a WTForms form in it has errors. base.html puts
    "Error: " before the title then, the first thing a screen reader says."""
    if context.get("form_failed"):
        return True
    for value in context.get_all().values():
        if isinstance(value, Refused) and value.errors:
            return True
        if isinstance(value, FlaskForm) and value.errors:
            return True
    return False


@dataclass
class Refused:
    """A hand-written form (inputs named in HTML, no WTForms class) that was refused:
    what was typed, to put back in the inputs, and each error as (input id, message)
    for the error summary and the field. Templates read ``refused.value("name")``."""

    typed: Mapping[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    form: str = ""

    @classmethod
    def of(
        cls, error: DomainError, ids: Mapping[str, str], form: str = "", fallback: str = "main"
    ) -> Refused:
        """The refusal of the posted form (request.form) by ``error`` and every problem
        found with it; ``ids`` maps an error's field name to the id of its input on the
        page (``fallback`` if none)."""
        problems = error.problems if isinstance(error, InvalidInput) else (error,)
        errors = [(ids.get(p.field or "", fallback), p.message) for p in problems]
        return cls(dict(request.form.items()), errors, form)

    def value(self, name: str, default: str = "") -> str:
        """What was typed in the input ``name`` ("" when nothing)."""
        return self.typed.get(name, default)

    def error(self, input_id: str) -> str:
        """The error shown at one input ("" when it has none)."""
        return " ".join(message for i, message in self.errors if i == input_id)


def safe_next(target: str | None, default: str) -> str:
    """Only follow ``next`` to a path on this site, never to another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def id_from(raw: str | None) -> int | None:
    """A row id read from a form or a link, or None. ASCII digits only: str.isdigit()
    also says yes to "³", which int() then refuses with an error."""
    if raw and raw.isascii() and raw.isdigit() and len(raw) < 12:
        return int(raw)
    return None


def ids_from(values: Iterable[str]) -> list[int]:
    """The readable ids among ``values`` (a form's repeated field), in order."""
    return [i for i in map(id_from, values) if i is not None]


def require_fresh_form() -> None:
    """Answer 400 when a posted form's CSRF token is missing or expired."""
    if not FlaskForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")


class TypedAddress:
    """WTForms validator: an address someone typed must pass interviews.addresses for
    its use (a web link, a calendar feed); the reason shows next to the field."""

    def __init__(self, use: LinkUse = LinkUse.WEB) -> None:
        self.use = use
        # The input says the longest address it takes, the one problem_with refuses past.
        self.field_flags = {"maxlength": MAX_LENGTH[use]}

    def __call__(self, form: FlaskForm, field: Field) -> None:
        problem = problem_with(field.data or "", self.use)
        if problem:
            raise ValidationError(problem)
