"""Effect verification in Chromium, in Japanese: an FC staff member records a shoot through the real
form (CSRF on), then the public reports page shows the sums in its table, two SVG charts and a
Leaflet choropleth of the 47 prefectures whose tooltips name the prefecture.

Assertions are on data, ids and classes, not on translated strings (the lead translates at the end).
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.directory.models import Municipality, Prefecture
from locations.reports import figures as reports
from locations.reports.models import ShootReport
from tests.browser.forms import sign_in
from tests.builders import TITLE_PREFIX, commission, make_report, make_user

TITLE = f"{TITLE_PREFIX}・瀬戸内の夏<script>"


@pytest.fixture
def recorded(live_server):
    """Reports made by builders this year (two Kagawa FC productions, three Sapporo FC ones: with the one
    recorded through the form, every FC has the three productions a published figure needs) and a Kagawa
    FC staff account."""
    app = live_server.app
    with app.app_context():
        first = date(today_jst().year, 1, 10)
        for n in range(2):
            make_report(commission("kagawa-film-commission"), first + timedelta(days=n), shoot_days=3, crew_size=12,
                        spend_lodging_jpy=480_000, spend_catering_jpy=96_000)
        for n in range(3):
            make_report(commission("sapporo-film-commission"), first + timedelta(days=n), shoot_days=5, days_span=7,
                        crew_size=30, spend_transport_jpy=1_500_000)
        email = make_user("fc_staff").email
        db.session.commit()
        db.session.remove()
    return email


def takamatsu(live_server) -> str:
    with live_server.app.app_context():
        town = db.session.scalar(select(Municipality.id).join(Prefecture).where(
            Municipality.name_ja == "高松市", Prefecture.code == "37"))
        db.session.remove()
    return str(town)


def record_through_the_form(page: Page, town: str) -> None:
    page.goto("/commission/shoot-reports/new?lang=ja")
    form = page.locator("#shoot-report-form")
    form.locator("#production_title").fill(TITLE)
    form.locator("#production_type").select_option("documentary")
    form.locator("#origin").select_option("foreign")
    form.locator("#origin_country").fill("台湾")
    form.locator("#municipality_id").select_option(town)
    year = today_jst().year
    form.locator("#first_day").fill(f"{year}-02-01")
    form.locator("#last_day").fill(f"{year}-02-04")
    form.locator("#shoot_days").fill("4")
    form.locator("#crew_size").fill("15")
    form.locator("#spend_lodging_jpy").fill("1,200,000")  # separators as people type them
    form.locator("#spend_location_fees_jpy").fill("３０，０００")  # and full-width ones
    form.locator("#spend_is_estimate").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/commission/shoot-reports$"))
    expect(page.locator(".form-field.has-error")).to_have_count(0)
    # The title is shown as text, markup and all.
    expect(page.locator("#shoot-report-list")).to_contain_text(TITLE)


def test_reports_page_in_japanese_shows_table_charts_and_choropleth(page, browser_log, live_server, recorded):
    sign_in(page, recorded)
    page.wait_for_url(re.compile(r"/commission/$"))
    record_through_the_form(page, takamatsu(live_server))
    with live_server.app.app_context():
        stored = db.session.scalar(select(ShootReport).where(ShootReport.production_title == TITLE))
        assert stored.spend_lodging_jpy == 1_200_000 and stored.spend_location_fees_jpy == 30_000
        assert stored.spend_is_estimate
        rows, totals = reports.summary(reports.Selection(year=today_jst().year, group="commission"))
        expected = {row.key: row for row in rows}
        db.session.remove()
    kagawa = expected["kagawa-film-commission"]
    assert kagawa.shoot_days >= 3 + 3 + 4 and not kagawa.hidden and not totals.hidden

    response = page.goto("/reports?lang=ja")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    # The table: each FC's row and the totals row hold the sums the database gives.
    table = page.locator("#report-table")
    for key, row in expected.items():
        cells = table.locator(f"tr[data-key='{key}']")
        expect(cells.locator("[data-col=shoot_days]")).to_have_text(f"{row.shoot_days:,}")
        expect(cells.locator("[data-col=total]")).to_have_text(f"{row.total_spend:,}")
    expect(table.locator("tr[data-key=total] [data-col=shoot_days]")).to_have_text(f"{totals.shoot_days:,}")
    expect(table.locator("tr[data-key=total] [data-col=spend_lodging]")).to_have_text(f"{totals.spend['lodging']:,}")
    expect(table.locator("tr[data-key='kagawa-film-commission'] th")).to_contain_text("香川")
    # Single productions are not published.
    expect(page.locator("main")).not_to_contain_text(TITLE_PREFIX)

    # Two inline SVG charts, drawn (they have a size) and with their text as text.
    charts = page.locator(".report-charts svg.chart")
    expect(charts).to_have_count(2)
    for i in range(2):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100
    expect(page.locator("#chart-days svg text")).not_to_have_count(0)

    # The choropleth: a Leaflet map with one shape per prefecture, filled by the server's classes.
    container = page.locator(".map-frame .folium-map")
    expect(container).to_have_attribute("data-loaded-choropleth", "47")
    shapes = page.locator("path.choropleth-shape")
    expect(shapes).to_have_count(47)
    kagawa_shape = page.locator("path.choropleth-shape[data-code='37']")
    assert kagawa_shape.get_attribute("fill") != "#eeeeee"  # shoots were recorded there
    assert page.locator("path.choropleth-shape[data-code='47']").get_attribute("fill") == "#eeeeee"
    expect(page.locator("#choropleth-legend li")).not_to_have_count(0)
    # A tooltip names the prefecture and gives its value.
    page.evaluate("""() => {
        const path = document.querySelector("path.choropleth-shape[data-code='37']");
        const box = path.getBoundingClientRect();
        path.dispatchEvent(new MouseEvent("mouseover", {bubbles: true, clientX: box.x + box.width / 2,
                                                         clientY: box.y + box.height / 2}));
    }""")
    expect(page.locator(".leaflet-tooltip")).to_contain_text("香川県")

    browser_log.assert_clean()


@pytest.fixture
def busy_town(live_server):
    """Takamatsu with 4 shoot days ending today, and the live app's threshold lowered to 4."""
    app = live_server.app
    saved = app.config["OVERUSE_THRESHOLD_DAYS"]
    with app.app_context():
        fc = commission("kagawa-film-commission")
        make_report(fc, today_jst() - timedelta(days=3), shoot_days=4, crew_size=8)
        db.session.commit()
        db.session.remove()
    app.config["OVERUSE_THRESHOLD_DAYS"] = 4
    yield
    app.config["OVERUSE_THRESHOLD_DAYS"] = saved
    with app.app_context():
        db.session.remove()


def test_map_shows_busy_areas(page, browser_log, live_server, busy_town):
    page.goto("/map?lang=ja")
    fmap = page.locator(".map-frame .folium-map")
    expect(fmap).to_have_attribute("data-loaded-busy", "1")
    expect(page.locator("#busy-legend")).to_contain_text("4")
    # The busy marker's popup names the town and its shoot days.
    page.evaluate("""(name) => {
        window[name].eachLayer((layer) => {
            if (layer.options && layer.options.radius === 11 && layer.openPopup) { layer.openPopup(); }
        });
    }""", fmap.get_attribute("id"))
    expect(page.locator(".leaflet-popup-content")).to_contain_text("高松市")
    expect(page.locator(".leaflet-popup-content .map-popup-note")).to_contain_text("4")
    browser_log.assert_clean()
