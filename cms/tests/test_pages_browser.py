"""Real Chromium against a live server with the demo content."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

PUBLIC_PAGES = ["/", "/about/", "/contact/", "/accounts/login/", "/accounts/signup/", "/search/?q=survivor"]
EXIT_URL = "https://www.bbc.co.uk/weather"


def same_origin(url: str, base: str) -> bool:
    return url.startswith(("data:", "blob:")) or urlsplit(url).netloc == urlsplit(base).netloc


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_loads_cleanly_and_passes_axe(demo_server, browser_page, axe, path):
    base = demo_server.url
    response = browser_page.goto(base + path)
    assert response.status == 200
    browser_page.wait_for_load_state("networkidle")
    assert browser_page.recorder.console_errors == []
    outside = [url for url in browser_page.recorder.requests if not same_origin(url, base)]
    assert outside == [], f"requests to another origin: {outside}"
    assert axe(browser_page) == []


def _fake_exit_site(page):
    """The exit destination answered locally: the test machine has no internet."""
    page.context.route(EXIT_URL, lambda route: route.fulfill(status=200, body="<title>Weather</title>Weather"))


def test_quick_exit_button_leaves_for_the_configured_site_and_back_does_not_return(demo_server, browser_page):
    base = demo_server.url
    _fake_exit_site(browser_page)
    browser_page.goto(base + "/")
    browser_page.goto(base + "/contact/")
    browser_page.get_by_role("link", name="Exit this page").click()
    browser_page.wait_for_url(EXIT_URL)
    browser_page.go_back()
    browser_page.wait_for_load_state()
    assert not browser_page.url.endswith("/contact/")
    assert browser_page.url != EXIT_URL


def test_quick_exit_by_pressing_shift_three_times(demo_server, browser_page):
    base = demo_server.url
    _fake_exit_site(browser_page)
    browser_page.goto(base + "/about/")
    for _ in range(3):  # three separate presses
        browser_page.keyboard.press("Shift")
    browser_page.wait_for_url(EXIT_URL)
    browser_page.go_back()
    browser_page.wait_for_load_state()
    assert not browser_page.url.endswith("/about/")


def test_two_shift_presses_do_not_exit(demo_server, browser_page):
    base = demo_server.url
    _fake_exit_site(browser_page)
    browser_page.goto(base + "/about/")
    browser_page.keyboard.press("Shift")
    browser_page.keyboard.press("Shift")
    browser_page.wait_for_timeout(300)
    assert browser_page.url == base + "/about/"


def test_form_errors_show_next_to_fields_in_the_browser(demo_server, browser_page, axe):
    base = demo_server.url
    browser_page.goto(base + "/contact/")
    browser_page.get_by_label("Your name").fill("Ada")
    browser_page.get_by_label("Email").fill("not-an-email")
    browser_page.get_by_role("button", name="Send").click()
    browser_page.wait_for_load_state()
    assert browser_page.get_by_label("Your name").input_value() == "Ada"
    assert browser_page.locator("#id_email_error").is_visible()
    assert browser_page.locator("#id_message_error").is_visible()
    assert axe(browser_page) == []


def test_contact_email_is_shown_as_a_working_link(demo_server, browser_page):
    browser_page.goto(demo_server.url + "/")
    link = browser_page.get_by_role("link", name="hello@thrive.example")
    assert link.get_attribute("href") == "mailto:hello@thrive.example"


def test_wagtail_admin_works_under_the_content_security_policy(demo_server, browser_page):
    base = demo_server.url
    email, password = demo_server.staff_login
    browser_page.goto(base + "/admin/login/")
    browser_page.fill("input[name=username]", email)
    browser_page.fill("input[name=password]", password)
    browser_page.click("button[type=submit]")
    browser_page.wait_for_url(base + "/admin/")
    browser_page.goto(base + "/admin/pages/search/?q=About+us")
    browser_page.locator("a[href*='/edit/']", has_text="About us").first.click()
    browser_page.wait_for_url("**/edit/")
    browser_page.wait_for_load_state("networkidle")
    assert browser_page.locator("input[name=title]").input_value() == "About us"
    csp_errors = [e for e in browser_page.recorder.console_errors if "Content Security Policy" in e]
    assert csp_errors == []
