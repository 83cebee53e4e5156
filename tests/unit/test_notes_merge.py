"""'Keep both' on a notes conflict: a line-by-line three-way merge from the common base."""

from hypothesis import given, settings
from hypothesis import strategies as st

from interviews.notes.sections import END_MARKER, THEIRS_MARKER, YOURS_MARKER, merge_lines

line = st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=12)
text = st.lists(line, max_size=8).map("\n".join)


def test_lines_changed_on_one_side_each_are_both_taken_without_markers():
    merged = merge_lines("a\nb\nc\nd", "A\nb\nc\nd\ne", "a\nb\nC\nd")

    assert merged.text == "A\nb\nC\nd\ne"
    assert not merged.conflicted


def test_neighbouring_lines_changed_by_each_side_do_not_clash():
    merged = merge_lines("- one\n- two\n- three", "- one\n- TWO\n- three", "- one\n- two\n- THREE")

    assert merged.text == "- one\n- TWO\n- THREE" and not merged.conflicted


def test_the_same_change_on_both_sides_appears_once():
    merged = merge_lines("a\nb", "a\nb\nsame new line", "a\nb\nsame new line")

    assert merged.text == "a\nb\nsame new line" and not merged.conflicted


def test_only_the_clashing_line_is_shown_twice_between_markers():
    base = "- re-keys invoices\n- exports to Excel\n- uses a macro"
    mine = "- re-keys invoices\n- exports to Excel first\n- uses a macro\n- Dana: 4 hours"
    theirs = "- re-keys every invoice\n- exports to CSV\n- uses a macro"

    merged = merge_lines(base, mine, theirs)

    assert merged.conflicted
    assert merged.text.split("\n") == [
        "- re-keys every invoice",
        YOURS_MARKER,
        "- exports to Excel first",
        THEIRS_MARKER,
        "- exports to CSV",
        END_MARKER,
        "- uses a macro",
        "- Dana: 4 hours",
    ]


def test_two_additions_at_the_same_place_are_both_kept_and_marked():
    merged = merge_lines("a", "a\nmine", "a\ntheirs")

    assert merged.text == f"a\n{YOURS_MARKER}\nmine\n{THEIRS_MARKER}\ntheirs\n{END_MARKER}"


def test_markers_are_not_markdown_headings():
    # A line of only "=" under text would turn that text into a heading when shown.
    assert set(THEIRS_MARKER) != {"="} and not THEIRS_MARKER.startswith("#")


@settings(max_examples=300)
@given(base=text, other=text)
def test_merging_with_an_unchanged_side_returns_the_other_side(base, other):
    assert merge_lines(base, base, other).text == other
    assert merge_lines(base, other, base).text == other
    assert not merge_lines(base, base, other).conflicted


@settings(max_examples=300)
@given(base=text, both=text)
def test_the_same_text_on_both_sides_is_that_text(base, both):
    assert merge_lines(base, both, both).text == both


@st.composite
def edited(draw, base: list[str]) -> list[str]:
    """``base`` with lines kept, dropped, replaced and added, never reordered; new lines
    are never base lines (a line typed again is a different matter)."""
    fresh = line.filter(lambda candidate: candidate not in base)
    out = draw(st.lists(fresh, max_size=2))
    for kept in base:
        if draw(st.booleans()):
            out.append(kept)
        out += draw(st.lists(fresh, max_size=2))
    return out


@st.composite
def three_versions(draw):
    base = draw(st.lists(line, min_size=1, max_size=8, unique=True))
    return base, draw(edited(base)), draw(edited(base))


@settings(max_examples=400)
@given(versions=three_versions())
def test_no_line_both_sides_kept_from_the_base_is_duplicated(versions):
    base, mine, theirs = versions
    merged = merge_lines("\n".join(base), "\n".join(mine), "\n".join(theirs)).text.split("\n")

    markers = {YOURS_MARKER, THEIRS_MARKER, END_MARKER}
    for kept in set(base) & set(mine) & set(theirs):
        if kept not in markers:
            assert merged.count(kept) == 1, (kept, merged)


@settings(max_examples=400)
@given(versions=three_versions())
def test_without_a_clash_every_line_either_side_added_is_in_the_merge(versions):
    base, mine, theirs = versions
    merged = merge_lines("\n".join(base), "\n".join(mine), "\n".join(theirs))

    added = (set(mine) | set(theirs)) - set(base)
    assert added <= set(merged.text.split("\n")) or merged.conflicted
    assert (
        merged.conflicted
        or YOURS_MARKER not in merged.text.split("\n")
        or YOURS_MARKER in mine + theirs
    )
