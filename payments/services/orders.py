"""Creating orders and paying them (the checkout). Settling is in `settle.py`.

The flow (../shared/STACK.md): the browser confirms a SetupIntent with the card Element;
`order_pay` then creates the PaymentIntent with that payment method and confirm=True, under
the order's row lock and with an idempotency key from the order id and attempt number, so
a double-clicked pay button charges once; 3-D Secure happens in the browser only when
Stripe asks for it. Whatever the browser does next, the webhook or the reconciliation task
settles the payment through `payment_settle`.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record
from core.i18n import active_language
from core.locking import for_update
from core.money import currency_code, format_money
from payments import gateway
from payments.models import GiftAidDeclaration, Order, OrderLine, Payment


@dataclass(frozen=True)
class DonationChoice:
    """A donation as the donor chose it (the amount is checked by `donation_amount_check`)."""

    amount_minor: int
    campaign: object = None  # a CampaignPage or None
    anonymous: bool = False
    message: str = ""
    earmark: str = ""
    gift_aid_declaration: GiftAidDeclaration | None = None
    sponsored_page_id: int | None = None  # an event or course whose funded places it pays for
    # The app that started the gift (fundraising's page): its own reference, stored on the line
    # and handed back by `payments.signals.donation_recorded` / `donation_refunded`, never read.
    item_reference: str = ""
    sponsored_event: bool = False  # given for a sponsored challenge (HMRC's "Sponsored event")


@dataclass(frozen=True)
class TicketLine:
    """One ticket to pay for, as the app that sold it hands it over (events builds these
    from its held registrations): `item_reference` is that app's own id for the ticket
    ("registration:12"), which payments stores and hands back (`payments.signals`, the
    `thrive_ticket_details` hook) but never reads; `amount_minor` is the price the server
    set; `description` is what the checkout and the receipt say."""

    item_reference: str
    amount_minor: int
    description: str


@dataclass(frozen=True)
class PayOutcome:
    """What the checkout tells the browser: `succeeded`, `requires_action` (with the
    client secret for 3-D Secure), `declined` (with plain words) or `processing`."""

    status: str
    message: str = ""
    client_secret: str = ""


def donation_amount_check(amount_minor: int, currency: str) -> int:
    """The amount if it is a whole number of minor units within the limits; else a ValidationError."""
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool):
        raise ValidationError(_("Please enter an amount, for example 10."), code="donation")
    low, high = settings.DONATION_MIN_MINOR, settings.DONATION_MAX_MINOR
    if amount_minor < low:
        raise ValidationError(
            _("The smallest gift we can take online is %(amount)s.") % {"amount": format_money(low, currency)},
            code="donation",
        )
    if amount_minor > high:
        raise ValidationError(
            _("For gifts over %(amount)s please contact us, so we can thank you properly.")
            % {"amount": format_money(high, currency)},
            code="donation",
        )
    return amount_minor


def _ticket_lines(tickets: list[TicketLine]) -> list[OrderLine]:
    if any(not ticket.item_reference or ticket.amount_minor <= 0 for ticket in tickets):
        raise ValidationError(_("One of these places is no longer held for payment. Please book again."))
    in_other_checkout = OrderLine.objects.filter(
        item_reference__in=[ticket.item_reference for ticket in tickets],
        order__status__in=[*Order.OPEN_STATES, Order.Status.PAID],
    ).exists()
    if in_other_checkout:
        raise ValidationError(_("One of these places is already in another checkout."))
    return [
        OrderLine(
            kind=OrderLine.Kind.TICKET,
            item_reference=ticket.item_reference,
            amount_minor=ticket.amount_minor,
            description=ticket.description[:200],
        )
        for ticket in tickets
    ]


def _donation_line(donation: DonationChoice, currency: str) -> OrderLine:
    amount = donation_amount_check(donation.amount_minor, currency)
    campaign = donation.campaign
    return OrderLine(
        kind=OrderLine.Kind.DONATION,
        amount_minor=amount,
        description=f"Donation: {campaign.title}"[:200] if campaign else "Donation",
        gift_aid_eligible=donation.gift_aid_declaration is not None and currency == "GBP",
        campaign=campaign,
        gift_aid_declaration=donation.gift_aid_declaration if currency == "GBP" else None,
        anonymous=donation.anonymous,
        message=donation.message.strip()[:500],
        earmark=donation.earmark,
        sponsored_page_id=donation.sponsored_page_id,
        item_reference=donation.item_reference[:64],
        sponsored_event=donation.sponsored_event,
    )


@transaction.atomic
def order_create(
    *,
    email: str,
    tickets: Sequence[TicketLine] = (),
    donation: DonationChoice | None = None,
    user=None,
    currency: str | None = None,
) -> Order:
    """An open order for tickets another app holds for payment (each priced by its own
    `amount_minor`, set by that app on the server) and/or one donation. Refuses an empty
    order, a ticket without a price or already in another checkout, and a donation outside
    the limits. Moves no money and sends no email."""
    currency = currency_code(currency or settings.PAYMENTS_DEFAULT_CURRENCY)
    lines = _ticket_lines(list(tickets))
    if donation is not None:
        lines.append(_donation_line(donation, currency))
    if not lines:
        raise ValidationError(_("There is nothing to pay for."))
    order = Order.objects.create(
        email=email.strip().lower(),
        language=active_language(),
        user=user if user is not None and user.is_authenticated else None,
        currency=currency,
        total_minor=sum(line.amount_minor for line in lines),
    )
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    audit_record(actor=user, action="order.created", obj=order, lines=len(lines))
    return order


# A SetupIntent the browser can still confirm a card against (a refused card leaves it
# requires_payment_method; one confirmed, cancelled or used by a payment is used up).
SETUP_INTENT_REUSABLE = ("requires_payment_method", "requires_confirmation", "requires_action")


def checkout_setup_intent(target, *, key_prefix: str, customer_id: str | None = None) -> gateway.SetupIntentResult:
    """The SetupIntent the checkout offers for an order or monthly gift (call under its row
    lock): the one stored on it while the browser can still use it, so reloading the page
    (or a script hammering it) makes no new Stripe object; else a new one, stored. The new
    one's idempotency key names the one it replaces, so it is stable for one state of the
    checkout and different after a card was set up or refused. Moves no money."""
    replaced = target.stripe_setup_intent_id
    if replaced:
        try:
            current = gateway.setup_intent_retrieve(replaced)
        except gateway.ObjectUnknown:  # forgotten by Stripe (or localstripe restarted)
            current = None
        if current is not None and current.status in SETUP_INTENT_REUSABLE and current.client_secret:
            return gateway.SetupIntentResult(id=current.id, client_secret=current.client_secret)
    fresh = gateway.setup_intent_create(
        reference=target.reference,
        customer_id=customer_id,
        idempotency_key=f"{key_prefix}-setup-after-{replaced or 'none'}",
    )
    target.stripe_setup_intent_id = fresh.id
    target.save(update_fields=["stripe_setup_intent_id"])
    return fresh


def order_checkout_start(*, order: Order) -> gateway.SetupIntentResult:
    """The SetupIntent for the browser to confirm the card against: the same one on every
    view of the checkout until it is used up, then a new one (so a card declined once can
    be replaced). Raises PaymentsUnavailable when Stripe cannot be reached and
    ValidationError when the order is not open. Moves no money."""
    if order.status not in Order.OPEN_STATES:
        raise ValidationError(_("This order is already settled."))
    with transaction.atomic():
        order = for_update(Order.objects.filter(pk=order.pk)).get()
        return checkout_setup_intent(order, key_prefix=f"thrive-order-{order.pk}")


def _outcome_of(payment: Payment, client_secret: str = "") -> PayOutcome:
    if payment.status in (Payment.Status.SUCCEEDED, Payment.Status.REFUNDED, Payment.Status.PARTLY_REFUNDED):
        return PayOutcome("succeeded")
    if payment.status == Payment.Status.REQUIRES_ACTION:
        return PayOutcome("requires_action", client_secret=client_secret)
    if payment.status in (Payment.Status.FAILED, Payment.Status.CANCELLED):
        return PayOutcome("declined", message=payment.failure_message or gateway.DEFAULT_DECLINE_MESSAGE)
    return PayOutcome("processing")


def _payment_outcome_now(payment: Payment) -> PayOutcome:
    """A payment already made for this order (a second click, or the browser back from
    3-D Secure): ask Stripe where it stands, settle it, and say so."""
    from payments.services.settle import payment_settle  # settle imports giving, which imports this module

    if payment.stripe_payment_intent_id and payment.status in (Payment.Status.CREATED, Payment.Status.REQUIRES_ACTION):
        state = payment_settle(payment_intent_id=payment.stripe_payment_intent_id)
        payment.refresh_from_db()
        return _outcome_of(payment, state.client_secret if state else "")
    return _outcome_of(payment)


CARD_NOT_CONFIRMED = gettext_lazy("Your card details were not confirmed. Please enter them again.")
_SETUP_INTENT_ID = re.compile(r"seti_[A-Za-z0-9]{1,200}")


def setup_intent_state(setup_intent_id: str) -> gateway.SetupIntentState:
    """What Stripe holds for the SetupIntent id the browser posted. The id is public input:
    one that is not a SetupIntent's (`seti_` and letters or digits) is not sent to Stripe, and
    one Stripe does not know (it answers 404) is refused like an unconfirmed card, as a
    ValidationError the checkout shows in words. Nothing is charged either way."""
    if not isinstance(setup_intent_id, str) or not _SETUP_INTENT_ID.fullmatch(setup_intent_id):
        raise ValidationError(CARD_NOT_CONFIRMED)
    try:
        return gateway.setup_intent_retrieve(setup_intent_id)
    except gateway.PaymentGatewayError:
        raise ValidationError(CARD_NOT_CONFIRMED) from None


def _payment_method_for(order: Order, setup_intent_id: str) -> str:
    setup = setup_intent_state(setup_intent_id)
    if setup.reference != order.reference:
        raise ValidationError(_("This card was set up for another payment. Please reload the page."))
    if setup.status != "succeeded" or not setup.payment_method_id:
        raise ValidationError(CARD_NOT_CONFIRMED)
    return setup.payment_method_id


def order_pay(*, order: Order, setup_intent_id: str) -> PayOutcome:
    """MOVES MONEY. Charge the order's total to the card confirmed in `setup_intent_id`.

    Under the order's row lock: a payment already succeeded or waiting for 3-D Secure is
    returned as it is (a double click charges once); otherwise a PaymentIntent is created
    and confirmed with the idempotency key `thrive-order-<id>-pay-<attempt>`. A decline is
    recorded (the order can be paid with another card) and returned in plain words; a
    success is settled at once with Stripe's answer to the confirm call (`payment_settle`),
    through the webhook's own state machine. Raises PaymentsUnavailable when Stripe cannot be reached (nothing recorded,
    nothing charged) and ValidationError when the order is not open."""
    from payments.services.settle import payment_settle  # settle imports giving, which imports this module

    with transaction.atomic():
        order = for_update(Order.objects.filter(pk=order.pk)).get()
        current = order.payments.exclude(status__in=[Payment.Status.FAILED, Payment.Status.CANCELLED]).first()
        if current is None:
            charged = _charge_locked(order, setup_intent_id)
    if current is not None:  # a payment already made (another click got here first)
        return _payment_outcome_now(current)
    if isinstance(charged, PayOutcome):
        return charged
    payment, state = charged
    if state.status == "requires_action":
        return PayOutcome("requires_action", client_secret=state.client_secret)
    payment_settle(payment_intent_id=state.id, state=state)
    payment.refresh_from_db()
    return _outcome_of(payment)


def _charge_locked(order: Order, setup_intent_id: str) -> PayOutcome | tuple[Payment, gateway.IntentState]:
    """Create and confirm the PaymentIntent (the caller holds the order's lock)."""
    if order.status not in Order.OPEN_STATES:
        raise ValidationError(_("This order is already settled."))
    payment_method_id = _payment_method_for(order, setup_intent_id)
    key = f"thrive-order-{order.pk}-pay-{order.payment_attempts}"
    try:
        state = gateway.payment_intent_create_confirmed(
            amount_minor=order.total_minor,
            currency=order.currency,
            payment_method_id=payment_method_id,
            order_reference=order.reference,
            idempotency_key=key,
        )
    except gateway.CardDeclined as declined:
        _record_decline(order, key, declined)
        return PayOutcome("declined", message=declined.message)
    payment = Payment.objects.create(
        order=order,
        stripe_payment_intent_id=state.id,
        idempotency_key=key,
        amount_minor=order.total_minor,
        currency=order.currency,
        status=Payment.Status.REQUIRES_ACTION if state.status == "requires_action" else Payment.Status.CREATED,
    )
    order.payment_attempts += 1
    order.save(update_fields=["payment_attempts", "updated_at"])
    audit_record(actor=None, action="payment.created", obj=payment, order=order.pk)
    return payment, state


def _record_decline(order: Order, key: str, declined: gateway.CardDeclined) -> None:
    payment = Payment.objects.create(
        order=order,
        stripe_payment_intent_id=declined.payment_intent_id,
        idempotency_key=key,
        amount_minor=order.total_minor,
        currency=order.currency,
        status=Payment.Status.FAILED,
        failure_message=declined.message[:300],
    )
    order.payment_attempts += 1
    order.status = Order.Status.FAILED
    order.save(update_fields=["payment_attempts", "status", "updated_at"])
    audit_record(actor=None, action="payment.declined", obj=payment, order=order.pk, code=declined.code)


@transaction.atomic
def order_gift_aid_add(*, order: Order, declaration: GiftAidDeclaration) -> OrderLine:
    """Put a Gift Aid declaration on the donation line of an order not paid yet (a donation
    added while booking tickets). Only the donation line can carry it, and only in pounds
    sterling. Under the order's lock, so it is in place before any payment settles (the
    Donation is recorded from the line then, under the same lock); a declaration covers a
    gift whether or not a payment attempt had already begun, as HMRC allows. Moves no money."""
    order = for_update(Order.objects.filter(pk=order.pk)).get()
    if order.currency != "GBP":
        raise ValidationError(_("Gift Aid applies only to donations in pounds sterling."))
    if order.status not in Order.OPEN_STATES:
        raise ValidationError(_("This order has been paid or closed, so Gift Aid can no longer be added here."))
    line = order.lines.filter(kind=OrderLine.Kind.DONATION).first()
    if line is None:
        raise ValidationError(_("There is no donation in this order to add Gift Aid to."))
    line.gift_aid_declaration = declaration
    line.gift_aid_eligible = True
    line.save(update_fields=["gift_aid_declaration", "gift_aid_eligible"])
    audit_record(actor=None, action="order.gift_aid_added", obj=order, line=line.pk)
    return line
