"""Gifts of a large network for `manage.py seed_scale` (a `thrive_seed_scale` hook, order 20).

`scale.donations` donations over three years, more of them lately: three quarters given
once (each a paid order with its donation line and succeeded payment, as the webhook leaves
them) and a quarter from monthly gifts (one donation per paid invoice). Two thirds in
pounds, a third in dollars; a third of the pounds with Gift Aid (the donor's declaration
kept once per donor), the oldest of them already in quarterly claims; some to the demo's
campaign, some anonymous, a few refunded. A third of the donors are members.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from core.seeding import ScaleRequest, Timings, bulk_insert, explicit_times, spread_times
from payments.models import (
    CampaignPage,
    Donation,
    GiftAidClaim,
    GiftAidClaimDonation,
    GiftAidDeclaration,
    Order,
    OrderLine,
    Payment,
    RecurringGift,
    Refund,
)
from payments.selectors import campaign_totals_forget

MONTHLY_SHARE = 0.25
AMOUNTS = {"GBP": [500, 1000, 1500, 2500, 5000, 10000], "USD": [1000, 2000, 2500, 5000, 10000, 25000]}
DECLARATION = "I want to Gift Aid my donation and any donations I make in the future or have made in the past 4 years."


def seed_giving(*, scale: ScaleRequest, timings: Timings) -> None:
    rng = scale.random("payments")
    now = timezone.now()
    members = list(User.objects.filter(email__endswith=scale.email_suffix).values_list("pk", "email"))
    campaigns = list(CampaignPage.objects.values_list("pk", flat=True))
    donors = _donors(rng, scale, members)
    with timings.table("payments_giftaiddeclaration") as count:
        keys, declarations = _declarations(rng, donors, now)
        declaration_of = dict(zip(keys, (d.pk for d in bulk_insert(GiftAidDeclaration, declarations)), strict=True))
        count[0] = len(declarations)

    monthly = int(scale.donations * MONTHLY_SHARE)
    once = scale.donations - monthly
    given = spread_times(rng, now - timedelta(days=3 * 365), now - timedelta(minutes=5), once, recent_bias=1.5)
    choices = [_choice(rng, donors, campaigns, declaration_of) for _ in range(once)]

    with timings.table("payments_order (donations)") as count, explicit_times(Order, "created_at", "updated_at"):
        orders = bulk_insert(Order, (_order(scale, n, choice, given[n]) for n, choice in enumerate(choices)))
        count[0] = len(orders)
    with timings.table("payments_orderline (donations)") as count:
        lines = bulk_insert(OrderLine, (_line(order, choice) for order, choice in zip(orders, choices, strict=True)))
        count[0] = len(lines)
    with timings.table("payments_payment (donations)") as count, explicit_times(Payment, "created_at", "updated_at"):
        payments = bulk_insert(Payment, (paid_order_payment(scale, "d", order) for order in orders))
        count[0] = len(payments)
    with timings.table("payments_refund") as count, explicit_times(Refund, "created_at"):
        refunded = [p for p in payments if p.status == Payment.Status.REFUNDED]
        count[0] = len(bulk_insert(Refund, (_refund(scale, p) for p in refunded)))
    with timings.table("payments_donation (once)") as count:
        donations = bulk_insert(
            Donation,
            (_donation(order, line, choice) for order, line, choice in zip(orders, lines, choices, strict=True)),
        )
        count[0] = len(donations)
    plan = _gift_plan(rng, scale, donors, campaigns, declaration_of, monthly, now) if monthly else []
    with timings.table("payments_recurringgift") as count, explicit_times(RecurringGift, "created_at"):
        count[0] = len(bulk_insert(RecurringGift, (gift for gift, _paid in plan)))
    with timings.table("payments_donation (monthly)") as count:
        monthly_donations = bulk_insert(Donation, _invoices(scale, plan))
        count[0] = len(monthly_donations)
    with timings.table("payments_giftaidclaim") as count:
        count[0] = _claims(donations + monthly_donations, now)
    for campaign in campaigns:
        campaign_totals_forget(campaign)


def _donors(rng, scale: ScaleRequest, members: list[tuple[int, str]]) -> list[tuple[str, int | None, str]]:
    """(donor key, account id or None, email): a third members, the rest supporters."""
    count = max(1, scale.donations // 6)
    donors = []
    for n in range(count):
        if members and rng.random() < 0.33:
            user_id, email = rng.choice(members)
            donors.append((f"m{user_id}", user_id, email))
        else:
            donors.append((f"s{n}", None, scale.email("supporter", n)))
    return donors


def _declarations(rng, donors, now) -> tuple[list[str], list[GiftAidDeclaration]]:
    """A Gift Aid declaration for two in five donors (those giving in pounds choose it):
    (the donors' keys, their declarations), in the same order."""
    keys, declarations = [], []
    for key, user_id, _email in donors:
        if rng.random() < 0.4:
            keys.append(key)
            declarations.append(
                GiftAidDeclaration(
                    first_name=rng.choice(["Sam", "Alex", "Jo", "Chris", "Pat", "Robin"]),
                    last_name=rng.choice(["Okafor", "Smith", "Patel", "Jones", "Nowak", "Ahmed"]),
                    house_name_or_number=str(rng.randint(1, 120)),
                    postcode=rng.choice(["SW1A 1AA", "M1 1AE", "EH1 1YZ", "CF10 1EP", "B1 1BB"]),
                    declaration_text=DECLARATION,
                    declaration_version="2024-1",
                    declared_at=now - timedelta(days=3 * 365 + 30),
                    user_id=user_id,
                )
            )
    return keys, declarations


def _choice(rng, donors, campaigns, declaration_of) -> dict:
    key, user_id, email = rng.choice(donors)
    currency = "GBP" if rng.random() < 0.66 else "USD"
    declaration = declaration_of.get(key) if currency == "GBP" else None
    return {
        "user_id": user_id,
        "email": email,
        "currency": currency,
        "amount": rng.choice(AMOUNTS[currency]),
        "campaign_id": rng.choice(campaigns) if campaigns and rng.random() < 0.4 else None,
        "declaration_id": declaration if declaration and rng.random() < 0.9 else None,
        "anonymous": rng.random() < 0.15,
        "message": "Keep going." if rng.random() < 0.05 else "",
        "refunded": rng.random() < 0.01,
    }


def _order(scale: ScaleRequest, n: int, choice: dict, at) -> Order:
    return Order(
        reference=f"TD{scale.tag}{n:08d}".upper()[:16],
        email=choice["email"],
        user_id=choice["user_id"],
        currency=choice["currency"],
        total_minor=choice["amount"],
        status=Order.Status.REFUNDED if choice["refunded"] else Order.Status.PAID,
        payment_attempts=1,
        created_at=at - timedelta(minutes=2),
        updated_at=at,
        paid_at=at,
        receipt_sent_at=at,
    )


def _line(order: Order, choice: dict) -> OrderLine:
    return OrderLine(
        order_id=order.pk,
        kind=OrderLine.Kind.DONATION,
        amount_minor=order.total_minor,
        description="Donation",
        gift_aid_eligible=choice["declaration_id"] is not None,
        gift_aid_declaration_id=choice["declaration_id"],
        campaign_id=choice["campaign_id"],
        anonymous=choice["anonymous"],
        message=choice["message"],
    )


def paid_order_payment(scale: ScaleRequest, kind: str, order: Order) -> Payment:
    """The succeeded (or since refunded) payment of a paid order; `kind` keeps the Stripe
    ids of donations ("d") and tickets ("t") apart."""
    refunded = order.status == Order.Status.REFUNDED
    return Payment(
        order_id=order.pk,
        stripe_payment_intent_id=f"pi_scale_{scale.tag}_{kind}{order.pk}",
        idempotency_key=f"scale-{scale.tag}-{kind}{order.pk}",
        status=Payment.Status.REFUNDED if refunded else Payment.Status.SUCCEEDED,
        amount_minor=order.total_minor,
        currency=order.currency,
        amount_refunded_minor=order.total_minor if refunded else 0,
        created_at=order.created_at,
        updated_at=order.paid_at,
        succeeded_at=order.paid_at,
    )


def _refund(scale: ScaleRequest, payment: Payment) -> Refund:
    return Refund(
        payment_id=payment.pk,
        stripe_refund_id=f"re_scale_{scale.tag}_{payment.pk}",
        idempotency_key=f"scale-refund-{scale.tag}-{payment.pk}",
        request_token=f"scale-{scale.tag}-{payment.pk}",
        amount_minor=payment.amount_minor,
        reason="Given twice by mistake",
        status=Refund.Status.SUCCEEDED,
        created_at=payment.succeeded_at + timedelta(days=2),
    )


def _donation(order: Order, line: OrderLine, choice: dict) -> Donation:
    return Donation(
        order_line_id=line.pk,
        amount_minor=order.total_minor,
        currency=order.currency,
        email=order.email,
        campaign_id=choice["campaign_id"],
        anonymous=choice["anonymous"],
        message=choice["message"],
        gift_aid_declaration_id=choice["declaration_id"],
        donated_at=order.paid_at,
        refunded=choice["refunded"],
    )


def _gift_plan(rng, scale: ScaleRequest, donors, campaigns, declaration_of, monthly: int, now):
    """Monthly gifts started over three years and the months each was paid (up to today, or
    until it was cancelled), until there are `monthly` payments: [(gift, [paid at])]."""
    plan, made, n = [], 0, 0
    while made < monthly:
        choice = _choice(rng, donors, campaigns, declaration_of)
        started = now - timedelta(days=rng.uniform(30, 3 * 365))
        status = rng.choices(list(RecurringGift.Status), [2, 70, 3, 25])[0]
        cancelled = started + timedelta(days=rng.uniform(20, 300)) if status == "cancelled" else None
        gift = RecurringGift(
            reference=f"GS{scale.tag}{n:07d}".upper()[:16],
            email=choice["email"],
            user_id=choice["user_id"],
            amount_minor=choice["amount"],
            currency=choice["currency"],
            campaign_id=choice["campaign_id"],
            anonymous=choice["anonymous"],
            gift_aid_declaration_id=choice["declaration_id"],
            stripe_customer_id=f"cus_scale_{scale.tag}_{n}",
            stripe_subscription_id=f"sub_scale_{scale.tag}_{n}" if status != "pending" else None,
            status=status,
            payment_attempts=1,
            created_at=started,
            cancelled_at=cancelled,
        )
        paid = []
        if status in (RecurringGift.Status.ACTIVE, RecurringGift.Status.CANCELLED):
            until = min(now, cancelled or now)
            at = started
            while at < until and made < monthly:
                paid.append(at)
                made += 1
                at += timedelta(days=30)
        plan.append((gift, paid))
        n += 1
    return plan


def _invoices(scale: ScaleRequest, plan):
    """One donation per paid invoice of each monthly gift."""
    for gift, paid in plan:
        for month, at in enumerate(paid):
            yield Donation(
                recurring_gift_id=gift.pk,
                stripe_invoice_id=f"in_scale_{scale.tag}_{gift.pk}_{month}",
                amount_minor=gift.amount_minor,
                currency=gift.currency,
                email=gift.email,
                campaign_id=gift.campaign_id,
                anonymous=gift.anonymous,
                gift_aid_declaration_id=gift.gift_aid_declaration_id,
                donated_at=at,
            )


def _claims(donations: list[Donation], now) -> int:
    """Quarterly Gift Aid claims for the gift-aided, unrefunded donations given more than six
    months ago, as Finance would have made them. Returns the rows written."""
    cutoff = now - timedelta(days=182)
    by_quarter: dict[tuple[int, int], list[Donation]] = {}
    for donation in donations:
        if donation.gift_aid_declaration_id and not donation.refunded and donation.donated_at < cutoff:
            quarter = (donation.donated_at.year, (donation.donated_at.month - 1) // 3)
            by_quarter.setdefault(quarter, []).append(donation)
    rows = 0
    for _quarter, claimed in sorted(by_quarter.items()):
        first = min(d.donated_at for d in claimed)
        last = max(d.donated_at for d in claimed)
        claim = GiftAidClaim.objects.create(
            starts_on=first.date(),
            ends_on=last.date(),
            donation_count=len(claimed),
            total_minor=sum(d.amount_minor for d in claimed),
            created_at=last + timedelta(days=20),
        )
        entries = bulk_insert(GiftAidClaimDonation, (GiftAidClaimDonation(claim=claim, donation=d) for d in claimed))
        Donation.objects.filter(pk__in=[d.pk for d in claimed]).update(claimed_at=claim.created_at)
        rows += 1 + len(entries)
    return rows
