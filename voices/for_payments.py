"""Where survivor voices meets payments: the organisation pays the network by card through the
existing checkout (one order line per request, reference "voices-request:<pk>"), and a paid
order marks the request paid (`voices/receivers.py`).

What is charged (decided for issue #17): the fee agreed of every engagement the member has
confirmed (or completed), summed. Before any member has confirmed there is nothing to pay: an
organisation is never charged for a survivor who may not come. Paying is offered while the
request's organisation payment is "not yet paid" and the amount is above zero; once paid (or
invoiced by Finance) the button goes. A survivor who confirms after the organisation paid is
settled by Finance (an invoice); a withdrawal after payment is refunded by Finance.

Payments never imports voices: it stores the reference and hands it back in
`payment_succeeded`. The checkout and receipt describe the line by its description, so no
`TICKET_DETAILS_HOOK` answer is given (answering it would show the line as a "ticket" with a
code on payments' confirmation page).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.locking import for_update
from payments.links import checkout_url
from payments.models import Order, OrderLine
from payments.services import TicketLine, order_create
from payments.tickets import reference_ids
from voices.models import Engagement, VoiceRequest

REFERENCE_PREFIX = "voices-request:"


def request_reference(voice_request: VoiceRequest) -> str:
    return f"{REFERENCE_PREFIX}{voice_request.pk}"


def request_ids(item_references) -> list[int]:
    """The request ids among order-line references (others are not ours and are skipped)."""
    return reference_ids(item_references, REFERENCE_PREFIX)


def amount_due_minor(voice_request: VoiceRequest) -> int:
    """The fee agreed for each confirmed (or completed) engagement, summed; 0 before any."""
    total = Engagement.objects.filter(
        opportunity__request=voice_request, status__in=Engagement.COUNTED, currency=voice_request.currency
    ).aggregate(total=Sum("fee_minor"))["total"]
    return total or 0


def can_pay(voice_request: VoiceRequest) -> bool:
    return (
        voice_request.organisation_payment == VoiceRequest.OrganisationPayment.DUE
        and voice_request.status not in (VoiceRequest.Status.DECLINED, VoiceRequest.Status.CANCELLED)
        and amount_due_minor(voice_request) > 0
    )


def _open_order(voice_request: VoiceRequest) -> Order | None:
    line = (
        OrderLine.objects.filter(item_reference=request_reference(voice_request), order__status__in=Order.OPEN_STATES)
        .select_related("order")
        .order_by("-pk")
        .first()
    )
    return line.order if line else None


@transaction.atomic
def request_checkout_start(*, voice_request: VoiceRequest, user=None) -> str:
    """The checkout address where the organisation pays for this request by card: a new order
    for the amount due, or the open one already made for that same amount (reloading or a
    second click makes no second order). Refuses (ValidationError) a request with nothing to
    pay, already paid or invoiced, and an open checkout for an older amount (staff sort it
    out). Moves no money."""
    voice_request = for_update(VoiceRequest.objects.filter(pk=voice_request.pk)).get()
    if not can_pay(voice_request):
        raise ValidationError(_("There is nothing to pay by card for this request."), code="nothing_due")
    amount = amount_due_minor(voice_request)
    existing = _open_order(voice_request)
    if existing is not None:
        if existing.total_minor == amount and existing.currency == voice_request.currency:
            return checkout_url(existing)
        raise ValidationError(
            _(
                "A payment for an earlier amount was started for this request. Please contact the "
                "network's staff, who will send you an invoice."
            ),
            code="stale_checkout",
        )
    order = order_create(
        email=voice_request.contact_email,
        tickets=[
            TicketLine(
                item_reference=request_reference(voice_request),
                amount_minor=amount,
                description=_("Survivor expertise: %(topic)s") % {"topic": voice_request.topic},
            )
        ],
        user=user,
        currency=voice_request.currency,
    )
    audit_record(actor=user, action="voices.request_checkout_started", obj=voice_request, order_id=order.pk)
    return checkout_url(order)


def requests_mark_paid(*, order_reference: str, item_references) -> dict[str, list[str]]:
    """Mark the requests of a paid order paid by card, with the order (idempotent: a second
    call for the same order changes nothing). Runs inside payments' transaction. Refuses
    (payments flags the order for a refund) a request gone, declined or cancelled, or already
    paid by another order. A request Finance had marked invoiced is marked paid: the money
    arrived by card (Finance cancels the invoice)."""
    ids = request_ids(item_references)
    if not ids:
        return {"confirmed": [], "refused": []}
    order = Order.objects.filter(reference=order_reference).only("pk").first()
    order_id = order.pk if order else None
    found = {row.pk: row for row in for_update(VoiceRequest.objects.filter(pk__in=ids).order_by("pk"))}
    confirmed, refused = [], []
    for pk in ids:
        reference = f"{REFERENCE_PREFIX}{pk}"
        voice_request = found.get(pk)
        if voice_request is None or voice_request.status in (
            VoiceRequest.Status.DECLINED,
            VoiceRequest.Status.CANCELLED,
        ):
            refused.append(reference)
            continue
        if voice_request.organisation_payment == VoiceRequest.OrganisationPayment.PAID:
            (confirmed if voice_request.order_id == order_id else refused).append(reference)
            continue
        voice_request.organisation_payment = VoiceRequest.OrganisationPayment.PAID
        voice_request.order_id = order_id
        voice_request.save(update_fields=["organisation_payment", "order_id", "updated_at"])
        audit_record(actor=None, action="voices.request_paid", obj=voice_request, order_id=order_id)
        confirmed.append(reference)
    return {"confirmed": confirmed, "refused": refused}
