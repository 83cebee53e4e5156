"""The API's contract, declared once: pydantic models that both check each request and
write the OpenAPI 3.1 document at /api/v1/openapi.json.

Every route of the API carries ``@operation(...)``. Its view names its inputs by type
(``query: SomeQuery``, ``json: SomeBody``) and the decorator names its answers
(``ok=(200, SomeModel, "...")``, ``errors={404: "..."}``); spectree reads both, refuses
a request that does not fit before the view runs, and writes the same models into the
document. A refusal is our error shape, 422 ``invalid_input``, its message naming the
field. Answers are checked against their declared model while testing (a drift fails
the test with a 500); in production they are sent as the view made them.

Why spectree (3.x, pydantic v2) rather than flask-openapi3 (4.x) or flask-smorest:
- it decorates the blueprints we have: no Flask or Blueprint subclass, so app.py, the
  error handlers, the rate limiter and the bearer-token check stay as they are
  (flask-openapi3 reads its error callback from the app, which must be its own Flask
  subclass, and registers APIBlueprint through it);
- it writes OpenAPI 3.1.0 by default, and pydantic v2 writes JSON Schema 2020-12, the
  dialect 3.1 uses (nullable is ``anyOf [..., null]``): the document validates against
  the 3.1 meta-schema as it comes;
- its ``before`` hook sees the validation error before any answer goes out, so a
  refusal is raised as InvalidInput like every other refusal and keeps our
  ``{"error": {"code", "message"}}`` shape (flask-openapi3 also reads a missing body
  as an invalid one: the optional bodies of cancel and mark-sent could not stay so);
- flask-smorest would put every model in marshmallow, beside the pydantic that
  schemathesis already brings.
What spectree cannot say is added here, declared on the route all the same: answers
that are not JSON (``media=``: the calendar invite, map exports), a JSON body that may
be left out (``body_optional=True``), rules no schema can say (``semantic=True``), and
a body that is JSON but not an object (spectree reads ``[]`` or ``0`` as ``{}``).
Path parameters come from the routes: ``<int:...>`` is a database id (1 to MAX_ID),
as DatabaseIdConverter reads it.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

from flask import current_app
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    WithJsonSchema,
    WrapValidator,
)
from pydantic_core import PydanticCustomError
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from spectree.plugins.flask_plugin import FlaskPlugin

from interviews import dates
from interviews.db import MAX_ID
from interviews.errors import InvalidInput, refuse_all

# --- shapes every operation shares -------------------------------------------------------


class ErrorDetail(BaseModel):
    """What went wrong: `code` to branch on, `message` for a person."""

    code: str
    message: str


class Error(BaseModel):
    """Every refusal, with a 4xx status."""

    error: ErrorDetail


Instant = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
# Amounts are exact decimal strings with the currency's own decimals: "20.00", "3000".
Amount = Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$", examples=["20.00"])]
Currency = Annotated[str, Field(pattern="^[A-Z]{3}$", description="ISO 4217")]


def _reason(reason: str) -> PydanticCustomError:
    # The reason goes in the context, so braces in it are never read as a template.
    return PydanticCustomError("refused", "{reason}", {"reason": reason})


def worded(message: str) -> WrapValidator:
    """Any refusal of this field reads ``message``, ``{field}`` standing for the field
    (as the request names it: ``outcome_ids``, ``sections[0].body``)."""

    def validate(value: Any, handler: Callable[[Any], Any]) -> Any:
        try:
            return handler(value)
        except ValidationError:
            raise _reason(message) from None

    return WrapValidator(validate)


ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
# An id in a query string ("7"); in a JSON body an id is a number, never "7".
Id = Annotated[int, Field(ge=1, le=MAX_ID), worded("{field} must be a positive whole number.")]
BodyId = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
BodyInt = Annotated[int, Strict()]  # true is not 1 and 1.0 is not a whole number here


def _parsed_by(parse: Callable[[str], Any]) -> BeforeValidator:
    """A field read by a domain parser; its refusal (which starts with the label it was
    given, here none) becomes this field's."""

    def validate(value: Any) -> Any:
        try:
            return parse(value)
        except InvalidInput as refusal:
            raise _reason(f"`{{field}}` {refusal.message.strip()}") from None

    return BeforeValidator(validate)


def _filled(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError("missing", "is required")
    return text


# Text that must hold more than spaces.
Filled = Annotated[str, AfterValidator(_filled), Field(json_schema_extra={"pattern": r"\S"})]
# A day or an instant in a query string, read as the rest of the app reads them.
Day = Annotated[
    date,
    _parsed_by(lambda text: dates.parse_day(text, "", "")),
    WithJsonSchema({"type": "string", "format": "date", "pattern": dates.YEAR_PATTERN}),
]
QueryInstant = Annotated[
    datetime,
    _parsed_by(lambda text: dates.parse_instant(text, "", "", naive_is_utc=True)),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": dates.YEAR_PATTERN}),
]


def _as_parameters(schema: dict[str, Any]) -> None:
    """Query parameters are absent or a value, never null: the document says so."""
    for prop in schema.get("properties", {}).values():
        if prop.get("default", ...) is None:
            del prop["default"]
        options = prop.get("anyOf")
        if options and {"type": "null"} in options:
            del prop["anyOf"]
            [kept] = [o for o in options if o != {"type": "null"}]
            prop.update(kept)


class Query(BaseModel):
    """A query string. An absent parameter is None; a given one must be valid (an empty
    filter is a mistake, not "no filter")."""

    model_config = ConfigDict(json_schema_extra=_as_parameters)


class Page(Query):
    """``limit`` and ``offset`` of a list."""

    limit: int = Field(50, ge=1, le=200, description="Page size")
    offset: int = Field(0, ge=0, le=1_000_000, description="Skip this many")


# --- refusals in our shape ---------------------------------------------------------------

NOT_AN_OBJECT = "Send a JSON object (Content-Type: application/json)."
_SAID = {
    "string_type": "is text",
    "int_type": "is a whole number",
    "int_parsing": "is a whole number",
    "int_from_float": "is a whole number",
    "bool_type": "is true or false",
    "list_type": "is a list",
    "dict_type": "is an object",
    "model_type": "is an object",
}


def _path(loc: tuple[str | int, ...]) -> str:
    """("sections", 0, "body") as "sections[0].body", as the text guard names places."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _choices(model: type[BaseModel] | None, name: str) -> list[str]:
    """The values a field of ``model`` (``name`` as sent) takes when it is an enum or a
    Literal; else none."""
    for key, info in model.model_fields.items() if model else ():
        kind = info.annotation
        if (info.alias or key) != name:
            continue
        if isinstance(kind, type) and issubclass(kind, Enum):
            return [str(member.value) for member in kind]
        if get_origin(kind) is Literal:
            return [str(value) for value in get_args(kind)]
    return []


def _problem(error: Mapping[str, Any], model: type[BaseModel] | None) -> InvalidInput:
    field, kind, ctx = _path(error["loc"]), error["type"], error.get("ctx") or {}
    if not field:
        return InvalidInput(NOT_AN_OBJECT)
    if kind == "refused":
        return InvalidInput(ctx["reason"].replace("{field}", field), field=field)
    if kind in ("enum", "literal_error"):
        # "'a', 'b' or 'c'" as the rest of the app lists choices: "a, b, c".
        choices = re.findall(r"'([^']*)'", ctx["expected"]) or [ctx["expected"]]
        said = f"is one of {', '.join(choices)}"
    elif kind == "missing":
        choices = _choices(model, field)
        said = f"is required: {', '.join(choices[:-1])} or {choices[-1]}" if choices else ""
        said = said or "is required"
    elif kind == "string_too_long":
        said = f"is at most {ctx['max_length']:,} characters"
    elif kind == "too_long":
        said = f"holds at most {ctx['max_length']} items"
    elif kind in ("less_than_equal", "greater_than_equal"):
        bound = ctx.get("le", ctx.get("ge"))
        said = f"is at {'most' if kind == 'less_than_equal' else 'least'} {bound}"
    else:
        said = _SAID.get(kind) or f"is not valid ({error['msg']})"
    return InvalidInput(f"`{field}` {said}.", field=field)


def _refuse(request, _response, error, _instance, _adapter, *, takes_json: bool = False):
    """spectree's ``before`` hook: a request that does not fit is refused as InvalidInput,
    every problem found at once (the answer names the first)."""
    # spectree reads a body that is not a JSON object as {}: an optional body would pass.
    if takes_json and request.get_data() and not isinstance(request.get_json(silent=True), dict):
        raise InvalidInput(NOT_AN_OBJECT)
    if error is not None:
        model = _REQUEST_MODELS.get(error.title)
        refuse_all([_problem(e, model) for e in error.errors(include_url=False)])


# --- spectree, fitted to this app --------------------------------------------------------


class AnswerDrift(AssertionError):
    """An answer that is not what its operation declares (raised only while testing)."""


class _Flask(FlaskPlugin):
    def parse_path(self, route, path_parameter_descriptions):
        path, parameters = super().parse_path(route, path_parameter_descriptions)
        for parameter in parameters:
            # Every <int:...> is DatabaseIdConverter (app.py): 1 to MAX_ID, else 404.
            if parameter["schema"].get("type") == "integer":
                parameter["schema"] = dict(ID_SCHEMA)
        return path, parameters

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        checked = not skip_validation and current_app.testing
        response, drift = super().validate_response(
            resp, resp_model, not checked, force_resp_serialize
        )
        if drift is not None:
            raise AnswerDrift(f"the answer is not its declared model: {drift}")
        return response, None


api = SpecTree(
    backend=_Flask,
    mode="strict",  # only routes that declare themselves; pages are not the API
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    validation_error_model=Error,
    before=_refuse,
    title="Interview Desk API",
    version="1",
    description=(
        "Team endpoints take `Authorization: Bearer <token>` (create one with "
        "`interviews token create --email E` or on your profile page) and are scoped to "
        "the token's workspace: another workspace's ids answer 404. Errors are "
        '`{"error": {"code", "message"}}` with a 4xx status.'
    ),
    security_schemes=[
        SecurityScheme(name="bearerAuth", data=SecuritySchemeData(type="http", scheme="bearer"))
    ],
    security={"bearerAuth": []},
)

UNAUTHORIZED = "Missing, unknown or revoked token"
RATE_LIMITED = "Too many requests from this address; wait a minute"
TOO_LARGE = "The body is larger than the server takes (6 MB, the CSV import's limit)"
UNSTORABLE_TEXT = (
    "text that cannot be stored: a NUL (U+0000) or a lone surrogate (U+D800 to U+DFFF) "
    "in the address, the query or the body (code `invalid_text`; the message names the field)"
)
INVALID = "The input is not valid (code `invalid_input`); the message names the field and why"

# The query and body models by name, to say what a missing field takes.
_REQUEST_MODELS: dict[str, type[BaseModel]] = {}
# What spectree cannot say, by operationId: applied to its document in document().
_EXTRAS: dict[str, dict[str, Any]] = {}


def operation(
    operation_id: str,
    ok: tuple[int, Any, str],
    *,
    errors: Mapping[int, str | tuple[Any, str]] | None = None,
    public: bool = False,
    media: Mapping[str, Any] | None = None,
    body_optional: bool = False,
    body_media: Mapping[str, Any] | None = None,
    semantic: bool = False,
    rate_limited: bool = False,
) -> Callable[[Callable], Callable]:
    """Declare a route: its inputs are the view's ``query``/``json`` parameters (pydantic
    models), its answers ``ok`` (status, model or None, description) and ``errors``
    ({status: description, or (model, description)}; the Error shape by default).
    ``public``: no token (else a 401 is declared); ``rate_limited``: may answer 429.
    ``media``: the success answer's content when it is not JSON ({media type: object}).
    ``body_optional``: the JSON body may be left out. ``body_media``: the body is a
    file, not JSON ({media type: object}; the view reads it). ``semantic``: the body has rules
    no schema can say, so a schema-valid body may still be refused (422)."""

    def decorate(view: Callable) -> Callable:
        hints = get_type_hints(view)
        takes_json, takes_query = "json" in hints, "query" in hints
        for name in ("json", "query"):
            if name in hints:
                _REQUEST_MODELS[hints[name].__name__] = hints[name]
        status, model, description = ok
        answers: dict[str, Any] = {f"HTTP_{status}": (model, description)}
        for code, said in (errors or {}).items():
            answers[f"HTTP_{code}"] = said if isinstance(said, tuple) else (Error, said)
        if not public:
            answers["HTTP_401"] = (Error, UNAUTHORIZED)
        if rate_limited:
            answers["HTTP_429"] = (Error, RATE_LIMITED)
        if takes_json or body_media:
            answers.setdefault("HTTP_413", (Error, TOO_LARGE))
        # The text guard (storable_text.py) refuses a NUL or a lone surrogate anywhere
        # in a request (the address, any query parameter, the body) before the view.
        refusals = [answers["HTTP_422"][1]] if "HTTP_422" in answers else []
        if not refusals and (takes_json or takes_query):
            refusals = [INVALID]
        said = "; or ".join([*refusals, UNSTORABLE_TEXT])
        answers["HTTP_422"] = (Error, said[0].upper() + said[1:])
        _EXTRAS[operation_id] = {
            "media": {str(status): media} if media else {},
            "body_optional": body_optional,
            "body_media": dict(body_media or {}),
            "semantic": semantic,
        }
        return api.validate(
            resp=Response(**answers),
            security={} if public else None,
            operation_id=operation_id,
            before=functools.partial(_refuse, takes_json=takes_json),
        )(view)

    return decorate


@functools.cache
def _document() -> dict[str, Any]:
    spec = copy.deepcopy(api.spec)
    for operations in spec["paths"].values():
        for op in operations.values():
            extras = _EXTRAS[op["operationId"]]
            for status, content in extras["media"].items():
                op["responses"][status]["content"] = dict(content)
            if extras["body_optional"]:
                op["requestBody"]["required"] = False
            if extras["body_media"]:
                op["requestBody"] = {"required": True, "content": extras["body_media"]}
            if extras["semantic"]:
                op["x-semantic-validation"] = True
    return spec


def document(base_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every declared route of the running app."""
    return {**_document(), "servers": [{"url": base_url}]}
