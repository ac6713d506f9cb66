"""Server-side charts: matplotlib (Agg, no network) rendered to SVG strings for inlining in pages.

Text stays text in the SVG (``svg.fonttype: none``), so the browser draws Japanese labels with its own
fonts; matplotlib's bundled DejaVu has no Japanese glyphs and would otherwise draw boxes. Matplotlib
still measures the text with DejaVu and warns about each missing glyph: only that warning is silenced.
"""
from __future__ import annotations

import io
import re
import warnings
from typing import Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

STYLE = {
    "svg.fonttype": "none",
    "font.family": ["sans-serif"],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
BAR = "#2f6f9f"
HIGHLIGHT = "#d9822b"
CATEGORY_COLOURS = ("#2f6f9f", "#d9822b", "#4f9a55", "#b74a4a", "#8067a8", "#7f7f7f")
MIN_SLOTS = 6
_MISSING_GLYPH = r"Glyph \d+ .* missing from font"


def _svg(fig: Figure, element_prefix: str, label: str) -> str:
    """The figure as an <svg> element: no XML prolog, ids prefixed so several charts share a page."""
    buffer = io.StringIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_MISSING_GLYPH, category=UserWarning)
        with matplotlib.rc_context({**STYLE, "svg.hashsalt": element_prefix}):
            fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r'\bid="', f'id="{element_prefix}-', text)
    text = re.sub(r"url\(#", f"url(#{element_prefix}-", text)
    text = re.sub(r'href="#', f'href="#{element_prefix}-', text)
    # Width and height in pt make it fixed-size; the viewBox lets CSS scale it with the page.
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1', text, count=1)
    escaped = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return text.replace("<svg", f'<svg role="img" aria-label="{escaped}" class="chart"', 1)


def _new_figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def _thousands(value: float, _position=None) -> str:
    return f"{value:,.0f}"


def bar_chart(labels: Sequence[str], values: Sequence[int | None], title: str, element_prefix: str,
              highlight: str | None = None, value_axis: str = "", withheld_label: str = "") -> str:
    """Vertical bars, one per label; the ``highlight`` label is drawn in a second colour. A value of
    None is withheld: no bar, and ``withheld_label`` under its label."""
    fig = _new_figure(6.4, 3.2)
    with matplotlib.rc_context(STYLE):
        ax = fig.add_subplot()
        colours = [HIGHLIGHT if label == highlight else BAR for label in labels]
        ax.bar(range(len(labels)), [0 if v is None else v for v in values], color=colours)
        ax.set_xticks(range(len(labels)), [f"{label}\n{withheld_label}" if value is None else label
                                           for label, value in zip(labels, values)])
        ax.set_title(title)
        ax.set_ylabel(value_axis)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
        if not labels:
            ax.set_xticks([])
        # At least MIN_SLOTS bar widths across, so one or two years do not become slabs.
        spare = max(MIN_SLOTS - len(labels), 0) / 2
        ax.set_xlim(-0.5 - spare, len(labels) - 0.5 + spare)
        ax.set_ylim(bottom=0)
    return _svg(fig, element_prefix, title)


def horizontal_bar_chart(labels: Sequence[str], values: Sequence[int], title: str, element_prefix: str,
                         value_axis: str = "") -> str:
    """One horizontal bar per label, each in its own colour, with the value printed at the bar's end."""
    fig = _new_figure(6.4, 0.45 * max(len(labels), 1) + 1.2)
    with matplotlib.rc_context(STYLE):
        ax = fig.add_subplot()
        positions = list(range(len(labels)))[::-1]
        bars = ax.barh(positions, values, color=[CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i in positions[::-1]])
        ax.set_yticks(positions, labels)
        ax.bar_label(bars, labels=[_thousands(v) for v in values], padding=3, fontsize=9)
        ax.set_title(title)
        ax.set_xlabel(value_axis)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.set_xlim(left=0, right=max(max(values, default=0) * 1.25, 1))
    return _svg(fig, element_prefix, title)
