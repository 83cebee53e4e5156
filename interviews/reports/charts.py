"""The dashboard's charts, drawn on the server as SVG with pygal. Pure: plain data in,
SVG bytes out.

Each chart is its own response shown through <img>, so the page keeps its strict CSP.
pygal inlines its styles (the SVG response allows those) and a <script> of tooltip
config even with ``js=[]``; an <img> never runs script, but the element is removed all
the same so the file says what it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

import pygal
from pygal.etree import etree as pygal_etree
from pygal.style import Style

from interviews.reports.rules import Funnel, WeekCounts
from interviews.reports.tables import week_label

# pygal draws with lxml when it is installed (caldav brings it); these charts are
# post-processed with the standard library's ElementTree, so pygal draws with that too.
pygal_etree.to_etree()

NO_DATA = "No data in this range"
# The house palette (app.css): accent green, danger red, muted grey, amber.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2328",
    foreground_strong="#1f2328",
    foreground_subtle="#6b7280",
    colors=("#1f6f50", "#2f5d8a", "#b42318", "#b54708", "#6b7280"),
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=12,
    no_data_font_size=20,
    guide_stroke_color="#d0d5dd",
    guide_stroke_dasharray="4,4",
    major_guide_stroke_color="#d0d5dd",
    major_guide_stroke_dasharray="4,4",
)
# The flake chart's major guides are its two reference rates: dark and long-dashed, so
# they read as lines to compare against, not as grid.
FLAKE_STYLE = Style(
    **{
        **{
            k: getattr(STYLE, k)
            for k in dir(STYLE)
            if not k.startswith("_") and not callable(getattr(STYLE, k))
        },
        "guide_stroke_dasharray": "1,0",
        "guide_stroke_color": "#eaecf0",
        "major_guide_stroke_color": "#b42318",
        "major_guide_stroke_dasharray": "10,5",
    }
)


def _config(**extra: Any) -> dict[str, Any]:
    return {
        "style": STYLE,
        "js": [],
        "width": 800,
        "height": 400,
        "no_data_text": NO_DATA,
        "legend_at_bottom": True,
        "print_values": True,
        "print_zeroes": False,
        "disable_xml_declaration": False,
        **extra,
    }


def _svg(chart: Any) -> bytes:
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.endswith("script"):
                parent.remove(child)
    return b"<?xml version='1.0' encoding='utf-8'?>\n" + ET.tostring(tree, encoding="utf-8")


def funnel_chart(funnel: Funnel) -> bytes:
    """Horizontal bars, one per funnel step, top to bottom."""
    chart = pygal.HorizontalBar(**_config(show_legend=False, print_values_position="top"))
    steps = funnel.steps()
    if any(step.count for step in steps):
        # pygal draws the first label at the bottom: reverse so the funnel reads downwards.
        chart.x_labels = [step.label for step in reversed(steps)]
        chart.add("People", [step.count for step in reversed(steps)])
    return _svg(chart)


def weekly_chart(weeks: Sequence[WeekCounts]) -> bytes:
    """Booked, completed, no-show and cancelled per week, side by side."""
    chart = pygal.Bar(**_config(x_label_rotation=30, print_values=False))
    if any(w.booked for w in weeks):
        chart.x_labels = [week_label(w.week) for w in weeks]
        chart.add("Booked", [w.booked for w in weeks])
        chart.add("Completed", [w.completed for w in weeks])
        chart.add("No-show", [w.no_show for w in weeks])
        chart.add("Cancelled", [w.cancelled for w in weeks])
    return _svg(chart)


def reminders_chart(weeks: Sequence[WeekCounts]) -> bytes:
    chart = pygal.Bar(**_config(x_label_rotation=30, show_legend=False))
    if any(w.reminders for w in weeks):
        chart.x_labels = [week_label(w.week) for w in weeks]
        chart.add("Reminders sent", [w.reminders for w in weeks])
    return _svg(chart)


def flake_chart(studies: Sequence[tuple[str, float | None]], b2b: float, consumer: float) -> bytes:
    """The no-show rate per study as bars, against the two reference rates drawn as
    dashed major guides named on the axis. A study with nothing completed or missed
    has no bar and says "no data" under its name, rather than a 0% bar."""
    if not any(rate is not None for _, rate in studies):
        # pygal cannot place custom y labels on a chart without values.
        return _svg(pygal.Bar(**_config(show_legend=False)))
    marks = sorted({0.0, 0.2, 0.6, 0.8, 1.0} - {b2b, consumer})
    chart = pygal.Bar(
        **_config(
            range=(0, 1),
            legend_at_bottom_columns=1,
            height=330 + 22 * len(studies),  # room for one legend line per study
            truncate_legend=70,
            y_labels=[
                *marks,
                {"label": f"{b2b:.0%} good, engaged B2B", "value": b2b},
                {"label": f"{consumer:.0%} usual, consumers", "value": consumer},
            ],
            y_labels_major=[b2b, consumer],
            show_minor_y_labels=True,
            value_formatter=lambda v: f"{v:.0%}",
            style=FLAKE_STYLE,
        )
    )
    # One series per study: the legend names each in full, where axis labels would collide.
    for title, rate in studies:
        chart.add(f"{title}: {'no data' if rate is None else f'{rate:.0%}'}", [rate])
    return _svg(chart)


def rotation_chart(lines: Sequence[Any]) -> bytes:
    """Interviews each member took notes on and hosted."""
    chart = pygal.HorizontalBar(**_config())
    if any(line.noted or line.hosted for line in lines):
        chart.x_labels = [line.name for line in reversed(lines)]
        chart.add("Took notes", [line.noted for line in reversed(lines)])
        chart.add("Hosted", [line.hosted for line in reversed(lines)])
    return _svg(chart)


def rewards_chart(lines: Sequence[Any]) -> bytes:
    """Paid and still owed per currency, stacked: what the range's interviews cost.
    ``lines``: (currency, paid, owed, cost per completed or None), amounts as Money."""
    chart = pygal.StackedBar(
        **_config(value_formatter=lambda v: f"{v:,.2f}", print_values=True, print_zeroes=False)
    )
    if any(paid.amount or owed.amount for _, paid, owed, _ in lines):
        chart.x_labels = [currency for currency, *_ in lines]
        chart.add("Paid", [float(paid.amount) for _, paid, _, _ in lines])
        chart.add("Owed", [float(owed.amount) for _, _, owed, _ in lines])
    return _svg(chart)
