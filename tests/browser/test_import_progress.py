"""The web import's progress bar in Chromium, in Japanese and English: while the request writes, the page that
sent it polls the import's phase and counts (the writing is slowed down so that the page polls it), labelled in
the reader's language; then the import lands. (The bar itself cannot be read while the page waits for its answer:
Playwright waits for the navigation.)"""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from locations.core.extensions import db
from locations.library.models import Location
from locations.library.progress import ImportProgress
from tests.browser.test_import_mapping import say, sign_in, staff  # noqa: F401 (a fixture)

ROWS = "".join(f"ブラウザ試験の進捗{i},park,,34.3{i},134.0{i},published,ブラウザ試験\n" for i in range(6))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_page_shows_the_import_progress_until_the_answer(page, browser_log, live_server, staff, tmp_path,  # noqa: F811
                                                            monkeypatch, lang):
    original = ImportProgress.__call__

    def held(self, phase, done, total):
        original(self, phase, done, total)
        if phase == "write" and done == total:
            time.sleep(2.5)  # the writing takes long enough for the page to poll it a few times

    monkeypatch.setattr(ImportProgress, "__call__", held)
    sign_in(page, staff, lang)
    upload = tmp_path / "places.csv"
    upload.write_text("name_ja,category,address,lat,lon,status,source\n" + ROWS, encoding="utf-8")
    page.goto(f"/commission/import?lang={lang}")
    expect(page.locator("#import-progress")).to_be_hidden()
    page.locator("#file").set_input_files(str(upload))
    with page.expect_navigation():  # "check only" is ticked: the file is read and checked, nothing written
        page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page.locator("#import-progress")).to_be_hidden()
    answers = []

    def polled(route):
        response = route.fetch()
        if response.status == 200:
            answers.append(response.json())  # read here: a page's responses go with it
        route.fulfill(response=response)

    page.route("**/commission/import/progress/*", polled)
    page.locator("#result button[value=apply]").click()
    page.wait_for_url(re.compile(r"/commission/locations$"))
    writing = say(live_server, lang, "Writing the locations…")
    assert {"phase": "write", "done": 6, "total": 6, "label": writing} in answers, answers
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count(Location.id)).where(
            Location.name_ja.like("ブラウザ試験の進捗%"))) == 6
        db.session.remove()
    browser_log.assert_clean()
