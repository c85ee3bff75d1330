"""Gift Aid declarations and monthly gifts (Stripe customer, Plan and Subscription)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.i18n import active_language
from core.locking import for_update
from core.money import currency_code
from core.tasks import enqueue_on_commit
from payments import gateway, giftaid
from payments.models import Donation, GiftAidDeclaration, RecurringGift
from payments.selectors import campaign_totals_forget, cancel_token
from payments.services.orders import (
    CARD_NOT_CONFIRMED,
    DonationChoice,
    checkout_setup_intent,
    donation_amount_check,
    setup_intent_state,
)


@transaction.atomic
def gift_aid_declaration_create(
    *, first_name: str, last_name: str, house_name_or_number: str, postcode: str, title: str = "", user=None
) -> GiftAidDeclaration:
    """Store a Gift Aid declaration with the current wording and its version. Refuses a
    missing name, house or postcode (HMRC rejects claims without them)."""
    fields = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "house_name_or_number": house_name_or_number.strip(),
        "postcode": " ".join(postcode.upper().split()),
    }
    if not all(fields.values()):
        raise ValidationError(_("For Gift Aid we need your first and last name, house name or number, and postcode."))
    return GiftAidDeclaration.objects.create(
        title=title.strip(),
        declaration_text=str(giftaid.DECLARATION_TEXT),  # the words the donor read, in their language
        declaration_version=giftaid.DECLARATION_VERSION,
        declared_at=timezone.now(),
        user=user if user is not None and user.is_authenticated else None,
        **fields,
    )


@transaction.atomic
def recurring_gift_create(*, email: str, donation: DonationChoice, currency: str, user=None) -> RecurringGift:
    """A monthly gift waiting for its card. Moves no money."""
    currency = currency_code(currency)
    gift = RecurringGift.objects.create(
        email=email.strip().lower(),
        language=active_language(),
        user=user if user is not None and user.is_authenticated else None,
        amount_minor=donation_amount_check(donation.amount_minor, currency),
        currency=currency,
        campaign=donation.campaign,
        anonymous=donation.anonymous,
        message=donation.message.strip()[:500],
        earmark=donation.earmark,
        sponsored_page_id=donation.sponsored_page_id,
        gift_aid_declaration=donation.gift_aid_declaration if currency == "GBP" else None,
    )
    gift.cancel_token_hash = RecurringGift.hash_token(cancel_token(gift))
    gift.save(update_fields=["cancel_token_hash"])
    audit_record(actor=user, action="recurring_gift.created", obj=gift)
    return gift


def recurring_gift_checkout_start(*, gift: RecurringGift) -> gateway.SetupIntentResult:
    """A Stripe customer for the gift (once) and a SetupIntent for the browser to confirm
    the card against (the same one on every view until it is used up). Raises
    PaymentsUnavailable when Stripe cannot be reached. Moves no money."""
    if gift.status != RecurringGift.Status.PENDING:
        raise ValidationError(_("This monthly gift has already been set up."))
    with transaction.atomic():
        gift = for_update(RecurringGift.objects.filter(pk=gift.pk)).get()
        if not gift.stripe_customer_id:
            gift.stripe_customer_id = gateway.customer_create(
                gift_reference=gift.reference, idempotency_key=f"thrive-gift-{gift.pk}-customer"
            )
            gift.save(update_fields=["stripe_customer_id"])
        return checkout_setup_intent(gift, key_prefix=f"thrive-gift-{gift.pk}", customer_id=gift.stripe_customer_id)


@dataclass(frozen=True)
class GiftOutcome:
    status: str  # succeeded, requires_action (3-D Secure on the first payment), declined
    message: str = ""
    client_secret: str = ""  # for requires_action: the first payment's, for the browser


def recurring_gift_start(*, gift: RecurringGift, setup_intent_id: str) -> GiftOutcome:
    """MOVES MONEY (the first month at once, then monthly). Under the gift's row lock: a
    gift already started is returned as it is (a double click subscribes once); otherwise
    the confirmed card becomes the customer's default and a subscription on the monthly
    Plan for the amount is created with the key `thrive-gift-<id>-subscription-<attempt>`.
    When the bank wants the first payment confirmed (3-D Secure), the subscription waits
    ("incomplete") and the browser is given that payment's client secret; called again
    afterwards, this asks Stripe where the first payment stands. A first payment refused or
    not confirmed cancels that subscription (it can never take money later) and leaves the
    gift open for another card. A paid first invoice is settled by asking Stripe, as the
    webhook would. Raises PaymentsUnavailable when Stripe cannot be reached."""
    with transaction.atomic():
        gift = for_update(RecurringGift.objects.filter(pk=gift.pk)).get()
        if gift.stripe_subscription_id:
            if gift.status != RecurringGift.Status.PENDING:
                return GiftOutcome("succeeded" if gift.status != RecurringGift.Status.FAILED else "declined")
            subscription = gateway.subscription_retrieve(gift.stripe_subscription_id)
        else:
            setup = setup_intent_state(setup_intent_id)
            if setup.reference != gift.reference or setup.status != "succeeded" or not setup.payment_method_id:
                raise ValidationError(CARD_NOT_CONFIRMED)
            attempt = gift.payment_attempts
            gift.payment_attempts += 1
            gift.save(update_fields=["payment_attempts"])
            try:
                gateway.customer_set_default_payment_method(
                    customer_id=gift.stripe_customer_id, payment_method_id=setup.payment_method_id
                )
                subscription = gateway.subscription_create(
                    customer_id=gift.stripe_customer_id,
                    plan_id=gateway.monthly_plan(amount_minor=gift.amount_minor, currency=gift.currency),
                    gift_reference=gift.reference,
                    idempotency_key=f"thrive-gift-{gift.pk}-subscription-{attempt}",
                )
            except gateway.CardDeclined as declined:
                audit_record(actor=None, action="recurring_gift.declined", obj=gift, code=declined.code)
                return GiftOutcome("declined", declined.message)
            gift.stripe_subscription_id = subscription.id
            gift.save(update_fields=["stripe_subscription_id"])
            audit_record(actor=None, action="recurring_gift.subscribed", obj=gift)
        if subscription.status not in ("active", "trialing"):
            waiting = _first_payment_waiting(gift, subscription)
            if waiting is not None:
                return waiting
    if subscription.latest_invoice_id:
        invoice_settle(invoice_id=subscription.latest_invoice_id)
    return GiftOutcome("succeeded")


def _first_payment_waiting(gift: RecurringGift, subscription: gateway.SubscriptionState) -> GiftOutcome | None:
    """For a subscription whose first payment is not through (call under the gift's lock):
    requires_action with the client secret while the bank waits for the donor; None once it
    succeeded; otherwise (refused, not confirmed, or the subscription ended for it: Stripe
    lets an incomplete one expire, localstripe deletes it) declined, with the subscription
    cancelled and the gift open for another card."""
    intent = None
    if subscription.status == "incomplete" and subscription.latest_invoice_id:
        intent = gateway.invoice_payment_intent(subscription.latest_invoice_id)
    if intent is not None and intent.status == "requires_action":
        return GiftOutcome("requires_action", client_secret=intent.client_secret)
    if intent is not None and intent.status in ("succeeded", "processing"):
        return None
    gateway.subscription_cancel(subscription.id)  # harmless when it has ended already
    gift.stripe_subscription_id = None
    gift.save(update_fields=["stripe_subscription_id"])
    audit_record(actor=None, action="recurring_gift.declined", obj=gift, code="first_payment_not_confirmed")
    message = (intent.failure_message if intent is not None else "") or gateway.DEFAULT_DECLINE_MESSAGE
    return GiftOutcome("declined", message)


def campaign_totals_forget_after_commit(*, campaign_ids) -> None:
    """Drop each campaign's cached totals once the transaction commits (none for None)."""
    for campaign_id in {campaign_id for campaign_id in campaign_ids if campaign_id}:
        transaction.on_commit(lambda campaign_id=campaign_id: campaign_totals_forget(campaign_id))


def sponsored_places_recount_after_commit(*, page_ids) -> None:
    """Queue a recount of sponsored places for each page, after commit (none for None)."""
    from payments.tasks import sponsored_places_recount  # payments.tasks imports the services

    for page_id in {page_id for page_id in page_ids if page_id}:
        enqueue_on_commit(sponsored_places_recount, page_id=page_id)


def invoice_settle(*, invoice_id: str) -> Donation | None:
    """A monthly gift's invoice was paid: re-fetch it from Stripe and record one Donation
    for it (the invoice id is unique), mark the gift active, and send the receipt with the
    cancel link once. Idempotent and safe to run concurrently. Moves no money."""
    from payments.tasks import donation_receipt_send  # payments.tasks imports the services

    invoice = gateway.invoice_retrieve(invoice_id)
    if invoice.status != "paid" or invoice.amount_paid <= 0 or not invoice.subscription_id:
        return None
    with transaction.atomic():
        gift = for_update(RecurringGift.objects.filter(stripe_subscription_id=invoice.subscription_id)).first()
        if gift is None:
            return None
        donation, created = Donation.objects.get_or_create(
            stripe_invoice_id=invoice.id,
            defaults={
                "amount_minor": invoice.amount_paid,
                "currency": invoice.currency,
                "email": gift.email,
                "campaign_id": gift.campaign_id,
                "anonymous": gift.anonymous,
                "message": gift.message,
                "earmark": gift.earmark,
                "sponsored_page_id": gift.sponsored_page_id,
                "gift_aid_declaration_id": gift.gift_aid_declaration_id,
                "recurring_gift": gift,
                "donated_at": timezone.now(),
            },
        )
        if not created:
            return donation
        if gift.status in (RecurringGift.Status.PENDING, RecurringGift.Status.FAILED):
            gift.status = RecurringGift.Status.ACTIVE
            gift.save(update_fields=["status"])
        audit_record(actor=None, action="donation.recorded", obj=donation, gift=gift.pk)
        campaign_totals_forget_after_commit(campaign_ids=[gift.campaign_id])
        sponsored_places_recount_after_commit(page_ids=[gift.sponsored_page_id])
        enqueue_on_commit(donation_receipt_send, donation_id=donation.pk)
    return donation


def recurring_gift_cancel(*, gift: RecurringGift, actor=None) -> RecurringGift:
    """Stop a monthly gift: the Stripe subscription is cancelled, so no further money is
    taken. Cancelling twice is harmless. Raises PaymentsUnavailable when Stripe cannot be
    reached (nothing changes: the donor can try the link again)."""
    if gift.stripe_subscription_id:
        gateway.subscription_cancel(gift.stripe_subscription_id)
    return _gift_mark_cancelled(gift, actor)


def subscription_ended(*, subscription_id: str) -> RecurringGift | None:
    """Stripe says a subscription was deleted: re-fetch it, and if it really ended, mark its gift cancelled."""
    subscription = gateway.subscription_retrieve(subscription_id)
    gift = RecurringGift.objects.filter(stripe_subscription_id=subscription_id).first()
    if gift is None or subscription.status not in ("canceled", "incomplete_expired"):
        return gift
    return _gift_mark_cancelled(gift, None)


@transaction.atomic
def _gift_mark_cancelled(gift: RecurringGift, actor) -> RecurringGift:
    gift = for_update(RecurringGift.objects.filter(pk=gift.pk)).get()
    if gift.status != RecurringGift.Status.CANCELLED:
        gift.status = RecurringGift.Status.CANCELLED
        gift.cancelled_at = timezone.now()
        gift.save(update_fields=["status", "cancelled_at"])
        audit_record(actor=actor, action="recurring_gift.cancelled", obj=gift)
    return gift
