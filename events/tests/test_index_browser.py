"""The event index in Chromium: the filter form works with the keyboard-free basics (labels,
a submit button, no script needed) and the page passes axe-core."""

import pytest

pytestmark = pytest.mark.browser


def test_filtering_the_event_index_by_chapter_and_where_passes_axe(demo_server, browser_page, axe):
    base = demo_server.url
    browser_page.goto(base + "/events/")
    assert axe(browser_page) == []
    assert "Survivor leadership gathering" in browser_page.content()

    browser_page.get_by_label("Chapter").select_option(label="United States")
    browser_page.get_by_label("Where").select_option(label="Online")
    browser_page.get_by_role("button", name="Show events").click()
    browser_page.wait_for_url(f"{base}/events/?chapter=us**")
    content = browser_page.content()
    assert "Speaking up: a four-week workshop" in content and "also on 3 more dates" in content
    assert "Survivor leadership gathering" not in content
    assert browser_page.get_by_label("Chapter").input_value() == "us"
    assert axe(browser_page) == []

    browser_page.get_by_role("link", name="Past events").click()
    browser_page.wait_for_load_state()
    assert "when=past" in browser_page.url and "chapter=us" in browser_page.url
    assert axe(browser_page) == []
    browser_page.goto(base + "/events/?when=past")
    assert "Spring conference" in browser_page.content()
    assert browser_page.recorder.console_errors == []
    assert all(url.startswith(base) for url in browser_page.recorder.requests)  # nothing from elsewhere
