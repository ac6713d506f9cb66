"""Usable at work (issue 14), in Chromium: phones at 375×812 and a desktop at 1280×900 in Japanese and English.

- The main pages do not scroll sideways, the header folds into a Menu button below 768 px and stays compact
  (≤ 100 px) when signed in at 1280 px; from the menu every primary action is reachable (Sign out included).
- Nothing vanishes silently: removing a shoot with a decided step offers only "withdraw" and keeps the steps;
  deleting a location asks first and can be undone.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from locations.cases.models import PermitStep
from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.directory.models import FilmCommission
from locations.library.models import Location, LocationCategory
from tests.browser.forms import sign_in
from tests.browser.measure import DESKTOP, PHONE, header_height, overflow_width
from tests.builders import make_production, make_shoot, make_step, make_user

PHONE_HEADER_MAX = 80
DESKTOP_HEADER_MAX = 100
SLUG = "usable-at-work-place"


@pytest.fixture
def world(live_server):
    """A producer with a production whose shoot has a police approval with conditions, FC staff, an admin."""
    app = live_server.app
    with app.app_context():
        producer, staff, admin = make_user("producer"), make_user("fc_staff"), make_user("admin")
        production = make_production(producer, title="Harbour Lights")
        shoot = make_shoot(production, name="Night chase", start=today_jst() + timedelta(days=60))
        step = make_step(shoot, status="approved_with_conditions", conditions="Two guards at the crossing")
        fc = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == "kagawa-film-commission"))
        park = db.session.scalar(select(LocationCategory.id).where(LocationCategory.code == "park"))
        db.session.add(Location(slug=SLUG, commission_id=fc.id, name_ja="試験公園（削除用）", category_id=park,
                                prefecture_id=fc.prefecture_id, lat=34.34, lon=134.05, status="draft",
                                source="browser test", last_verified=today_jst()))
        db.session.commit()
        made = {"producer": producer.email, "fc_staff": staff.email, "admin": admin.email,
                "production": production.id, "shoot": shoot.id, "step": step.id}
    return made


def open_as(new_page, email: str | None, viewport: dict) -> Page:
    page = new_page()
    page.set_viewport_size(viewport)
    if email:
        sign_in(page, email, "en")
        page.wait_for_load_state("networkidle")
    return page


def main_pages(world) -> list[tuple[str | None, str]]:
    return [
        (None, "/"), (None, "/locations?near=高松市&radius_km=10"), (None, "/map"), (None, "/plan"),
        (None, "/reports"), (None, "/permit-types"),
        ("producer", f"/productions/{world['production']}"),
        ("producer", f"/productions/{world['production']}/shoots/new"),
        ("fc_staff", "/commission/"), ("fc_staff", "/commission/locations"),
        ("admin", "/admin/users"),
    ]


@pytest.mark.markup_only
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_main_pages_fit_a_phone_and_a_desktop(new_page, browser_log, world, lang):
    pages = {}
    for role, path in main_pages(world):
        for viewport in (PHONE, DESKTOP):
            key = (role, viewport["width"])
            if key not in pages:
                pages[key] = open_as(new_page, world[role] if role else None, viewport)
            page = pages[key]
            page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            page.wait_for_load_state("networkidle")
            where = f"{path} ({lang}, {viewport['width']} px, {role or 'signed out'})"
            assert overflow_width(page) == 0, f"{where} scrolls sideways"
            limit = PHONE_HEADER_MAX if viewport is PHONE else DESKTOP_HEADER_MAX
            assert header_height(page) <= limit, f"{where}: header {header_height(page)} px"
    browser_log.assert_clean()


@pytest.mark.markup_only
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_phone_menu_opens_and_reaches_every_action(new_page, browser_log, world, lang):
    page = open_as(new_page, world["producer"], PHONE)
    page.goto(f"/productions/{world['production']}?lang={lang}")
    page.wait_for_load_state("networkidle")
    toggle = page.locator(".menu-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#nav-notifications")).to_be_hidden()
    # The case's own primary actions are on the page, not behind the menu.
    expect(page.locator(f"main a[href$='/productions/{world['production']}/shoots/new']")).to_be_in_viewport()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    for target in ("#nav-notifications", "#nav-account", ".user-menu button[type=submit]", ".lang-switch a",
                   ".site-nav a[href='/map']"):
        item = page.locator(target).first
        expect(item).to_be_visible()
        box = item.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], target
    assert overflow_width(page) == 0
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    # Signing out works from the menu.
    toggle.click()
    page.locator(".user-menu button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    toggle = page.locator(".menu-toggle")
    toggle.click()
    expect(page.locator(".user-menu a[href^='/login']")).to_be_visible()
    browser_log.assert_clean()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_decided_shoot_is_withdrawn_on_a_phone_not_deleted(new_page, browser_log, live_server, world, lang):
    page = open_as(new_page, world["producer"], PHONE)
    page.goto(f"/productions/{world['production']}?lang={lang}")
    # Every navigation waits for the page's assets: one cut off half-way leaves the dev server's file open.
    page.wait_for_load_state("networkidle")
    page.locator(f"a[href$='/shoots/{world['shoot']}/remove']").click()
    page.wait_for_load_state("networkidle")
    main = page.locator("main")
    expect(main).to_contain_text("Two guards at the crossing")  # what it affects, before anything happens
    expect(main.locator("form[action$='/delete']")).to_have_count(0)
    assert overflow_width(page) == 0
    main.locator("textarea[name=reason]").fill("The scene was cut")
    main.locator("form[action$='/withdraw'] button[type=submit]").click()
    expect(page.locator(f"#shoot-{world['shoot']} .badge-stale")).to_be_visible()
    expect(page.locator(f"#shoot-{world['shoot']}")).to_contain_text("The scene was cut")
    page.wait_for_load_state("networkidle")
    with live_server.app.app_context():
        step = db.session.get(PermitStep, world["step"])
        assert step.status == "withdrawn" and step.conditions == "Two guards at the crossing"
    browser_log.assert_clean()


def test_deleting_a_location_asks_first_and_can_be_undone(new_page, browser_log, live_server, world):
    page = open_as(new_page, world["fc_staff"], DESKTOP)
    page.goto(f"/commission/locations/{SLUG}/edit?lang=en")
    delete_form = page.locator(f"form[action$='/locations/{SLUG}/delete']")
    questions = []
    # First "Cancel": nothing happens.
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    delete_form.locator("button").click()
    expect(page).to_have_url(f"{live_server.url}/commission/locations/{SLUG}/edit?lang=en")
    assert questions and "試験公園（削除用）" in questions[0] and "undo" in questions[0]
    page.once("dialog", lambda dialog: dialog.accept())
    delete_form.locator("button").click()
    recently = page.locator("#recently-deleted")
    expect(recently).to_contain_text("試験公園（削除用）")
    recently.locator(f"form[action$='/locations/{SLUG}/restore'] button").click()
    expect(page).to_have_url(f"{live_server.url}/commission/locations/{SLUG}/edit")
    page.wait_for_load_state("networkidle")
    with live_server.app.app_context():
        assert db.session.scalar(select(Location.status).where(Location.slug == SLUG)) == "draft"
    browser_log.assert_clean()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_shoot_is_entered_by_the_location_name(new_page, browser_log, live_server, world, lang):
    """Typing a suggestion's name fills in the place (its slug rides along) and says which place it is."""
    with live_server.app.app_context():
        name = db.session.scalar(select(Location.name_ja).where(Location.name_ja.like("%栗林公園%"),
                                                                Location.status == "published").order_by(Location.id))
    page = open_as(new_page, world["producer"], PHONE)
    page.goto(f"/productions/{world['production']}/shoots/new?lang={lang}")
    form = page.locator("main form")
    form.locator("#name").fill("Garden walk")
    start = today_jst() + timedelta(days=80)
    form.locator("#start_date").fill(start.isoformat())
    form.locator("#end_date").fill(start.isoformat())
    option = page.locator(f"#library-locations option[value^='{name}']").first
    label = option.get_attribute("value")
    form.locator("#location").fill(label)
    expect(page.locator("#library-chosen")).to_contain_text(label)
    expect(form.locator("input[name=where][value=library]")).to_be_checked()
    expect(form.locator("input[name=location_slug]")).to_have_value(option.get_attribute("data-slug"))
    form.locator("button[type=submit]").last.click()
    expect(page.locator("main")).to_contain_text("Garden walk")
    expect(page.locator("main a[href^='/locations/']").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    browser_log.assert_clean()
