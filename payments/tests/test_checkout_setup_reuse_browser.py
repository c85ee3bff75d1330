"""Issue 13, item 13 in Chromium: reloading the checkout page makes no new SetupIntent at
Stripe, and the card form still pays, after a card refused while setting up too (390 px wide)."""

import base64
import json
import os
import re
import urllib.request

import pytest

from payments.tests.test_checkout_browser import DECLINED, VISA, book, fill_card, paid_event, pay_and_pass_3d_secure

pytestmark = pytest.mark.browser


def setup_intents_for(stripe_url: str, reference: str) -> list[str]:
    request = urllib.request.Request(f"{stripe_url}/v1/setup_intents?limit=100")  # noqa: S310 (local)
    token = base64.b64encode(b"sk_test_thrive_localstripe:").decode()
    request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our localstripe)
        listed = json.loads(response.read())
    return [item["id"] for item in listed["data"] if (item.get("metadata") or {}).get("ref") == reference]


def test_reloading_the_checkout_in_chromium_makes_no_new_setup_intent_and_the_card_form_still_pays(
    demo_server, browser_page
):
    stripe_url = demo_server.require_stripe()
    base = demo_server.url
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    event = paid_event(demo_server, title="Browser reload supper")
    book(page, base, event, email="reloads@example.org")
    reference = demo_server.shell(
        "from payments.models import Order;"
        "print(Order.objects.filter(email='reloads@example.org').latest('pk').reference)"
    ).splitlines()[-1]
    for _ in range(5):
        page.reload()
        page.locator("#card-element").get_by_placeholder("number").wait_for()
    assert len(setup_intents_for(stripe_url, reference)) == 1
    shots = os.environ.get("THRIVE_SCREENSHOTS")
    if shots:
        page.screenshot(path=f"{shots}/checkout-after-reloads-390.png", full_page=True)
    fill_card(page, DECLINED)
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    alert = page.locator("#checkout-message")
    alert.wait_for(state="visible")
    assert "declined" in alert.inner_text()
    if shots:
        page.screenshot(path=f"{shots}/checkout-declined-390.png", full_page=True)
    fill_card(page, VISA)
    pay_and_pass_3d_secure(page)
    assert "/done/" in page.url
    assert len(setup_intents_for(stripe_url, reference)) <= 2  # the refused one, and at most one new
