"""What names a person in free text, and how an export is packed: no database."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from interviews.notes.erasure import scrub, scrubber
from interviews.participants import personal_data


def test_the_words_cover_the_name_its_parts_the_phone_as_written_and_escaped_forms():
    words = personal_data.erasure_words(
        name="Siobhán O'Neil", email="so@acme.example", phone="+14155552671", company="AT&T"
    )

    for expected in (
        "Siobhán O'Neil",
        "Siobhán",
        "O'Neil",
        "O&#39;Neil",  # as Jinja escapes it in HTML mail
        "O&#x27;Neil",
        "so@acme.example",
        "+14155552671",
        "+1 415-555-2671",
        "+1 415 555 2671",
        "(415) 555-2671",
        "4155552671",
        "AT&T",
        "AT&amp;T",
    ):
        assert expected in words
    assert words == sorted(words, key=len, reverse=True)
    assert len({w.casefold() for w in words}) == len(words)


def test_a_name_with_a_comma_is_also_found_as_calendar_files_escape_it():
    words = personal_data.erasure_words(name="Doe, Jane", email="", phone="", company="")

    assert "Doe\\, Jane" in words


def test_phrases_they_wrote_count_but_one_word_answers_do_not():
    words = personal_data.erasure_words(
        name="Pat Lee", email="", phone="", company="", written=["Dashboards", "Our board pack"]
    )

    assert "Our board pack" in words and "Dashboards" not in words


def test_short_words_are_left_out_and_scrub_replaces_whole_words_only():
    words = personal_data.erasure_words(name="Ann Li", email="", phone="", company="")

    assert "Li" not in words
    text = "Ann Li said the annual report is slow; ann agreed. Annie did not."
    assert (
        scrub(text, words)
        == "[erased] said the annual report is slow; [erased] agreed. Annie did not."
    )


def test_scrub_finds_an_address_and_a_number_inside_links():
    words = personal_data.erasure_words(
        name="Pat Lee", email="pat@lee.example", phone="+14155552671", company=""
    )

    html = '<a href="mailto:pat@lee.example">Pat</a>, <a href="tel:+14155552671">call</a>'
    assert (
        scrub(html, words)
        == '<a href="mailto:[erased]">[erased]</a>, <a href="tel:[erased]">call</a>'
    )


def test_an_erased_address_is_unique_and_undeliverable():
    assert personal_data.erased_email(42) == "erased-42@erased.invalid"
    assert personal_data.erased_email(42) != personal_data.erased_email(43)


def test_the_confirmation_is_their_address_in_any_case_and_nothing_else():
    assert personal_data.confirms(" PAT@Lee.example ", "pat@lee.example")
    assert not personal_data.confirms("", "pat@lee.example")
    assert not personal_data.confirms("pat@lee.exampl", "pat@lee.example")


def test_the_archive_holds_the_readme_the_document_and_the_notes():
    made = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    readme = personal_data.readme(
        product="Interview Desk",
        workspace="Northwind",
        participant_id=7,
        made_at=made,
        sections=[("profile", "who you are"), ("rewards", "thank-yous owed and sent")],
    )
    data = personal_data.build_archive(
        {"profile": {"name": "Zoë"}},
        {personal_data.notes_file_name(3): "# Interview\n"},
        readme,
    )

    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["README.txt", "participant.json", "notes/interview-3.md"]
    assert json.loads(archive.read("participant.json")) == {"profile": {"name": "Zoë"}}
    text = archive.read("README.txt").decode()
    assert "participant 7" in text and "24 November 2026 at 09:30 UTC" in text
    assert "  rewards: thank-yous owed and sent" in text


def test_a_scrubber_of_thousands_of_words_withholds_what_scrub_would():
    people = [
        personal_data.erasure_words(
            name=f"Person{n} Lastname{n}", email=f"p{n}@firm{n}.example", phone="", company=""
        )
        for n in range(3000)
    ]
    scrub_all = scrubber(word for words in people for word in words)
    text = "Person17 Lastname17 (p17@firm17.example) told PERSON2999 about person30x."

    assert scrub_all(text) == "[erased] ([erased]) told [erased] about person30x."
    assert scrub_all("") == "" and scrub_all("Nobody here.") == "Nobody here."


@given(
    words=st.lists(st.text(alphabet="abcAB é+-.@ 12", min_size=1, max_size=8), max_size=8),
    text=st.text(alphabet="abcAB é+-.@ 12\n", max_size=40),
)
def test_a_scrubber_finds_exactly_what_scrub_finds(words, text):
    assert scrubber(words)(text) == scrub(text, words)
