import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import FINANCE
from payments.models import Donation, GiftAidClaim, Payment, Refund
from payments.services import (
    DonationChoice,
    gift_aid_declaration_create,
    order_checkout_start,
    order_create,
    order_pay,
    refund_create,
)
from payments.tests.helpers import browser_confirm_card, donation_order, set_up_card, stripe_object

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_user(django_user_model):
    user = django_user_model.objects.create_user(email="finance@thrive.example", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=FINANCE)[0])
    return user


@pytest.fixture
def finance_client(client, finance_user, settings):
    settings.MFA_EXEMPT_EMAILS = [finance_user.email]
    client.force_login(finance_user)
    return client


def _paid(amount_minor=1500, **choice) -> Payment:
    order = donation_order(amount_minor=amount_minor, **choice)
    order_pay(order=order, setup_intent_id=set_up_card(order))
    return Payment.objects.get(order=order)


def test_a_full_refund_returns_the_money_and_marks_the_payment_refunded(localstripe, finance_user):
    payment = _paid()
    refund = refund_create(payment=payment, reason="Asked for it back", actor=finance_user, request_token="t1")
    assert refund.status == Refund.Status.SUCCEEDED and refund.idempotency_key == f"thrive-refund-{refund.pk}"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED and payment.order.status == "refunded"
    assert Donation.objects.get().refunded
    refunds = stripe_object(f"/v1/refunds?payment_intent={payment.stripe_payment_intent_id}")["data"]
    assert [r["amount"] for r in refunds] == [1500]
    assert refunds[0]["metadata"] == {"refund": f"R{refund.pk}"}


def test_a_partial_refund_leaves_the_rest_refundable(localstripe, finance_user):
    payment = _paid()
    refund_create(payment=payment, amount_minor=500, reason="Partly", actor=finance_user, request_token="t1")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTLY_REFUNDED and payment.refundable_minor == 1000
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        refund_create(payment=payment, amount_minor=1001, reason="Too much", actor=finance_user, request_token="t2")
    refund_create(payment=payment, reason="The rest", actor=finance_user, request_token="t3")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED and payment.amount_refunded_minor == 1500


def test_a_double_clicked_refund_button_refunds_once(localstripe, finance_client):
    payment = _paid()
    page = finance_client.get(f"/admin/finance/orders/{payment.order_id}/")
    assert page.status_code == 200
    token = page.context["payments"][0][1].initial["request_token"]
    data = {"amount": "5.00", "reason": "Double click", "request_token": token}
    for _ in range(2):
        assert finance_client.post(f"/admin/finance/payments/{payment.pk}/refund/", data).status_code == 302
    assert Refund.objects.count() == 1
    refunds = stripe_object(f"/v1/refunds?payment_intent={payment.stripe_payment_intent_id}")["data"]
    assert [r["amount"] for r in refunds] == [500]


def test_finance_pages_refuse_other_staff(client, django_user_model, settings, db):
    user = django_user_model.objects.create_user(email="editor@thrive.example", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Editors")[0])
    settings.MFA_EXEMPT_EMAILS = [user.email]
    client.force_login(user)
    for url in (
        "/admin/finance/orders/",
        "/admin/finance/payments/",
        "/admin/finance/donations/",
        "/admin/finance/gift-aid/",
    ):
        response = client.get(url)
        # Wagtail turns a refusal into a redirect to the admin home with "no permission".
        assert response.status_code == 403 or response["Location"] == "/admin/", url


def test_csv_exports_quote_cells_that_look_like_formulas(localstripe, finance_client):
    order = donation_order(email="=cmd@example.org")
    response = finance_client.get("/admin/finance/orders/?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Reference"
    assert rows[1][0] == order.reference and rows[1][5] == "'=cmd@example.org"
    assert finance_client.get("/admin/finance/payments/?format=csv").status_code == 200
    assert finance_client.get("/admin/finance/donations/?format=csv").status_code == 200


def _claim(finance_client, dates):
    """Make a claim on the Gift Aid screen, then download it from the list of claims there."""
    made = finance_client.post("/admin/finance/gift-aid/", dates)
    assert made.status_code == 302
    claim = GiftAidClaim.objects.order_by("-pk").first()
    assert made["Location"] == f"/admin/finance/gift-aid/?claim={claim.pk}"
    page = finance_client.get(made["Location"]).content.decode()
    link = f"/admin/finance/gift-aid/claims/{claim.pk}/schedule.csv"
    assert f'href="{link}"' in page
    return finance_client.get(link)


def test_gift_aid_export_has_hmrc_columns_only_declared_donations_and_marks_them_claimed(localstripe, finance_client):
    from events.for_payments import ticket_lines
    from events.services import registration_reserve
    from events.tests.factories import make_event

    declaration = gift_aid_declaration_create(
        title="Dr", first_name="Ada", last_name="Lovelace", house_name_or_number="12", postcode="ab1 2cd"
    )
    event = make_event(capacity=5, tickets=[{"name": "Standard", "quantity": 5, "price_minor": 1200}])
    registration = registration_reserve(event=event, ticket_type=event.ticket_types.first(), email="g@example.org")
    basket = order_create(
        email="g@example.org",
        tickets=ticket_lines([registration]),
        donation=DonationChoice(amount_minor=500, gift_aid_declaration=declaration),
    )
    setup = order_checkout_start(order=basket)
    browser_confirm_card(setup.client_secret)
    order_pay(order=basket, setup_intent_id=setup.id)
    _paid(amount_minor=2000)  # no declaration: not claimable
    refunded = _paid(amount_minor=3000, gift_aid_declaration=declaration)
    refund_create(payment=refunded, reason="r", actor=None, request_token="r1")
    today = timezone.localdate()
    dates = {"from": f"{today - timedelta(days=1):%Y-%m-%d}", "to": f"{today:%Y-%m-%d}"}
    assert finance_client.get("/admin/finance/gift-aid/", dates).context["count"] == 1
    rows = list(csv.reader(io.StringIO(_claim(finance_client, dates).content.decode())))
    assert rows[0] == [
        "Title",
        "First name or initial",
        "Last name",
        "House name or number",
        "Postcode",
        "Aggregated donations",
        "Sponsored event",
        "Donation date",
        "Amount",
    ]
    assert rows[1:] == [["Dr", "Ada", "Lovelace", "12", "AB1 2CD", "", "", f"{today:%d/%m/%y}", "5.00"]]
    assert Donation.objects.filter(claimed_at__isnull=False).count() == 1
    again = finance_client.post("/admin/finance/gift-aid/", dates, follow=True)  # claimed once only
    assert "No donations are left to claim for these dates" in again.content.decode()
    assert GiftAidClaim.objects.count() == 1


def test_gift_aid_export_can_add_small_donations_together_as_hmrc_allows(localstripe, finance_client):
    declaration = gift_aid_declaration_create(
        title="", first_name="Ada", last_name="Lovelace", house_name_or_number="12", postcode="ab1 2cd"
    )
    for amount in (2000, 1500, 2500):  # two small ones, one above 20.00
        _paid(amount_minor=amount, gift_aid_declaration=declaration)
    today = timezone.localdate()
    dates = {"from": f"{today - timedelta(days=1):%Y-%m-%d}", "to": f"{today:%Y-%m-%d}", "aggregate": "on"}
    rows = list(csv.reader(io.StringIO(_claim(finance_client, dates).content.decode())))
    assert rows[1:] == [
        ["", "Ada", "Lovelace", "12", "AB1 2CD", "", "", f"{today:%d/%m/%y}", "25.00"],
        ["", "", "", "", "", "Small donations (2)", "", f"{today:%d/%m/%y}", "35.00"],
    ]
    assert Donation.objects.filter(claimed_at__isnull=False).count() == 3


def test_aggregated_rows_stay_within_1000_pounds_each():
    from types import SimpleNamespace

    from payments.giftaid import gift_aid_rows

    now = timezone.now()
    small = [SimpleNamespace(amount_minor=2000, donated_at=now, gift_aid_declaration=None) for _ in range(120)]
    rows = gift_aid_rows(small, aggregate_small=True)
    assert [row[8] for row in rows] == ["1000.00", "1000.00", "400.00"]
    assert [row[5] for row in rows] == ["Small donations (50)", "Small donations (50)", "Small donations (20)"]


def test_each_gift_aid_claim_is_kept_with_its_totals_and_downloads_the_same_file_again(localstripe, finance_client):
    from core.models import AuditEvent

    declaration = gift_aid_declaration_create(
        title="Ms", first_name="Ada", last_name="Byron", house_name_or_number="3", postcode="n1 9gu"
    )
    first = _paid(amount_minor=1000, gift_aid_declaration=declaration)
    today = timezone.localdate()
    dates = {"from": f"{today:%Y-%m-%d}", "to": f"{today:%Y-%m-%d}"}
    first_file = _claim(finance_client, dates).content
    _paid(amount_minor=4000, gift_aid_declaration=declaration)  # given after the first claim
    second_file = _claim(finance_client, dates).content
    one, two = GiftAidClaim.objects.order_by("pk")
    assert (one.donation_count, one.total_minor, one.created_by.email) == (1, 1000, "finance@thrive.example")
    assert (two.donation_count, two.total_minor, two.starts_on, two.ends_on) == (1, 4000, today, today)
    assert list(one.donations.all()) == [first.order.lines.get().donation]
    # Refunding a claimed donation later changes neither the claim nor its file.
    refund_create(payment=first, reason="Asked", actor=None, request_token="later")
    page = finance_client.get("/admin/finance/gift-aid/").content.decode()
    for claim, file in ((one, first_file), (two, second_file)):
        assert f"/admin/finance/gift-aid/claims/{claim.pk}/schedule.csv" in page
        assert claim.total_display in page and claim.gift_aid_display in page
        again = finance_client.get(f"/admin/finance/gift-aid/claims/{claim.pk}/schedule.csv")
        assert again.content == file
        assert again["Content-Disposition"].startswith(f'attachment; filename="gift-aid-claim-{claim.pk}-')
    assert list(csv.reader(io.StringIO(first_file.decode())))[1][-1] == "10.00"
    assert list(csv.reader(io.StringIO(second_file.decode())))[1][-1] == "40.00"
    assert "£10.00" in page and "£2.50" in page  # the first claim: given, and Gift Aid at 25%
    assert AuditEvent.objects.filter(action="gift_aid_claim.downloaded").count() == 4


def test_a_donation_can_be_in_one_gift_aid_claim_only(localstripe, finance_user):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from payments.models import GiftAidClaimDonation
    from payments.services import gift_aid_claim_create

    declaration = gift_aid_declaration_create(
        first_name="Ada", last_name="Byron", house_name_or_number="3", postcode="N1 9GU"
    )
    _paid(amount_minor=1000, gift_aid_declaration=declaration)
    today = timezone.localdate()
    claim = gift_aid_claim_create(starts_on=today, ends_on=today, aggregate_small=False, actor=finance_user)
    with pytest.raises(ValidationError, match="No donations are left"):
        gift_aid_claim_create(starts_on=today, ends_on=today, aggregate_small=False, actor=finance_user)
    other = GiftAidClaim.objects.create(
        starts_on=today, ends_on=today, donation_count=1, total_minor=1000, created_by=finance_user
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        GiftAidClaimDonation.objects.create(claim=other, donation=claim.donations.get())
