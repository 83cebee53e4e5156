"""Text the database can store: no NUL and no lone surrogate in anything a request sends.

PostgreSQL refuses U+0000 in text, and UTF-8 cannot encode U+D800..U+DFFF (a JSON
``"\\ud800"`` decodes to one), so either character reaching a query or an INSERT fails
deep in the driver, a 500, whichever field carried it. No person types them, so they
are refused once, at the door, for every query parameter, form field and JSON body,
with one message naming the field, instead of in each of a few hundred fields.
Uploaded files (the CSV import) are not text fields: their readers check them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import request

from interviews.errors import InvalidInput

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnstorableText(InvalidInput):
    """A text input holds a character no column can keep."""

    code = "invalid_text"


def holds_unstorable(text: str) -> bool:
    """True when ``text`` holds a NUL or a lone surrogate."""
    return _UNSTORABLE.search(text) is not None


def unstorable_pair(pairs: Iterable[tuple[str, str]]) -> str | None:
    """The name of the first (name, value) pair whose name or value cannot be stored."""
    for name, value in pairs:
        if holds_unstorable(name) or holds_unstorable(value):
            return name
    return None


def unstorable_json(document: Any) -> str | None:
    """Where in a decoded JSON document the first unstorable key or string sits, as a
    path like ``sections[0].body``; None when all of it can be stored. Walks with a
    stack, not recursion: a document nested as deep as the decoder allows still fits."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if holds_unstorable(value):
                return path or "the body"
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                where = f"{path}.{key}" if path else key
                if holds_unstorable(key):
                    return where
                stack.append((where, item))
        elif isinstance(value, list):
            for index in reversed(range(len(value))):
                stack.append((f"{path}[{index}]", value[index]))
    return None


def _shown(name: str, quoted: bool) -> str:
    name = _UNSTORABLE.sub("\ufffd", name)
    name = name if len(name) <= 60 else name[:60] + "…"
    return f"`{name}`" if quoted else f"“{name}”"


def _refuse(name: str, quoted: bool) -> UnstorableText:
    return UnstorableText(
        f"{_shown(name, quoted)} holds a character that cannot be stored (a NUL byte, U+0000, "
        "or half of a surrogate pair, U+D800 to U+DFFF). Remove it and send it again.",
        field=name,
    )


def refuse_unstorable_text() -> None:
    """Raise UnstorableText when the request's address, query, form fields or JSON body
    hold a character that cannot be stored. Called before every view (app.py), and by
    the team API after its token check, so a request without a token still gets 401."""
    api = request.path.startswith("/api/")
    # Werkzeug decodes %00 into the path; a route that matched it passes it to the view.
    if request.routing_exception is None and holds_unstorable(request.path):
        raise UnstorableText(
            "The address holds a character that cannot be stored (a NUL byte, U+0000, or "
            "half of a surrogate pair, U+D800 to U+DFFF). Check the link and try again."
        )
    name = (
        unstorable_pair(request.args.items(multi=True))
        or unstorable_pair(request.form.items(multi=True))
        # An upload's content is its reader's to check; its name is text like any field.
        or unstorable_pair(
            (key, file.filename or "") for key, file in request.files.items(multi=True)
        )
    )
    if name is not None:
        raise _refuse(name, quoted=api)
    if request.is_json:
        try:
            document = request.get_json(silent=True)
        except RecursionError:
            # The decoder's own limit: nesting this deep is no document a person sends.
            raise InvalidInput("The JSON body is nested too deeply to read.") from None
        where = unstorable_json(document)
        if where is not None:
            raise _refuse(where, quoted=True)


# The team API's blueprint name: it calls refuse_unstorable_text itself, after its token.
CHECKED_AFTER_TOKEN = "api"


def guard() -> None:
    """The before-request hook app.py registers: every request but the team API's, whose
    own hook runs the same check once the token is known (401 before 422)."""
    if request.blueprint != CHECKED_AFTER_TOKEN:
        refuse_unstorable_text()
