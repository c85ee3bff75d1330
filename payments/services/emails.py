"""The emails payments sends: receipts (with a PDF) and Finance alerts. Each is run by the task
of the same name in `payments.tasks`, after commit."""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.models import organisation_name
from core.email import email_send, recipients_want_discretion
from core.i18n import language_of
from core.links import absolute
from core.money import format_money
from payments.models import Donation, Order
from payments.receipts import render_receipt
from payments.selectors import cancel_token

logger = logging.getLogger(__name__)


def _receipt_pdf(context: dict) -> list[tuple[str, bytes, str]]:
    try:
        pdf = render_receipt(context)
    except OSError:  # WeasyPrint's system libraries are missing: the email still goes.
        logger.warning("receipt PDF not rendered: WeasyPrint unavailable")
        return []
    return [(f"receipt-{context['reference']}.pdf", pdf, "application/pdf")]


def _day(moment) -> str:
    """ "4 December 2026" in the active language (month names translated)."""
    return formats.date_format(timezone.localtime(moment), "j F Y")


def order_receipt_context(order: Order) -> dict:
    """The plain values a paid order's receipt (email and PDF) shows, in the active language;
    neutral for a payer in discreet mode (no event names, no organisation name)."""
    discreet = recipients_want_discretion([order.email])
    order_lines = list(order.lines.all())
    return {
        "organisation": _("Payment receipt") if discreet else organisation_name(),
        "reference": order.reference,
        "date": _day(order.paid_at),
        "lines": [
            {
                "description": (line.get_kind_display() if discreet else line.description),
                "amount": format_money(line.amount_minor, order.currency),
            }
            for line in order_lines
        ],
        "total": order.total_display,
        "gift_aid": any(line.gift_aid_eligible for line in order_lines),  # donation lines only (a constraint)
        "monthly": "",
    }


def order_receipt_send(*, order_id: int) -> bool:
    """Email the receipt (with a PDF) for a paid order, once: the order is claimed by setting
    `receipt_sent_at` in one UPDATE (a second run, or one at the same moment, claims nothing),
    and the claim is given back if sending fails, so running it again sends it. No row lock is held
    while the PDF is rendered and the email sent. Sends one email."""
    now = timezone.now()
    claimed = Order.objects.filter(pk=order_id, status=Order.Status.PAID, receipt_sent_at__isnull=True).update(
        receipt_sent_at=now
    )
    if not claimed:
        return False
    order = Order.objects.get(pk=order_id)
    try:
        with language_of(order.email, order.language):  # the receipt and its PDF in the payer's language
            context = order_receipt_context(order)
            attachments = _receipt_pdf(context)
        email_send(
            to=[order.email],
            subject=format_lazy(gettext_lazy("Your receipt {reference}"), reference=order.reference),
            template="payment_receipt",
            context=context,
            attachments=attachments,
            language=order.language,
        )
    except Exception:
        Order.objects.filter(pk=order_id, receipt_sent_at=now).update(receipt_sent_at=None)
        logger.exception("receipt for order %s not sent; it will be retried", order_id)
        raise
    return True


def donation_receipt_send(*, donation_id: int) -> bool:
    """Email the receipt for one monthly gift payment, with the link that cancels the gift.
    Sent once per donation (a donation is recorded once per invoice). Sends one email."""
    donation = Donation.objects.select_related("recurring_gift").get(pk=donation_id)
    gift = donation.recurring_gift
    with language_of(donation.email, gift.language):  # the receipt and its PDF in the donor's language
        context = {
            "organisation": organisation_name(),
            "reference": f"{gift.reference}-{donation.pk}",
            "date": _day(donation.donated_at),
            "lines": [{"description": _("Monthly gift"), "amount": donation.amount_display}],
            "total": donation.amount_display,
            "gift_aid": donation.gift_aid_declaration_id is not None,
            "monthly": gift.amount_display,
            "cancel_url": absolute(reverse("payments:gift_cancel", args=[cancel_token(gift)])),
        }
        attachments = _receipt_pdf(context)
    email_send(
        to=[donation.email],
        subject=gettext_lazy("Thank you for your monthly gift"),
        template="donation_receipt",
        context=context,
        attachments=attachments,
        language=gift.language,
    )
    return True


def finance_alert_send(*, order_id: int, reason: str) -> None:
    """Tell Finance an order needs them (a refund to make, an amount to check). The email
    holds the order reference and the reason only, no personal details. Sends one email."""
    order = Order.objects.get(pk=order_id)
    email_send(
        to=[settings.STAFF_NOTIFICATION_EMAIL],
        subject=format_lazy(gettext_lazy("Payment needs attention: {reference}"), reference=order.reference),
        template="payment_attention",
        context={
            "reference": order.reference,
            "reason": Order.Attention(reason).label,
            "admin_url": absolute(reverse("payments_admin:order_detail", args=[order.pk])),
        },
    )
