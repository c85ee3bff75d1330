"""A member's erasure, as payments applies it (the personal-data contract, core/hooks.py).

UK law requires payment records to be kept for six years, and HMRC can audit a Gift Aid
claim for as long: so amounts, dates and references stay, with nothing that names or
reaches the person. Precisely, for the orders, donations and monthly gifts of the account
or of the email address it had:
- email addresses become `erased-<kind>-<id>@erased.invalid`, gift messages are emptied;
- a monthly gift still taking money is cancelled at Stripe (by a task after commit, retried
  while Stripe cannot be reached), so no further money is taken from someone we can no
  longer write to;
- no further Gift Aid is claimed for them: donations not claimed yet lose their declaration;
  a declaration behind a donation already claimed from HMRC is kept whole (name and home
  address: HMRC's audit needs them) but no longer linked to the account; one that no claim
  used is deleted.
Stripe holds no name or email of ours (metadata carries references only), so nothing is
sent to Stripe except the cancellations.
"""

from django.db.models import Q

from accounts.models import User
from core.audit import audit_record
from core.locking import for_update
from core.personal_data import Member, PersonalData, Rows, erased_email
from core.tasks import enqueue_on_commit
from payments.models import Donation, GiftAidDeclaration, Order, OrderLine, RecurringGift


def payments_erase_member(*, user_id: int, old_email: str) -> dict[str, int]:
    """Apply a member's erasure to payments (call inside the erasure's transaction). Returns
    counts of what changed. Idempotent."""
    by_person = Q(user_id=user_id) | (Q(email__iexact=old_email) if old_email else Q(pk__in=[]))
    orders = list(for_update(Order.objects.filter(by_person)))
    gifts = list(for_update(RecurringGift.objects.filter(by_person)))
    donations = list(
        for_update(
            Donation.objects.filter(
                Q(order_line__order__in=orders)
                | Q(recurring_gift__in=gifts)
                | (Q(email__iexact=old_email) if old_email else Q(pk__in=[]))
            ),
            of=("self",),
        )
    )
    orders_forget_contact(orders)
    cancelled = 0
    for gift in gifts:
        gift.email = erased_email("gift", gift.pk)
        gift.message = ""
        gift.language = ""
        gift.save(update_fields=["email", "message", "language"])
        if gift.stripe_subscription_id and gift.status != RecurringGift.Status.CANCELLED:
            # payments.tasks imports the services, which import this module.
            from payments.tasks import recurring_gift_cancel

            enqueue_on_commit(recurring_gift_cancel, gift_id=gift.pk)
            cancelled += 1
    for donation in donations:
        donation.email = erased_email("donation", donation.pk)
        donation.message = ""
        donation.save(update_fields=["email", "message"])
    kept, deleted = _declarations_erase(user_id, orders, gifts, donations)
    counts = {
        "orders": len(orders),
        "donations": len(donations),
        "monthly_gifts_cancelled": cancelled,
        "declarations_kept": kept,
        "declarations_deleted": deleted,
    }
    audit_record(actor=None, action="payments.member_erased", obj=User.objects.get(pk=user_id), **counts)
    return counts


def _declarations_erase(user_id: int, orders, gifts, donations) -> tuple[int, int]:
    ids = set(GiftAidDeclaration.objects.filter(user_id=user_id).values_list("pk", flat=True))
    ids |= {d.gift_aid_declaration_id for d in donations if d.gift_aid_declaration_id}
    ids |= {g.gift_aid_declaration_id for g in gifts if g.gift_aid_declaration_id}
    ids |= set(
        OrderLine.objects.filter(order__in=orders, gift_aid_declaration__isnull=False).values_list(
            "gift_aid_declaration_id", flat=True
        )
    )
    claimed = set(
        Donation.objects.filter(gift_aid_declaration_id__in=ids, claimed_at__isnull=False).values_list(
            "gift_aid_declaration_id", flat=True
        )
    )
    GiftAidDeclaration.objects.filter(pk__in=claimed).update(user=None)
    # No further claim is made with any of them: what was not claimed yet loses its declaration.
    declarations_detach(ids, claimed_too=False)
    unclaimed = ids - claimed
    GiftAidDeclaration.objects.filter(pk__in=unclaimed).delete()
    return len(claimed), len(unclaimed)


def orders_forget_contact(orders) -> None:
    """Replace these orders' email addresses and empty their gift messages (call under
    their row locks). Amounts, dates and references stay."""
    for order in orders:
        order.email = erased_email("order", order.pk)
        order.language = ""
        order.save(update_fields=["email", "language", "updated_at"])
    OrderLine.objects.filter(order__in=orders).exclude(message="").update(message="")


def declarations_detach(ids, *, claimed_too: bool) -> None:
    """Take these Gift Aid declarations off the order lines, monthly gifts and donations
    that carry them (only the unclaimed donations unless `claimed_too`), so nothing more is
    claimed with them and they can be deleted."""
    donations = Donation.objects.filter(gift_aid_declaration_id__in=ids)
    if not claimed_too:
        donations = donations.filter(claimed_at__isnull=True)
    donations.update(gift_aid_declaration=None)
    OrderLine.objects.filter(gift_aid_declaration_id__in=ids).update(gift_aid_declaration=None, gift_aid_eligible=False)
    RecurringGift.objects.filter(gift_aid_declaration_id__in=ids).update(gift_aid_declaration=None)


def _by_person(member: Member) -> Q:
    return Q(user_id=member.user_id) | (Q(email__iexact=member.email) if member.email else Q(pk__in=[]))


def payments_member_rows(member: Member, found: Rows) -> Rows:
    """The orders, order lines, donations, monthly gifts and Gift Aid declarations of the
    account or of the address it had: what `payments_erase_member` changes."""
    orders = set(Order.objects.filter(_by_person(member)).values_list("pk", flat=True))
    gifts = set(RecurringGift.objects.filter(_by_person(member)).values_list("pk", flat=True))
    by_address = Q(email__iexact=member.email) if member.email else Q(pk__in=[])
    donations = Donation.objects.filter(
        Q(order_line__order__in=orders) | Q(recurring_gift__in=gifts) | by_address
    ).values_list("pk", "gift_aid_declaration_id")
    lines = OrderLine.objects.filter(order__in=orders).values_list("pk", "gift_aid_declaration_id")
    declarations = set(GiftAidDeclaration.objects.filter(user_id=member.user_id).values_list("pk", flat=True))
    declarations |= {declaration for _pk, declaration in [*donations, *lines] if declaration}
    declarations |= set(
        RecurringGift.objects.filter(pk__in=gifts, gift_aid_declaration__isnull=False).values_list(
            "gift_aid_declaration_id", flat=True
        )
    )
    return {
        Order._meta.label: orders,
        OrderLine._meta.label: {pk for pk, _declaration in lines},
        Donation._meta.label: {pk for pk, _declaration in donations},
        RecurringGift._meta.label: gifts,
        GiftAidDeclaration._meta.label: declarations,
    }


def payments_erase_rows(member: Member, found: Rows) -> None:
    payments_erase_member(user_id=member.user_id, old_email=member.email)


PERSONAL_DATA = PersonalData(
    personal={
        "payments.Order": ("email", "language"),
        "payments.OrderLine": ("message",),
        "payments.Donation": ("email", "message"),
        "payments.RecurringGift": ("email", "message", "language"),
        # Deleted, or kept whole (unlinked) behind a donation already claimed from HMRC.
        "payments.GiftAidDeclaration": ("title", "first_name", "last_name", "house_name_or_number", "postcode"),
    },
    not_personal={
        "payments.Order.reference": "our random order reference",
        "payments.Order.currency": "a currency code",
        "payments.Order.status": "a status",
        "payments.Order.attention_reason": "why Finance should look at it (a choice)",
        "payments.Order.stripe_setup_intent_id": "a Stripe id (Stripe holds no name or email of ours)",
        "payments.OrderLine.kind": "a choice",
        "payments.OrderLine.item_reference": "what was bought, as ids",
        "payments.OrderLine.description": "what was bought (an event or ticket name)",
        "payments.OrderLine.earmark": "what a gift was earmarked for (a page)",
        "payments.Donation.currency": "a currency code",
        "payments.Donation.earmark": "what a gift was earmarked for (a page)",
        "payments.Donation.stripe_invoice_id": "a Stripe id",
        "payments.RecurringGift.reference": "our random reference",
        "payments.RecurringGift.currency": "a currency code",
        "payments.RecurringGift.earmark": "what a gift was earmarked for (a page)",
        "payments.RecurringGift.stripe_customer_id": "a Stripe id",
        "payments.RecurringGift.stripe_subscription_id": "a Stripe id",
        "payments.RecurringGift.stripe_setup_intent_id": "a Stripe id",
        "payments.RecurringGift.status": "a status",
        "payments.RecurringGift.cancel_token_hash": "the hash of a random link token",
        "payments.GiftAidDeclaration.declaration_text": "the wording the donor agreed to",
        "payments.GiftAidDeclaration.declaration_version": "which wording",
        "payments.Payment": "Stripe ids, statuses, amounts and Stripe's failure messages",
        "payments.Refund": "Stripe ids, statuses, amounts and staff's reasons",
        "payments.WebhookEvent": "Stripe event ids and types",
        "payments.DonatePage": "page content staff publish",
        "payments.CampaignPage": "page content staff publish",
    },
    tasks={
        "payments.tasks.payments_reconcile": {},
        "payments.tasks.payments_retention": {},
        "payments.tasks.order_receipt_send": {"order_id": "payments.Order"},
        "payments.tasks.donation_receipt_send": {"donation_id": "payments.Donation"},
        # Finance's alert names an order, not a person; refunds and cancellations must still happen.
        "payments.tasks.finance_alert_send": {},
        "payments.tasks.sponsored_places_recount": {},
        "payments.tasks.ticket_refunds_make": {},
        "payments.tasks.recurring_gift_cancel": {},
    },
    rows=payments_member_rows,
    erase=payments_erase_rows,
)
