"""A permit case in Chromium: a producer creates a production, adds a shoot by clicking the map (the
click fills latitude and longitude through static/js/pick_point.js), sees the permit steps; the Kagawa
police officer finds the road-use step in the portal and records the consultation.

English pages, so the checks do not depend on the Japanese catalogue, which is completed later.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from locations.core.clock import today_jst
from locations.core.extensions import db
from tests.browser.forms import sign_in
from tests.builders import make_user

TAKAMATSU = ("34.342800", "134.046500")


@pytest.fixture
def accounts(live_server):
    with live_server.app.app_context():
        users = {"producer": make_user("producer"), "authority": make_user("authority")}
        db.session.commit()
        emails = {role: user.email for role, user in users.items()}
    return emails


def test_producer_plans_a_shoot_and_the_officer_records_the_consultation(new_page, browser_log, accounts):
    page = new_page()
    sign_in(page, accounts["producer"], "en")
    page.goto("/productions/new?lang=en")
    form = page.locator("main form")
    form.locator("#title").fill("Browser Harbour")
    form.locator("#company").fill("Example Films")
    form.locator("#contact_name").fill("Ada Example")
    form.locator("#contact_email").fill("ada@example.com")
    form.locator("#commissions").select_option(label="Kagawa Film Commission")
    form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Browser Harbour")

    page.locator("main a", has_text="Add a shoot").click()
    form = page.locator("main form")
    form.locator("#name").fill("Night chase")
    start = today_jst() + timedelta(days=70)
    form.locator("#start_date").fill(start.isoformat())
    form.locator("#end_date").fill(start.isoformat())
    # A click on the map fills the point and chooses "a point on the map".
    page.locator(".folium-map").click()
    expect(form.locator("input[data-pick=lat]")).not_to_have_value("")
    expect(form.locator("input[name=where][value=point]")).to_be_checked()
    form.locator("input[data-pick=lat]").fill(TAKAMATSU[0])
    form.locator("input[data-pick=lon]").fill(TAKAMATSU[1])
    form.locator("input[name=activities][value=road_filming]").check()
    form.locator("input[name=activities][value=drone]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("高松北警察署")  # the local station; the HQ's officers act for it
    expect(page.locator("main")).to_contain_text("Osaka Regional Civil Aviation Bureau")

    officer = new_page()
    sign_in(officer, accounts["authority"], "en")
    officer.goto("/authority/?lang=en")
    row = officer.locator("main table tbody tr", has_text="Browser Harbour")
    expect(row).to_have_count(1)
    row.locator("a").first.click()
    status = officer.locator("main form", has=officer.locator("select[name=status-status]"))
    status.locator("select[name=status-status]").select_option("consulted")
    status.locator("textarea[name=status-note]").fill("Met the crew on site.")
    status.locator("button[type=submit]").click()
    expect(officer.locator("main")).to_contain_text("Met the crew on site.")

    page.reload()
    expect(page.locator("main table", has_text="高松北警察署")).to_contain_text("Consulted")
    browser_log.assert_clean()
