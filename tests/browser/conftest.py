"""Browser fixtures: the seeded app served on 127.0.0.1, Debian's Chromium driven by Playwright, and a
page that may talk to nothing but that server.

The browser is the system Chromium (/usr/bin/chromium), never one downloaded by `playwright install`:
without it the browser tests are skipped, except in CI (the CI variable is set), where they fail.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from flask import Flask, got_request_exception
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from locations import create_app
from locations.core.extensions import db
from tests.conftest import make_test_config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # containers and CI runners rarely allow the sandbox's namespaces
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Chromium's own traffic (updates, sync, safe browsing) has nothing to do with the app.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"
# Small enough that the 362 seeded Takamatsu locations come back as clusters until the map is
# zoomed in to a few streets, so both answers of the viewport API are exercised.
MAP_POINT_CAP = 40
# Generous for a local server, but short enough that a hung wait fails quickly.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session", autouse=True)
def _chromium_available():
    """Runs before any other fixture of these tests, so a machine without Chromium skips them
    without seeding a database or starting a server."""
    if os.path.exists(CHROMIUM):
        return
    message = f"browser tests need Chromium at {CHROMIUM}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must run them (install the chromium package)")
    pytest.skip(f"{message} (apt-get install chromium); they are required only in CI")


@dataclass
class LiveServer:
    url: str
    # The served app, for tests that set up data in its app context (or point its instance folder elsewhere).
    app: Flask
    # Exceptions raised inside views, which the browser only sees as a status 500.
    errors: list[str] = field(default_factory=list)


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        # A line per asset and API call would bury a failing test's report; errors are still logged.
        pass


@pytest.fixture(scope="session")
def live_server(seeded_app, database_url):
    """The app on a free port of 127.0.0.1, reading the database `seeded_app` migrated and seeded."""
    app = create_app(make_test_config(
        database_url,
        TILE_URL="",  # no tile layer, so the map never asks a tile server for anything
        GEOCODER="offline",  # near= and addresses must not reach Nominatim, whatever the environment says
        MAP_POINT_CAP=MAP_POINT_CAP,
        # The browser sends real forms with their tokens, so CSRF protection stays on as in production,
        WTF_CSRF_ENABLED=True,
        # but the session cookie must travel over plain http to 127.0.0.1 for sign-in to work.
        SESSION_COOKIE_SECURE=False,
        LOGIN_RATE_LIMITED=False,
    ))
    server = make_server(LOCAL_HOST, 0, app, threaded=True, request_handler=_QuietRequestHandler)
    live = LiveServer(url=f"http://{LOCAL_HOST}:{server.server_port}", app=app)

    def record(sender, exception, **extra):
        live.errors.append(repr(exception))

    got_request_exception.connect(record, app)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        got_request_exception.disconnect(record, app)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser(_chromium_available):
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class BrowserLog:
    """What a test's pages did that they should not have: each list must be empty at the end."""

    server: LiveServer
    external_requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    server_errors_before: int = 0
    checked: bool = False

    def assert_clean(self) -> None:
        self.checked = True
        assert self.external_requests == [], "pages tried to reach hosts other than the app"
        assert self.page_errors == [], "uncaught JavaScript errors"
        assert self.console_errors == [], "errors in the browser console"
        assert self.server.errors[self.server_errors_before:] == [], "views raised exceptions"


@pytest.fixture
def browser_log(live_server) -> BrowserLog:
    return BrowserLog(server=live_server, server_errors_before=len(live_server.errors))


CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_REPORT] = report
    return report


@pytest.fixture
def new_page(request, browser, live_server, browser_log):
    """Opens pages, each in a fresh context of its own (no cookies, so not signed in and no
    language cookie yet), that can reach only the live server; all report to ``browser_log``.

    Tests end with ``browser_log.assert_clean()``; a test that forgets is checked here instead.
    """
    contexts = []

    def only_local(route):
        # Anything else (tiles, CDNs, fonts, geocoders) would make the pages depend on the network.
        if urlsplit(route.request.url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            browser_log.external_requests.append(route.request.url)
            route.abort()

    def console(message):
        if message.type == "error":
            browser_log.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def open_page(locale: str = "ja-JP") -> Page:
        # The locale is also what the browser's Accept-Language asks for.
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport={"width": 1280, "height": 900},
            service_workers="block",
        )
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", only_local)
        # Context-wide listeners also cover pages opened later in the same context.
        context.on("console", console)
        context.on("weberror", lambda error: browser_log.page_errors.append(str(error.error)))
        return context.new_page()

    try:
        yield open_page
        report = request.node.stash.get(CALL_REPORT, None)
        # Only a passing test is checked here: a failing one has already said what went wrong.
        if report is not None and report.passed and not browser_log.checked:
            browser_log.assert_clean()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(new_page) -> Page:
    """A page in a fresh context that can reach only the live server (see ``new_page``)."""
    return new_page()
