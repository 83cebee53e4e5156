"""Reading a CSV file of participants: decoding, columns, the mapping to fields, and each
row as a participant's fields or a reason it is skipped. Pure: no Flask, no database."""
# Stays whole past 400 lines: one pure reader, file to columns to mapping to rows, each step feeding the next.

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import available_timezones

from interviews.participants.rules import (
    MAX_ATTRIBUTE_KEY,
    MAX_ATTRIBUTES,
    InvalidField,
    clean_attributes,
    clean_name,
    normalise_email,
    normalise_phone,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 100
PREVIEW_ROWS = 5
DELIMITERS = (",", ";", "\t")

EMAIL = "email"
NAME = "name"
PHONE = "phone"
COMPANY = "company"
ROLE = "role"
SEGMENT = "segment"
TIMEZONE = "timezone"
ATTRIBUTE = "attribute"
SKIP = ""

# What a column can be, in the order the mapping page offers them.
CHOICES: dict[str, str] = {
    EMAIL: "Email",
    NAME: "Name",
    PHONE: "Phone",
    COMPANY: "Company",
    ROLE: "Role",
    SEGMENT: "Segment",
    TIMEZONE: "Time zone",
    ATTRIBUTE: "Keep as an attribute",
    SKIP: "Skip",
}
# Fields one column at most may fill. Name may come from several (first and last name),
# joined in column order.
SINGLE = (EMAIL, PHONE, COMPANY, ROLE, SEGMENT, TIMEZONE)
_LENGTHS = {COMPANY: 120, ROLE: 120, SEGMENT: 60}


def _names(text: str) -> set[str]:
    return set(text.split("|"))


# Column names (lower case, punctuation as spaces) that say what a column holds.
_FULL_NAMES = _names(
    "name|full name|fullname|contact|contact name|participant|participant name|customer name|person"
)
_NAME_PARTS = _names(
    "first name|firstname|given name|forename|last name|lastname|surname|family name"
)
_SYNONYMS: dict[str, set[str]] = {
    EMAIL: _names(
        "email|e mail|email address|e mail address|emailaddress|mail|work email|email id"
    ),
    PHONE: _names(
        "phone|phone number|phone no|telephone|tel|mobile|mobile phone|mobile number|cell|cell phone"
    ),
    COMPANY: _names(
        "company|company name|organisation|organization|org|account|account name|employer"
    ),
    ROLE: _names("role|job title|title|job|position|job role"),
    SEGMENT: _names("segment|customer segment|market segment"),
    TIMEZONE: _names("timezone|time zone|tz"),
}
_UNNAMED = re.compile(r"column \d+")


class CsvProblem(ValueError):
    """The file as a whole cannot be imported; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MappingProblem(CsvProblem):
    """The chosen column mapping cannot be used."""


@dataclass(frozen=True)
class Row:
    """One person's line: ``number`` as a spreadsheet shows it (the header is row 1)."""

    number: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class RowFields:
    """What one row says about a person; "" is "not given" and never replaces a value."""

    email: str
    name: str = ""
    phone: str = ""
    company: str = ""
    role: str = ""
    segment: str = ""
    timezone: str = ""
    attributes: dict[str, str] = field(default_factory=dict)

    def updates(self) -> dict[str, str]:
        """The profile fields this row gives a value for."""
        values = {
            NAME: self.name,
            PHONE: self.phone,
            COMPANY: self.company,
            ROLE: self.role,
            SEGMENT: self.segment,
            TIMEZONE: self.timezone,
        }
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class RowError:
    # Messages name the problem, never the value: the report outlives the uploaded file,
    # which is deleted so that the import keeps no copy of people.
    row: int
    message: str


# --- the file -----------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), UTF-16 with one, else
    Windows-1252 or Latin-1, as spreadsheets on Windows save "CSV".

    Raises CsvProblem for an empty, oversized or binary file.
    """
    if len(data) > MAX_BYTES:
        raise CsvProblem(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files."
        )
    if not data.strip():
        raise CsvProblem(
            "The file is empty. Choose a CSV file with a header row and one person a row."
        )
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise CsvProblem(
            "This is a spreadsheet workbook, not a CSV file. In your spreadsheet choose "
            "File > Save as (or Download) > CSV, then upload that file."
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _text(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise CsvProblem(
                "The file says it is UTF-16 text but is not. Save it as CSV UTF-8."
            ) from None
    if b"\x00" in data:
        raise CsvProblem(
            "This file is not text. Choose a CSV file (save it from your spreadsheet as CSV)."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return _text(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    # Latin-1 reads any byte; cp1252 only lacks five of them.
    return _text(data.decode("latin-1"))


def _text(text: str) -> str:
    text = text.removeprefix("\ufeff")
    sample = text[:65536]
    controls = sum(
        1 for ch in sample if (ch < " " and ch not in "\t\n\r") or "\x7f" <= ch <= "\x9f"
    )
    if controls > len(sample) // 200:
        raise CsvProblem(
            "This file is not text. Choose a CSV file (save it from your spreadsheet as CSV)."
        )
    return text


def _reader(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True, strict=True
    )


def detect_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits the header into the most columns and
    the first rows into as many; a comma when nothing splits the header."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        records: list[list[str]] = []
        try:
            for record in _reader(text, delimiter):
                if any(cell.strip() for cell in record):
                    records.append(record)
                if len(records) >= 20:
                    break
        except csv.Error:
            pass  # judged on the records before it; reading the file reports the error
        width = len(records[0]) if records else 0
        if width < 2:
            continue
        score = (sum(len(r) == width for r in records), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_table(text: str, *, limit: int | None = None) -> Table:
    """The header's column names and the rows with anything in them. ``limit`` stops after
    that many rows (a preview); otherwise more than MAX_ROWS is refused.

    Raises CsvProblem when there is no header row, no one in the file, too many rows or
    columns, or quoting that cannot be read.
    """
    delimiter = detect_delimiter(text)
    reader = _reader(text, delimiter)
    header: list[str] | None = None
    rows: list[Row] = []
    number = 0
    try:
        for record in reader:
            number += 1
            if not any(cell.strip() for cell in record):
                continue  # a blank line: still a row in the numbering, nobody in it
            if header is None:
                header = record
                continue
            if limit is not None and len(rows) >= limit:
                break
            rows.append(Row(number, tuple(record)))
            if len(rows) > MAX_ROWS:
                raise CsvProblem(
                    f"The file has more than {MAX_ROWS:,} people in it. Split it into smaller files and import each."
                )
    except csv.Error as error:
        raise CsvProblem(
            f"The file cannot be read as CSV near line {reader.line_num}: {error}. "
            'Check the quotes (") on that line.'
        ) from None
    if header is None:
        raise CsvProblem(
            "The file is empty. Choose a CSV file with a header row and one person a row."
        )
    columns = _column_names(header)
    if not rows:
        raise CsvProblem("The file has a header row but no one in it.")
    return Table(columns, tuple(rows))


def _column_names(header: list[str]) -> tuple[str, ...]:
    # Trailing empty headers come from a trailing delimiter: no column there.
    while header and not header[-1].strip():
        header = header[:-1]
    if len(header) > MAX_COLUMNS:
        raise CsvProblem(
            f"The file has more than {MAX_COLUMNS} columns. Remove the ones you do not need."
        )
    looks_like_data = []
    for cell in header:
        try:
            normalise_email(cell)
            looks_like_data.append(cell)
        except InvalidField:
            continue
    if looks_like_data:
        raise CsvProblem(
            "The first row must name the columns (like Email, Name), but it holds an email "
            "address. Add a header row at the top and upload the file again."
        )
    names: list[str] = []
    for index, cell in enumerate(header, start=1):
        name = " ".join(cell.split()) or f"Column {index}"
        candidate, copy = name, 2
        while candidate in names:  # two columns with one name: both kept, told apart
            candidate, copy = f"{name} ({copy})", copy + 1
        names.append(candidate)
    return tuple(names)


# --- the mapping --------------------------------------------------------------------------


def _key(header: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.lower()).split())


def guess_mapping(columns: Sequence[str]) -> dict[str, str]:
    """A first mapping from the column names: "E-mail" is the email, "Mobile" the phone,
    "First name" and "Last name" together the name; anything else is kept as an attribute."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    full_name = any(_key(c) in _FULL_NAMES for c in columns)
    for column in columns:
        key = _key(column)
        choice = ATTRIBUTE
        if not key or _UNNAMED.fullmatch(key) or len(column) > MAX_ATTRIBUTE_KEY:
            choice = SKIP
        elif key in _FULL_NAMES and NAME not in taken or key in _NAME_PARTS and not full_name:
            choice = NAME
        else:
            for name, synonyms in _SYNONYMS.items():
                if key in synonyms and name not in taken:
                    choice = name
                    break
        taken.add(choice)
        mapping[column] = choice
    return mapping


def check_mapping(columns: Sequence[str], chosen: Mapping[str, str]) -> dict[str, str]:
    """The mapping for every column (a column not chosen is skipped).

    Raises MappingProblem unless exactly one column is the email and the others fit.
    """
    mapping: dict[str, str] = {}
    for column in columns:
        choice = chosen.get(column, SKIP)
        if choice not in CHOICES:
            raise MappingProblem(f"Choose what the column “{column}” holds.")
        mapping[column] = choice
    by_field: dict[str, list[str]] = {}
    for column, choice in mapping.items():
        by_field.setdefault(choice, []).append(column)
    emails = by_field.get(EMAIL, [])
    if not emails:
        raise MappingProblem(
            "Choose the column that holds the email addresses: each person is matched by it."
        )
    for name in SINGLE:
        if len(by_field.get(name, [])) > 1:
            listed = " and ".join(f"“{c}”" for c in by_field[name])
            raise MappingProblem(
                f"Only one column can be the {CHOICES[name].lower()}; you chose {listed}."
            )
    attributes = by_field.get(ATTRIBUTE, [])
    too_long = [c for c in attributes if len(c) > MAX_ATTRIBUTE_KEY]
    if too_long:
        raise MappingProblem(
            f"The column name “{too_long[0][:40]}…” is too long for an attribute "
            f"(at most {MAX_ATTRIBUTE_KEY} characters): skip that column."
        )
    if len(attributes) > MAX_ATTRIBUTES:
        raise MappingProblem(
            f"At most {MAX_ATTRIBUTES} columns can be kept as attributes; you chose "
            f"{len(attributes)}. Skip the ones you do not need."
        )
    return mapping


# --- a row --------------------------------------------------------------------------------


@cache
def _zones() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


def time_zone(raw: str) -> str | None:
    """The IANA name for ``raw`` in any letter case ("europe/berlin"), or None."""
    return _zones().get(raw.strip().lower())


def read_row(
    row: Row, columns: Sequence[str], mapping: Mapping[str, str], default_region: str = "US"
) -> RowFields | RowError:
    """The person a row describes, or every reason the row cannot be imported."""
    cells = list(row.cells)
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        return RowError(
            row.number,
            f"This row has {len(cells)} values but the header names {len(columns)} columns.",
        )
    cells = cells[: len(columns)] + [""] * (len(columns) - len(cells))
    values: dict[str, list[str]] = {}
    pairs: list[tuple[str, str]] = []
    for column, cell in zip(columns, cells, strict=True):
        choice = mapping.get(column, SKIP)
        value = cell.strip()
        if choice == ATTRIBUTE:
            if value:
                pairs.append((column, value))
        elif choice != SKIP:
            values.setdefault(choice, []).append(value)

    def one(name: str) -> str:
        return " ".join(" ".join(values.get(name, [])).split())

    problems: list[str] = []
    email = ""
    if not one(EMAIL):
        problems.append("No email address.")
    else:
        try:
            email = normalise_email(one(EMAIL))
        except InvalidField:
            problems.append("The email address is not valid.")
    name = one(NAME)
    if name:
        try:
            name = clean_name(name)
        except InvalidField:
            problems.append("The name is longer than 120 characters.")
    phone = ""
    if one(PHONE):
        try:
            phone = normalise_phone(one(PHONE), default_region)
        except InvalidField as error:
            problems.append(f"The phone number is not valid. {error.message}")
    texts = {key: one(key) for key in _LENGTHS}
    for key, limit in _LENGTHS.items():
        if len(texts[key]) > limit:
            problems.append(f"The {CHOICES[key].lower()} is longer than {limit} characters.")
    zone = ""
    if one(TIMEZONE):
        zone = time_zone(one(TIMEZONE)) or ""
        if not zone:
            problems.append("The time zone is not one we know; write it like Europe/Berlin.")
    attributes: dict[str, str] = {}
    try:
        attributes = clean_attributes(pairs)
    except InvalidField as error:
        problems.append(error.message)
    if problems:
        return RowError(row.number, " ".join(problems))
    return RowFields(
        email=email,
        name=name,
        phone=phone,
        company=texts[COMPANY],
        role=texts[ROLE],
        segment=texts[SEGMENT],
        timezone=zone,
        attributes=attributes,
    )


def new_person_problem(fields: RowFields) -> str | None:
    """Why this row cannot add someone new to the panel, or None."""
    if not fields.name:
        return "No name: someone new to the panel needs one."
    return None


def merged_attributes(current: Mapping[str, str], incoming: Mapping[str, str]) -> dict[str, str]:
    """Attributes after an import: each incoming key replaces the value of the one known
    by that name in any letter case (which keeps its place and spelling) or is added;
    the rest stay.

    Raises InvalidField when the profile would hold more than MAX_ATTRIBUTES.
    """
    merged = dict(current)
    known = {key.casefold(): key for key in merged}
    for key, value in incoming.items():
        merged[known.setdefault(key.casefold(), key)] = value
    if len(merged) > MAX_ATTRIBUTES:
        raise InvalidField(
            "attributes",
            f"With this row the profile would hold more than {MAX_ATTRIBUTES} attributes.",
        )
    return merged
