"""Two-step sign-in in Chromium, in Japanese: an authority officer (a role that must use it) enrols right
after the password by scanning the server-drawn QR code, keeps the recovery codes, and from then on signs
in with the password and a code from the app; a wrong code is refused with a message."""
from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from locations.core.extensions import db
from tests.browser.forms import submit
from tests.builders import PASSWORD, make_user, totp_code


@pytest.fixture
def officer_email(live_server):
    app = live_server.app
    before = app.config["TOTP_REQUIRED_ROLES"]
    app.config["TOTP_REQUIRED_ROLES"] = ("admin", "authority")
    with app.app_context():
        email = make_user("authority").email
        db.session.commit()
    yield email
    app.config["TOTP_REQUIRED_ROLES"] = before


def password_step(page: Page, email: str) -> None:
    page.goto("/login")
    form = page.locator("main form[action='/login']")
    form.locator("#email").fill(email)
    form.locator("#password").fill(PASSWORD)
    submit(page, form.locator("button[type=submit]"))


def test_an_officer_enrols_at_first_sign_in_then_signs_in_with_a_code(new_page, browser_log, officer_email):
    page = new_page()
    password_step(page, officer_email)
    expect(page).to_have_url(re.compile(r"/login/two-step-setup$"))
    expect(page.locator("#nav-account")).to_have_count(0)  # not signed in until enrolled
    qr = page.locator("figure.qr svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 100
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    form = page.locator("main form")
    form.locator("#code").fill(pyotp.TOTP(secret).now())
    submit(page, form.locator("button[type=submit]"))
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    with page.expect_navigation():
        page.locator("#recovery-continue").click()
    expect(page.locator("#nav-account")).to_be_visible()

    with page.expect_navigation():
        page.locator("form[action='/logout'] button").click()
    password_step(page, officer_email)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    form = page.locator("main form[action='/login/code']")
    form.locator("#code").fill("000000")
    submit(page, form.locator("button[type=submit]"))
    expect(page.locator(".field-error")).to_be_visible()
    expect(page.locator("#nav-account")).to_have_count(0)
    form = page.locator("main form[action='/login/code']")
    form.locator("#code").fill(totp_code(secret, 1))
    submit(page, form.locator("button[type=submit]"))
    expect(page.locator("#nav-account")).to_be_visible()
    page.goto("/account")
    # The session before sign-out is over; only this one is listed.
    expect(page.locator("#account-sessions tbody tr")).to_have_count(1)
    # Chromium logs the refused code's 401 as a failed resource; that answer is the one expected.
    refused = [e for e in browser_log.console_errors if "status of 401" in e and "/login/code" in e]
    assert len(refused) == 1
    browser_log.console_errors.remove(refused[0])
    browser_log.assert_clean()
