"""Gifts through a page, paid through the real checkout on localstripe: the page, its team and
the campaign count each gift alike; a full refund takes it off all three; the fundraiser's
email says the amount and how the donor chose to appear, never their address; the Gift Aid
schedule marks a sponsored challenge's gifts."""

import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from fundraising.models import Gift
from fundraising.selectors import campaign_totals_shown, page_totals, team_totals
from fundraising.services import gift_start
from fundraising.tests.factories import give, make_campaign, make_page, make_team
from payments.giftaid import gift_aid_rows
from payments.models import Donation, Order, Payment
from payments.services import gift_aid_declaration_create, refund_create

pytestmark = pytest.mark.django_db


def _team_of_two():
    campaign = make_campaign()
    team = make_team(campaign=campaign)
    return campaign, team, make_page(campaign=campaign, team=team), make_page(campaign=campaign, team=team)


def test_page_team_and_campaign_totals_agree_after_two_gifts(localstripe, django_capture_on_commit_callbacks):
    campaign, team, first, second = _team_of_two()
    with django_capture_on_commit_callbacks(execute=True):
        give(first, amount_minor=2500, display=Gift.Display.ANONYMOUS, donor_name="")
        give(second, amount_minor=1000, email="bo@donor.example")
    assert page_totals(first)["raised_minor"] == 2500
    assert page_totals(second)["raised_minor"] == 1000
    assert team_totals(team)["raised_minor"] == 3500
    assert campaign_totals_shown(campaign)["raised_minor"] == 3500


def test_a_full_refund_comes_off_the_page_the_team_and_the_campaign(localstripe, django_capture_on_commit_callbacks):
    campaign, team, page, _other = _team_of_two()
    with django_capture_on_commit_callbacks(execute=True):
        order = give(page, amount_minor=4000)
        refund_create(
            payment=Payment.objects.get(order=order),
            reason="Asked by donor",
            actor=None,
            request_token=uuid.uuid4().hex,
        )
    assert Gift.objects.get().status == Gift.Status.REFUNDED
    assert page_totals(page)["raised_minor"] == 0
    assert team_totals(team)["raised_minor"] == 0
    assert campaign_totals_shown(campaign)["raised_minor"] == 0


def test_the_fundraiser_email_names_the_amount_and_display_but_never_the_donor_address(
    localstripe, django_capture_on_commit_callbacks
):
    page = make_page()
    with django_capture_on_commit_callbacks(execute=True):
        give(page, amount_minor=2500, display=Gift.Display.FIRST_NAME, donor_name="Ada Lovelace", message="Go!")
    told = [message for message in mail.outbox if message.to == [page.owner.email]]
    assert len(told) == 1
    body = told[0].body
    assert "Ada gave £25.00" in body
    assert "Lovelace" not in body
    assert "ada@donor.example" not in body
    assert "Go!" not in body  # the message waits for moderation


def test_a_second_delivery_of_the_same_donation_emails_the_fundraiser_once(
    localstripe, django_capture_on_commit_callbacks
):
    from fundraising.services import gifts_received

    page = make_page()
    with django_capture_on_commit_callbacks(execute=True):
        give(page)
    gift = Gift.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        gifts_received(donations=[(gift.donation_id, gift.item_reference)])
    assert len([message for message in mail.outbox if message.to == [page.owner.email]]) == 1


def test_the_same_gift_form_sent_twice_makes_one_order():
    page = make_page()
    arguments = {"page": page, "form_token": "same-token", "email": "a@b.example", "amount_minor": 1000}
    first = gift_start(display=Gift.Display.ANONYMOUS, **arguments)
    second = gift_start(display=Gift.Display.ANONYMOUS, **arguments)
    assert first.pk == second.pk
    assert Order.objects.count() == 1
    assert Gift.objects.count() == 1


def test_a_page_waiting_for_approval_takes_no_gift():
    page = make_page(approved=False)
    with pytest.raises(ValidationError):
        gift_start(page=page, form_token="x", email="a@b.example", amount_minor=1000, display="anonymous")
    assert Order.objects.count() == 0


def test_the_gift_aid_schedule_says_yes_for_a_sponsored_challenge_and_does_not_aggregate_it(
    localstripe, django_capture_on_commit_callbacks
):
    page = make_page(sponsored=True)
    declaration = gift_aid_declaration_create(
        first_name="Ada", last_name="Lovelace", house_name_or_number="12", postcode="ab1 2cd"
    )
    with django_capture_on_commit_callbacks(execute=True):
        give(page, amount_minor=1500, declaration=declaration)
    donation = Donation.objects.get()
    assert donation.sponsored_event is True
    assert donation.gift_aid_declaration_id == declaration.pk
    (row,) = gift_aid_rows([donation], aggregate_small=True)
    assert row[:7] == ["", "Ada", "Lovelace", "12", "AB1 2CD", "", "Yes"]


def test_a_gift_through_a_page_that_is_not_a_sponsored_challenge_leaves_the_column_blank(
    localstripe, django_capture_on_commit_callbacks
):
    page = make_page(sponsored=False)
    declaration = gift_aid_declaration_create(
        first_name="Bo", last_name="Chen", house_name_or_number="1", postcode="X1 1XX"
    )
    with django_capture_on_commit_callbacks(execute=True):
        give(page, amount_minor=5000, declaration=declaration)
    (row,) = gift_aid_rows([Donation.objects.get()])
    assert row[6] == ""
