"""Marking the searched words in the library's results: escaped first, then marked."""

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from interviews.notes.search import highlight, search_words


def marked(text: str, q: str) -> str:
    return str(highlight(text, search_words(q)))


def test_whole_words_starting_with_a_searched_word_are_marked_whatever_their_case():
    assert marked("CSV exports time out; Export to PDF", "export") == (
        "CSV <mark>exports</mark> time out; <mark>Export</mark> to PDF"
    )


def test_a_word_in_the_middle_of_another_is_not_marked():
    assert marked("re-export and reexport", "export") == "re-<mark>export</mark> and reexport"


def test_script_tags_and_ampersands_stay_text_and_marks_never_land_inside_them():
    assert marked("<script>alert('x')</script> & script", "script") == (
        "&lt;<mark>script</mark>&gt;alert(&#39;x&#39;)&lt;/<mark>script</mark>&gt; &amp; "
        "<mark>script</mark>"
    )


def test_html_entities_in_the_text_are_not_matched_as_words():
    # "amp" must not mark part of the "&amp;" the escaping makes.
    assert marked("fish & chips", "amp") == "fish &amp; chips"


def test_regex_metacharacters_in_the_query_are_words_or_nothing():
    assert (
        marked("a.b (c) [d]* e+f", ".* (c) [d] e+")
        == "a.b (<mark>c</mark>) [<mark>d</mark>]* <mark>e</mark>+f"
    )
    # Words passed straight in are compared, never compiled into a pattern.
    assert str(highlight("a.b .* x", [".*", "(", "["])) == "a.b .* x"


def test_nothing_searched_is_the_text_escaped():
    assert str(highlight("<b>", [])) == "&lt;b&gt;"


@given(text=st.text(max_size=80), q=st.text(max_size=20))
def test_removing_the_marks_gives_back_exactly_the_escaped_text(text, q):
    out = marked(text, q)

    assert out.replace("<mark>", "").replace("</mark>", "") == str(escape(text))
    assert out.count("<mark>") == out.count("</mark>")
