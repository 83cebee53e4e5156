"""A refused form on the notes pages: each problem at the input it is about."""

from __future__ import annotations

from collections.abc import Mapping

from flask import (
    request,
)

from interviews.errors import DomainError, InvalidInput
from interviews.web import (
    Refused,
    named_message,
)


def refusal(
    error: DomainError,
    inputs: Mapping[str, tuple[str, str]],
    form: str,
    fallback: str,
) -> Refused:
    """The posted form refused by ``error`` and every problem found with it, each message
    worded to name its field. ``inputs`` maps an error's field name to the (id, label) of
    its input on the page; an error of no listed field goes to ``fallback`` (an id).
    What was typed is the whole posted form, repeated names (ticked boxes) included."""
    problems = error.problems if isinstance(error, InvalidInput) else (error,)
    labels = {input_id: label for input_id, label in inputs.values()}
    errors = []
    for problem in problems:
        input_id = inputs[problem.field][0] if problem.field in inputs else fallback
        errors.append((input_id, named_message(labels.get(input_id, ""), problem.message)))
    # In the order the inputs are on the page (``inputs`` lists them so), as a reader
    # meets them; an error of no listed input last.
    order = list(labels)
    errors.sort(key=lambda e: order.index(e[0]) if e[0] in order else len(order))
    return Refused(request.form.copy(), errors, form)
