"""The film-commission workspace in Chromium: an FC staff member signs in through the Japanese
sign-in form, creates a location, edits it, adds a photo and publishes it, and the public page
shows the result; a save from a stale form gets the 409 page instead of overwriting.

The forms are the real ones, with their CSRF tokens (the live server keeps CSRF protection on).
Elements are found by their ids and form actions rather than their labels; the messages the pages
show are checked against the app's own Japanese catalogue. Like the other browser tests, every test
ends with ``browser_log.assert_clean()``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask_babel import gettext
from PIL import Image, ImageDraw
from playwright.sync_api import Page, Response, expect
from sqlalchemy import select

from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.directory.models import FilmCommission
from locations.library.models import Location, LocationCategory
from tests.browser.forms import open_sign_in, sign_in, submit
from tests.builders import make_user

KAGAWA_FC = "kagawa-film-commission"
NAME = "試験ロケ地・桜並木🌸"
ADDRESS = "香川県高松市番町一丁目8-15"
DESCRIPTION = "石畳の参道と桜並木。撮影は早朝がおすすめ"
SOURCE = "ブラウザ試験で作成(tests/browser/test_workspace.py)"
CAPTION = "早朝の参道と満開の桜"
# The offline gazetteer places the address at Takamatsu's municipal office (34.3428, 134.0467).
TAKAMATSU_OFFICE = (34.3428, 134.0467)
CONFLICT_NAME = "試験ロケ地・競合"
# Some kana or kanji: the text is in Japanese, not the English msgid.
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
EDIT_PATH = re.compile(r"/commission/locations/([a-z0-9][a-z0-9-]*)/edit$")


@dataclass(frozen=True)
class Staff:
    email: str
    commission_name_ja: str


def ja(live_server, message: str, **variables) -> str:
    """``message`` as the live app says it in Japanese; the catalogue must have a translation."""
    with live_server.app.test_request_context("/?lang=ja"):
        text = gettext(message, **variables)
    assert text != message, f"no Japanese translation of {message!r}"
    return text


@pytest.fixture
def staff(live_server):
    """A Kagawa FC staff account in the live server's database."""
    app = live_server.app
    with app.app_context():
        user = make_user("fc_staff")
        fc = db.session.get(FilmCommission, user.commission_id)
        assert fc.slug == KAGAWA_FC
        db.session.commit()
        staff = Staff(email=user.email, commission_name_ja=fc.name_ja)
        db.session.remove()
    return staff


@pytest.fixture
def photo_folder(live_server, monkeypatch, tmp_path) -> Path:
    """The live app keeps uploaded photos under its instance folder: a temporary one here."""
    instance = tmp_path / "instance"
    instance.mkdir()
    monkeypatch.setattr(live_server.app, "instance_path", str(instance))
    return instance / "photos"


@pytest.fixture
def png(tmp_path) -> Path:
    """A small PNG, as if from a camera: a sky, a path and some blossoms."""
    image = Image.new("RGB", (96, 64), (150, 200, 240))
    draw = ImageDraw.Draw(image)
    draw.polygon([(40, 64), (56, 64), (50, 30), (46, 30)], fill=(160, 150, 140))
    for x in range(4, 96, 12):
        draw.ellipse((x, 18, x + 10, 28), fill=(245, 180, 200))
    path = tmp_path / "sakura.png"
    image.save(path, format="PNG")
    return path


def location_form(page: Page):
    """The edit (or new) form of a location: the form with the version field, not the photo forms."""
    return page.locator("main form.card:has(input[name=version])")


def expect_no_form_errors(page: Page) -> None:
    expect(page.locator(".field-error")).to_have_count(0)
    expect(page.locator(".form-field.has-error")).to_have_count(0)


def image_loaded(page: Page, image) -> None:
    """Waits until ``image`` has loaded (lazy images are scrolled to first) and checks it decoded."""
    image.scroll_into_view_if_needed()
    handle = image.element_handle()
    page.wait_for_function("(img) => img.complete", arg=handle)
    assert page.evaluate("(img) => img.naturalWidth", handle) > 0, image.get_attribute("src")


def category_value(live_server, code: str) -> str:
    with live_server.app.app_context():
        value = str(db.session.scalar(select(LocationCategory.id).where(LocationCategory.code == code)))
        db.session.remove()
    return value


def stored(live_server, slug: str) -> Location:
    """The location as the database has it now (detached, with its photos and municipality loaded)."""
    with live_server.app.app_context():
        location = db.session.scalar(select(Location).where(Location.slug == slug))
        assert location is not None
        _ = location.photos, location.municipality
        db.session.expunge_all()
        db.session.remove()
    return location


def test_fc_staff_creates_edits_illustrates_and_publishes_a_location(
        page, browser_log, live_server, staff, photo_folder, png):
    sign_in(page, staff.email)
    page.wait_for_url(re.compile(r"/commission/$"))
    expect(page.locator("main h1")).to_have_text(staff.commission_name_ja)

    # A new draft, filled in in Japanese, placed by its address (no latitude or longitude given).
    page.locator("nav.subnav a[href='/commission/locations']").click()
    page.wait_for_url(re.compile(r"/commission/locations$"))
    page.locator("main a[href='/commission/locations/new']").first.click()
    page.wait_for_url(re.compile(r"/commission/locations/new$"))
    form = location_form(page)
    form.locator("#name_ja").fill(NAME)
    form.locator("#category").select_option(category_value(live_server, "temple_shrine"))
    form.locator("#address").fill(ADDRESS)
    expect(form.locator("#lat")).to_have_value("")
    expect(form.locator("#lon")).to_have_value("")
    form.locator("#source").fill(SOURCE)
    response = submit(page, form.locator("button[type=submit]"))
    assert response.status == 200
    match = EDIT_PATH.search(page.url)
    assert match, page.url
    slug = match.group(1)
    expect(page.locator(".flash")).to_have_text(
        ja(live_server, "Location created as a draft. Publish it when it is ready."))
    expect_no_form_errors(page)
    expect(page.locator("main h1")).to_have_text(NAME)
    expect(location_form(page).locator("#address")).to_have_value(ADDRESS)

    created = stored(live_server, slug)
    assert created.status == "draft" and created.name_ja == NAME
    assert (round(created.lat, 4), round(created.lon, 4)) == TAKAMATSU_OFFICE
    assert created.municipality.name_ja == "高松市"

    # Found again in the commission's list of locations, and opened from there.
    page.locator("nav.subnav a[href='/commission/locations']").click()
    page.wait_for_url(re.compile(r"/commission/locations$"))
    page.locator(f"main table a[href='/commission/locations/{slug}/edit']").click()
    page.wait_for_url(EDIT_PATH)
    expect(page.locator("main h1")).to_have_text(NAME)

    # The Japanese description, saved.
    form = location_form(page)
    form.locator("#description_ja").fill(DESCRIPTION)
    response = submit(page, form.locator("button[type=submit]"))
    assert response.status == 200
    assert response.request.redirected_from is not None
    assert EDIT_PATH.search(page.url).group(1) == slug
    expect(page.locator(".flash")).to_have_text(ja(live_server, "Saved."))
    expect_no_form_errors(page)
    expect(location_form(page).locator("#description_ja")).to_have_value(DESCRIPTION)
    assert stored(live_server, slug).description_ja == DESCRIPTION

    # A photo with a Japanese caption.
    upload = page.locator(f"main form[action='/commission/locations/{slug}/photos']")
    upload.locator("input[type=file][name=photo]").set_input_files(png)
    upload.locator("input[name=caption_ja]").fill(CAPTION)
    response = submit(page, upload.locator("button[type=submit]"))
    assert response.status == 200
    expect(page.locator(".flash")).to_have_text(ja(live_server, "Photo added."))
    thumbnail = page.locator(".photo-row img")
    expect(thumbnail).to_have_count(1)
    expect(thumbnail).to_have_attribute("alt", CAPTION)
    image_loaded(page, thumbnail)  # the owner sees the photo of a draft
    photos = stored(live_server, slug).photos
    assert [(p.caption_ja, p.width, p.height, p.content_type) for p in photos] == [(CAPTION, 96, 64, "image/png")]
    assert (photo_folder / photos[0].filename).is_file()
    assert (photo_folder / "thumbs" / photos[0].filename).is_file()

    # Published: the edit page now links to the public page.
    response = submit(page, page.locator(f"main form[action='/commission/locations/{slug}/publish'] button"))
    assert response.status == 200
    expect(page.locator(f"main a[href='/locations/{slug}']")).to_be_visible()
    expect(page.locator(f"main form[action='/commission/locations/{slug}/unpublish']")).to_have_count(1)
    published = stored(live_server, slug)
    assert published.status == "published" and published.last_verified == today_jst()

    # The public page, in Japanese: the description, the captioned photo, the map around it.
    response = page.goto(f"/locations/{slug}?lang=ja")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("main h1")).to_have_text(NAME)
    expect(page.locator("main section.two-col")).to_contain_text(DESCRIPTION)
    figure = page.locator("section.photos figure")
    expect(figure).to_have_count(1)
    expect(figure.locator("figcaption")).to_have_text(CAPTION)
    image = figure.locator("img")
    expect(image).to_have_attribute("alt", CAPTION)
    expect(figure.locator("a")).to_have_attribute("href", f"/photos/{photos[0].id}")
    image_loaded(page, image)
    fmap = page.locator(".folium-map")
    expect(fmap).to_have_attribute("data-loaded-outlines", "1")
    expect(fmap).to_have_attribute("data-loaded-points", re.compile(r"^[1-9]\d*$"))
    assert fmap.get_attribute("data-error") is None
    browser_log.assert_clean()


@pytest.fixture
def draft(live_server, staff) -> str:
    """A draft of the staff member's commission to quarrel over (removed with the staff fixture)."""
    slug = "browser-conflict-test"
    with live_server.app.app_context():
        fc = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == KAGAWA_FC))
        park = db.session.scalar(select(LocationCategory).where(LocationCategory.code == "park"))
        db.session.add(Location(slug=slug, commission_id=fc.id, name_ja=CONFLICT_NAME, category_id=park.id,
                                prefecture_id=fc.prefecture_id, lat=34.35, lon=134.046, status="draft",
                                source=SOURCE, last_verified=today_jst()))
        db.session.commit()
        db.session.remove()
    return slug


THEIRS = "先に保存された説明:鳥居の前は朝7時まで通行可"
MINE = "古い画面からの説明:石段は滑りやすい"


def save_from_a_stale_form(new_page, browser_log, staff: Staff, slug: str) -> tuple[Page, Response]:
    """The same person in two tabs (two browser contexts) opens the edit form of ``slug``; the
    first saves THEIRS, then the second, still showing the old version, saves MINE.
    Returns the second page and the answer to its save."""
    first, second = new_page(), new_page()
    for page in (first, second):
        sign_in(page, staff.email)
        page.wait_for_url(re.compile(r"/commission/$"))
        expect(page.locator("main h1")).to_have_text(staff.commission_name_ja)
        assert page.goto(f"/commission/locations/{slug}/edit").status == 200
        expect(location_form(page).locator("input[name=version]")).to_have_value("1")

    form = location_form(first)
    form.locator("#description_ja").fill(THEIRS)
    assert submit(first, form.locator("button[type=submit]")).status == 200
    expect(first.locator(".flash")).to_be_visible()
    expect(location_form(first).locator("input[name=version]")).to_have_value("2")

    form = location_form(second)
    form.locator("#description_ja").fill(MINE)
    response = submit(second, form.locator("button[type=submit]"))
    # Chromium reports any 4xx document in the console; the 409 is the expected answer here.
    conflict = [e for e in browser_log.console_errors if "status of 409" in e]
    assert len(conflict) <= 1, conflict
    for error in conflict:
        browser_log.console_errors.remove(error)
    return second, response


def conflict_rows(page: Page):
    """The rows of the conflict table that name a field (the others say nothing differs)."""
    return page.locator("table.diff tbody tr", has=page.locator("th[scope=row]"))


def test_a_save_from_a_stale_form_gets_the_conflict_page(new_page, browser_log, live_server, staff, draft):
    """The first save wins; the second is refused with a 409 that shows both values of the
    description, and nothing is overwritten."""
    page, response = save_from_a_stale_form(new_page, browser_log, staff, draft)
    assert response.status == 409
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("main h1")).to_have_text(
        ja(live_server, "Someone else saved this entry while you were editing"))
    expect(page.locator("table.diff thead")).to_contain_text(ja(live_server, "Saved now"))
    expect(page.locator("table.diff thead")).to_contain_text(ja(live_server, "Your version"))
    description = conflict_rows(page).filter(has=page.locator("td.theirs", has_text=THEIRS))
    expect(description).to_have_count(1)
    expect(description.locator("td.theirs")).to_have_text(THEIRS)
    expect(description.locator("td.mine")).to_have_text(MINE)
    expect(page.locator(f"main a[href='/commission/locations/{draft}/edit']")).to_be_visible()
    assert stored(live_server, draft).description_ja == THEIRS
    browser_log.assert_clean()


def test_the_conflict_page_lists_only_the_fields_that_differ(new_page, browser_log, staff, draft):
    page, response = save_from_a_stale_form(new_page, browser_log, staff, draft)
    assert response.status == 409
    rows = conflict_rows(page)
    expect(rows.first).to_be_visible()
    assert [row.locator("td.theirs").inner_text() for row in rows.all()] == [THEIRS]


def test_the_sign_in_form_is_labelled_in_japanese(page, browser_log):
    form = open_sign_in(page)
    labels = form.locator("label")
    expect(labels).to_have_count(2)
    assert [text for text in labels.all_inner_texts() if not JAPANESE.search(text)] == []
    browser_log.assert_clean()
