"""Reading a rendered page the way a person meets a refused form: its title, the error
summary at the top (each message and the id it links to), the ids on the page, what is
in each input, and each input's maxlength. Standard library only (html.parser)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Input:
    """One input, textarea or select of the page."""

    tag: str
    name: str
    id: str
    value: str
    maxlength: int | None
    form_action: str


@dataclass
class Page:
    title: str = ""
    ids: set[str] = field(default_factory=set)
    summary: list[tuple[str, str]] = field(default_factory=list)  # (linked id, message)
    summary_focus: bool = False  # it has autofocus
    field_errors: dict[str, str] = field(default_factory=dict)  # input id -> its error text
    inputs: list[Input] = field(default_factory=list)

    def value(self, name: str, form_action: str | None = None) -> str:
        """What the input ``name`` holds (the first one, in ``form_action`` if given)."""
        for i in self.inputs:
            if i.name == name and (form_action is None or i.form_action == form_action):
                return i.value
        raise KeyError(name)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._in_title = False
        self._in_summary = 0
        self._link: str | None = None
        self._link_text = ""
        self._text_of: Input | None = None
        self._select: Input | None = None
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text = ""
        self._error_for: str | None = None
        self._error_text = ""
        self._action = ""
        self._select_first: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if "id" in a:
            self.page.ids.add(a["id"])
        if tag == "title":
            self._in_title = True
        if tag == "form":
            self._action = a.get("action", "")
        if "error-summary" in a.get("class", "").split():
            self._in_summary = 1
            self.page.summary_focus = "autofocus" in a
            return
        if self._in_summary and tag == "div":
            self._in_summary += 1
        if self._in_summary and tag == "a":
            self._link, self._link_text = a.get("href", "").removeprefix("#"), ""
        if (
            tag == "p"
            and "error" in a.get("class", "").split()
            and a.get("id", "").endswith("-error")
        ):
            self._error_for, self._error_text = a["id"].removesuffix("-error"), ""
        maxlength = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
        if tag == "input" and a.get("type") not in {"submit", "hidden", "checkbox", "radio"}:
            self.page.inputs.append(
                Input(
                    tag,
                    a.get("name", ""),
                    a.get("id", ""),
                    a.get("value", ""),
                    maxlength,
                    self._action,
                )
            )
        elif tag == "input" and a.get("type") in {"checkbox", "radio"}:
            value = a.get("value", "on") if "checked" in a else ""
            self.page.inputs.append(
                Input(tag, a.get("name", ""), a.get("id", ""), value, None, self._action)
            )
        elif tag == "textarea":
            self._text_of = Input(
                tag, a.get("name", ""), a.get("id", ""), "", maxlength, self._action
            )
            self.page.inputs.append(self._text_of)
        elif tag == "select":
            self._select = Input(tag, a.get("name", ""), a.get("id", ""), "", None, self._action)
            self._select_first = None
            self.page.inputs.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = ""

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag == "a" and self._link is not None:
            self.page.summary.append((self._link, " ".join(self._link_text.split())))
            self._link = None
        if self._in_summary and tag == "div":
            self._in_summary -= 1
        if tag == "p" and self._error_for is not None:
            self.page.field_errors[self._error_for] = " ".join(self._error_text.split())
            self._error_for = None
        if tag == "textarea":
            self._text_of = None
        if tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else self._option_text
            if self._select_first is None:
                self._select_first = value
                if not self._select.value:
                    self._select.value = value
            if self._option_selected:
                self._select.value = value
        if tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._in_title:
            self.page.title += data
        if self._link is not None:
            self._link_text += data
        if self._error_for is not None:
            self._error_text += data
        if self._text_of is not None:
            self._text_of.value += data
        if self._select is not None:
            self._option_text += data


def read_page(html: str) -> Page:
    """The page as a person meets it (see Page)."""
    reader = _Reader()
    reader.feed(html)
    page = reader.page
    page.title = " ".join(page.title.split())
    return page
