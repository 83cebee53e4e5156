"""Who speaks, turns, and whether a highlight's quote is really in the transcript."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from interviews.notes.recording_links import moment_link
from interviews.notes.transcript_rules import find_quote, guess_roles, plain_words, turns

# --- speakers --------------------------------------------------------------------------------


def test_speakers_named_as_the_interviewee_and_the_host_get_their_roles():
    roles = guess_roles(
        ["Dana Reyes", "Pat Lee", "Sam"],
        interviewee="Pat Lee",
        team=["Dana Reyes", "Sam Rivera"],
        known={},
    )
    assert roles == {"Dana Reyes": "interviewer", "Pat Lee": "interviewee", "Sam": "interviewer"}


def test_in_a_call_of_two_the_unnamed_side_is_the_other_person():
    assert guess_roles(
        ["Dana Reyes", "iPhone (2)"], interviewee="Pat Lee", team=["Dana Reyes"], known={}
    ) == {
        "Dana Reyes": "interviewer",
        "iPhone (2)": "interviewee",
    }
    assert guess_roles(["Speaker 1", "Pat"], interviewee="Pat Lee", team=["Dana"], known={}) == {
        "Speaker 1": "interviewer",
        "Pat": "interviewee",
    }


def test_roles_said_before_are_kept_and_strangers_are_other():
    roles = guess_roles(
        ["Speaker 1", "Speaker 2", "Speaker 3"],
        interviewee="Pat Lee",
        team=["Dana Reyes"],
        known={"Speaker 2": "interviewee", "Speaker 9": "interviewer"},
    )
    assert roles == {"Speaker 1": "other", "Speaker 2": "interviewee", "Speaker 3": "other"}


def test_a_first_name_alone_is_not_someone_else_with_that_first_name():
    roles = guess_roles(["Pat Morgan"], interviewee="Pat Lee", team=[], known={})
    assert roles == {"Pat Morgan": "interviewee"}  # by elimination, not by name
    roles = guess_roles(["Pat Morgan", "Pat Lee"], interviewee="Pat Lee", team=[], known={})
    assert roles["Pat Lee"] == "interviewee" and roles["Pat Morgan"] == "interviewer"


def test_consecutive_segments_of_one_speaker_read_as_one_turn():
    said = [
        SimpleNamespace(speaker="Dana", start=0.0),
        SimpleNamespace(speaker="Dana", start=3.0),
        SimpleNamespace(speaker="Pat", start=5.0),
        SimpleNamespace(speaker="Dana", start=9.0),
    ]
    found = turns(said)
    assert [(t.speaker, t.start, len(t.segments)) for t in found] == [
        ("Dana", 0.0, 2),
        ("Pat", 5.0, 1),
        ("Dana", 9.0, 1),
    ]


# --- quotes ----------------------------------------------------------------------------------

SEGMENTS = [
    "We export every dashboard to a spreadsheet on Fridays,",
    "because finance won’t log in.",
    "It takes about two hours.",
]


def test_a_quote_inside_one_segment_is_found_there():
    found = find_quote(SEGMENTS, "export every dashboard")
    assert found is not None and found.last == 0 and found.text == "export every dashboard"


def test_a_quote_may_run_on_into_the_next_segments():
    found = find_quote(SEGMENTS, "on Fridays, because finance won't log in. It takes")
    assert found is not None and found.last == 2
    assert found.text == "on Fridays, because finance won't log in. It takes"


def test_quotation_marks_ellipses_and_line_breaks_around_a_trimmed_quote_do_not_matter():
    found = find_quote(SEGMENTS, "“…every dashboard\n  to a spreadsheet…”")
    assert found is not None and found.text == "every dashboard to a spreadsheet"


def test_a_full_stop_said_there_is_kept_and_one_that_was_not_is_forgiven():
    ended = find_quote(SEGMENTS[2:], "It takes about two hours.")
    assert ended is not None and ended.text == "It takes about two hours."
    assert find_quote(SEGMENTS[2:], "“…about two hours...”").text == "about two hours"
    run_on = find_quote(SEGMENTS, "We export every dashboard.")
    assert run_on is not None and run_on.text == "We export every dashboard"


def test_words_not_said_or_changed_are_not_a_quote():
    assert find_quote(SEGMENTS, "export every report") is None
    assert find_quote(SEGMENTS, "We Export every dashboard") is None  # case as said
    assert find_quote(SEGMENTS, "") is None
    assert find_quote(SEGMENTS, "“ … ”") is None
    assert find_quote(SEGMENTS, "....") is None
    assert find_quote(SEGMENTS, ", .") is None


def test_a_quote_must_start_in_the_chosen_segment():
    assert find_quote(SEGMENTS[1:], "export every dashboard") is None
    assert find_quote(SEGMENTS, "finance won't log in") is None


def test_a_quote_cannot_start_or_end_inside_a_word():
    assert find_quote(SEGMENTS, "xport every") is None
    assert find_quote(SEGMENTS, "every dash") is None
    assert find_quote(["It's 2.5 hours, roughly."], "2.5 hours") is not None


@given(
    words=st.lists(st.text(alphabet="abcdefgh ’", min_size=1, max_size=12), min_size=1, max_size=6),
    data=st.data(),
)
def test_any_run_of_whole_words_from_the_first_segment_on_is_found(words, data):
    texts = [w for w in words if w.strip()]
    if not texts:
        return
    joined = plain_words(" ".join(texts)).split(" ")
    first_count = len(plain_words(texts[0]).split(" "))
    start = data.draw(st.integers(0, first_count - 1))
    end = data.draw(st.integers(start + 1, len(joined)))
    quote = " ".join(joined[start:end])
    if not (joined[start][0].isalpha() and joined[end - 1][-1].isalpha()):
        return  # marks around a quote are trimmed: it would start elsewhere
    found = find_quote(texts, quote)
    assert found is not None
    assert found.text in plain_words(" ".join(texts))


# --- a moment in the recording ----------------------------------------------------------------


def test_media_files_open_at_the_moment_with_a_media_fragment():
    assert moment_link("https://files.example.com/calls/pat.mp4", 754.9) == (
        "https://files.example.com/calls/pat.mp4#t=754"
    )
    assert moment_link("https://files.example.com/a.m4a?sig=x#old", 5) == (
        "https://files.example.com/a.m4a?sig=x#t=5"
    )


def test_platforms_with_their_own_parameter_get_it():
    assert moment_link("https://www.youtube.com/watch?v=abc&t=3", 75) == (
        "https://www.youtube.com/watch?v=abc&t=75s"
    )
    assert moment_link("https://youtu.be/abc", 75) == "https://youtu.be/abc?t=75s"
    assert moment_link("https://vimeo.com/12345", 75) == "https://vimeo.com/12345#t=75s"
    assert (
        moment_link("https://www.loom.com/share/abc", 75) == "https://www.loom.com/share/abc?t=75"
    )


def test_an_address_with_no_known_way_to_start_at_a_moment_gets_no_moment_link():
    assert moment_link("https://zoom.us/rec/share/abc", 75) is None
    assert moment_link("https://files.example.com/calls/pat.mp4", None) is None
    assert moment_link("", 75) is None
    assert moment_link("javascript:alert(1)//x.mp4", 75) is None
