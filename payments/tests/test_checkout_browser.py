"""Paying in Chromium against the demo server's own localstripe (its Stripe.js stand-in:
the card Element as plain inputs, 3-D Secure as a confirm box): two tickets plus a
donation, a declined card, 3-D Secure; axe-core on the giving, checkout and receipt pages."""

import json
import re

import pytest

pytestmark = pytest.mark.browser

VISA = "4242424242424242"
DECLINED = "4000000000000002"
THREE_D_SECURE = "4000002500003155"


def paid_event(demo_server, *, title: str, price_minor: int = 1200, capacity: int = 10) -> dict:
    demo_server.require_stripe()
    code = (
        "import json;"
        "from events.tests.factories import make_event;"
        f"event = make_event(title={title!r}, capacity={capacity}, venue='Community Hall, 1 High Street',"
        f" tickets=[{{'name': 'Standard', 'quantity': {capacity}, 'price_minor': {price_minor}}}]);"
        "print(json.dumps({'pk': event.pk, 'url': event.url}))"
    )
    return json.loads(demo_server.shell(code).splitlines()[-1])


def book(page, base: str, event: dict, *, email: str, quantity: int = 1, donation: str = "") -> None:
    page.goto(f"{base}/events/{event['pk']}/book/")
    page.get_by_label("Number of tickets").fill(str(quantity))
    if donation:
        page.get_by_label("Add a donation (optional)").fill(donation)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Book my place").click()
    page.wait_for_url("**/payments/checkout/**")


def fill_card(page, number: str) -> None:
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill(number)
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("30")  # the stand-in takes a 2-digit year
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("N1 9GU")


def pay_and_pass_3d_secure(page) -> int:
    """Press Pay; answer every 3-D Secure box the stand-in shows; return how many there were."""
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    boxes = 0
    for _ in range(40):
        if "/done/" in page.url:
            return boxes
        complete = page.get_by_role("button", name="Complete authentication")
        if complete.count():
            complete.click()
            boxes += 1
        page.wait_for_timeout(250)
    page.wait_for_url("**/done/", timeout=5000)
    return boxes


def declare_gift_aid(page, *, postcode_label: str) -> None:
    page.get_by_label("Yes, add Gift Aid to my donation").check()
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Donor")
    page.get_by_label("House name or number").fill("12")
    page.get_by_label(postcode_label).fill("N1 9GU")


def mails(demo_server) -> list[str]:
    return [path.read_text() for path in sorted((demo_server.var_dir / "mail").glob("*.log"))]


def test_two_tickets_and_a_donation_paid_by_card_end_with_tickets_and_a_receipt(demo_server, browser_page, axe):
    base = demo_server.url
    event = paid_event(demo_server, title="Browser paid supper")
    book(browser_page, base, event, email="two.tickets@example.org", quantity=2, donation="5")
    content = browser_page.content()
    assert "Standard: Browser paid supper" in content and "Donation" in content and "£29.00" in content
    assert axe(browser_page) == []
    # Gift Aid on the donation (the booking form asked for none): the donation line only. It is
    # part of the card form, so pressing Pay (there is no other button) sends it with the payment.
    declare_gift_aid(browser_page, postcode_label="Home postcode")
    assert browser_page.get_by_role("button", name="Add Gift Aid").count() == 0
    fill_card(browser_page, VISA)
    pay_and_pass_3d_secure(browser_page)
    content = browser_page.content()
    assert "Thank you" in content and "Ticket 1 of 2" in content and "Ticket 2 of 2" in content
    assert axe(browser_page) == []
    facts = json.loads(
        demo_server.shell(
            "import json; from payments.models import Order; from events.models import Registration;"
            "order = Order.objects.get(email='two.tickets@example.org');"
            "tickets = [Registration.objects.get(pk=l.item_reference.split(':')[1])"
            " for l in order.lines.all() if l.item_reference];"
            "print(json.dumps({'status': order.status, 'total': order.total_minor, 'reference': order.reference,"
            " 'lines': [[l.kind, l.amount_minor, l.gift_aid_eligible] for l in order.lines.all()],"
            " 'codes': [t.code for t in tickets], 'statuses': sorted({t.status for t in tickets})}))"
        ).splitlines()[-1]
    )
    assert facts["status"] == "paid" and facts["total"] == 2900
    assert facts["lines"] == [["ticket", 1200, False], ["ticket", 1200, False], ["donation", 500, True]]
    assert facts["statuses"] == ["confirmed"]
    for code in facts["codes"]:
        assert code in content
    sent = mails(demo_server)
    for code in facts["codes"]:
        ticket_mail = [body for body in sent if code in body]
        assert ticket_mail and "Browser paid supper" in ticket_mail[0] and f"ticket-{code}.pdf" in ticket_mail[0]
    receipts = [body for body in sent if f"Your receipt {facts['reference']}" in body]
    assert len(receipts) == 1 and f"receipt-{facts['reference']}.pdf" in receipts[0]
    # The ticket page lists both tickets, each with its own code.
    browser_page.get_by_role("link", name=re.compile("Ticket 1 of 2")).click()
    browser_page.wait_for_load_state()
    content = browser_page.content()
    assert "All 2 tickets in this booking" in content and all(code in content for code in facts["codes"])
    assert axe(browser_page) == []
    assert browser_page.recorder.console_errors == []


def test_a_gift_aid_declaration_missing_its_postcode_stops_pay_with_the_reason_then_pays_with_it(
    demo_server, browser_page, axe
):
    base = demo_server.url
    event = paid_event(demo_server, title="Browser Gift Aid supper")
    book(browser_page, base, event, email="gift.aid.stop@example.org", donation="5")
    declare_gift_aid(browser_page, postcode_label="Home postcode")
    browser_page.get_by_label("Home postcode").fill("")
    fill_card(browser_page, VISA)
    browser_page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    alert = browser_page.locator("#checkout-message")
    alert.wait_for(state="visible")
    assert "Your Gift Aid declaration is not complete, so nothing has been taken." in alert.inner_text()
    postcode = browser_page.get_by_label("Home postcode")
    assert postcode.get_attribute("aria-invalid") == "true"
    assert "For Gift Aid we need your home postcode." in browser_page.locator("#gift-aid").inner_text()
    assert axe(browser_page) == []
    facts = demo_server.shell(
        "from payments.models import Order;"
        "order = Order.objects.get(email='gift.aid.stop@example.org');"
        "print(order.payments.count(), [l.gift_aid_eligible for l in order.lines.all()])"
    )
    assert facts.splitlines()[-1] == "0 [False, False]"
    postcode.fill("N1 9GU")
    pay_and_pass_3d_secure(browser_page)
    assert "Thank you" in browser_page.content()
    facts = demo_server.shell(
        "from payments.models import Donation, Order;"
        "order = Order.objects.get(email='gift.aid.stop@example.org');"
        "donation = Donation.objects.get(order_line__order=order);"
        "print(order.status, donation.gift_aid_declaration.postcode)"
    )
    assert facts.splitlines()[-1] == "paid N1 9GU"
    assert browser_page.recorder.console_errors == []


def test_a_declined_card_is_explained_and_the_places_stay_held_until_the_hold_ends(demo_server, browser_page):
    base = demo_server.url
    browser_page.clock.install()  # the page's own clock, moved on below to the hold's end
    event = paid_event(demo_server, title="Browser declined supper", capacity=2)
    book(browser_page, base, event, email="declined@example.org", quantity=2)
    hold = browser_page.locator(".checkout-hold")
    seconds_left = int(hold.get_attribute("data-hold-seconds"))
    assert 60 < seconds_left <= 30 * 60
    assert re.search(r"\(\d+ minutes left\)", hold.inner_text())
    fill_card(browser_page, DECLINED)
    browser_page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    message = browser_page.locator("#checkout-message")
    message.wait_for(state="visible")
    assert "Your card was declined, so nothing was taken" in message.inner_text()
    # The countdown warns screen readers once at 5 minutes left, then says when the hold ends.
    announce = browser_page.locator("[data-countdown-announce]")
    browser_page.clock.run_for((seconds_left - 290) * 1000)
    assert announce.inner_text() == "5 minutes left to pay before the hold on your places ends."
    assert re.search(r"\(4 minutes left\)", hold.inner_text())
    browser_page.clock.run_for(300 * 1000)
    assert announce.inner_text() == "The hold on your places has ended."
    assert browser_page.locator("[data-countdown-ended]").is_visible()
    assert "left)" not in hold.inner_text()
    held = demo_server.shell(
        "from django.utils import timezone; from events.models import Registration;"
        "rows = Registration.objects.filter(email='declined@example.org');"
        "print(sum(1 for r in rows if r.status == 'reserved' and r.reserved_until > timezone.now()))"
    )
    assert held.splitlines()[-1] == "2"
    # Sold out for everyone else while the hold lasts; the ticket page offers "Pay now".
    browser_page.goto(base + event["url"])
    assert "Book a place" not in browser_page.content()
    released = demo_server.shell(
        "from datetime import timedelta; from events.models import Registration;"
        "from events.services import events_housekeeping;"
        "rows = Registration.objects.filter(email='declined@example.org');"
        "events_housekeeping(now=rows.first().reserved_until + timedelta(seconds=1));"
        "print(sum(1 for r in rows.all() if r.status in Registration.HOLDS_PLACE))"
    )
    # (Counted for this booking only: housekeeping also releases other tests' lapsed holds.)
    assert released.splitlines()[-1] == "0"


def test_a_card_that_needs_3d_secure_passes_it_and_succeeds(demo_server, browser_page):
    base = demo_server.url
    event = paid_event(demo_server, title="Browser secure supper")
    book(browser_page, base, event, email="secure@example.org")
    fill_card(browser_page, THREE_D_SECURE)
    boxes = pay_and_pass_3d_secure(browser_page)
    assert boxes >= 1
    assert "Thank you" in browser_page.content()
    status = demo_server.shell(
        "from payments.models import Order; print(Order.objects.get(email='secure@example.org').status)"
    )
    assert status.splitlines()[-1] == "paid"


def test_a_monthly_gift_whose_first_payment_needs_3d_secure_passes_it_and_starts(demo_server, browser_page):
    demo_server.require_stripe()
    browser_page.goto(demo_server.url + "/donate/")
    browser_page.get_by_role("textbox", name="Other amount").fill("7")
    browser_page.get_by_label("Every month").check()
    browser_page.get_by_label("Email address").fill("monthly.secure@example.org")
    browser_page.get_by_role("button", name="Continue to payment").click()
    browser_page.wait_for_url("**/payments/checkout/**")
    fill_card(browser_page, THREE_D_SECURE)
    assert pay_and_pass_3d_secure(browser_page) >= 1
    assert "Thank you" in browser_page.content()
    facts = demo_server.shell(
        "from payments.models import RecurringGift;"
        "gift = RecurringGift.objects.get(email='monthly.secure@example.org');"
        "print(gift.status, gift.amount_minor, gift.donations.count())"
    )
    assert facts.splitlines()[-1] == "active 700 1"
    assert browser_page.recorder.console_errors == []


def test_the_donate_and_campaign_pages_pass_axe(demo_server, browser_page, axe):
    for path in ("/donate/", "/fund-a-place/"):
        browser_page.goto(demo_server.url + path)
        assert browser_page.get_by_role("button", name="Continue to payment").count() == 1, path
        assert axe(browser_page) == [], path


def test_a_donation_with_gift_aid_checkout_and_receipt_pass_axe(demo_server, browser_page, axe):
    demo_server.require_stripe()
    browser_page.goto(demo_server.url + "/fund-a-place/")
    browser_page.get_by_role("textbox", name="Other amount").fill("12")
    browser_page.get_by_label("Email address").fill("campaign.donor@example.org")
    declare_gift_aid(browser_page, postcode_label="Postcode")
    browser_page.get_by_role("button", name="Continue to payment").click()
    browser_page.wait_for_url("**/payments/checkout/**")
    assert axe(browser_page) == []
    fill_card(browser_page, VISA)
    pay_and_pass_3d_secure(browser_page)
    assert "Your gift makes a real difference" in browser_page.content()
    assert axe(browser_page) == []
