"""REFI-QDA exchange: a study's coding as a project (.qdpx), tags as a codebook (.qdc).

REFI-QDA 1.5 (schemas of March 2019) is how NVivo, ATLAS.ti, MAXQDA, QualCoder and
Taguette carry coding between them. A .qdpx is a zip of `project.qde` (XML in
`urn:QDA-XML:project:1.0`) and `sources/`, one UTF-8 `<guid>.txt` per plain-text source;
a .qdc is XML in `urn:QDA-XML:codebook:1.0`.

Text positions (section 10.2) count Unicode code points from 0, and the standard's own
examples put `endPosition` just after the last selected code point. Those are exactly
Python's `str` indices: `text[start:end]` is the selection.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_untrusted_xml

from interviews.errors import InvalidInput

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
MAX_CODEBOOK_BYTES = 2 * 1024 * 1024
# The standard's limit for one file inside a .qdpx (section 8.5).
MAX_SOURCE_BYTES = 2**31 - 1

# Fixed forever: changing it changes every GUID we have ever exported.
_GUID_NAMESPACE = uuid.UUID("66ba9889-6f61-4bc4-9441-f4055bd4e5dd")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_RGB = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")
# Characters XML 1.0 cannot carry at all, even escaped (control characters, lone surrogates).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SAME_AS_STRAIGHT_QUOTES = str.maketrans(
    {**dict.fromkeys("‘’‚‛′", "'"), **dict.fromkeys("“”„‟″", '"')}
)


@dataclass(frozen=True)
class Code:
    guid: str
    name: str
    description: str = ""
    color: str = ""  # "#RRGGBB", or "" for none


@dataclass(frozen=True)
class Selection:
    """A coded stretch of a source's text: `text[start:end]`, in code points."""

    guid: str
    name: str
    start: int
    end: int
    code_guids: tuple[str, ...]
    description: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class TextSource:
    guid: str
    name: str
    text: str
    description: str = ""
    created_at: datetime | None = None
    selections: tuple[Selection, ...] = ()


@dataclass(frozen=True)
class Project:
    name: str
    origin: str  # the exporting software, e.g. "Interview Desk 0.1.0"
    created_at: datetime
    user_guid: str
    user_name: str
    codes: tuple[Code, ...]
    sources: tuple[TextSource, ...]
    description: str = ""


class UnreadableCodebook(InvalidInput):
    """A file offered as a REFI-QDA codebook that cannot be read as one."""

    def __init__(self, message: str, *, field: str | None = "codebook") -> None:
        super().__init__(message, field=field)


def stable_guid(*parts: str) -> str:
    """A GUID derived from `parts` alone (UUID version 5), so that exporting the same
    things again gives them the same GUIDs and other tools recognise them."""
    if not parts:
        raise ValueError("stable_guid needs at least one part")
    # JSON keeps ("a", "b c") and ("a b", "c") apart, which joining with a space would not.
    return str(uuid.uuid5(_GUID_NAMESPACE, json.dumps([str(part) for part in parts])))


def write_project(project: Project) -> bytes:
    """The project as a .qdpx: `project.qde` plus `sources/<guid>.txt` for each source.

    Raises ValueError for what only a programming error can cause: a malformed or
    repeated GUID, a selection outside its text or coded with an unknown code, a naive
    datetime, a bad colour.
    """
    _check_project(project)
    texts = {source.guid: source.text.encode("utf-8") for source in project.sources}
    for guid, data in texts.items():
        if len(data) > MAX_SOURCE_BYTES:
            raise ValueError(f"source {guid} is over the {MAX_SOURCE_BYTES} bytes REFI-QDA allows")
    stamp = _zip_time(project.created_at)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add_file(archive, "project.qde", _project_xml(project), stamp)
        for guid, data in texts.items():
            _add_file(archive, f"sources/{guid}.txt", data, stamp)
    return buffer.getvalue()


def write_codebook(codes: Iterable[Code], *, origin: str) -> bytes:
    """The codes as a .qdc codebook, in the order given.

    Raises ValueError when there are no codes (the schema wants at least one), or for a
    malformed or repeated GUID or a bad colour.
    """
    codes = tuple(codes)
    if not codes:
        raise ValueError("a REFI-QDA codebook holds at least one code")
    _check_guids(code.guid for code in codes)
    for code in codes:
        _check_color(code)
    root = ET.Element("CodeBook", _namespace(CODEBOOK_NAMESPACE, origin=_clean(origin)))
    codes_element = ET.SubElement(root, "Codes")
    for code in codes:
        _add_code(codes_element, code)
    return _serialise(root)


def read_codebook(data: bytes) -> list[Code]:
    """The codes of a .qdc codebook, in document order. Nested codes come out flat, each
    under its own name; code folders (`isCodable="false"`) are codes too. GUIDs come back
    in canonical lower-case form.

    Raises UnreadableCodebook when the file is too big, is not a codebook, declares a DTD
    or entities (never needed, and the way in for entity bombs and external entities), or
    holds no codes.
    """
    if len(data) > MAX_CODEBOOK_BYTES:
        raise UnreadableCodebook(
            "This codebook is larger than 2 MB, more than any list of codes needs. Check that you chose the codebook (.qdc) file."
        )
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableCodebook(
            "This is a zip file, probably a whole REFI-QDA project (.qdpx). Export just the codebook (.qdc) from your QDA tool and import that."
        )
    try:
        root = parse_untrusted_xml(data, forbid_dtd=True)
    except DefusedXmlException:
        raise UnreadableCodebook(
            "This file declares a DTD or entities, which a REFI-QDA codebook never does, so it was not read. Export the codebook (.qdc) again from your QDA tool."
        ) from None
    except (ET.ParseError, LookupError, ValueError):  # LookupError: an unknown encoding
        raise UnreadableCodebook(
            "This file could not be read as XML, so it is not a REFI-QDA codebook (.qdc). Export the codebook from your QDA tool and import that file."
        ) from None
    namespace, tag = _split_tag(root.tag)
    if tag == "Project":
        raise UnreadableCodebook(
            "This is a REFI-QDA project file, not a codebook. Export just the codebook (.qdc) from your QDA tool and import that."
        )
    # Some exporters leave the namespace out; the element names still say what it is.
    if tag != "CodeBook" or namespace not in (CODEBOOK_NAMESPACE, ""):
        raise UnreadableCodebook(
            "This XML file is not a REFI-QDA codebook (.qdc). Export the codebook from your QDA tool and import that file."
        )
    codes = _read_codes(root, namespace)
    if not codes:
        raise UnreadableCodebook(
            "This codebook has no codes in it, so there are no tags to add. Check that you exported the right codebook."
        )
    return codes


def find_quote(text: str, quote: str, near: int | None = None) -> tuple[int, int] | None:
    """Where `quote` sits in `text`, as `(start, end)` code-point positions with
    `text[start:end]` the quoted words, or None when it is not there.

    The quote, less surrounding whitespace, is looked for exactly first; failing that,
    any run of whitespace matches any other, curly quotes match straight ones, and
    composed accents match decomposed ones. When it occurs more than once, the
    occurrence starting nearest `near` wins (the first one without `near`).
    """
    quote = quote.strip()
    if not quote:
        return None
    exact = [(start, start + len(quote)) for start in _occurrences(text, quote)]
    if exact:
        return _nearest(exact, near)
    folded_text, origin = _fold(text)
    folded_quote = _fold(quote)[0].strip(" ")
    if not folded_quote:
        return None
    tolerant = []
    for start in _occurrences(folded_text, folded_quote):
        end = start + len(folded_quote)
        # A match must begin and end on whole characters of the text: "cafe" is not in "café".
        if start > 0 and origin[start - 1] == origin[start]:
            continue
        if end < len(origin) and origin[end] == origin[end - 1]:
            continue
        tolerant.append((origin[start], origin[end - 1] + 1))
    return _nearest(tolerant, near) if tolerant else None


# Writing


def _check_project(project: Project) -> None:
    _aware(project.created_at, "project.created_at")
    code_guids = {code.guid for code in project.codes}
    all_guids = [project.user_guid, *(code.guid for code in project.codes)]
    for code in project.codes:
        _check_color(code)
    for source in project.sources:
        all_guids.append(source.guid)
        if source.created_at is not None:
            _aware(source.created_at, f"created_at of source {source.guid}")
        for selection in source.selections:
            all_guids.append(selection.guid)
            _check_positions(selection, source)
            if selection.created_at is not None:
                _aware(selection.created_at, f"created_at of selection {selection.guid}")
            unknown = [guid for guid in selection.code_guids if guid not in code_guids]
            if unknown:
                raise ValueError(
                    f"selection {selection.guid} is coded with unknown codes {unknown}"
                )
            all_guids.extend(_coding_guid(selection, guid) for guid in _codings(selection))
    _check_guids(all_guids)


def _check_positions(selection: Selection, source: TextSource) -> None:
    start, end = selection.start, selection.end
    if not (type(start) is int and type(end) is int and 0 <= start < end <= len(source.text)):
        raise ValueError(
            f"selection {selection.guid} runs {start}..{end}, outside the {len(source.text)} "
            f"code points of source {source.guid} (0 <= start < end <= length)"
        )


def _check_guids(guids: Iterable[str]) -> None:
    seen: set[str] = set()
    for guid in guids:
        if not isinstance(guid, str) or not _GUID.fullmatch(guid):
            raise ValueError(f"{guid!r} is not a GUID like 00000000-0000-0000-0000-000000000000")
        if guid.lower() in seen:
            raise ValueError(f"GUID {guid} is used twice; REFI-QDA needs each to be unique")
        seen.add(guid.lower())


def _check_color(code: Code) -> None:
    if code.color and not _RGB.fullmatch(code.color):
        raise ValueError(f"colour {code.color!r} of code {code.guid} is not #RRGGBB")


def _aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")


def _project_xml(project: Project) -> bytes:
    root = ET.Element(
        "Project",
        _namespace(
            PROJECT_NAMESPACE,
            name=_clean(project.name),
            origin=_clean(project.origin),
            creatingUserGUID=project.user_guid,
            creationDateTime=_xml_time(project.created_at),
        ),
    )
    # The schema fixes the order of these sections and wants no empty ones.
    users = ET.SubElement(root, "Users")
    ET.SubElement(users, "User", guid=project.user_guid, name=_clean(project.user_name))
    if project.codes:
        codes = ET.SubElement(ET.SubElement(root, "CodeBook"), "Codes")
        for code in project.codes:
            _add_code(codes, code)
    if project.sources:
        sources = ET.SubElement(root, "Sources")
        for source in project.sources:
            _add_source(sources, source, project.user_guid)
    _add_description(root, project.description)
    return _serialise(root)


def _add_code(parent: ET.Element, code: Code) -> None:
    attributes = {"guid": code.guid, "name": _clean(code.name), "isCodable": "true"}
    if code.color:
        attributes["color"] = code.color
    _add_description(ET.SubElement(parent, "Code", attributes), code.description)


def _add_source(parent: ET.Element, source: TextSource, user_guid: str) -> None:
    element = ET.SubElement(
        parent,
        "TextSource",
        _stamped(
            {
                "guid": source.guid,
                "name": _clean(source.name),
                "plainTextPath": f"internal://{source.guid}.txt",
                "creatingUser": user_guid,
            },
            source.created_at,
        ),
    )
    _add_description(element, source.description)
    for selection in source.selections:
        _add_selection(element, selection, user_guid)


def _add_selection(parent: ET.Element, selection: Selection, user_guid: str) -> None:
    element = ET.SubElement(
        parent,
        "PlainTextSelection",
        _stamped(
            {
                "guid": selection.guid,
                "name": _clean(selection.name),
                "startPosition": str(selection.start),
                "endPosition": str(selection.end),
                "creatingUser": user_guid,
            },
            selection.created_at,
        ),
    )
    _add_description(element, selection.description)
    for code_guid in _codings(selection):
        coding = ET.SubElement(
            element,
            "Coding",
            _stamped(
                {"guid": _coding_guid(selection, code_guid), "creatingUser": user_guid},
                selection.created_at,
            ),
        )
        ET.SubElement(coding, "CodeRef", targetGUID=code_guid)


def _codings(selection: Selection) -> list[str]:
    return list(dict.fromkeys(selection.code_guids))


def _coding_guid(selection: Selection, code_guid: str) -> str:
    return stable_guid("coding", selection.guid, code_guid)


def _add_description(parent: ET.Element, description: str) -> None:
    if description:
        # A parser reads \r\n in element text back as \n; write it that way so it round-trips.
        text = _clean(description).replace("\r\n", "\n").replace("\r", "\n")
        ET.SubElement(parent, "Description").text = text


def _stamped(attributes: dict[str, str], created_at: datetime | None) -> dict[str, str]:
    if created_at is not None:
        attributes["creationDateTime"] = _xml_time(created_at)
    return attributes


def _namespace(namespace: str, **attributes: str) -> dict[str, str]:
    # ElementTree's own default_namespace refuses unprefixed attribute names, which this
    # schema uses throughout; declaring the namespace on the root as a plain attribute
    # gives every unprefixed element that namespace.
    return {"xmlns": namespace, **attributes}


def _clean(value: str) -> str:
    return _NOT_XML.sub("", value)


def _xml_time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _serialise(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    # The same project written twice gives the same bytes; zip cannot go before 1980.
    utc = moment.astimezone(UTC)
    if utc.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)


def _add_file(archive: zipfile.ZipFile, name: str, data: bytes, stamp: tuple) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16  # rw-r--r-- when unzipped
    archive.writestr(info, data)


# Reading


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _read_codes(root: ET.Element, namespace: str) -> list[Code]:
    def qualified(tag: str) -> str:
        return f"{{{namespace}}}{tag}" if namespace else tag

    codes: list[Code] = []
    seen: set[tuple[str, str]] = set()
    guids: set[str] = set()
    # Depth-first by hand, not by recursion: a hostile file may nest codes thousands deep.
    top = [
        element
        for codes_element in root.findall(qualified("Codes"))
        for element in codes_element.findall(qualified("Code"))
    ]
    pending = top[::-1]  # a stack: the last one is read next
    while pending:
        element = pending.pop()
        pending.extend(reversed(element.findall(qualified("Code"))))
        name = element.get("name") or ""
        if not name.strip():
            continue
        guid = _canonical_guid(element.get("guid"))
        if guid is None or (guid, name) in seen:
            continue
        seen.add((guid, name))
        if guid in guids:
            # Two codes sharing a GUID: keep both names, as the file meant two codes.
            guid = stable_guid("codebook code", guid, name)
        guids.add(guid)
        description = element.findtext(qualified("Description")) or ""
        codes.append(Code(guid, name, description, _read_color(element.get("color"))))
    return codes


def _canonical_guid(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None


def _read_color(value: str | None) -> str:
    value = (value or "").strip()
    if not _RGB.fullmatch(value):
        return ""  # a colour is a nicety; a bad one does not cost the code
    if len(value) == 4:
        return "#" + "".join(digit * 2 for digit in value[1:])
    return value


# Finding quotes


def _occurrences(haystack: str, needle: str) -> list[int]:
    found = []
    start = haystack.find(needle)
    while start != -1:
        found.append(start)
        start = haystack.find(needle, start + 1)
    return found


def _nearest(spans: list[tuple[int, int]], near: int | None) -> tuple[int, int]:
    if near is None:
        return spans[0]
    return min(spans, key=lambda span: (abs(span[0] - near), span[0]))


def _fold(text: str) -> tuple[str, list[int]]:
    """`text` with whitespace runs as one space, curly quotes straight and accents
    decomposed, and for each character of that the index it came from in `text`."""
    folded: list[str] = []
    origin: list[int] = []
    in_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not in_space:
                folded.append(" ")
                origin.append(index)
            in_space = True
            continue
        in_space = False
        for part in unicodedata.normalize("NFD", char.translate(_SAME_AS_STRAIGHT_QUOTES)):
            folded.append(part)
            origin.append(index)
    return "".join(folded), origin
