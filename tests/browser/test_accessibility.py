"""Accessibility (issue 14 point 9), in Chromium: axe-core (vendored, see tests/browser/vendor/axe-core) finds no
serious or critical issue on the main pages in every language (ja, en, zh_Hans, zh_Hant, ko); map points are
reachable from a keyboard list under each map; focus is visible; the /reports table's scroll box takes focus; a
Japanese fallback text on an English page is marked lang="ja"."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from locations.core.extensions import db
from locations.library.models import Location
from tests.browser.measure import axe_severe
from tests.browser.test_usable_at_work import SLUG, main_pages, open_as, world  # noqa: F401 (fixture)


def a_seeded_location(live_server) -> str:
    """A seeded Takamatsu place with a Japanese description and no English one (the seeds have none)."""
    with live_server.app.app_context():
        return db.session.scalar(select(Location.slug).where(
            Location.status == "published", Location.description_ja.is_not(None), Location.description_en.is_(None))
            .order_by(Location.id).limit(1))


@pytest.mark.markup_only
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_axe_finds_nothing_serious_on_the_main_pages(new_page, browser_log, live_server, world, lang):  # noqa: F811
    axe_finds_nothing_serious(new_page, browser_log, live_server, world, lang)


def axe_finds_nothing_serious(new_page, browser_log, live_server, world, lang):  # noqa: F811
    """The main pages in ``lang`` (test_accessibility_cjk.py runs Chinese and Korean: a minute a language, so
    on a worker of their own)."""
    pages = {}
    found = {}
    extra = [(None, f"/locations/{a_seeded_location(live_server)}"), (None, "/commissions"),
             ("producer", f"/productions/{world['production']}/steps/{world['step']}"),
             ("producer", f"/productions/{world['production']}/shoots/{world['shoot']}/remove")]
    for role, path in main_pages(world) + extra:
        if role not in pages:
            pages[role] = open_as(new_page, world[role] if role else None, {"width": 1280, "height": 900})
        page = pages[role]
        page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        page.wait_for_load_state("networkidle")
        severe = axe_severe(page)
        if severe:
            found[path] = severe
    for page in pages.values():
        page.wait_for_load_state("networkidle")  # nothing (a late favicon) cut off when the pages close
    assert found == {}, found
    browser_log.assert_clean()


@pytest.mark.markup_only
def test_map_points_are_reachable_from_a_keyboard_list(page, browser_log):
    page.goto("/locations?near=高松市&radius_km=3&lang=en")
    fmap = page.locator(".folium-map")
    expect(fmap).to_have_attribute("data-viewport-state", "ready")
    points = page.locator("details.map-points")
    # The list shows once points are drawn (the film commissions arrive by their own request).
    expect(fmap).to_have_attribute("data-listed-points", re.compile(r"^[1-9]\d*$"))
    expect(points).to_be_visible()
    expect(points.locator("summary")).to_contain_text("Points on this map")
    points.locator("summary").focus()
    page.keyboard.press("Enter")
    first = points.locator("li button").first
    expect(first).to_be_visible()
    name = first.inner_text()
    first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content")).to_contain_text(name)
    browser_log.assert_clean()


@pytest.mark.markup_only
def test_focus_is_visible_and_the_reports_table_takes_focus(page, browser_log):
    page.goto("/reports?lang=en")
    box = page.locator(".table-scroll").first
    expect(box).to_have_attribute("tabindex", "0")
    box.focus()
    expect(box).to_be_focused()
    page.keyboard.press("Tab")
    width = page.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)")
    assert width >= 2
    browser_log.assert_clean()


@pytest.mark.markup_only
def test_japanese_fallback_text_is_marked_japanese(page, browser_log, live_server):
    slug = a_seeded_location(live_server)
    page.goto(f"/locations/{slug}?lang=en")
    expect(page.locator("main section.two-col p [lang=ja]").first).to_be_visible()  # marked inside the paragraph
    expect(page.locator("html")).to_have_attribute("lang", "en")
    browser_log.assert_clean()
