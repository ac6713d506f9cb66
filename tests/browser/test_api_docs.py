"""The API reference page draws the OpenAPI description with Swagger UI from the Python package, offline and
under the site's Content-Security-Policy."""
import pytest
from playwright.sync_api import expect


@pytest.mark.markup_only
def test_the_api_reference_lists_every_operation(page, browser_log):
    page.goto("/api/docs?lang=en")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/permit-plan" in p for p in paths) and any("/api/locations" in p for p in paths)
    expect(page.locator("main h1").first).to_have_text("API reference")
    browser_log.assert_clean()
