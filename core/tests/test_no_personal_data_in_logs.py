"""No personal data in logs (issue 15 item 6): a member's whole journey, through the site's own
views, with every log line captured from the site's real handler in JSON (LOG_FORMAT=json, as in
production) and every logger at DEBUG; neither their name, nor their email address, nor their
phone number may appear in it.

The journey: apply for membership (with a phone number as the safe way to reach them), be
approved by Membership staff, choose a password through the welcome link, sign out, fail one
password, sign in, edit the profile (certificate name, legal name, contact number), book a paid
ticket and pay on localstripe, see the ticket and My bookings, be checked in at the door, receive
an attendance certificate issued by Event staff, download it, and download their own data.
"""

import html
import re
import secrets
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import ChapterFactory, UserFactory, sign_in_with_second_factor
from certificates.models import Certificate
from core.tests.log_capture import LogCapture
from events.models import EventDate, Registration
from events.services import registration_check_in
from events.tests.factories import make_event
from payments.models import Order
from payments.tests.helpers import browser_confirm_card
from payments.views import checkout_url

pytestmark = pytest.mark.django_db

FIRST, LAST = "Quorra", "Vantablack"
NAME = f"{FIRST} {LAST}"
CERTIFICATE_NAME = f"Q. {LAST}-Okonkwo"
LEGAL_NAME = f"{FIRST} Imelda {LAST}"
EMAIL = "quorra.vantablack@example.org"
PHONE = "07700 900461"
PASSWORD = "lanterns over the harbour"


def link_in(message, prefix: str) -> str:
    found = re.search(rf"https?://[^/\s]+({re.escape(prefix)}[^\s]+)", message.body)
    assert found, message.body
    return found.group(1)


def forbidden_strings() -> list[str]:
    """The member's details as they might be written: whole, in parts, any case, the email's
    local part, the phone number with and without spaces or the leading 0."""
    phone_digits = PHONE.replace(" ", "")
    return [
        NAME,
        FIRST,
        LAST,
        CERTIFICATE_NAME,
        LEGAL_NAME,
        "Imelda",
        "Okonkwo",
        EMAIL,
        EMAIL.split("@")[0],
        PHONE,
        phone_digits,
        phone_digits[1:],
        "900461",
    ]


@pytest.fixture
def capture():
    logs = LogCapture()
    logs.start()
    yield logs
    logs.stop()


def test_a_members_whole_journey_leaves_neither_name_nor_email_nor_phone_in_the_log(
    client, localstripe, capture, django_capture_on_commit_callbacks
):
    chapter = ChapterFactory()
    start = timezone.now() + timedelta(days=3)
    event = make_event(
        title="Speaking up",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        tickets=[{"name": "Standard", "quantity": 5, "price_minor": 1200}],
    )

    # Apply, with a phone number as the safe way to reach them.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/membership/apply/",
            {
                "display_name": NAME,
                "email": EMAIL,
                "contact_method": "phone",
                "contact_details": PHONE,
                "chapter": chapter.pk,
            },
            HTTP_X_REQUEST_ID="journey-apply",
        )
    assert response.status_code == 302 and response["Location"] == "/membership/apply/thank-you/"
    status_path = link_in([m for m in mail.outbox if m.to == [EMAIL]][-1], "/membership/application/")
    assert client.get(status_path).status_code == 200

    # Membership staff approve it.
    staff = Client()
    sign_in_with_second_factor(staff, UserFactory(groups=["Membership", "Event staff"]))
    application_path = "/admin/membership/applications/"
    listing = staff.get(application_path)
    assert listing.status_code == 200
    (application_id,) = re.findall(rf'href="{application_path}(\d+)/"', listing.content.decode())
    assert staff.get(f"{application_path}{application_id}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(f"{application_path}{application_id}/", {"decision": "approve"}).status_code == 302

    # The welcome link: choose a password, land signed in.
    welcome_path = link_in([m for m in mail.outbox if m.to == [EMAIL]][-1], "/membership/welcome/")
    assert client.get(welcome_path).status_code == 200
    response = client.post(welcome_path, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert NAME in client.get("/account/").content.decode()

    # Sign out, mistype the password once, sign in.
    client.post("/accounts/logout/")
    assert client.post("/accounts/login/", {"login": EMAIL, "password": "not the password"}).status_code == 200
    response = client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 302

    # Edit the profile.
    assert client.get("/account/profile/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/profile/",
            {
                "display_name": NAME,
                "certificate_name": CERTIFICATE_NAME,
                "pronouns": "she/her",
                "preferred_language": "en-gb",
                "chapter": chapter.pk,
                "contact_method": "phone",
                "contact_details": PHONE,
                "access_needs": "Step-free access",
                "legal_name": LEGAL_NAME,
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.get("/account/consents/")

    # Book a paid ticket and pay on localstripe.
    assert client.get(event.url).status_code == 200
    assert client.get(f"/events/{event.pk}/book/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/events/{event.pk}/book/",
            {
                "ticket_type": event.ticket_types.first().pk,
                "email": EMAIL,
                "attendee_name": NAME,
                "quantity": "1",
                "nonce": secrets.token_hex(8),
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    checkout = client.get(checkout_url(order))
    assert checkout.status_code == 200
    secret = html.unescape(re.search(r'data-setup-secret="([^"]+)"', checkout.content.decode()).group(1))
    browser_confirm_card(secret)
    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(checkout_url(order) + "pay/", {"setup_intent": secret.split("_secret_")[0]})
    assert paid.status_code == 200 and paid.json().get("status") == "succeeded", paid.content
    assert client.get(checkout_url(order) + "done/").status_code == 200
    registration = Registration.objects.get(event=event)
    assert registration.status == Registration.Status.CONFIRMED
    ticket_path = link_in(
        [m for m in mail.outbox if m.to == [EMAIL] and "/events/ticket/" in m.body][-1], "/events/ticket/"
    )
    assert client.get(ticket_path).status_code == 200
    assert client.get("/events/my-bookings/").status_code == 200

    # The day comes: checked in at the door; then Event staff issue attendance certificates.
    past = timezone.now() - timedelta(days=1)
    EventDate.objects.filter(event=event).update(starts_at=past, ends_at=past + timedelta(hours=3))
    type(event).objects.filter(pk=event.pk).update(starts_at=past, ends_at=past + timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        registration_check_in(event=type(event).objects.get(pk=event.pk), code=registration.code, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post("/admin/certificates/bulk/", {"source": f"events.event:{event.pk}"})
    assert response.status_code == 302
    certificate = Certificate.objects.get(recipient__email=EMAIL)
    assert certificate.pdf

    # The member finds and downloads it, and downloads their data.
    assert client.get("/learning/certificates/").status_code == 200
    pdf = client.get(f"/learning/certificates/{certificate.code}.pdf")
    assert pdf.status_code == 200
    assert client.get(f"/verify/{certificate.code}/").status_code == 200
    assert client.get("/account/data/").status_code == 200
    assert EMAIL in client.get("/account/data/export.json").content.decode()

    # The log saw the whole journey...
    records = capture.records()
    paths = {record.get("path") for record in records if record["logger"] == "core.access"}
    assert {
        "/membership/apply/",
        "/membership/welcome/<str:token>/",
        "/accounts/login/",
        "/account/profile/",
        "/payments/checkout/<str:token>/pay/",
        "/learning/certificates/<str:code>.pdf",
    } <= paths
    assert any(record["request_id"] == "journey-apply" for record in records)
    assert any(record["logger"] == "django.tasks" for record in records)
    # ...and holds none of the member's details.
    text = capture.text().lower()
    leaks = [value for value in forbidden_strings() if value.lower() in text]
    assert not leaks, [line for line in capture.text().splitlines() if any(v.lower() in line.lower() for v in leaks)]
