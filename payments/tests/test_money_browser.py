"""Money in Chromium, against the demo server and its own localstripe.

- Currency end to end: a US-chapter event priced in dollars is shown in dollars, booked and
  paid by card (the PaymentIntent localstripe holds is in usd), receipted in dollars (email
  and its PDF), refunded from the Finance order page (the Refund on localstripe is in usd)
  and listed in the Finance CSV in USD.
- Money input: in the Wagtail page editor, a ticket price, a course price and a campaign
  target are typed in major units (15, 15.50) and show as £15.00 / £15.50 on the public
  pages; bad amounts are refused with the reason in words.
"""

import base64
import csv
import email
import io
import json
import subprocess
import urllib.request

import pytest

from payments.tests.test_checkout_browser import VISA, book, fill_card, pay_and_pass_3d_secure

pytestmark = pytest.mark.browser


def _shell_json(demo_server, code: str):
    return json.loads(demo_server.shell(code).splitlines()[-1])


def _stripe_get(demo_server, path: str) -> dict:
    """An object as the demo server's localstripe holds it (what Stripe was told)."""
    key = demo_server.shell("from django.conf import settings; print(settings.STRIPE_SECRET_KEY)").splitlines()[-1]
    request = urllib.request.Request(demo_server.require_stripe() + path)  # noqa: S310 (local test server)
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{key}:".encode()).decode())
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local test server)
        return json.loads(response.read())


def _sent_message(demo_server, subject: str) -> email.message.Message:
    for path in sorted((demo_server.var_dir / "mail").glob("*.log")):
        for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
            message = email.message_from_string(chunk.strip())
            if message["Subject"] == subject:
                return message
    raise AssertionError(f"no email {subject!r}")


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_us_chapter_event_is_shown_paid_receipted_refunded_and_listed_in_dollars(
    demo_server, browser_page, sign_in, tmp_path
):
    demo_server.require_stripe()
    base, page = demo_server.url, browser_page
    event = _shell_json(
        demo_server,
        "import json; from cms.models import Chapter; from events.tests.factories import make_event;"
        "us = Chapter.objects.get(currency='USD');"
        "event = make_event(title='Chicago money supper', chapter=us, venue='Hall',"
        " tickets=[{'name': 'Standard', 'quantity': 10, 'price_minor': 2000}]);"
        "print(json.dumps({'pk': event.pk, 'url': event.url}))",
    )
    page.goto(base + event["url"])
    content = page.content()
    assert "Standard: $20.00" in content and "£20.00" not in content

    book(page, base, event, email="dollars@example.org")
    assert "$20.00" in page.content() and "£20.00" not in page.content()
    fill_card(page, VISA)
    pay_and_pass_3d_secure(page)
    facts = _shell_json(
        demo_server,
        "import json; from payments.models import Order; order = Order.objects.get(email='dollars@example.org');"
        "payment = order.payments.get();"
        "print(json.dumps({'pk': order.pk, 'reference': order.reference, 'currency': order.currency,"
        " 'status': order.status, 'intent': payment.stripe_payment_intent_id}))",
    )
    assert facts["currency"] == "USD" and facts["status"] == "paid"
    intent = _stripe_get(demo_server, f"/v1/payment_intents/{facts['intent']}")
    assert intent["currency"] == "usd" and intent["amount"] == 2000

    receipt = _sent_message(demo_server, f"Your receipt {facts['reference']}")
    parts = {part.get_content_type(): part for part in receipt.walk() if not part.is_multipart()}
    body = parts["text/plain"].get_payload(decode=True).decode()
    assert "$20.00" in body and "£" not in body
    pdf_text = _pdf_text(parts["application/pdf"].get_payload(decode=True), tmp_path)
    assert "$20.00" in pdf_text and "£" not in pdf_text

    # Finance: the order in dollars, a refund typed in dollars, the CSV in USD.
    sign_in(page, base, *demo_server.staff_login)
    page.goto(f"{base}/admin/finance/orders/{facts['pk']}/")
    assert "$20.00 (USD)" in page.content() and "minor units" not in page.content()
    page.get_by_label("Amount to refund").fill("20")
    page.get_by_label("Reason").fill("Event moved online")
    page.get_by_role("button", name="Refund").click()
    page.wait_for_load_state()
    assert "Refunded $20.00." in page.content()
    refund_id = demo_server.shell(
        "from payments.models import Refund;"
        f"print(Refund.objects.get(payment__order__reference={facts['reference']!r}).stripe_refund_id)"
    ).splitlines()[-1]
    refund = _stripe_get(demo_server, f"/v1/refunds/{refund_id}")
    assert refund["currency"] == "usd" and refund["amount"] == 2000

    exported = page.request.get(f"{base}/admin/finance/orders/?format=csv").text()
    rows = list(csv.reader(io.StringIO(exported)))
    header, [row] = rows[0], [r for r in rows[1:] if r[0] == facts["reference"]]
    assert row[header.index("Total")] == "20.00" and row[header.index("Currency")] == "USD"
    assert page.recorder.console_errors == []


def _publish(page) -> None:
    """Press the page editor's Publish (in Wagtail 8 it may sit behind the actions toggle)."""
    publish = page.locator('button[name="action-publish"]')
    if not publish.is_visible():
        page.locator("footer [data-w-dropdown-target='toggle'], footer .dropdown-toggle").first.click()
    publish.click()
    page.wait_for_load_state()


def _type_and_publish(page, base: str, page_id: int, box: str, typed: str) -> str:
    page.goto(f"{base}/admin/pages/{page_id}/edit/")
    page.locator(f"#{box}").fill(typed)
    _publish(page)
    return page.content()


BAD_AMOUNTS = [
    ("-1", "cannot be negative"),
    ("15.505", "at most two decimal places"),
    ("abc", "Type an amount in pounds (GBP)"),
    ("99999999999", "the most this box takes"),
]


def test_prices_and_targets_typed_in_the_admin_in_pounds_show_as_typed_and_bad_ones_are_refused_in_words(
    demo_server, browser_page, sign_in
):
    base, page = demo_server.url, browser_page
    made = _shell_json(
        demo_server,
        "import json; from events.tests.factories import make_event; from training.models import CourseIndexPage,"
        " CoursePage; from payments.models import CampaignPage; from wagtail.models import Site;"
        "event = make_event(title='Money input event', tickets=[{'name': 'Standard', 'quantity': 10}]);"
        "course = CourseIndexPage.objects.first().add_child(instance=CoursePage(title='Money input course',"
        " slug='money-input-course', summary='A course.'));"
        "home = Site.objects.get(is_default_site=True).root_page;"
        "campaign = home.add_child(instance=CampaignPage(title='Money input campaign', slug='money-input-campaign',"
        " target_minor=100000));"
        "print(json.dumps({'event': event.pk, 'course': course.pk, 'campaign': campaign.pk,"
        " 'urls': [event.url, course.url, campaign.url]}))",
    )
    sign_in(page, base, *demo_server.staff_login)

    # The box shows the currency and the stored amount in major units.
    page.goto(f"{base}/admin/pages/{made['event']}/edit/")
    box = page.locator("#id_ticket_types-0-price_minor")
    assert box.input_value() == "0.00"
    wrapper = page.locator(".money-input", has=box)
    assert wrapper.inner_text().split() == ["£", "GBP"]

    for box_id, page_id in [("id_ticket_types-0-price_minor", made["event"]), ("id_target_minor", made["campaign"])]:
        for typed, words in BAD_AMOUNTS:
            content = _type_and_publish(page, base, page_id, box_id, typed)
            assert words in content, (box_id, typed)
    content = _type_and_publish(page, base, made["course"], "id_price_minor", "1000000")
    assert "That is more than £100,000.00, the most this box takes." in content

    _type_and_publish(page, base, made["event"], "id_ticket_types-0-price_minor", "15.50")
    _type_and_publish(page, base, made["course"], "id_price_minor", "15")
    _type_and_publish(page, base, made["campaign"], "id_target_minor", "15.50")
    stored = _shell_json(
        demo_server,
        "import json; from events.models import TicketType; from training.models import CoursePage;"
        " from payments.models import CampaignPage;"
        f"print(json.dumps([TicketType.objects.get(event_id={made['event']}).price_minor,"
        f" CoursePage.objects.get(pk={made['course']}).price_minor,"
        f" CampaignPage.objects.get(pk={made['campaign']}).target_minor]))",
    )
    assert stored == [1550, 1500, 1550]

    event_url, course_url, campaign_url = made["urls"]
    page.goto(base + event_url)
    assert "Standard: £15.50" in page.content()
    page.goto(base + course_url)
    assert "Price: £15.00" in page.content()
    page.goto(base + campaign_url)
    assert "of £15.50" in page.content()
