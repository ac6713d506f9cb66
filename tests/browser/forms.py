"""Driving forms in the browser: submitting and waiting for the page it leads to, and the one way a
browser test signs in."""
from __future__ import annotations

from playwright.sync_api import Page, Response, expect

from tests.builders import PASSWORD


def submit(page: Page, button) -> Response:
    """Clicks a submit button and returns the answer to the navigation it causes (the last one, after
    redirects), once the new page has loaded."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None
    return response


def open_sign_in(page: Page, lang: str | None = "ja"):
    """The sign-in page in ``lang`` (``None``: in the language the browser asks for); returns its form."""
    response = page.goto(f"/login?lang={lang}" if lang else "/login")
    assert response.status == 200
    if lang:
        expect(page.locator("html")).to_have_attribute("lang", lang)
    return page.locator("main form[action='/login']")


def sign_in(page: Page, email: str, lang: str | None = "ja") -> Response:
    """Signs in through the sign-in form in ``lang`` (see ``open_sign_in``); returns the page the app redirected to."""
    form = open_sign_in(page, lang)
    form.locator("#email").fill(email)
    form.locator("#password").fill(PASSWORD)
    response = submit(page, form.locator("button[type=submit]"))
    assert response.status == 200
    assert response.request.redirected_from is not None  # the POST answered with a redirect
    if lang:
        expect(page.locator("html")).to_have_attribute("lang", lang)
    return response
