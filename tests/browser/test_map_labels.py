"""The production map in Chromium: its pins are drawn from data, and a tooltip shows a hostile shoot name
as plain text (neither evaluated on the server nor parsed as HTML in the browser)."""
from __future__ import annotations

from playwright.sync_api import expect

from locations.core.extensions import db
from tests.browser.forms import sign_in
from tests.builders import make_production, make_shoot, make_step, make_user

HOSTILE = "{{7*7}} <b>bold</b> {{ lipsum.__globals__.os.popen(dict(id=1)|first).read() }}"


def test_production_map_tooltips_are_plain_text(live_server, new_page, browser_log):
    with live_server.app.app_context():
        owner = make_user("producer")
        production = make_production(owner)
        shoot = make_shoot(production, name=HOSTILE)
        make_step(shoot, "ROAD_USE", "police-hq-37")
        db.session.commit()
        email, production_id = owner.email, production.id
    page = new_page()
    sign_in(page, email, "en")
    page.goto(f"/productions/{production_id}/map?lang=en")
    fmap = page.locator(".folium-map")
    # One shoot, one authority, one line between them.
    expect(fmap).to_have_attribute("data-loaded-pins", "3")
    page.locator("path.leaflet-interactive").last.hover()
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text("Kagawa Prefectural Police Headquarters")
    page.locator("path.leaflet-interactive").nth(1).hover()
    expect(page.locator(".leaflet-tooltip", has_text="{{7*7}} <b>bold</b>")).to_have_count(1)
    expect(page.locator(".leaflet-tooltip b")).to_have_count(0)
    assert "uid=" not in page.content()
    browser_log.assert_clean()
