"""What the small-screen and accessibility tests (and bench/ux_measure.py) measure on a page: the height of
the site header, how far the page overflows its viewport sideways, and axe-core's serious and critical
findings. axe-core is vendored in tests/browser/vendor/axe-core (from the npm registry; see its README),
so no page ever loads it from a CDN.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SEVERE = ("serious", "critical")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class PageFigures:
    header_px: int
    overflow_px: int
    severe: list[str] = field(default_factory=list)


def header_height(page: Page) -> int:
    return round(page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height"))


def overflow_width(page: Page) -> int:
    """CSS pixels the page is wider than its viewport (0 when nothing scrolls sideways)."""
    return int(page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"))


def axe_severe(page: Page) -> list[str]:
    """axe-core's serious and critical violations, as "rule-id (impact) × nodes" strings."""
    # Evaluated through the DevTools protocol rather than added as a <script>, which the app's
    # Content-Security-Policy (rightly) refuses.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                             targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['id']} ({v['impact']}) × {v['nodes']}: {', '.join(v['targets'])}"
            for v in violations if v["impact"] in SEVERE]


def figures(page: Page, with_axe: bool = True) -> PageFigures:
    return PageFigures(header_height(page), overflow_width(page), axe_severe(page) if with_axe else [])
