"""The import's mapping step in Chromium, in Japanese and in English: an FC staff member uploads a
semicolon-separated file with headers of their own, matches the columns and one category to ours, sees the
preview with the municipality each row lands in and the skipped row with its reason, and imports."""
from __future__ import annotations

import re

import pytest
from flask_babel import gettext
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from locations.accounts.models import User
from locations.core.extensions import db
from locations.library.models import ImportMapping, Location
from locations.library.cells import rebuild_cells
from tests.builders import PASSWORD, make_user

FILE = ("spot;where;y;x;kind\n"
        "ブラウザ試験の庭園;香川県高松市栗林町1-20-16;34.32992;134.04576;garden\n"
        "ブラウザ試験の城跡;香川県高松市玉藻町2-1;34.35047;134.05191;castle\n"
        "ブラウザ試験のソウル;;37.5665;126.978;garden\n")


def say(live_server, lang: str, message: str, **variables) -> str:
    with live_server.app.test_request_context(f"/?lang={lang}"):
        return gettext(message, **variables)


@pytest.fixture
def staff(live_server, tmp_path, monkeypatch):
    monkeypatch.setattr(live_server.app, "instance_path", str(tmp_path))  # the stashed uploads
    app = live_server.app
    with app.app_context():
        user = make_user("fc_staff")
        db.session.commit()
        email, commission_id = user.email, user.commission_id
        db.session.remove()
    yield email
    with app.app_context():
        db.session.execute(delete(Location).where(Location.commission_id == commission_id,
                                                  Location.name_ja.like("ブラウザ試験の%")))
        db.session.execute(delete(ImportMapping).where(ImportMapping.commission_id == commission_id))
        db.session.execute(delete(User).where(User.email == email))
        rebuild_cells()
        db.session.commit()
        db.session.remove()


def sign_in(page: Page, email: str, lang: str) -> None:
    page.goto(f"/login?lang={lang}")
    form = page.locator("main form[action='/login']")
    form.locator("#email").fill(email)
    form.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/commission/$"))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_mapping_step_matches_columns_previews_and_imports(page, browser_log, live_server, staff, tmp_path, lang):
    sign_in(page, staff, lang)
    upload = tmp_path / "spots.csv"
    upload.write_text(FILE, encoding="utf-8")
    page.goto(f"/commission/import?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.locator("#file").set_input_files(str(upload))
    with page.expect_navigation():
        page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    mapping = page.locator("#mapping")
    expect(mapping.locator("h2")).to_have_text(say(live_server, lang, "Match your columns to ours"))
    for ours, theirs in (("name_ja", "spot"), ("address", "where"), ("lat", "y"), ("lon", "x"), ("category", "kind")):
        mapping.locator(f"#map-{ours}").select_option(theirs)
    mapping.locator("#default-category").select_option("park")
    mapping.locator("#default-source").fill("ブラウザ試験")
    with page.expect_navigation():
        mapping.locator("button[value=map]").click()
    # Their category values appear once mapped: castle → our castles and historic sites.
    page.locator("#mapping select[name='cat-castle']").select_option("castle_historic")
    with page.expect_navigation():
        page.locator("#mapping button[value=map]").click()
    preview = page.locator("#result table.preview")
    expect(preview).to_contain_text("ブラウザ試験の庭園")
    expect(preview).to_contain_text("高松市")
    expect(preview).to_contain_text(say(live_server, lang, "skipped"))
    expect(page.locator("#result")).to_contain_text(
        say(live_server, lang, "%(lat)s, %(lon)s is not in Japan (in no municipality and near none)",
            lat=37.5665, lon=126.978))
    page.locator("#save_as").fill(f"spots-{lang}")
    with page.expect_navigation():
        page.locator("#result button[value=apply]").click()
    page.wait_for_url(re.compile(r"/commission/locations$"))
    with live_server.app.app_context():
        stored = {loc.name_ja: loc.category.code for loc in db.session.scalars(select(Location).where(
            Location.name_ja.like("ブラウザ試験の%")))}
        db.session.remove()
    assert stored == {"ブラウザ試験の庭園": "park", "ブラウザ試験の城跡": "castle_historic"}
    browser_log.assert_clean()
