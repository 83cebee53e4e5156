"""The words of the messages an interviewee gets, which a study may rewrite.

A study's own text is a Jinja template rendered in a sandbox: it can use the same
names the default texts use ({{ participant.name }}, {{ study.title }}, {{ when }} ...)
and nothing else of the server's. The HTML part is made from the text: escaped,
paragraphs kept, links made clickable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from interviews.addresses import tel_link, web_link
from interviews.message_plan import MessageKind

# The messages a study can rewrite, in the order of an interview's life.
EDITABLE = (
    MessageKind.REMINDER,
    MessageKind.FOLLOWUP_NUDGE,
    MessageKind.FOLLOWUP_MISSED,
    MessageKind.THANK_YOU,
)
LABELS = {
    MessageKind.REMINDER: "Reminder (each one before the call)",
    MessageKind.FOLLOWUP_NUDGE: "Nudge, 5 minutes in",
    MessageKind.FOLLOWUP_MISSED: "Sorry we missed you, 30 minutes in",
    MessageKind.THANK_YOU: "Thank-you, once completed",
}
# Every message an interviewee gets has its subject here, in the words a study edits.
DEFAULT_SUBJECTS = {
    MessageKind.CONFIRMATION: "Confirmed: {{ study.title }}",
    MessageKind.RESCHEDULED: "Moved: {{ study.title }}",
    MessageKind.CANCELLED: "Cancelled: {{ study.title }}",
    MessageKind.REMINDER: "Reminder: {{ study.title }}, in {{ in_time }}",
    MessageKind.FOLLOWUP_NUDGE: "We are on the call: {{ study.title }}",
    MessageKind.FOLLOWUP_MISSED: "Sorry we missed you: {{ study.title }}",
    MessageKind.THANK_YOU: "Thank you for talking with {{ study.host.name }}",
    MessageKind.REWARD_SENT: (
        "{% if given and given.status.value == 'donated' %}We made a donation in your name"
        "{% else %}Your thank-you from {{ study.host.name }} is on its way{% endif %}"
    ),
}
# What a text may use, as the page lists it.
NAMES = (
    "participant.name",
    "study.title",
    "study.description",
    "study.host.name",
    "join_url",
    # Still understood (texts saved before per-interview rooms use it): the same link.
    "study.meeting_url",
    "study.phone_fallback",
    "reward",
    "study.reward_text",
    "when",
    "in_time",
    "manage_url",
    "rebook_url",
)
MAX_SUBJECT, MAX_BODY = 200, 5000

_sandbox = SandboxedEnvironment(
    autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True
)
# The default texts a study starts from print the join link through these, as the app's
# own templates do: an address that is not http(s) is not printed as a link.
_sandbox.filters["web_link"] = web_link
_sandbox.filters["tel_link"] = tel_link
_URL = re.compile(r"(https?://[^\s<>\"']+)")


class TextProblem(ValueError):
    """A study's text cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


# The same few texts render for every message of a batch: compile each once.
_compiled = lru_cache(maxsize=512)(_sandbox.from_string)


def render(text: Text, context: dict) -> tuple[str, str]:
    """(subject, body) of a text with this context. Raises TextProblem."""
    try:
        subject = " ".join(_compiled(text.subject).render(context).split())
        body = _compiled(text.body).render(context)
    except UndefinedError as error:
        raise TextProblem(_plain(str(error.message or error))) from None
    except TemplateError as error:
        line = f" (line {error.lineno})" if getattr(error, "lineno", None) else ""
        raise TextProblem(f"{error.message or error}{line}") from None
    return subject[:255], body


def _plain(message: str) -> str:
    """Jinja's words about a missing name, without the server's class names."""
    missing = re.search(r"has no attribute '(\w+)'", message)
    if missing:
        return f"“{missing.group(1)}” is not there to use; use the names listed above."
    undefined = re.search(r"'(\w+)' is undefined", message)
    if undefined:
        return f"“{undefined.group(1)}” is not one of the names a text can use."
    return message


def check(text: Text, context: dict) -> None:
    """Refuse a text that is too long, does not parse, or uses a name it may not."""
    if not text.subject.strip():
        raise TextProblem("The subject is empty.")
    if len(text.subject) > MAX_SUBJECT or len(text.body) > MAX_BODY:
        raise TextProblem(
            f"Keep the subject under {MAX_SUBJECT} and the text under {MAX_BODY} characters."
        )
    if not text.body.strip():
        raise TextProblem("The text is empty.")
    render(text, context)


def html_of(body: str) -> Markup:
    """The HTML part from the text: escaped, a paragraph per blank-line block, links live."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    out = []
    for paragraph in paragraphs:
        escaped = str(escape(paragraph.strip()))
        linked = _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escaped)
        out.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(out))
