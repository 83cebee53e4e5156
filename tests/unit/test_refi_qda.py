"""REFI-QDA exchange: projects (.qdpx) and codebooks (.qdc) that other QDA tools can read,
checked against the standard's own schemas, and codebooks read safely from strangers."""

from __future__ import annotations

import ast
import io
import unicodedata
import uuid
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from interviews.errors import InvalidInput
from interviews.notes import refi_qda
from interviews.notes.refi_qda import (
    Code,
    Project,
    Selection,
    TextSource,
    UnreadableCodebook,
    find_quote,
    read_codebook,
    stable_guid,
    write_codebook,
    write_project,
)

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "refi_qda"
PROJECT_SCHEMA = etree.XMLSchema(etree.parse(str(SCHEMAS / "Project-mrt2019.xsd")))
CODEBOOK_SCHEMA = etree.XMLSchema(etree.parse(str(SCHEMAS / "Codebook-mrt2019.xsd")))
Q = "{urn:QDA-XML:project:1.0}"
NOW = datetime(2025, 3, 4, 10, 30, 15, 123456, tzinfo=UTC)

PRICING = Code(stable_guid("tag", "1"), "Pricing", "Anything about what it costs", "#D03A2F")
ONBOARDING = Code(stable_guid("tag", "2"), "Onboarding & <setup> “first run”")
# Emoji (one of them two code points), accents both composed and decomposed, a CRLF:
# each counts differently in UTF-8 bytes, UTF-16 units and code points.
TRANSCRIPT = (
    "Ana: Olá! 👋🏽 Café first, then cafe\u0301.\r\n"
    "Ben: Honestly the “pricing page” confused me 🤯 — I couldn’t find the plans.\n"
)
QUOTE = "the “pricing page” confused me"


def a_project(**changes) -> Project:
    start, end = find_quote(TRANSCRIPT, QUOTE)
    transcript = TextSource(
        guid=stable_guid("interview", "7", "transcript"),
        name="Interview with Ben — transcript",
        text=TRANSCRIPT,
        description="Recorded on Zoom",
        created_at=NOW,
        selections=(
            Selection(
                guid=stable_guid("takeaway", "31"),
                name=QUOTE,
                start=start,
                end=end,
                code_guids=(PRICING.guid, ONBOARDING.guid),
                description="Pricing page hides the plans",
                created_at=NOW,
            ),
        ),
    )
    notes = TextSource(
        guid=stable_guid("interview", "7", "notes"),
        name="Interview with Ben — notes",
        text="Needs a plan comparison.",
        selections=(
            Selection(stable_guid("takeaway", "32"), "plan comparison", 8, 23, code_guids=()),
        ),
    )
    fields = dict(
        name="Pricing study",
        origin="Interview Desk 0.1.0",
        created_at=NOW,
        user_guid=stable_guid("user", "5"),
        user_name="Pia PM",
        codes=(PRICING, ONBOARDING),
        sources=(transcript, notes),
        description="Why trials do not convert",
    )
    return Project(**{**fields, **changes})


def unzip(qdpx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def selections_read_back(qdpx: bytes) -> list[tuple[str, str]]:
    """(selection name, the text its positions cut from the zipped source), as an importer
    would find them."""
    files = unzip(qdpx)
    root = etree.fromstring(files["project.qde"])
    found = []
    for source in root.iter(f"{Q}TextSource"):
        path = source.get("plainTextPath").removeprefix("internal://")
        text = files[f"sources/{path}"].decode("utf-8")
        for selection in source.iter(f"{Q}PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            found.append((selection.get("name"), text[start:end]))
    return found


# The project file


def test_written_project_validates_against_the_refi_qda_project_schema():
    PROJECT_SCHEMA.assertValid(etree.fromstring(unzip(write_project(a_project()))["project.qde"]))


def test_a_project_with_no_codes_and_no_sources_still_validates():
    qde = unzip(write_project(a_project(codes=(), sources=())))["project.qde"]
    PROJECT_SCHEMA.assertValid(etree.fromstring(qde))


def test_zip_holds_project_qde_and_each_source_text_exactly_in_utf8():
    project = a_project()
    files = unzip(write_project(project))

    assert set(files) == {"project.qde"} | {f"sources/{s.guid}.txt" for s in project.sources}
    for source in project.sources:
        assert files[f"sources/{source.guid}.txt"] == source.text.encode("utf-8")  # no BOM


def test_each_text_source_points_at_its_text_inside_the_zip_by_guid():
    root = etree.fromstring(unzip(write_project(a_project()))["project.qde"])

    paths = {s.get("guid"): s.get("plainTextPath") for s in root.iter(f"{Q}TextSource")}

    assert paths == {s.guid: f"internal://{s.guid}.txt" for s in a_project().sources}


def test_selection_positions_slice_the_zipped_text_back_to_the_quote_after_emoji_and_accents():
    before = TRANSCRIPT[: TRANSCRIPT.index(QUOTE)]
    # The text before the quote counts differently in bytes and UTF-16 than in code points,
    # so only code points can give back the quote.
    assert len(before) not in (len(before.encode()), len(before.encode("utf-16-le")) // 2)

    assert selections_read_back(write_project(a_project())) == [
        (QUOTE, QUOTE),
        ("plan comparison", "plan comparison"),
    ]


def test_codings_refer_to_codes_by_guid_and_every_guid_is_unique():
    root = etree.fromstring(unzip(write_project(a_project()))["project.qde"])

    code_guids = {code.get("guid") for code in root.iter(f"{Q}Code")}
    refs = [ref.get("targetGUID") for ref in root.iter(f"{Q}CodeRef")]
    guids = [element.get("guid") for element in root.iter() if element.get("guid")]

    assert refs == [PRICING.guid, ONBOARDING.guid]
    assert set(refs) <= code_guids
    assert len(guids) == len(set(guids))


def test_project_keeps_tag_names_times_and_who_made_it():
    root = etree.fromstring(unzip(write_project(a_project()))["project.qde"])

    assert root.get("name") == "Pricing study"
    assert root.get("origin") == "Interview Desk 0.1.0"
    assert root.get("creationDateTime") == "2025-03-04T10:30:15Z"
    assert [(u.get("guid"), u.get("name")) for u in root.iter(f"{Q}User")] == [
        (stable_guid("user", "5"), "Pia PM")
    ]
    assert [c.get("name") for c in root.iter(f"{Q}Code")] == [
        "Pricing",
        "Onboarding & <setup> “first run”",
    ]
    assert root.find(f"{Q}Description").text == "Why trials do not convert"


def test_times_in_other_zones_are_written_in_utc():
    root = etree.fromstring(
        unzip(write_project(a_project(created_at=NOW.astimezone(timezone(timedelta(hours=-5))))))[
            "project.qde"
        ]
    )

    assert root.get("creationDateTime") == "2025-03-04T10:30:15Z"


def test_the_same_project_written_twice_gives_the_same_bytes():
    assert write_project(a_project()) == write_project(a_project())


def test_control_characters_in_names_are_dropped_so_the_file_stays_valid_xml():
    code = Code(stable_guid("tag", "9"), "Bell\x07 and NUL\x00 and \ufffe")

    qde = unzip(write_project(a_project(codes=(PRICING, ONBOARDING, code))))["project.qde"]

    PROJECT_SCHEMA.assertValid(etree.fromstring(qde))
    assert "Bell and NUL and " in qde.decode("utf-8")


@pytest.mark.parametrize("start, end", [(-1, 3), (4, 4), (5, 2), (0, len(TRANSCRIPT) + 1)])
def test_a_selection_outside_its_text_is_refused(start, end):
    source = a_project().sources[0]
    bad = Selection(stable_guid("takeaway", "99"), "bad", start, end, (PRICING.guid,))

    with pytest.raises(ValueError, match="outside"):
        write_project(
            a_project(sources=(TextSource(source.guid, "t", source.text, selections=(bad,)),))
        )


def test_a_selection_reaching_the_very_end_of_its_text_is_fine():
    text = "ends with 👋🏽"
    whole = Selection(stable_guid("takeaway", "1"), "all", 0, len(text), (PRICING.guid,))
    source = TextSource(stable_guid("note", "1"), "n", text, selections=(whole,))

    assert selections_read_back(write_project(a_project(sources=(source,)))) == [("all", text)]


def test_a_selection_coded_with_an_unknown_code_is_refused():
    with pytest.raises(ValueError, match="unknown codes"):
        write_project(a_project(codes=(PRICING,)))


def test_a_guid_used_twice_is_refused():
    twin = Code(PRICING.guid, "Another tag")

    with pytest.raises(ValueError, match="used twice"):
        write_project(a_project(codes=(PRICING, ONBOARDING, twin)))


@pytest.mark.parametrize("guid", ["tag-1", "{4c9ee301-cb57-4e75-9bcd-b8828ab6b90d}", ""])
def test_a_malformed_guid_is_refused(guid):
    with pytest.raises(ValueError, match="not a GUID"):
        write_project(a_project(user_guid=guid))


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        write_project(a_project(created_at=datetime(2025, 3, 4, 10, 30)))  # noqa: DTZ001


def test_a_colour_that_is_not_rgb_is_refused():
    with pytest.raises(ValueError, match="#RRGGBB"):
        write_codebook([Code(stable_guid("tag", "1"), "Red", color="red")], origin="us")


def test_stable_guids_repeat_for_the_same_parts_and_differ_otherwise():
    assert stable_guid("takeaway", "31") == stable_guid("takeaway", "31")
    assert stable_guid("takeaway", "31") != stable_guid("takeaway", "32")
    assert stable_guid("a", "b c") != stable_guid("a b", "c")
    assert uuid.UUID(stable_guid("tag", "1")).version == 5


# Codebooks


def test_written_codebook_validates_against_the_refi_qda_codebook_schema():
    qdc = write_codebook([PRICING, ONBOARDING], origin="Interview Desk 0.1.0")

    root = etree.fromstring(qdc)

    CODEBOOK_SCHEMA.assertValid(root)
    assert root.get("origin") == "Interview Desk 0.1.0"


def test_a_codebook_written_then_read_gives_the_same_codes():
    codes = [PRICING, ONBOARDING, Code(stable_guid("tag", "3"), "Pricing ")]

    assert read_codebook(write_codebook(codes, origin="us")) == codes


def test_windows_line_breaks_in_descriptions_come_back_as_plain_newlines():
    code = Code(stable_guid("tag", "1"), "Price", "First line\r\nsecond\rthird")

    assert read_codebook(write_codebook([code], origin="us"))[0].description == (
        "First line\nsecond\nthird"
    )


def test_a_codebook_needs_at_least_one_code():
    with pytest.raises(ValueError, match="at least one code"):
        write_codebook([], origin="us")


names = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from(" \t\n\r"),
    min_size=1,
    max_size=40,
).filter(str.strip)
descriptions = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from(" \t\n"),
    max_size=80,
)
colors = st.sampled_from(["", "#000000", "#A1b2C3", "#ffffff"])
codes = st.builds(Code, st.uuids().map(str), names, descriptions, colors)


@settings(max_examples=60, deadline=None)
@given(st.lists(codes, min_size=1, max_size=6, unique_by=lambda code: code.guid))
def test_any_codes_survive_a_codebook_round_trip_and_validate(codes):
    qdc = write_codebook(codes, origin="Interview Desk")

    CODEBOOK_SCHEMA.assertValid(etree.fromstring(qdc))
    assert read_codebook(qdc) == codes


def test_codes_from_another_tool_are_read_flat_with_their_own_names():
    # Shaped like ATLAS.ti and NVivo exports: upper-case or braced GUIDs, CRLF, a folder
    # code that cannot itself be coded, a short colour, sets after the codes.
    qdc = (
        '<?xml version="1.0" encoding="utf-8"?>\r\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" origin="Other tool 23">\r\n'
        "  <Codes>\r\n"
        '    <Code guid="A182CD3A-D83C-4D8C-BC80-26D9103EC6D6" name="Barriers" isCodable="false">\r\n'
        "      <Description>Folder</Description>\r\n"
        '      <Code guid="{2D2466F0-D77F-4F8C-BDF9-628966B6B74D}" name="Price" isCodable="true" color="#f0a"/>\r\n'
        '      <Code guid="086AC733-7B1C-4749-A138-D7182F63A5C9" name="Trust" isCodable="true">\r\n'
        '        <Code guid="11111111-2222-3333-4444-555555555555" name="Security" isCodable="true"/>\r\n'
        "      </Code>\r\n"
        "    </Code>\r\n"
        '    <Code guid="99999999-2222-3333-4444-555555555555" name="Délai" isCodable="true"/>\r\n'
        "  </Codes>\r\n"
        '  <Sets><Set guid="77777777-2222-3333-4444-555555555555" name="S"/></Sets>\r\n'
        "</CodeBook>\r\n"
    ).encode()

    assert read_codebook(qdc) == [
        Code("a182cd3a-d83c-4d8c-bc80-26d9103ec6d6", "Barriers", "Folder"),
        Code("2d2466f0-d77f-4f8c-bdf9-628966b6b74d", "Price", color="#ff00aa"),
        Code("086ac733-7b1c-4749-a138-d7182f63a5c9", "Trust"),
        Code("11111111-2222-3333-4444-555555555555", "Security"),
        Code("99999999-2222-3333-4444-555555555555", "Délai"),
    ]


def test_a_codebook_without_its_namespace_is_still_read():
    qdc = b'<CodeBook origin="Old tool"><Codes><Code guid="11111111-2222-3333-4444-555555555555" name="Price" isCodable="true"/></Codes></CodeBook>'

    assert [code.name for code in read_codebook(qdc)] == ["Price"]


def test_codes_without_a_name_or_a_readable_guid_are_skipped_but_their_children_kept():
    qdc = (
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        b'<Code guid="11111111-2222-3333-4444-555555555555" name="  " isCodable="false">'
        b'<Code guid="22222222-2222-3333-4444-555555555555" name="Kept" isCodable="true"/>'
        b"</Code>"
        b'<Code guid="not-a-guid" name="No guid" isCodable="true"/>'
        b'<Code guid="33333333-2222-3333-4444-555555555555" name="Bad colour" isCodable="true" color="red"/>'
        b"</Codes></CodeBook>"
    )

    assert read_codebook(qdc) == [
        Code("22222222-2222-3333-4444-555555555555", "Kept"),
        Code("33333333-2222-3333-4444-555555555555", "Bad colour"),
    ]


def test_two_codes_sharing_a_guid_both_keep_their_names():
    shared = "11111111-2222-3333-4444-555555555555"
    qdc = (
        f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{shared}" name="Price" isCodable="true"/>'
        f'<Code guid="{shared}" name="Trust" isCodable="true"/>'
        f'<Code guid="{shared}" name="Price" isCodable="true"/>'
        f"</Codes></CodeBook>"
    ).encode()

    read = read_codebook(qdc)

    assert [code.name for code in read] == ["Price", "Trust"]
    assert len({code.guid for code in read}) == 2


def test_codes_nested_thousands_deep_are_read_without_running_out_of_stack():
    depth = 5000
    qdc = (
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        + b"".join(
            b'<Code guid="%s" name="c%d" isCodable="true">' % (str(uuid.UUID(int=i)).encode(), i)
            for i in range(depth)
        )
        + b"</Code>" * depth
        + b"</Codes></CodeBook>"
    )

    read = read_codebook(qdc)

    assert len(read) == depth
    assert read[-1].name == f"c{depth - 1}"


@pytest.mark.parametrize(
    "data, says",
    [
        (b"tag,description\nPrice,\n", "read as XML"),
        (b"", "read as XML"),
        (b"<html><body>Codes</body></html>", "not a REFI-QDA codebook"),
        (b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>', "project file"),
        (b"PK\x03\x04rest of a zip", "zip file"),
        (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "no codes"),
        (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>', "no codes"),
        (b'<CodeBook xmlns="urn:other"><Codes/></CodeBook>', "not a REFI-QDA codebook"),
        (b"<?xml version='1.0' encoding='klingon'?><CodeBook/>", "read as XML"),
        (b"<a>\xff\xfe</a>", "read as XML"),
    ],
)
def test_a_file_that_is_not_a_codebook_is_refused_with_a_message_for_the_user(data, says):
    with pytest.raises(UnreadableCodebook, match=says) as refused:
        read_codebook(data)

    assert isinstance(refused.value, InvalidInput)
    assert refused.value.field == "codebook"


codebook_pieces = st.sampled_from(
    [
        '<?xml version="1.0"?>',
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0">',
        "<CodeBook>",
        "</CodeBook>",
        "<Codes>",
        "</Codes>",
        '<Code name="',
        '" guid="',
        "11111111-2222-3333-4444-555555555555",
        '" color="#abc',
        '">',
        "/>",
        "</Code>",
        "<Description>",
        "</Description>",
        "&amp;",
        "&#0;",
        "&x;",
        "<!DOCTYPE a>",
        "é 👋🏽",
        " ",
    ]
)


@st.composite
def damaged_codebooks(draw) -> bytes:
    """A codebook we wrote, with a few pieces cut out or XML fragments put in."""
    written = write_codebook(
        draw(st.lists(codes, min_size=1, max_size=3, unique_by=lambda c: c.guid)), origin="us"
    )
    data = bytearray(written)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        if draw(st.booleans()):
            data[at:at] = draw(codebook_pieces).encode()
        else:
            del data[at : at + draw(st.integers(1, 20))]
    return bytes(data)


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=200)
    | st.lists(codebook_pieces, max_size=30).map("".join).map(str.encode)
    | damaged_codebooks()
)
def test_any_bytes_are_read_as_codes_or_refused_for_the_user_never_crash(data):
    try:
        codes = read_codebook(data)
    except UnreadableCodebook as refused:
        assert refused.message
    else:
        assert codes and all(code.name.strip() for code in codes)


def test_a_codebook_over_2_mb_is_refused_before_it_is_parsed():
    code = b'<Code guid="11111111-2222-3333-4444-555555555555" name="x" isCodable="true"/>'
    body = code * (refi_qda.MAX_CODEBOOK_BYTES // len(code) + 1)
    qdc = b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>' + body + b"</Codes></CodeBook>"

    with pytest.raises(UnreadableCodebook, match="larger than 2 MB"):
        read_codebook(qdc)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="11111111-2222-3333-4444-555555555555" name="&lol9;" isCodable="true"/>
</Codes></CodeBook>"""


def test_an_entity_bomb_is_refused():
    with pytest.raises(UnreadableCodebook, match="DTD or entities"):
        read_codebook(BILLION_LAUGHS)


def test_an_external_entity_is_refused_and_the_file_it_names_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret-token")
    qdc = (
        f'<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="11111111-2222-3333-4444-555555555555" name="&leak;" isCodable="true"/>'
        "</Codes></CodeBook>"
    ).encode()

    with pytest.raises(UnreadableCodebook, match="DTD or entities") as refused:
        read_codebook(qdc)

    assert "s3cret" not in refused.value.message


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE CodeBook SYSTEM "http://127.0.0.1:9/codebook.dtd">',
        b'<!DOCTYPE CodeBook [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>',
        b"<!DOCTYPE CodeBook>",
    ],
)
def test_any_dtd_is_refused_since_a_codebook_never_needs_one(doctype):
    qdc = (
        b'<?xml version="1.0"?>' + doctype + b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        b'<Code guid="11111111-2222-3333-4444-555555555555" name="x" isCodable="true"/>'
        b"</Codes></CodeBook>"
    )

    with pytest.raises(UnreadableCodebook, match="DTD or entities"):
        read_codebook(qdc)


# Finding a takeaway's quote in a source


def test_an_exact_quote_is_found_at_its_code_point_positions():
    start, end = find_quote(TRANSCRIPT, QUOTE)

    assert TRANSCRIPT[start:end] == QUOTE
    assert start == TRANSCRIPT.index(QUOTE)


def test_a_repeated_quote_is_found_nearest_the_hint_or_first_without_one():
    text = "yes I would pay. Later: yes I would pay. And: yes I would pay."

    assert find_quote(text, "yes I would pay") == (0, 15)
    assert find_quote(text, "yes I would pay", near=30) == (24, 39)
    assert find_quote(text, "yes I would pay", near=10_000) == (46, 61)


def test_a_quote_with_other_whitespace_and_straight_quotes_is_still_found():
    text = "Ben: the  “pricing\n page”\u00a0confused me — I couldn’t find it."

    start, end = find_quote(text, 'the "pricing page" confused me — I couldn\'t')

    assert text[start:end] == "the  “pricing\n page”\u00a0confused me — I couldn’t"
    assert find_quote(text, '"pricing page" confused me - I') is None  # a dash is not a space


def test_accents_match_whether_composed_or_decomposed_but_not_bare_letters():
    text = "Le cafe\u0301 était froid, café noir."

    assert find_quote(text, "café était") == (3, 14)
    assert find_quote(text, "cafe\u0301 noir") == (22, 31)
    assert find_quote("un café", "cafe") is None
    assert find_quote("un café noir", "\u0301 noir") is None


def test_a_quote_that_is_not_there_or_blank_is_not_found():
    assert find_quote(TRANSCRIPT, "cheaper than the competition") is None
    assert find_quote(TRANSCRIPT, "  \n ") is None
    assert find_quote("", "anything") is None


texts = st.text(
    st.sampled_from("abcé e\u0301\n\t “”‘’\"'👋🏽🤯ñ日本"),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(texts, st.data())
def test_any_stretch_of_a_text_is_found_exactly_where_it_was_cut(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    quote = text[start:end]
    assume(quote and quote == quote.strip())

    assert find_quote(text, quote, near=start) == (start, end)


words = st.text(st.sampled_from("abéñ日👋🏽“”‘’"), min_size=1, max_size=5)
spaces = st.text(st.sampled_from(" \n\t\u00a0"), min_size=1, max_size=3)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(words, spaces), min_size=1, max_size=8), st.data())
def test_a_quote_typed_with_plain_spaces_and_straight_quotes_finds_the_words(pieces, data):
    text = "".join(word + gap for word, gap in pieces)
    first = data.draw(st.integers(0, len(pieces) - 1))
    last = data.draw(st.integers(first, len(pieces) - 1))
    typed = " ".join(word for word, _ in pieces[first : last + 1])
    typed = typed.translate(str.maketrans("“”‘’", "\"\"''"))
    start = sum(len(word + gap) for word, gap in pieces[:first])
    end = start + len("".join(w + g for w, g in pieces[first:last])) + len(pieces[last][0])

    found = find_quote(text, typed, near=start)

    assert found is not None
    if typed not in text:  # otherwise an exact copy elsewhere rightly wins
        assert found == (start, end)
    assert folded(text[found[0] : found[1]]) == folded(typed)


def folded(text: str) -> str:
    plain = text.translate(str.maketrans("“”‘’", "\"\"''"))
    return " ".join(unicodedata.normalize("NFD", plain).split())


@settings(max_examples=60, deadline=None)
@given(texts, texts.filter(lambda q: q.strip() and q == q.strip()), texts)
def test_positions_found_for_a_quote_slice_the_exported_text_back_to_it(before, quote, after):
    text = before + quote + after
    start, end = find_quote(text, quote)
    selection = Selection(stable_guid("takeaway", "1"), quote, start, end, (PRICING.guid,))
    source = TextSource(stable_guid("interview", "1"), "Interview", text, selections=(selection,))

    qdpx = write_project(a_project(sources=(source,)))

    PROJECT_SCHEMA.assertValid(etree.fromstring(unzip(qdpx)["project.qde"]))
    assert selections_read_back(qdpx) == [(quote, quote)]


def test_the_format_layer_imports_neither_flask_nor_sqlalchemy():
    tree = ast.parse(Path(refi_qda.__file__).read_text())
    imported = {
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module]
        )
    }

    assert not {name for name in imported if name.split(".")[0] in ("flask", "sqlalchemy")}
