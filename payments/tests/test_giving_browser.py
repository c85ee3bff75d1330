"""Giving as a visitor does it in Chromium, at phone and desktop widths: the campaign found from
the menu, and a monthly gift whose thank-you page says how much, when next and how to stop,
stopped from that page's own link."""

import re

import pytest

from payments.tests.test_checkout_browser import VISA, fill_card, pay_and_pass_3d_secure

pytestmark = pytest.mark.browser

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("width", WIDTHS, ids=list(WIDTHS))
def test_a_visitor_finds_the_campaign_from_the_menu_and_sees_its_progress(demo_server, browser_page, axe, width):
    browser_page.set_viewport_size(WIDTHS[width])
    browser_page.goto(demo_server.url + "/")
    menu = browser_page.get_by_role("navigation", name="Main")
    menu.get_by_role("link", name="Fund a survivor's place").click()
    browser_page.wait_for_url("**/fund-a-place/")
    assert browser_page.get_by_role("heading", name="Raised so far").is_visible()
    assert "of £5,000.00" in browser_page.content()
    browser_page.goto(demo_server.url + "/donate/")
    browser_page.get_by_role("region", name="Or give to a campaign").get_by_role(
        "link", name="Fund a survivor's place"
    ).click()
    browser_page.wait_for_url("**/fund-a-place/")
    assert axe(browser_page) == []


def test_the_monthly_thank_you_page_says_amount_next_date_and_stops_the_gift_from_its_link(
    demo_server, browser_page, axe
):
    demo_server.require_stripe()
    browser_page.set_viewport_size(WIDTHS["phone"])
    browser_page.goto(demo_server.url + "/donate/")
    browser_page.get_by_role("textbox", name="Other amount").fill("8.50")
    browser_page.get_by_label("Every month").check()
    browser_page.get_by_label("Email address").fill("monthly.thanks@example.org")
    browser_page.get_by_role("button", name="Continue to payment").click()
    browser_page.wait_for_url("**/payments/checkout/**")
    fill_card(browser_page, VISA)
    pay_and_pass_3d_secure(browser_page)
    monthly = browser_page.get_by_role("region", name="Your monthly gift")
    text = monthly.inner_text()
    assert "£8.50 every month" in text
    expected = demo_server.shell(
        "from payments.models import RecurringGift; from payments.selectors import recurring_gift_next_payment_on;"
        "gift = RecurringGift.objects.get(email='monthly.thanks@example.org');"
        "day = recurring_gift_next_payment_on(gift); print(f'{day.day} {day:%B %Y}')"
    ).splitlines()[-1]
    assert re.search(rf"next payment will be taken on {expected}", text)
    assert axe(browser_page) == []
    monthly.get_by_role("link", name="stop my monthly gift").click()
    browser_page.get_by_role("button", name="Stop my monthly gift").click()
    browser_page.wait_for_load_state()
    assert "Your monthly gift of £8.50 is stopped" in browser_page.content()
    status = demo_server.shell(
        "from payments.models import RecurringGift;"
        "print(RecurringGift.objects.get(email='monthly.thanks@example.org').status)"
    )
    assert status.splitlines()[-1] == "cancelled"
    assert browser_page.recorder.console_errors == []
