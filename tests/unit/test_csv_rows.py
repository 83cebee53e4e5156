"""Reading participants' CSV files: encodings, delimiters, the column mapping, each row."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviews.participants import csv_rows
from interviews.participants.csv_rows import (
    ATTRIBUTE,
    CHOICES,
    EMAIL,
    NAME,
    SINGLE,
    SKIP,
    CsvProblem,
    MappingProblem,
    Row,
    RowError,
    RowFields,
    check_mapping,
    decode,
    guess_mapping,
    merged_attributes,
    new_person_problem,
    read_row,
    read_table,
)
from interviews.participants.rules import MAX_ATTRIBUTES, InvalidField


def table(data: bytes) -> csv_rows.Table:
    return read_table(decode(data))


# --- decoding -----------------------------------------------------------------------------


def test_utf8_with_and_without_a_byte_order_mark_reads_the_same():
    text = "Email,Name\nzoe@example.com,Zoë Müller\n"
    plain = table(text.encode("utf-8"))
    with_bom = table(text.encode("utf-8-sig"))
    assert plain == with_bom
    assert plain.columns == ("Email", "Name")  # no stray BOM glued to the first header
    assert plain.rows[0].cells == ("zoe@example.com", "Zoë Müller")


def test_latin1_and_windows_1252_files_fall_back_to_their_encoding():
    assert table("Email;Name\njose@example.com;José\n".encode("latin-1")).rows[0].cells[1] == "José"
    # 0x80 is € in Windows-1252, what Excel on Windows saves as "CSV".
    euro = table("Email,Plan\na@example.com,Pro 20€\n".encode("cp1252"))
    assert euro.rows[0].cells[1] == "Pro 20€"


def test_utf16_with_a_byte_order_mark_is_read():
    data = "Email\tName\nann@example.com\tAnn\n".encode("utf-16")
    assert table(data).rows[0].cells == ("ann@example.com", "Ann")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"  \r\n\n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text"),
        (bytes(range(256)) * 4, "not text"),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook"),
        (b"a" * (csv_rows.MAX_BYTES + 1), "larger than 5 MB"),
    ],
)
def test_files_that_are_not_csv_text_are_refused_with_a_reason(data, says):
    with pytest.raises(CsvProblem) as refused:
        decode(data)
    assert says in refused.value.message


# --- the table ----------------------------------------------------------------------------


def test_semicolons_and_quoted_fields_with_delimiters_and_line_breaks():
    data = b'Email;Name;Notes\nann@example.com;"Lee; Ann";"said ""hi""\nthen left"\nbo@example.com;Bo;\n'
    read = table(data)
    assert read.columns == ("Email", "Name", "Notes")
    assert read.rows[0].cells == ("ann@example.com", "Lee; Ann", 'said "hi"\nthen left')
    # The quoted line break keeps the record on one spreadsheet row: Bo is row 3.
    assert [r.number for r in read.rows] == [2, 3]


def test_row_numbers_count_blank_lines_as_the_file_does():
    read = table(b"Email\r\na@example.com\r\n\r\n,\r\nb@example.com\r\n")
    assert [(r.number, r.cells[0]) for r in read.rows] == [
        (2, "a@example.com"),
        (5, "b@example.com"),
    ]


def test_a_file_whose_first_row_is_a_person_has_no_header_and_is_refused():
    with pytest.raises(CsvProblem, match="header row"):
        table(b"ann@example.com,Ann\nbo@example.com,Bo\n")


def test_a_header_without_rows_is_refused():
    with pytest.raises(CsvProblem, match="no one in it"):
        table(b"Email,Name\n\n")


def test_more_rows_than_the_limit_are_refused():
    data = b"Email\n" + b"a@example.com\n" * (csv_rows.MAX_ROWS + 1)
    with pytest.raises(CsvProblem, match="more than 50,000"):
        table(data)
    assert len(table(b"Email\n" + b"a@example.com\n" * csv_rows.MAX_ROWS).rows) == csv_rows.MAX_ROWS


def test_an_unclosed_quote_is_refused_with_its_line_instead_of_swallowing_the_rest():
    with pytest.raises(CsvProblem, match="near line"):
        table(b'Email,Name\na@example.com,"Ann\nb@example.com,Bo\n')


def test_headers_are_tidied_made_unique_and_a_trailing_delimiter_adds_no_column():
    read = table(b"Email, Plan ,,Plan,,\na@example.com,Pro,x,Team,,\n")
    assert read.columns == ("Email", "Plan", "Column 3", "Plan (2)")


def test_a_preview_stops_after_its_rows():
    read = read_table("Email\n" + "a@example.com\n" * 100, limit=5)
    assert len(read.rows) == 5


_HEADER = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,11}", fullmatch=True)
_VALUE = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp")) | st.just("\n"),
    max_size=12,
).map(str.strip)


@st.composite
def _files(draw):
    headers = draw(st.lists(_HEADER, min_size=2, max_size=6, unique_by=str.lower))
    rows = draw(
        st.lists(
            st.lists(_VALUE, min_size=len(headers), max_size=len(headers)).filter(any),
            min_size=1,
            max_size=8,
        )
    )
    return headers, rows


@settings(max_examples=150, deadline=None)
@given(_files(), st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "utf-8-sig"]))
def test_any_file_a_spreadsheet_writes_reads_back_cell_for_cell(file, delimiter, encoding):
    headers, rows = file
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    read = table(out.getvalue().encode(encoding))
    assert read.columns == tuple(headers)
    assert [list(r.cells) for r in read.rows] == rows
    assert [r.number for r in read.rows] == list(range(2, len(rows) + 2))


# --- the mapping --------------------------------------------------------------------------


def test_the_mapping_is_guessed_from_common_headers():
    columns = [
        "E-mail",
        "Full name",
        "Mobile",
        "Organisation",
        "Job title",
        "Segment",
        "Time zone",
        "Plan",
        "Support tickets",
        "Column 9",
    ]
    assert guess_mapping(columns) == {
        "E-mail": "email",
        "Full name": "name",
        "Mobile": "phone",
        "Organisation": "company",
        "Job title": "role",
        "Segment": "segment",
        "Time zone": "timezone",
        "Plan": ATTRIBUTE,
        "Support tickets": ATTRIBUTE,
        "Column 9": SKIP,
    }
    assert guess_mapping(["Email address", "Name", "Phone", "Company", "Role"]) == {
        "Email address": "email",
        "Name": "name",
        "Phone": "phone",
        "Company": "company",
        "Role": "role",
    }


def test_first_and_last_name_columns_together_make_the_name():
    assert guess_mapping(["First name", "Last name", "email"]) == {
        "First name": NAME,
        "Last name": NAME,
        "email": EMAIL,
    }
    # With a full name present, the parts are kept as attributes instead.
    assert guess_mapping(["Name", "First name", "Email"])["First name"] == ATTRIBUTE


def test_a_second_email_column_is_guessed_as_an_attribute():
    assert guess_mapping(["Email", "E-mail"]) == {"Email": EMAIL, "E-mail": ATTRIBUTE}


@given(st.lists(st.text(max_size=30), max_size=12, unique=True))
def test_a_guess_fills_each_single_field_at_most_once(columns):
    guess = guess_mapping(columns)
    assert list(guess) == columns
    assert set(guess.values()) <= set(CHOICES)
    for field in SINGLE:
        assert list(guess.values()).count(field) <= 1


@pytest.mark.parametrize(
    ("chosen", "says"),
    [
        ({"A": NAME}, "Choose the column that holds the email addresses"),
        ({"A": EMAIL, "B": EMAIL}, "Only one column can be the email; you chose “A” and “B”."),
        ({"A": EMAIL, "B": "phone", "C": "phone"}, "Only one column can be the phone"),
        ({"A": EMAIL, "B": "password"}, "Choose what the column “B” holds."),
    ],
)
def test_a_mapping_needs_exactly_one_email_and_known_fields(chosen, says):
    with pytest.raises(MappingProblem) as refused:
        check_mapping(["A", "B", "C"], chosen)
    assert says in refused.value.message


def test_a_mapping_refuses_more_attributes_than_a_profile_holds():
    columns = ["Email", *[f"a{i}" for i in range(MAX_ATTRIBUTES + 1)]]
    chosen = {c: ATTRIBUTE for c in columns} | {"Email": EMAIL}
    with pytest.raises(MappingProblem, match=f"At most {MAX_ATTRIBUTES}"):
        check_mapping(columns, chosen)
    long = "x" * 61
    with pytest.raises(MappingProblem, match="too long"):
        check_mapping(["Email", long], {"Email": EMAIL, long: ATTRIBUTE})


def test_columns_not_chosen_are_skipped():
    assert check_mapping(["Email", "Other"], {"Email": EMAIL}) == {"Email": EMAIL, "Other": SKIP}


# --- a row --------------------------------------------------------------------------------

COLUMNS = ["Email", "Name", "Phone", "Company", "Time zone", "Plan", "Tenure"]
MAPPING = {
    "Email": EMAIL,
    "Name": NAME,
    "Phone": "phone",
    "Company": "company",
    "Time zone": "timezone",
    "Plan": ATTRIBUTE,
    "Tenure": ATTRIBUTE,
}


def row(*cells: str, number: int = 7) -> RowFields | RowError:
    return read_row(Row(number, cells), COLUMNS, MAPPING)


def test_a_good_row_gives_normalised_fields_and_its_attributes():
    assert row(
        " Ann.Lee@Example.COM ", "Ann   Lee", "+44 20 7946 0958", "Acme", "europe/london", "Pro", ""
    ) == RowFields(
        email="ann.lee@example.com",
        name="Ann Lee",
        phone="+442079460958",
        company="Acme",
        timezone="Europe/London",
        attributes={"Plan": "Pro"},  # an empty value is no value: it replaces nothing
    )


@pytest.mark.parametrize(
    ("cells", "says"),
    [
        (("", "Ann"), "No email address."),
        (("not-an-address", "Ann"), "The email address is not valid."),
        (("a@example.com", "A" * 121), "The name is longer than 120 characters."),
        (("a@example.com", "Ann", "12"), "The phone number is not valid."),
        (("a@example.com", "Ann", "", "", "Mars/Olympus"), "The time zone is not one we know"),
        (("a@example.com", "Ann", "", "", "", "x" * 501), "An attribute's name can be"),
        (("a@example.com", "Ann", "", "", "", "", "", "surplus"), "This row has 8 values"),
    ],
)
def test_a_bad_row_is_reported_with_its_number_and_why(cells, says):
    result = row(*cells, number=12)
    assert isinstance(result, RowError)
    assert result.row == 12
    assert says in result.message


def test_every_problem_of_a_row_is_reported_at_once_without_quoting_the_values():
    result = row("nobody", "Ann", "12", "", "Nowhere/Land")
    assert isinstance(result, RowError)
    assert "email" in result.message and "phone" in result.message and "time zone" in result.message
    assert "nobody" not in result.message and "Nowhere" not in result.message


def test_name_parts_are_joined_in_column_order():
    columns = ["Email", "First name", "Last name"]
    mapping = {"Email": EMAIL, "First name": NAME, "Last name": NAME}
    result = read_row(Row(2, ("a@example.com", "Ann", "Lee")), columns, mapping)
    assert isinstance(result, RowFields) and result.name == "Ann Lee"


def test_a_short_row_is_padded_and_empty_trailing_values_are_ignored():
    assert isinstance(row("a@example.com"), RowFields)
    assert isinstance(row("a@example.com", "Ann", "", "", "", "", "", "", " "), RowFields)


@given(st.lists(st.text(max_size=40), max_size=9), st.integers(min_value=2, max_value=10**6))
def test_any_row_gives_fields_or_an_error_and_never_raises(cells, number):
    result = read_row(Row(number, tuple(cells)), COLUMNS, MAPPING)
    if isinstance(result, RowError):
        assert result.row == number and result.message
    else:
        assert result.email == result.email.lower() and "@" in result.email


def test_someone_new_needs_a_name():
    assert new_person_problem(RowFields(email="a@example.com")) == (
        "No name: someone new to the panel needs one."
    )
    assert new_person_problem(RowFields(email="a@example.com", name="Ann")) is None


def test_a_row_updates_only_the_fields_it_gives():
    assert RowFields(email="a@example.com", company="Acme").updates() == {"company": "Acme"}


_ATTRS = st.dictionaries(st.text("abcAB", min_size=1, max_size=3), st.text(max_size=5), max_size=8)


@given(_ATTRS, _ATTRS)
def test_attributes_merge_key_by_key_with_the_file_winning(current, incoming):
    current = {k: v for k, v in current.items() if k == k.lower()}  # as a profile holds them
    incoming = {k.casefold(): (k, v) for k, v in incoming.items()}
    incoming = dict(incoming.values())  # one spelling of each name, as a file has
    merged = merged_attributes(current, incoming)
    folded = {key.casefold(): value for key, value in incoming.items()}
    assert {k.casefold() for k in merged} == {k.casefold() for k in (*current, *incoming)}
    for key, value in merged.items():
        assert value == folded.get(key.casefold(), current.get(key))
    assert list(merged)[: len(current)] == list(current)  # known keys keep their place


def test_an_attribute_is_matched_by_name_in_any_letter_case():
    assert merged_attributes({"plan": "Free", "seats": "3"}, {"Plan": "Pro"}) == {
        "plan": "Pro",
        "seats": "3",
    }


def test_a_merge_past_the_attribute_limit_is_refused():
    current = {f"k{i}": "v" for i in range(MAX_ATTRIBUTES)}
    with pytest.raises(InvalidField):
        merged_attributes(current, {"one more": "v"})
    assert merged_attributes(current, {"k0": "new"})["k0"] == "new"
