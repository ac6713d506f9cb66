"""An officer keeps their station's jurisdiction in Chromium (issue 13 §3), in Japanese and English: from the
authority portal they tick the municipalities it serves and confirm it, and the planner then routes a road
permit there."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from locations.core.clock import today_jst
from locations.core.extensions import db
from tests.browser.forms import sign_in, submit
from tests.builders import make_authority, make_user, municipality


@pytest.fixture(scope="module", autouse=True)
def layers_loaded(live_server):
    """The spatial layers load once per process (seconds); not inside a page's 10-second load."""
    from locations.permits import spatial

    with live_server.app.app_context():
        spatial.app_layers()


@pytest.mark.parametrize("lang, saved, rung", [
    ("ja", "保存しました。", "管轄確認済み"),
    ("en", "Saved.", "Confirmed jurisdiction"),
])
def test_an_officer_sets_the_served_municipalities_and_the_planner_routes_there(
        live_server, new_page, browser_log, lang, saved, rung):
    with live_server.app.app_context():
        station = make_authority()  # an unconfirmed station under the Kagawa police HQ, no area on record
        email = make_user("authority", authority=station).email
        manno = municipality("まんのう町", "37")
        town_id, lat, lon = manno.id, manno.office_lat, manno.office_lon
        name = station.name_ja if lang == "ja" else station.name_en
        db.session.commit()
    start = (today_jst() + timedelta(days=60)).isoformat()
    plan = f"/plan?lang={lang}&near={lat:.5f},{lon:.5f}&start={start}&end={start}&activity=road_closure"

    page = new_page()
    page.goto(plan)
    expect(page.locator('tr[data-permit="ROAD_USE"]')).not_to_contain_text(name)

    sign_in(page, email, lang)
    page.goto(f"/authority/?lang={lang}")
    submit(page, page.locator("#edit-own-authority"))
    expect(page.locator("#candidate-note")).to_be_visible()
    form = page.locator("main form.card")
    form.locator('input[name="jurisdiction"][value="municipalities"]').check()
    form.locator(f'input[name="served"][value="{town_id}"]').check()
    form.locator("#confirmed").check()
    response = submit(page, form.locator("button[type=submit]"))
    assert response.status == 200
    expect(page.locator(".flash")).to_contain_text(saved)
    expect(page.locator(f'input[name="served"][value="{town_id}"]')).to_be_checked()

    page.goto(plan)
    road = page.locator('tr[data-permit="ROAD_USE"]')
    expect(road).to_contain_text(name)
    expect(road.locator(".routing")).to_have_text(rung)
    browser_log.assert_clean()
