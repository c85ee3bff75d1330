"""The organisation's side of survivor voices: the request form (public and for partner
contacts), the private status page, the partner's list, and paying the network by card."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import ChapterFactory, PartnerContactFactory
from core.guard import paused_message
from core.money import format_money
from payments.models import Order, OrderLine
from payments.tests.helpers import checkout_reference, set_up_card
from voices.for_payments import request_checkout_start, request_reference, requests_mark_paid
from voices.models import Engagement, FlaggedOrganisation, Interest, VoiceRequest
from voices.services.engagements import engagement_confirm
from voices.tests.factories import make_engagement, make_interest, make_opportunity, make_policy, make_request

pytestmark = pytest.mark.django_db

TOKEN = "a-status-token-for-tests-0123456789"


def form_data(chapter, **overrides) -> dict:
    day = (timezone.now() + datetime.timedelta(days=30)).date()
    data = {
        "chapter": chapter.pk,
        "organisation_name": "Harbour Trust",
        "contact_name": "Robin Contact",
        "contact_email": "robin@harbour.example",
        "kind": "talk",
        "topic": "Survivor-informed practice",
        "description": "A talk for our frontline staff.",
        "start_date": day.isoformat(),
        "start_time": "10:00",
        "end_date": "",
        "end_time": "12:00",
        "time_zone": "",
        "format": "online",
        "venue": "",
        "access": "",
        "audience_size": "40",
        "anonymity": "",
        "hours": "3",
        "places": "1",
        "fee_offered": "150",
        "expenses_covered": "on",
    }
    data.update(overrides)
    return data


def submit(client, chapter, **overrides):
    return client.post(reverse("voices:request_new"), form_data(chapter, **overrides))


def status_link(message) -> str:
    return re.search(r"https?://\S+/voices/requests/\S+/", message.body).group(0)


def test_a_request_sent_through_the_form_is_stored_in_the_chapters_zone_and_emails_its_status_link(
    client, django_capture_on_commit_callbacks
):
    chapter = ChapterFactory()
    make_policy(chapter, minimum_minor=2500)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, chapter)
    assert response.status_code == 302
    assert response["Location"] == reverse("voices:request_sent")
    stored = VoiceRequest.objects.get()
    assert stored.fee_offered_minor == 15000
    assert stored.currency == "GBP"
    assert stored.time_zone == "Europe/London"
    assert stored.starts_at.astimezone(datetime.UTC).hour in (9, 10)  # 10:00 in London, summer or winter
    assert stored.ends_at - stored.starts_at == datetime.timedelta(hours=2)
    assert stored.partner is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["robin@harbour.example"]
    page = client.get(status_link(mail.outbox[0]))
    assert page.status_code == 200
    assert "Survivor-informed practice" in page.content.decode()


def test_the_form_shows_every_chapters_minimum_fee_before_anyone_types(client):
    chapter = ChapterFactory()
    make_policy(chapter, minimum_minor=2500)
    page = client.get(reverse("voices:request_new")).content.decode()
    assert format_money(2500, "GBP") in page
    assert 'name="website_url"' in page  # the honeypot


def test_a_fee_below_the_policy_is_refused_with_the_policy_shown_and_nothing_stored(client):
    chapter = ChapterFactory()
    make_policy(chapter, minimum_minor=2500)
    response = submit(client, chapter, fee_offered="50")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["fee_offered"])
    assert format_money(2500, "GBP") in errors
    assert format_money(7500, "GBP") in errors  # at least 3 hours' worth
    assert not VoiceRequest.objects.exists()
    assert not mail.outbox


def test_the_fee_is_read_in_the_currency_of_the_chapter_chosen(client):
    make_policy(ChapterFactory(), minimum_minor=2500)
    euro = ChapterFactory(name="Ireland", slug="ie", country="IE", time_zone="Europe/Dublin", currency="EUR")
    response = submit(client, euro, fee_offered="120.50")
    assert response.status_code == 302
    stored = VoiceRequest.objects.get()
    assert (stored.currency, stored.fee_offered_minor, stored.time_zone) == ("EUR", 12050, "Europe/Dublin")


def test_dates_in_the_past_are_refused_and_nothing_stored(client):
    chapter = ChapterFactory()
    yesterday = (timezone.now() - datetime.timedelta(days=1)).date().isoformat()
    response = submit(client, chapter, start_date=yesterday)
    assert response.status_code == 200
    assert "The date has passed" in " ".join(response.context["form"].errors["start_date"])
    assert not VoiceRequest.objects.exists()


@pytest.mark.parametrize("overrides", [{"kind": "media"}, {"recorded": "on"}])
def test_media_and_recorded_requests_without_an_anonymity_statement_are_refused(client, overrides):
    chapter = ChapterFactory()
    response = submit(client, chapter, **overrides)
    assert response.status_code == 200
    assert "anonymity" in response.context["form"].errors
    assert not VoiceRequest.objects.exists()
    assert submit(client, chapter, anonymity="First name only, face not shown.", **overrides).status_code == 302


def test_a_flagged_organisation_is_refused_above_the_form_and_nothing_stored(client):
    chapter = ChapterFactory()
    FlaggedOrganisation.objects.create(email="robin@harbour.example")
    response = submit(client, chapter, contact_email="Robin@Harbour.example")
    assert response.status_code == 200
    assert "We cannot take new requests" in " ".join(response.context["form"].non_field_errors())
    assert not VoiceRequest.objects.exists()


def test_a_flagged_partner_cannot_submit_under_another_address(client):
    chapter = ChapterFactory()
    contact = PartnerContactFactory()
    FlaggedOrganisation.objects.create(partner=contact.organisation)
    client.force_login(contact.user)
    response = submit(client, chapter, contact_email="someone-else@example.org")
    assert response.context["form"].non_field_errors()
    assert not VoiceRequest.objects.exists()


def test_a_partner_contact_finds_the_form_prefilled_and_the_request_linked_to_their_organisation(client):
    chapter = ChapterFactory()
    contact = PartnerContactFactory()
    client.force_login(contact.user)
    form = client.get(reverse("voices:request_new")).context["form"]
    assert form.initial["organisation_name"] == contact.organisation.name
    assert form.initial["contact_email"] == contact.user.email
    assert submit(client, chapter).status_code == 302
    stored = VoiceRequest.objects.get()
    assert stored.partner == contact.organisation
    assert stored.submitted_by == contact.user
    mine = client.get(reverse("voices:partner_requests"))
    assert stored.topic in mine.content.decode()
    assert reverse("voices:partner_request", args=[stored.pk]) in mine.content.decode()


def test_past_the_rate_limit_the_form_is_paused_with_a_429_and_nothing_stored(client, settings):
    settings.FORM_RATE_LIMIT = 1
    chapter = ChapterFactory()
    assert submit(client, chapter).status_code == 302
    paused = submit(client, chapter, topic="A second one")
    assert paused.status_code == 429
    assert paused_message("requests") in " ".join(paused.context["form"].non_field_errors())
    assert VoiceRequest.objects.count() == 1


def test_a_filled_honeypot_looks_sent_but_stores_and_sends_nothing(client, django_capture_on_commit_callbacks):
    chapter = ChapterFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, chapter, website_url="http://spam.example")
    assert response["Location"] == reverse("voices:request_sent")
    assert not VoiceRequest.objects.exists()
    assert not mail.outbox


def test_an_unknown_status_link_is_404_and_a_known_one_is_private_and_not_indexed(client):
    make_request(token=TOKEN)
    assert client.get(reverse("voices:request_status", args=["not-a-token"])).status_code == 404
    response = client.get(reverse("voices:request_status", args=[TOKEN]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_the_status_page_shows_nothing_of_an_offered_member_and_only_shown_as_once_they_confirm(client):
    voice_request = make_request(token=TOKEN)
    opportunity = make_opportunity(request=voice_request, ask_for="Sam at reception", will_not_be_asked="Your story")
    bystander = make_interest(opportunity)  # interested, never chosen
    engagement = make_engagement(opportunity, status=Engagement.Status.OFFERED)
    Interest.objects.filter(pk=engagement.interest_id).update(appearance="pseudonym", pseudonym="Lark")
    offered_name = engagement.member.member_profile.display_name
    bystander_name = bystander.member.member_profile.display_name
    url = reverse("voices:request_status", args=[TOKEN])

    page = client.get(url).content.decode()
    for secret in (offered_name, bystander_name, engagement.member.email, bystander.member.email, "Lark"):
        assert secret not in page
    assert "No survivor leader has confirmed yet." in page
    assert "Sam at reception" in page  # the brief

    engagement_confirm(member=engagement.member, engagement=engagement)
    page = client.get(url).content.decode()
    assert "Lark" in page
    assert "no photographs, please" in page
    for secret in (offered_name, bystander_name, engagement.member.email, bystander.member.email):
        assert secret not in page


def test_a_partner_contact_sees_their_requests_by_id_and_another_partners_is_404(client):
    contact = PartnerContactFactory()
    other = PartnerContactFactory()
    mine = make_request(partner=contact.organisation, topic="Our own talk")
    theirs = make_request(partner=other.organisation, topic="Their panel")
    client.force_login(contact.user)
    assert client.get(reverse("voices:partner_request", args=[mine.pk])).status_code == 200
    assert client.get(reverse("voices:partner_request", args=[theirs.pk])).status_code == 404
    listing = client.get(reverse("voices:partner_requests")).content.decode()
    assert "Our own talk" in listing
    assert "Their panel" not in listing


def test_the_partner_pages_are_404_for_a_signed_in_person_who_is_not_a_partner_contact(client):
    voice_request = make_request(partner=PartnerContactFactory().organisation)
    client.force_login(make_interest(make_opportunity()).member)
    assert client.get(reverse("voices:partner_requests")).status_code == 404
    assert client.get(reverse("voices:partner_request", args=[voice_request.pk])).status_code == 404


# Paying the network --------------------------------------------------------------------------


def test_nothing_can_be_paid_before_a_survivor_confirms(client):
    voice_request = make_request(token=TOKEN)
    make_engagement(make_opportunity(request=voice_request), status=Engagement.Status.OFFERED)
    page = client.get(reverse("voices:request_status", args=[TOKEN])).content.decode()
    assert "Pay by card" not in page
    response = client.post(reverse("voices:request_pay", args=[TOKEN]))
    assert response["Location"] == reverse("voices:request_status", args=[TOKEN])
    assert not Order.objects.exists()


def test_paying_makes_one_order_for_the_fees_of_the_confirmed_engagements_and_reuses_it(client):
    voice_request = make_request(token=TOKEN, places=2)
    opportunity = make_opportunity(request=voice_request)
    make_engagement(opportunity, fee_minor=15000)
    make_engagement(opportunity, fee_minor=12000)
    make_engagement(opportunity, status=Engagement.Status.OFFERED, fee_minor=99900)
    pay = reverse("voices:request_pay", args=[TOKEN])
    first = client.post(pay)
    second = client.post(pay)
    order = Order.objects.get()
    assert (order.total_minor, order.currency, order.email) == (27000, "GBP", voice_request.contact_email)
    line = order.lines.get()
    assert (line.kind, line.item_reference) == (OrderLine.Kind.TICKET, request_reference(voice_request))
    assert checkout_reference(first["Location"]) == checkout_reference(second["Location"]) == order.reference


def test_the_payment_signal_marks_the_request_paid_once_and_refuses_a_cancelled_one():
    voice_request = make_request()
    make_engagement(make_opportunity(request=voice_request))
    cancelled = make_request(status=VoiceRequest.Status.CANCELLED, contact_email="x@example.org")
    request_checkout_start(voice_request=voice_request)
    order = Order.objects.get()
    references = [request_reference(voice_request), request_reference(cancelled), "registration:4"]
    answer = requests_mark_paid(order_reference=order.reference, item_references=references)
    assert answer == {"confirmed": [request_reference(voice_request)], "refused": [request_reference(cancelled)]}
    voice_request.refresh_from_db()
    assert (voice_request.organisation_payment, voice_request.order_id) == ("paid", order.pk)
    again = requests_mark_paid(order_reference=order.reference, item_references=references[:1])
    assert again["confirmed"] == [request_reference(voice_request)]
    assert requests_mark_paid(order_reference="ELSEWHERE", item_references=references[:1])["refused"]


def test_an_organisation_pays_by_card_through_the_checkout_and_the_request_is_marked_paid(client, localstripe):
    voice_request = make_request(token=TOKEN)
    make_engagement(make_opportunity(request=voice_request), fee_minor=15000)
    checkout = client.post(reverse("voices:request_pay", args=[TOKEN]))["Location"]
    order = Order.objects.get()
    assert client.get(checkout).status_code == 200
    answer = client.post(checkout + "pay/", {"setup_intent": set_up_card(order)}).json()
    assert answer["status"] == "succeeded"
    voice_request.refresh_from_db()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert not order.attention_reason  # the receiver confirmed the line: no refund flagged
    assert (voice_request.organisation_payment, voice_request.order_id) == ("paid", order.pk)
    page = client.get(reverse("voices:request_status", args=[TOKEN])).content.decode()
    assert "Paid by card" in page
    assert "Pay by card" not in page
