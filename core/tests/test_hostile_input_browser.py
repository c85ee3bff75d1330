"""In Chromium, at a phone's width and a desktop's: the 400 page for input no page can use, and
the certificate check asking again for a code of only dashes (issue 13, item 8)."""

import os

import pytest

pytestmark = pytest.mark.browser

WIDTHS = [390, 1280]
SHOTS = os.environ.get("THRIVE_SCREENSHOTS")  # a folder to keep screenshots in, when set


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_nul_in_a_search_shows_the_plain_400_page_with_quick_exit(demo_server, browser_page, axe, width):
    browser_page.set_viewport_size({"width": width, "height": 800})
    response = browser_page.goto(demo_server.url + "/search/?q=safe%00homes")
    assert response.status == 400
    assert browser_page.get_by_role("heading", name="We could not read that").is_visible()
    assert browser_page.get_by_role("link", name="Exit this page").is_visible()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe(browser_page) == []
    _shot(browser_page, f"400-{width}.png")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_certificate_code_of_only_dashes_is_asked_again_in_words(demo_server, browser_page, axe, width):
    browser_page.set_viewport_size({"width": width, "height": 800})
    browser_page.goto(demo_server.url + "/verify/")
    browser_page.get_by_label("Certificate code").fill("-")
    browser_page.get_by_role("button", name="Check").click()
    browser_page.wait_for_load_state()
    alert = browser_page.get_by_role("alert")
    assert "A certificate code has letters and numbers" in alert.inner_text()
    code = browser_page.get_by_label("Certificate code")
    assert code.get_attribute("aria-invalid") == "true"
    assert code.input_value() == "-"  # what was typed is kept
    assert browser_page.recorder.console_errors == []
    assert axe(browser_page) == []
    _shot(browser_page, f"verify-dash-{width}.png")
