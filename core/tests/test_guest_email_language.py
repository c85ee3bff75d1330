"""Issue 16 (walk16 problem 2): a visitor with no account who books, joins a waiting list,
applies or donates on /vi/, /sq/ or /ar/ gets the emails that follow in that language, with
links under that language's prefix, although the emails are sent by tasks (English is active
there): the row stores the language they used (pretix's order locale). An account's own
choice still wins."""

import re
import secrets

import pytest
from django.core import mail
from django.utils.translation import gettext, override
from wagtail.models import Page

from accounts.models import MembershipApplication
from accounts.tests.factories import ChapterFactory, MemberProfileFactory, UserFactory
from events.models import Registration, WaitingListEntry
from events.services import waiting_list_offer_next
from events.tests.factories import RegistrationFactory, make_event
from payments.models import DonatePage, Order
from payments.services import order_pay
from payments.tests.helpers import set_up_card

pytestmark = pytest.mark.django_db


def _in(code: str, msgid: str, **values) -> str:
    with override(code):
        return gettext(msgid).format(**values)


def _links(body: str) -> list[str]:
    return re.findall(r"https?://[^/\s]+(/[^\s]*)", body)


def test_a_guest_booking_on_vi_is_confirmed_in_vietnamese_with_vi_links(client, django_capture_on_commit_callbacks):
    event = make_event(title="Spring gathering")
    data = {"ticket_type": event.ticket_types.first().pk, "email": "sam@example.org", "nonce": secrets.token_hex(8)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/vi/events/{event.pk}/book/", data)
    assert response.status_code == 302
    assert Registration.objects.get().language == "vi"
    [message] = mail.outbox
    assert message.subject == _in("vi", "Your place: {event}", event="Spring gathering")
    assert message.subject != "Your place: Spring gathering"
    assert _in("vi", "Hello,") in message.body and "Hello," not in message.body
    links = _links(message.body)
    assert links and all(link.startswith("/vi/") for link in links), links


def test_a_members_own_language_still_wins_over_the_page_they_booked_on(client, django_capture_on_commit_callbacks):
    member = UserFactory(email="ana@example.org")
    MemberProfileFactory(user=member, preferred_language="sq")
    event = make_event(title="Spring gathering")
    data = {"ticket_type": event.ticket_types.first().pk, "email": "ana@example.org", "nonce": secrets.token_hex(8)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/vi/events/{event.pk}/book/", data)
    [message] = mail.outbox
    assert message.subject == _in("sq", "Your place: {event}", event="Spring gathering")


def test_a_waiting_list_offer_reaches_a_guest_who_joined_on_ar_in_arabic(client, django_capture_on_commit_callbacks):
    event = make_event(capacity=1, title="Full evening")
    taken = RegistrationFactory(event=event)
    client.post(
        f"/ar/events/{event.pk}/waiting-list/",
        {"wait-ticket_type": event.ticket_types.first().pk, "wait-email": "lee@example.org"},
    )
    entry = WaitingListEntry.objects.get()
    assert entry.language == "ar"
    taken.status = Registration.Status.CANCELLED
    taken.save(update_fields=["status"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert len(waiting_list_offer_next(event=event)) == 1
    [message] = mail.outbox
    assert message.subject == _in("ar", "A place is free: {event}", event="Full evening")
    links = _links(message.body)
    assert links and all(link.startswith("/ar/") for link in links), links


def test_an_application_on_sq_is_acknowledged_in_albanian(client, django_capture_on_commit_callbacks):
    chapter = ChapterFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/sq/membership/apply/",
            {"display_name": "Kit", "email": "kit@example.org", "contact_method": "email", "chapter": chapter.pk},
        )
    assert response.status_code == 302
    assert MembershipApplication.objects.get().language == "sq"
    [to_applicant] = [message for message in mail.outbox if message.to == ["kit@example.org"]]
    assert to_applicant.subject == _in("sq", "We have received your application")
    assert to_applicant.subject != "We have received your application"
    links = _links(to_applicant.body)
    assert links and all(link.startswith("/sq/") for link in links), links
    assert client.get(links[0]).status_code == 200


def test_a_guest_donation_on_ar_is_receipted_in_arabic(client, localstripe, django_capture_on_commit_callbacks):
    home = Page.get_first_root_node().get_children().first()
    donate = home.add_child(instance=DonatePage(title="Donate", slug="donate-test", suggested_amounts="10, 25"))
    response = client.post(f"/ar{donate.url}", {"preset": "1000", "frequency": "once", "email": "donor@example.org"})
    assert response.status_code == 302, response.content.decode()[:500]
    order = Order.objects.get()
    assert order.language == "ar"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert order_pay(order=order, setup_intent_id=set_up_card(order)).status == "succeeded"
    [receipt] = mail.outbox
    assert receipt.subject == _in("ar", "Your receipt {reference}", reference=order.reference)
    assert _in("ar", "Your receipt is attached.") in receipt.body and "Your receipt is attached." not in receipt.body
