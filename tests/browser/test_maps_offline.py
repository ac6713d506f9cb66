"""Maps without tiles (issue 14 point 3), in Chromium: every map draws the app's own prefecture and municipal
outlines; when tiles fail to load the map drops them by itself and says so; a click on the shoot picker sets the
point and never navigates; a "near" search frames its circle."""
from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from locations import create_app
from locations.core.extensions import db
from tests.browser.conftest import LOCAL_HOST, TIMEOUT_MS, _QuietRequestHandler
from tests.builders import PASSWORD, make_production, make_user
from tests.conftest import make_test_config


def map_zoom(page) -> int:
    name = page.locator(".folium-map").get_attribute("id")
    return page.evaluate(f"window[{name!r}].getZoom()")


@pytest.fixture
def producer(live_server):
    with live_server.app.app_context():
        user = make_user("producer")
        production = make_production(user, title="Offline Harbour")
        db.session.commit()
        made = (user.email, production.id)
    return made


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_shoot_picker_shows_outlines_and_a_click_sets_the_point(new_page, browser_log, producer, lang):
    email, production_id = producer
    page = new_page()
    page.goto("/login?lang=en")
    page.locator("main form #email").fill(email)
    page.locator("main form #password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    url = f"/productions/{production_id}/shoots/new?lang={lang}"
    page.goto(url)
    fmap = page.locator(".folium-map")
    expect(fmap).to_have_attribute("data-loaded-base-prefectures", "47")
    # It opens on the production's film commission (Takamatsu), where the towns are outlined and named.
    expect(fmap).to_have_attribute("data-loaded-municipalities", re.compile(r"^[1-9]\d*$"))
    expect(fmap.locator(".town-label").first).to_be_visible()
    fmap.click(position={"x": 200, "y": 150})
    expect(page.locator("input[data-pick=lat]")).not_to_have_value("")
    expect(page.locator("input[name=where][value=point]")).to_be_checked()
    assert page.url.endswith(url)  # never sent to a prefecture's page
    browser_log.assert_clean()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_near_search_frames_its_radius(page, browser_log, lang):
    page.goto(f"/locations?near=高松市&radius_km=10&lang={lang}")
    fmap = page.locator(".folium-map")
    expect(fmap).to_have_attribute("data-radius-m", "10000")
    expect(fmap).to_have_attribute("data-viewport-state", "ready")
    assert map_zoom(page) >= 10  # not all of Japan (zoom 5)
    expect(fmap).to_have_attribute("data-loaded-municipalities", re.compile(r"^[1-9]\d*$"))
    browser_log.assert_clean()


@pytest.fixture(scope="module")
def failing_tiles_server(seeded_app, database_url):
    """The app with a tile server that answers every tile with 404 (its own /no-tiles/ path)."""
    holder = {}
    app = create_app(make_test_config(database_url, TILE_URL="http://127.0.0.1:1/{z}/{x}/{y}.png",
                                      GEOCODER="offline", SESSION_COOKIE_SECURE=False))
    server = make_server(LOCAL_HOST, 0, app, threaded=True, request_handler=_QuietRequestHandler)
    base = f"http://{LOCAL_HOST}:{server.server_port}"
    app.config["TILE_URL"] = base + "/no-tiles/{z}/{x}/{y}.png"
    holder["url"] = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder["url"]
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.mark.markup_only
def test_failing_tiles_fall_back_to_the_outlines_by_themselves(browser, failing_tiles_server):
    context = browser.new_context(base_url=failing_tiles_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    failures = []
    context.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
    context.on("weberror", lambda e: failures.append(f"page error: {e.error}"))
    try:
        page = context.new_page()
        page.goto("/map?lang=en")
        fmap = page.locator(".folium-map")
        expect(fmap).to_have_attribute("data-tiles", "failed")
        expect(fmap.locator(".map-note")).to_have_text(
            "Map tiles could not be loaded: showing the app's own outlines instead.")
        expect(fmap).to_have_attribute("data-loaded-outlines", "47")
        expect(fmap.locator(".leaflet-tile-pane img")).to_have_count(0)
        # Only the failed tiles themselves complain; no script breaks.
        assert all("404" in text for text in failures), failures
    finally:
        context.close()
