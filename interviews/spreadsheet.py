"""CSV cells that are safe to open in a spreadsheet. Every CSV the app hands out (the
payout file, the report tables) carries text people typed, interviewees included: a
name like ``=HYPERLINK(...)`` must arrive as text, never run as a formula."""

from __future__ import annotations

# Characters a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value safe to put in a CSV cell: text a spreadsheet would run as a formula gets
    a leading apostrophe; numbers pass as they are; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: list[object]) -> list[object]:
    """Every cell of a row made safe (see ``csv_cell``)."""
    return [csv_cell(value) for value in values]
