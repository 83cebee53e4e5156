"""Reading transcripts (WebVTT, SRT, plain text) into segments, and writing WebVTT back."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviews.errors import InvalidInput
from interviews.notes.transcript_files import (
    Segment,
    UnreadableTranscript,
    format_moment,
    read_transcript,
    speakers,
    write_vtt,
)

FIXTURES = Path(__file__).parent.parent / "data" / "transcripts"
DANA, PAT = "Dana Reyes", "Pat Lee"


def read_fixture(name: str, **kwargs) -> list[Segment]:
    return read_transcript((FIXTURES / name).read_bytes(), filename=name, **kwargs)


def refusal(data: bytes, **kwargs) -> str:
    with pytest.raises(UnreadableTranscript) as refused:
        read_transcript(data, **kwargs)
    assert refused.value.field == "transcript"
    return refused.value.message


# --- WebVTT ------------------------------------------------------------------------------


def test_voices_with_classes_and_closing_tags_name_the_speakers_and_skip_note_style_region():
    # Text cue ids and numbers, cue settings, a two-line cue, a cue without a voice
    # (Pat goes on) and a cue holding two voices (one segment each, same times).
    assert read_fixture("teams_voices.vtt") == [
        Segment(1.0, 4.2, DANA, "Thanks for joining, Pat."),
        Segment(4.5, 8.0, PAT, "Happy to help, the export thing drives me mad."),
        Segment(8.0, 11.25, PAT, "Every Monday I copy charts by hand."),
        Segment(11.5, 13.0, DANA, "Which charts?"),
        Segment(11.5, 13.0, PAT, "All of them."),
    ]


def test_styling_tags_and_timestamps_are_removed_references_decoded_and_empty_cues_dropped():
    # Ruby text (<rt>) is a reading aid, not spoken words; "I <3" is not a tag.
    assert read_fixture("styled_cues.vtt") == [
        Segment(5.0, 7.0, DANA, "Bold, italic and underlined words."),
        Segment(7.0, 9.5, PAT, "Sales & ops ask for PDFs <every> week."),
        Segment(10.5, 14.0, PAT, "The 漢字 labels break, and I <3 the old export."),
    ]


def test_overlapping_and_out_of_order_cues_are_kept_and_ordered_by_start():
    assert read_fixture("overlaps_out_of_order.vtt") == [
        Segment(10.0, 15.0, PAT, "I open the dashboard first."),
        Segment(12.5, 16.0, DANA, "Mm-hm."),
        Segment(14.0, 18.0, PAT, "Then I wait for the PDF."),
        Segment(20.0, 24.0, DANA, "What happens when the export fails?"),
        Segment(3723.004, 3725.0, PAT, "That is all, thanks."),
    ]


def test_zoom_names_in_the_cue_text_carry_over_to_the_cues_that_follow_without_one():
    # The file has a BOM and CRLF line ends; "Note:" is words, not a speaker.
    assert read_fixture("zoom_bom_crlf.vtt") == [
        Segment(0.5, 3.0, DANA, "So tell me how you export dashboards today."),
        Segment(3.2, 6.0, PAT, "Honestly? It's painful."),
        Segment(6.0, 9.5, PAT, "I export each chart one at a time."),
        Segment(9.5, 12.0, PAT, "Note: the export fails above ten charts."),
        Segment(12.5, 14.0, DANA, "Got it, thanks."),
    ]


def test_cue_without_voice_continues_the_speakers_turn_even_in_a_later_cue_of_the_file():
    data = b"WEBVTT\n\n00:05.000 --> 00:06.000\nand more\n\n00:01.000 --> 00:04.000\n<v Pat Lee>I export\n"
    assert read_transcript(data) == [
        Segment(1.0, 4.0, PAT, "I export"),
        Segment(5.0, 6.0, PAT, "and more"),
    ]


def test_a_transcript_that_names_nobody_has_segments_without_a_speaker():
    data = b"WEBVTT\n\n00:01.000 --> 00:02.000\nhello there\n\n00:02.000 --> 00:03.000\nbye\n"
    assert [s.speaker for s in read_transcript(data)] == ["", ""]


def test_a_bad_time_range_is_refused_with_its_line_number():
    message = refusal((FIXTURES / "bad_timing.vtt").read_bytes(), content_type="text/vtt")
    assert message == (
        "Line 14: '00:01:02,5 --> x' is not a time range. "
        "Times are written like 00:01:02.500 --> 00:01:05.000."
    )


@pytest.mark.parametrize(
    ("timing", "problem"),
    [
        ("00:61:00.000 --> 00:62:00.000", "is not a time range"),
        ("00:00:04.3001 --> 00:00:05.000", "is not a time range"),
        ("00:00:09.000 --> 00:00:05.000", "ends before it starts"),
        ("12345678901:00:00.000 --> 12345678901:00:01.000", "is not a time range"),
    ],
)
def test_impossible_times_are_refused_rather_than_the_cue_silently_dropped(timing, problem):
    data = f"WEBVTT\n\n00:01.000 --> 00:02.000\nfine\n\n{timing}\nlost words\n".encode()
    assert refusal(data).startswith(f"Line 6: '{timing}' {problem}")


def test_short_fractions_and_times_without_milliseconds_are_read_as_written():
    data = b"WEBVTT\n\n0:01:02.5 --> 00:01:03\nshort\n"
    assert read_transcript(data) == [Segment(62.5, 63.0, "", "short")]


def test_blank_lines_before_the_header_are_skipped_and_line_numbers_still_match_the_file():
    assert read_transcript(b"\n\nWEBVTT\n\n00:01.000 --> 00:02.000\nhi\n") == [
        Segment(1.0, 2.0, "", "hi")
    ]
    message = refusal(b"\n\nWEBVTT\n\n00:01.000 --> 00:00.000\nhi\n")
    assert message.startswith("Line 5: '00:01.000 --> 00:00.000' ends before it starts.")


def test_a_file_sent_as_webvtt_without_the_header_is_refused_with_what_to_do():
    message = refusal(b"Dana Reyes: hello\n", content_type="text/vtt")
    assert "does not start with the line 'WEBVTT'" in message


def test_a_file_with_only_notes_has_no_spoken_words():
    data = b"WEBVTT\n\nNOTE nothing was said\n\n00:01.000 --> 00:02.000\n\n"
    assert refusal(data) == "No spoken words were found in this file."


# --- SRT ---------------------------------------------------------------------------------


def test_srt_with_italics_blank_lines_and_no_final_blank_line_reads_every_subtitle():
    # Blank lines between the number and its time, several between subtitles, one
    # inside the words; a "{\an8}" placement code; the file ends without a newline.
    assert read_fixture("subtitles.srt") == [
        Segment(1.0, 3.5, DANA, "Do you export dashboards often?"),
        Segment(4.0, 7.25, PAT, "Every week, as PDF."),
        Segment(7.25, 9.0, PAT, "The charts come out blurry. And the legend is cut."),
        Segment(9.5, 10.0, DANA, "I see."),
    ]


def test_an_old_windows_srt_is_read_as_windows_1252():
    assert read_fixture("old_windows.srt") == [
        Segment(1.0, 2.0, DANA, "What’s the café team’s export?"),
        Segment(2.5, 4.0, PAT, "Same as ours – a PDF, 10 € each."),
    ]


def test_a_utf16_srt_with_a_byte_order_mark_is_read():
    assert read_fixture("utf16.srt") == [
        Segment(1.0, 2.5, DANA, "Does the export keep “Größe” labels?"),
        Segment(3.0, 4.0, PAT, "Only in Excel."),
    ]


def test_srt_times_with_a_short_fraction_or_no_hours_mean_what_they_say():
    # The srt library alone reads ",5" as 5 ms and "01:02,500" as 1 h 2 min 500 s.
    data = b"1\n00:00:02,5 --> 01:02,500\nPat Lee: slow\n"
    assert read_transcript(data, content_type="application/x-subrip") == [
        Segment(2.5, 62.5, PAT, "slow")
    ]


def test_words_before_the_first_srt_subtitle_are_refused_with_their_line():
    data = b"\nexported by tool\n1\n00:00:01,000 --> 00:00:02,000\nhi\n"
    message = refusal(data, content_type="application/x-subrip")
    assert message.startswith("Line 2: 'exported by tool' is not where a subtitle can start.")


def test_an_srt_the_library_cannot_read_is_refused_not_crashed():
    # Python refuses to turn a 5,000-digit subtitle number into an int.
    data = b"1" * 5_000 + b"\n00:00:01,000 --> 00:00:02,000\nhi\n"
    assert refusal(data) == (
        "This SRT file could not be read. Export the transcript again and upload the new file."
    )


def test_a_bad_srt_time_range_shows_the_srt_way_to_write_times():
    data = b"1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\n00:01:02,5 --> x\nbye\n"
    assert refusal(data, filename="call.srt") == (
        "Line 6: '00:01:02,5 --> x' is not a time range. "
        "Times are written like 00:01:02,500 --> 00:01:05,000."
    )


# --- plain text --------------------------------------------------------------------------


def test_plain_text_turns_continue_on_lines_without_a_name_and_split_at_blank_lines():
    # "Note:" and a one-off "Problem:" inside a paragraph are words, and so is "at 10:30";
    # a name alone on its line starts the turn whose words follow.
    assert read_fixture("turns.txt") == [
        Segment(
            None,
            None,
            DANA,
            "Thanks for joining. How do you share dashboards with your team today?",
        ),
        Segment(
            None,
            None,
            PAT,
            "I export them as PDF every Monday. Note: the export fails when a dashboard has "
            "more than ten charts. Problem: it takes twenty minutes.",
        ),
        Segment(None, None, DANA, "What happens then?"),
        Segment(
            None,
            None,
            PAT,
            "I take screenshots instead, at 10:30 we met and nobody had the numbers.",
        ),
        Segment(None, None, PAT, "I still do it that way."),
        Segment(None, None, DANA, "Would a scheduled email help?"),
    ]


def test_plain_text_that_names_nobody_gives_one_unnamed_segment_per_paragraph():
    assert read_fixture("no_names.txt") == [
        Segment(
            None,
            None,
            "",
            "Note: the export fails when a dashboard has more than ten charts. "
            "At 10:30 we met with the sales team.",
        ),
        Segment(None, None, "", "They asked for PDFs every week, and nobody had them."),
    ]


def test_plain_text_with_old_mac_line_ends_reads_each_line():
    # A full name starts a turn even in the middle of a paragraph.
    assert read_fixture("cr_line_ends.txt") == [
        Segment(None, None, DANA, "Where do the exports go?"),
        Segment(None, None, PAT, "Into a shared folder, then email."),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Speaker 2: yes",
        "Dana van Dijk: yes",
        "Q: yes",
        "王芳: yes",
        "O'Neil: yes",
        "Jean-Luc Picard: yes",
        "P3: yes",
    ],
)
def test_a_name_before_a_colon_at_a_turn_start_is_the_speaker(line):
    name = line.split(":")[0]
    assert read_transcript(f"Dana Reyes: hi\n\n{line}\n".encode()) == [
        Segment(None, None, DANA, "hi"),
        Segment(None, None, name, "yes"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Note: the export fails",
        "NB: the export fails",
        "at 10:30 we met",
        "At 10:30 we met",
        "so: the export fails",
        "One Two Three Four Five: too many words",
        "Dana Reyes (PM): brackets",
        "Ticket #123: the export fails",
    ],
)
def test_words_that_only_look_like_a_name_are_not_a_speaker(line):
    assert read_transcript(f"Pat Lee: hi\n\n{line}\n".encode()) == [
        Segment(None, None, PAT, "hi"),
        Segment(None, None, PAT, line),
    ]


def test_a_one_word_name_inside_a_paragraph_counts_once_it_is_seen_twice():
    data = b"Dana: how?\nPat: slowly.\nProblem: it is slow\nDana: and then?\nPat: I wait.\n"
    assert [(s.speaker, s.text) for s in read_transcript(data)] == [
        ("Dana", "how?"),
        ("Pat", "slowly. Problem: it is slow"),
        ("Dana", "and then?"),
        ("Pat", "I wait."),
    ]


def test_plain_text_keeps_angle_brackets_and_ampersands_as_written():
    data = b"Pat Lee: exports <b>always</b> fail &amp; stall\n"
    assert read_transcript(data)[0].text == "exports <b>always</b> fail &amp; stall"


# --- choosing the format and reading the bytes -------------------------------------------

VTT = b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Pat Lee>hi\n"
SRT = b"1\n00:00:01,000 --> 00:00:02,000\nPat Lee: hi\n"
TIMED_HI = [Segment(1.0, 2.0, PAT, "hi")]


@pytest.mark.parametrize(
    ("data", "kwargs"),
    [
        (VTT, {}),
        (VTT, {"content_type": "text/plain; charset=utf-8", "filename": "call.txt"}),
        (SRT, {}),
        (SRT, {"content_type": "text/vtt"}),
        (SRT, {"filename": "call.txt"}),
        (b"\xef\xbb\xbf" + VTT, {"content_type": "application/octet-stream"}),
    ],
)
def test_a_file_that_plainly_is_webvtt_or_srt_is_read_as_such_whatever_it_is_called(data, kwargs):
    assert read_transcript(data, **kwargs) == TIMED_HI


def test_without_a_signature_the_content_type_then_the_extension_decide():
    words = b"Pat Lee: hi\n"
    assert read_transcript(words) == [Segment(None, None, PAT, "hi")]
    assert "subtitle" in refusal(words, content_type="application/x-subrip", filename="a.txt")
    assert "subtitle" in refusal(words, filename="CALL.SRT")
    assert "WEBVTT" in refusal(words, filename="call.vtt")
    assert read_transcript(words, content_type="text/plain", filename="call.vtt")[0].text == "hi"


def test_bytes_that_are_not_utf8_nor_windows_1252_are_read_as_latin_1():
    # 0x81 has no character in Windows-1252.
    assert read_transcript(b"Pat Lee: Gr\xfc\xdfe \x81\n")[0].text == "Grüße \x81"


def test_a_utf16_big_endian_plain_text_is_read():
    data = b"\xfe\xff" + "Pat Lee: “hi”\n".encode("utf-16-be")
    assert read_transcript(data) == [Segment(None, None, PAT, "“hi”")]


@pytest.mark.parametrize("data", [b"", b" \r\n\t\n", b"\xef\xbb\xbf", b"\xff\xfe"])
def test_an_empty_file_is_refused(data):
    assert refusal(data) == "The file is empty."


def test_a_binary_file_is_refused_as_not_a_transcript():
    assert "not a text transcript" in refusal(b"\x00\x00\x00\x18ftypmp42\x00\x00")


def test_a_damaged_utf16_file_is_refused_with_what_to_do():
    assert "Save it again as UTF-8" in refusal(b"\xff\xfe\x00\xd8a")


def test_unreadable_transcript_is_an_invalid_input_the_api_answers_with_422():
    assert issubclass(UnreadableTranscript, InvalidInput)
    assert UnreadableTranscript("x").status_code == 422


# --- limits ------------------------------------------------------------------------------


def test_more_than_20000_segments_are_refused():
    data = ("words\n\n" * 20_001).encode()
    assert "at most 20,000 can be read" in refusal(data)


def test_exactly_20000_segments_are_read():
    assert len(read_transcript(("words\n\n" * 20_000).encode())) == 20_000


def test_a_turn_longer_than_10000_characters_is_refused_with_where_it_starts():
    data = ("Dana Reyes: hi\n\nPat Lee: " + "word " * 2_001).encode()
    assert refusal(data).startswith("The turn starting on line 3 is 10,004 characters long")


def test_a_cue_longer_than_10000_characters_is_refused_with_its_moment():
    data = ("WEBVTT\n\n01:02.000 --> 01:03.000\n" + "x" * 10_001 + "\n").encode()
    assert refusal(data).startswith("The cue at 1:02 is 10,001 characters long")


def test_a_two_hour_call_with_2500_cues_is_read_whole():
    cues = []
    for index in range(2_500):
        start, end = index * 2_880, index * 2_880 + 2_500  # milliseconds
        who = DANA if index % 2 else PAT
        cues.append(
            f"{index + 1}\n{_clock(start)} --> {_clock(end)}\n<v {who}>Part {index} of the call\n"
        )
    segments = read_transcript(("WEBVTT\n\n" + "\n".join(cues)).encode(), content_type="text/vtt")
    assert len(segments) == 2_500
    assert segments[0] == Segment(0.0, 2.5, PAT, "Part 0 of the call")
    assert segments[-1] == Segment(7197.12, 7199.62, DANA, "Part 2499 of the call")
    assert speakers(segments) == [PAT, DANA]


def _clock(milliseconds: int) -> str:
    seconds, millis = divmod(milliseconds, 1000)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{millis:03d}"


# --- whatever the bytes, a named refusal or segments -------------------------------------

PIECES = [
    "WEBVTT\n",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "1\n",
    "-->",
    " --> ",
    "00:01.000",
    "00:00:01,000",
    "00:61:00.000",
    ",5",
    "NOTE ",
    "STYLE\n",
    "REGION\n",
    "<v Dana>",
    "<v.loud Pat>",
    "</v>",
    "<b>",
    "<rt>",
    "</ruby>",
    "<00:00:01.000>",
    "&amp;",
    "&#0;",
    "&#xD800;",
    "&#99999999;",
    "{\\an8}",
    "Dana Reyes: ",
    "Note: ",
    "\ufeff",
    "\x00",
    "é",
    "align:start ",
    "x",
]


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(PIECES), max_size=40),
    content_type=st.sampled_from(["", "text/vtt", "application/x-subrip", "text/plain"]),
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]),
)
def test_any_file_gives_segments_or_an_unreadable_transcript(pieces, content_type, encoding):
    data = "".join(pieces).encode(encoding, errors="replace")
    try:
        segments = read_transcript(data, content_type=content_type)
    except UnreadableTranscript as refused:
        assert refused.message
    else:
        assert segments and all(s.text == " ".join(s.text.split()) for s in segments)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_give_segments_or_an_unreadable_transcript(data):
    try:
        segments = read_transcript(data)
    except UnreadableTranscript as refused:
        assert refused.message
    else:
        assert segments


# --- writing WebVTT ----------------------------------------------------------------------


def test_segments_are_written_as_webvtt_cues_with_voices_and_escaped_text():
    written = write_vtt(
        [
            Segment(0.5, 3.0, DANA, "Do <b> & </b> survive?"),
            Segment(3723.004, 3725.0, "", "Pat Lee: this colon is words"),
        ]
    )
    assert written == (
        "WEBVTT\n\n"
        "00:00:00.500 --> 00:00:03.000\n<v Dana Reyes>Do &lt;b&gt; &amp; &lt;/b&gt; survive?\n\n"
        "01:02:03.004 --> 01:02:05.000\nPat Lee&#58; this colon is words\n"
    )


def test_segments_without_times_cannot_be_written_as_webvtt():
    with pytest.raises(ValueError):
        write_vtt([Segment(None, None, PAT, "hi")])


_TEXT_PIECES = st.one_of(
    st.sampled_from(["<", ">", "&", "&amp;", ":", "：", "-->", "<v Dana>", "Dana Reyes: ", "NOTE"]),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=6),
)


def _normal(text: str) -> str:
    return " ".join(text.split())


_WORDS = st.lists(_TEXT_PIECES, min_size=1, max_size=8).map("".join).map(_normal).filter(bool)


@st.composite
def transcripts(draw) -> list[Segment]:
    """Segments as the readers give them: a speaker, once named, never falls back to ""."""
    count = draw(st.integers(1, 12))
    unnamed = draw(st.integers(0, count))
    start, segments = 0, []
    for index in range(count):
        start += draw(st.integers(0, 5_000))
        end = start + draw(st.integers(0, 9_000))
        speaker = "" if index < unnamed else draw(_WORDS)
        segments.append(Segment(start / 1000, end / 1000, speaker, draw(_WORDS)))
    return segments


@settings(max_examples=300, deadline=None)
@given(transcripts())
def test_written_webvtt_reads_back_as_the_same_segments(segments):
    assert read_transcript(write_vtt(segments).encode()) == segments


# --- speakers and moments ----------------------------------------------------------------


def test_speakers_are_listed_once_in_the_order_they_first_speak():
    said = [Segment(None, None, s, "x") for s in ["", PAT, DANA, PAT, "", "Sam"]]
    assert speakers(said) == [PAT, DANA, "Sam"]


@pytest.mark.parametrize(
    ("seconds", "moment"),
    [
        (0, "0:00"),
        (5.9, "0:05"),
        (754.2, "12:34"),
        (3599.999, "59:59"),
        (3723, "1:02:03"),
        (36_000, "10:00:00"),
    ],
)
def test_a_moment_is_written_as_minutes_and_seconds_with_hours_when_there_are_any(seconds, moment):
    assert format_moment(seconds) == moment


def test_a_negative_moment_is_refused():
    with pytest.raises(ValueError):
        format_moment(-1)
