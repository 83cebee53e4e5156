"""Helpers shared by the HTML views of every area."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import Field, ValidationError

from interviews.addresses import LinkUse, problem_with
from interviews.errors import DomainError

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


def form_errors(form: FlaskForm | None, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    """Every error of a form as (field id, message) pairs for the error summary, in the
    order the fields appear, each message naming its field ("Title: ..."), then
    ``extra`` pairs a view adds (an error that is not one field's, or a non-WTForms
    field). Nested forms (FormField, FieldList) are walked."""
    found: list[tuple[str, str]] = []

    def walk(fields) -> None:
        for field in fields:
            if hasattr(field, "form") and hasattr(field.form, "_fields") and field.form is not form:
                walk(field.form)
                continue
            if hasattr(field, "entries"):
                walk(field.entries)
                continue
            for message in field.errors if isinstance(field.errors, list) else []:
                label = field.label.text if field.label else field.name
                named = str(message)
                if not named.lower().startswith(label.lower()):
                    named = f"{label}: {named}"
                found.append((field.id, named))

    if form is not None:
        walk(form)
        for message in getattr(form, "form_errors", []) or []:
            found.append(("main", str(message)))
    found.extend(extra)
    return found


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

    def __call__(self, form: FlaskForm, field: Field) -> None:
        problem = problem_with(field.data or "", self.use)
        if problem:
            raise ValidationError(problem)
