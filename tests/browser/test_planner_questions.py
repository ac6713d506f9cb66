"""The planner's questions in Chromium (issue 13 §2), in English and Japanese: a producer answers them and
watches permits move between needed, to confirm and not needed."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

PLAN = ("/plan?lang={lang}&near=34.3428,134.0465&start=2030-05-13&end=2030-05-14"
        "&activity=generator_fuel&activity=crowd_extras")


@pytest.fixture(scope="module", autouse=True)
def layers_loaded(live_server):
    """The spatial layers load once per process (seconds); not inside a page's 10-second load."""
    from locations.permits import spatial

    with live_server.app.app_context():
        spatial.app_layers()


@pytest.mark.parametrize("lang, needed, update", [("en", "Needed", "Update the plan"), ("ja", "必要", "計画を更新")])
def test_answers_move_permits_between_the_three_states(new_page, browser_log, lang, needed, update):
    page = new_page()
    page.goto(PLAN.format(lang=lang))
    fuel = page.locator('[data-permit="FUEL_SMALL_QTY"]')
    expect(fuel).to_have_attribute("data-status", "to_confirm")
    expect(page.locator('[data-permit="HAZMAT_TEMP"]')).to_have_attribute("data-status", "to_confirm")

    questions = page.locator("form#questions")
    questions.locator('input[name="q_fuel_gasoline_l"]').fill("100")
    questions.locator('input[name="q_fuel_diesel_l"]').fill("0")
    questions.locator('fieldset[data-question="public_audience"] input[value="no"]').check()
    questions.locator("button[type=submit]", has_text=update).click()

    expect(page.locator('[data-permit="FUEL_SMALL_QTY"]')).to_have_attribute("data-status", "needed")
    expect(page.locator('tr[data-permit="FUEL_SMALL_QTY"]')).to_contain_text(needed)
    expect(page.locator('[data-permit="HAZMAT_TEMP"]')).to_have_attribute("data-status", "not_needed")
    expect(page.locator('[data-permit="FIRE_EVENT_NOTICE"]')).to_have_attribute("data-status", "not_needed")

    # A changed answer moves them back: 250 L of gasoline needs the approval, not the notice.
    page.locator('form#questions input[name="q_fuel_gasoline_l"]').fill("250")
    page.locator("form#questions button[type=submit]").click()
    expect(page.locator('[data-permit="HAZMAT_TEMP"]')).to_have_attribute("data-status", "needed")
    expect(page.locator('[data-permit="FUEL_SMALL_QTY"]')).to_have_attribute("data-status", "not_needed")
    browser_log.assert_clean()
