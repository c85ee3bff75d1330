"""Issue 16 acceptance in Chromium: the Arabic home, event, course, booking and checkout pages
are mirrored (right to left) and pass axe-core (no serious or critical violation), and quick
exit works on an Arabic page. Screenshots go to THRIVE_SCREENSHOTS, else /work/notes/walk when
it exists (for people to look at), else the test's temporary folder."""

import json
import os
from pathlib import Path

import pytest

from cms.tests.test_pages_browser import EXIT_URL, _fake_exit_site
from payments.tests.test_checkout_browser import paid_event

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 900
# An element of our interface inside each page's body (not content from the database).
INTERFACE_IN_BODY = {"home": "#mission-title", "event": "main a[href$='/book/']", "booking": "main form"}
DIRECTION = "element => getComputedStyle(element).direction"


def screenshots(tmp_path) -> Path:
    chosen = os.environ.get("THRIVE_SCREENSHOTS") or ("/work/notes/walk" if Path("/work/notes/walk").is_dir() else "")
    return Path(chosen) if chosen else tmp_path


def layout(page) -> dict:
    return page.evaluate(
        """() => {
        const box = (element) => element && element.getBoundingClientRect().toJSON();
        const items = document.querySelectorAll('.site-nav li');
        return {
            dir: document.documentElement.getAttribute('dir'),
            lang: document.documentElement.getAttribute('lang'),
            direction: getComputedStyle(document.body).direction,
            mainDirection: getComputedStyle(document.querySelector('main')).direction,
            brand: box(document.querySelector('.site-header__brand')),
            first: box(items[0]),
            last: box(items[items.length - 1]),
            items: items.length,
            width: window.innerWidth,
            scrollWidth: document.documentElement.scrollWidth,
        };
    }"""
    )


def assert_mirrored(page, where: str) -> None:
    found = layout(page)
    assert found["dir"] == "rtl" and found["lang"] == "ar", (where, found)
    assert found["direction"] == "rtl" and found["mainDirection"] == "rtl", (where, found)
    # Nothing pushes the page sideways (a -10000px offset does, right to left).
    assert found["scrollWidth"] <= found["width"], ("the page scrolls sideways", where, found)
    brand = found["brand"]
    assert brand["x"] + brand["width"] / 2 > found["width"] / 2, ("the brand is not on the right", where, found)
    assert found["items"] >= 2, (where, found)
    first, last = found["first"], found["last"]
    if abs(first["y"] - last["y"]) < first["height"] / 2:  # one row: the first item is the rightmost
        assert first["x"] > last["x"], ("the menu is not mirrored", where, found)
    else:  # wrapped: the first row starts on the right
        assert first["x"] + first["width"] > last["x"] + last["width"] - 1, (where, found)


def assert_left_to_right(page) -> None:
    """The control: the English page is not mirrored, so the checks above can fail."""
    found = layout(page)
    assert found["dir"] == "ltr" and found["direction"] == "ltr", found
    assert found["brand"]["x"] + found["brand"]["width"] / 2 < found["width"] / 2, found
    first, last = found["first"], found["last"]
    if abs(first["y"] - last["y"]) < first["height"] / 2:  # one row: the first item is the leftmost
        assert first["x"] < last["x"], found
    else:  # wrapped (a wide menu): the first row starts on the left
        assert first["x"] < last["x"] + 1, found


def course_url(demo_server) -> str:
    code = (
        "from training.models import CoursePage;"
        "print(CoursePage.objects.live().filter(cohorts__isnull=False).distinct().first().url)"
    )
    return demo_server.shell(code).splitlines()[-1]


def test_the_arabic_pages_are_mirrored_and_pass_axe(demo_server, browser_page, axe, tmp_path):
    base = demo_server.url
    page = browser_page
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    shots = screenshots(tmp_path)
    event = paid_event(demo_server, title="Browser Arabic supper")
    course = course_url(demo_server)

    page.goto(base + "/")
    assert_left_to_right(page)

    problems, left_to_right = {}, {}
    for name, path in (
        ("home", "/ar/"),
        ("event", "/ar" + event["url"]),
        ("course", "/ar" + course),
        ("booking", f"/ar/events/{event['pk']}/book/"),
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert_mirrored(page, path)
        page.screenshot(path=str(shots / f"ar-{name}.png"), full_page=True)
        if found := axe(page):
            problems[path] = found
        # Our own words inside the page's body (English content may stay left to right, marked
        # lang="en" dir="ltr", but not the interface around it).
        selector = INTERFACE_IN_BODY.get(name)
        if selector and (direction := page.locator(selector).first.evaluate(DIRECTION)) != "rtl":
            left_to_right[path] = f"{selector}: {direction}"

    # Book on the Arabic page (by the fields' names: their labels are in Arabic) to the checkout.
    page.locator("input[name=email]").fill("arabic.reader@example.org")
    page.locator("form:has(input[name=email]) [type=submit]").first.click()
    page.wait_for_url("**/ar/payments/checkout/**")
    page.locator("#card-element").wait_for()
    page.wait_for_load_state("networkidle")
    assert_mirrored(page, page.url)
    page.screenshot(path=str(shots / "ar-checkout.png"), full_page=True)
    if found := axe(page):
        problems[page.url] = found
    assert problems == {}, json.dumps(problems, indent=1)
    assert page.recorder.console_errors == []
    assert left_to_right == {}, f"interface words laid out left to right on Arabic pages: {left_to_right}"


def test_quick_exit_works_on_an_arabic_page_by_button_and_by_shift(demo_server, browser_page):
    base = demo_server.url
    page = browser_page
    _fake_exit_site(page)
    page.goto(base + "/ar/")
    page.goto(base + "/ar/contact/")
    assert layout(page)["dir"] == "rtl"
    button = page.locator("#quick-exit")
    assert button.inner_text().strip() and button.inner_text().strip() != "Exit this page"  # in Arabic
    button.click()
    page.wait_for_url(EXIT_URL)
    page.go_back()
    page.wait_for_load_state()
    assert not page.url.endswith("/ar/contact/") and page.url != EXIT_URL

    page.goto(base + "/ar/about/")
    for _ in range(3):  # three separate presses
        page.keyboard.press("Shift")
    page.wait_for_url(EXIT_URL)
    page.go_back()
    page.wait_for_load_state()
    assert not page.url.endswith("/ar/about/")
