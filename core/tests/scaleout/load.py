"""Visitors booking and paying through HAProxy, for the test that stops a host under load.

Each visitor acts as a browser would, and as a person would when a page fails to load: on a
dropped connection or a proxy error (502, 503, 504) it sends the very same request again (the
same form, so the same booking nonce; the same confirmed card, so the same SetupIntent). Every
request is recorded with when it started and how it ended, so the test can tell requests that
were in flight on the stopped host from requests sent after it stopped.
"""

import http.client
import json
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from core.tests.scaleout.web import Answer, Target, Visitor, data_attribute, form_fields

VISA = "4242424242424242"
RETRY_STATUSES = (502, 503, 504)
TRIES = 12
PENDING = "already sent and is still being processed"
PENDING_EMAIL_WAIT = 20
# The site's own answer when this host's Stripe calls are all busy (payments.views.UNAVAILABLE,
# the call cap per process): a live host answering, tried again like a proxy error, but not a
# request lost to the stopped host. With every visitor on host B, B's cap is reached at times.
PAYMENTS_BUSY = "Payments are unavailable right now"
SITE_BUSY = "503 payments busy"


@dataclass
class Sent:
    started: float
    ended: float
    what: str
    result: str  # the status, or the exception's name when the connection failed

    @property
    def failed(self) -> bool:
        if self.result == SITE_BUSY:
            return False
        return not self.result.isdigit() or int(self.result) in RETRY_STATUSES


@dataclass
class Journal:
    """Every request the visitors sent (thread-safe)."""

    sent: list[Sent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, entry: Sent) -> None:
        with self.lock:
            self.sent.append(entry)


@dataclass
class Outcome:
    email: str
    kind: str  # "free" or "paid"
    result: str  # "booked", "paid" or "unpaid"
    posts: int = 0  # booking form submissions sent (1 unless one was tried again)
    cut_pays: int = 0  # payment submissions whose answer never came (connection or proxy error)
    pending: bool = False  # was told once that the form was still being processed


class NoAnswer(AssertionError):
    pass


def send(
    visitor: Visitor, target: Target, journal: Journal, what: str, method: str, path: str, data=None
) -> tuple[Answer, int]:
    """The request, sent again as it was while the connection fails or the proxy answers
    502/503/504 (the site's own 503, payments briefly unavailable, is tried again too):
    (the answer, how many times it was sent)."""
    for tries in range(1, TRIES + 1):
        started = time.monotonic()
        try:
            answer = visitor.request(target, method, path, data=data)
        except (OSError, http.client.HTTPException) as error:
            journal.add(Sent(started, time.monotonic(), what, type(error).__name__))
            time.sleep(min(0.3 * tries, 1.5))
            continue
        busy = answer.status == 503 and PAYMENTS_BUSY in answer.text
        journal.add(Sent(started, time.monotonic(), what, SITE_BUSY if busy else str(answer.status)))
        if answer.status in RETRY_STATUSES:
            time.sleep(min(0.3 * tries, 1.5))
            continue
        return answer, tries
    raise NoAnswer(f"{what}: no answer after {TRIES} tries")


def book(visitor: Visitor, target: Target, journal: Journal, *, event: int, ticket: int, email: str):
    """Fill in and send an event's booking form: (the answer, how many times it was sent)."""
    path = f"/events/{event}/book/"
    answer, _ = send(visitor, target, journal, "booking form", "GET", path)
    assert answer.status == 200, (answer.status, answer.text[:500])
    fields = form_fields(answer.text) | {"ticket_type": str(ticket), "quantity": "1", "email": email}
    return send(visitor, target, journal, "booking", "POST", path, fields)


def emailed(mails, email: str, *, within: float) -> bool:
    """Did an email to `email` arrive (at the SMTP server) within `within` seconds?"""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if any(f"To: {email}".encode() in message for message in mails()):
            return True
        time.sleep(0.5)
    return False


def free_booking(visitor: Visitor, target: Target, journal: Journal, *, event: int, ticket: int, email: str, mails):
    """Book a free place. Told that the form "was already sent and is still being processed"
    (it was sent again after its host stopped mid-way), do what the page asks a person to do:
    look for the ticket email, and without one, book again on a fresh form."""
    answer, posts = book(visitor, target, journal, event=event, ticket=ticket, email=email)
    if answer.status == 200 and PENDING in answer.text:
        if emailed(mails, email, within=PENDING_EMAIL_WAIT):
            return Outcome(email, "free", "booked", posts, pending=True)
        answer, more = book(visitor, target, journal, event=event, ticket=ticket, email=email)
        posts += more
        if answer.status == 302 and "/events/ticket/" in answer.location:
            return Outcome(email, "free", "booked", posts, pending=True)
    if answer.status == 302 and "/events/ticket/" in answer.location:
        return Outcome(email, "free", "booked", posts)
    raise AssertionError(f"booking answered {answer.status}: {answer.location or answer.text[:500]}")


def confirm_card(stripe_url: str, publishable_key: str, client_secret: str) -> dict:
    """What Stripe.js's confirmCardSetup does (localstripe's stand-in of it): the card goes to
    Stripe, never to the site."""
    setup_id = client_secret.split("_secret_")[0]
    body = {
        "key": publishable_key,
        "use_stripe_sdk": True,
        "client_secret": client_secret,
        "payment_method_data": {
            "type": "card",
            "card": {"number": VISA, "exp_month": "12", "exp_year": "2030", "cvc": "123"},
        },
    }
    request = urllib.request.Request(  # noqa: S310 (localstripe on loopback)
        f"{stripe_url}/v1/setup_intents/{setup_id}/confirm", data=json.dumps(body).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def paid_booking(
    visitor: Visitor, target: Target, journal: Journal, *, event: int, ticket: int, email: str, stripe_url: str
) -> Outcome:
    """Book a paid ticket and pay for it by card, as the checkout page's script does. Told the
    booking form is "still being processed" (nothing is paid before the card page, so no email
    comes either way), book again on a fresh form, as a person would."""
    answer, posts = book(visitor, target, journal, event=event, ticket=ticket, email=email)
    pending = answer.status == 200 and PENDING in answer.text
    if pending:
        answer, more = book(visitor, target, journal, event=event, ticket=ticket, email=email)
        posts += more
    assert answer.status == 302 and "/payments/checkout/" in answer.location, (answer.status, answer.location)
    checkout = answer.location.split("://", 1)[-1].split("/", 1)[-1]
    checkout = "/" + checkout if not checkout.startswith("/") else checkout
    page, _ = send(visitor, target, journal, "checkout page", "GET", checkout)
    assert page.status == 200, (page.status, page.text[:500])
    secret = data_attribute(page.text, "setup-secret")
    card = confirm_card(stripe_url, data_attribute(page.text, "publishable-key"), secret)
    assert card.get("status") == "succeeded", card
    fields = form_fields(page.text, form_id="checkout-form") | {"setup_intent": card["id"]}
    pay_path = checkout.rstrip("/") + "/pay/"
    answer, tries = send(visitor, target, journal, "pay", "POST", pay_path, fields)
    cut = tries - 1
    status = answer.json().get("status") if answer.status == 200 else None
    outcome = Outcome(email, "paid", "paid" if status == "succeeded" else "unpaid", posts, cut, pending)
    if outcome.result == "unpaid":
        # An answer lost with a stopped host: the payment may have gone through all the same
        # (the webhook or the retry's own lock tells). The thank-you page says which.
        done = checkout.rstrip("/") + "/done/"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            thanks, _ = send(visitor, target, journal, "done page", "GET", done)
            if thanks.status == 200 and re.search(r"<h1>\s*Thank you", thanks.text):
                outcome.result = "paid"
                break
            time.sleep(0.5)
    return outcome
