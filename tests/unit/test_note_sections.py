"""The pure rules of notes: templates, the yes/no hint, merging edits, export."""

from html.parser import HTMLParser

import pytest

from interviews.notes import sections as rules
from interviews.notes.markdown import render


def test_built_in_discovery_template_keeps_key_takeaways_at_the_top_and_the_product_sections():
    headings = [s.heading for s in rules.DISCOVERY]
    assert headings[0] == "Key takeaways"
    assert headings[1:] == ["Who they are", "Introduction", "People", "Problem", "Solution"]


def test_built_in_jobs_to_be_done_template_follows_the_timeline_and_its_forces():
    headings = [s.heading for s in rules.JOBS_TO_BE_DONE]
    timeline = ["First thought", "Passive looking", "Active looking", "Deciding", "Buying"]
    assert headings[1:6] == timeline and headings[6] == "Consuming"
    assert {"Who was involved", "Budget", "Forcing functions"} <= set(headings)


@pytest.mark.parametrize(
    "prompt",
    ["Do you use reports?", "Is exporting hard?", "Would you pay for this?", "Can't you just...?"],
)
def test_a_yes_no_question_gets_a_gentle_what_or_how_hint(prompt):
    hint = rules.closed_question_hint(prompt)
    assert hint and "“what” or “how”" in hint


@pytest.mark.parametrize(
    "prompt",
    [
        "How do you use reports?",
        "What happened the last time you exported?",
        "Tell me about your week.",
        "Doing this by hand, what breaks?",  # "Doing" is not "Do"
    ],
)
def test_open_questions_and_statements_get_no_hint(prompt):
    assert rules.closed_question_hint(prompt) is None


def test_sections_are_cleaned_empty_rows_dropped_and_duplicate_headings_refused():
    cleaned = rules.clean_sections(
        [
            {"heading": "  Problem  ", "guidance": " dig ", "prompts": "How?\n\n What next? "},
            {"heading": "", "guidance": "", "prompts": []},
        ]
    )
    assert cleaned == [{"heading": "Problem", "guidance": "dig", "prompts": ["How?", "What next?"]}]
    with pytest.raises(rules.TemplateProblem, match="Two sections"):
        rules.clean_sections([{"heading": "Problem"}, {"heading": "problem"}])
    with pytest.raises(rules.TemplateProblem, match="needs a heading"):
        rules.clean_sections([{"heading": "", "guidance": "orphan guidance"}])
    with pytest.raises(rules.TemplateProblem, match="at least one"):
        rules.clean_sections([])


def test_edits_to_different_sections_merge():
    base = {"Problem": "a", "Solution": "b"}
    merged = rules.merge_sections(
        base,
        mine={"Problem": "a + mine", "Solution": "b"},
        theirs={"Problem": "a", "Solution": "b + theirs"},
    )
    assert merged.bodies == {"Problem": "a + mine", "Solution": "b + theirs"}
    assert merged.conflicts == ()


def test_the_same_section_changed_differently_is_a_conflict_and_theirs_is_kept_meanwhile():
    merged = rules.merge_sections(
        {"Problem": "a"}, mine={"Problem": "mine"}, theirs={"Problem": "theirs"}
    )
    assert merged.conflicts == ("Problem",)
    assert merged.bodies == {"Problem": "theirs"}


def test_the_same_change_on_both_sides_is_no_conflict():
    merged = rules.merge_sections({"P": "a"}, mine={"P": "b"}, theirs={"P": "b"})
    assert merged.conflicts == () and merged.bodies == {"P": "b"}


def test_takeaway_nudge_aims_for_five_to_ten():
    assert rules.takeaway_nudge(2) == "Add 3 more takeaways: aim for 5-10."
    assert rules.takeaway_nudge(4) == "Add 1 more takeaway: aim for 5-10."
    assert rules.takeaway_nudge(7) is None
    assert "consider merging" in rules.takeaway_nudge(12)


def test_markdown_export_puts_takeaways_first_with_quotes_and_tags():
    text = rules.to_markdown(
        rules.ExportInterview(
            title="Interview with Sam Lee",
            facts=(("Study", "Invoicing"),),
            takeaways=(
                rules.ExportTakeaway(
                    "Exports", "Re-keys invoices weekly", "I hate Fridays", ("invoicing",), 3
                ),
            ),
            sections=(("Key takeaways", ""), ("Problem", "- manual\n- slow")),
        )
    )
    assert text.startswith("# Interview with Sam Lee\n")
    assert text.index("## Key takeaways") < text.index("## Problem")
    assert "- **Exports:** Re-keys invoices weekly (high) `#invoicing`" in text
    assert "  > I hate Fridays" in text
    assert text.count("## Key takeaways") == 1


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=//evil.example></iframe>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<svg onload=alert(1)>",
    ],
)
def test_markdown_from_people_cannot_carry_scripts(payload):
    tags = elements(str(render(payload)))

    assert not [t for t, _ in tags if t in {"script", "iframe", "img", "svg", "object", "embed"}]
    assert not [name for _, attrs in tags for name, _ in attrs if name.startswith("on")]
    hrefs = [value for _, attrs in tags for name, value in attrs if name in ("href", "src")]
    assert all(h.startswith(("http://", "https://", "mailto:")) for h in hrefs), hrefs


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, [(k, v or "") for k, v in attrs]))


def elements(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The elements a browser would build from ``html``, with their attributes."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


def test_markdown_keeps_what_notes_need():
    html = str(render("**Bold** and a [link](https://example.com)\n\n- one\n- two\n\n> quoted"))
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">link</a>' in html
    assert "<li>one</li>" in html and "<blockquote>" in html


def test_file_names_are_safe():
    assert rules.file_name("2026-11-24", "Zoë O'Brien / CEO") == "2026-11-24-zo-o-brien-ceo"
