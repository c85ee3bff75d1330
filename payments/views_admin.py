"""Finance pages in the Wagtail admin: orders, payments, donations (filters, CSV), refunds
and the Gift Aid claim export. Every view checks the Finance role itself."""

import secrets
from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.roles import FINANCE, role_required
from core.csv_export import csv_response
from core.listing import listing_page, search_text
from core.money import format_major, format_money
from payments import gateway, giftaid
from payments.forms import RefundForm
from payments.models import Donation, GiftAidClaim, Order, Payment
from payments.selectors import day_bounds, gift_aid_claimable
from payments.services import gift_aid_claim_create, gift_aid_claim_schedule, refund_create

PAGE_SIZE = 100  # Gift Aid claims shown


def _date(text: str | None, *, end: bool = False):
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def _date_filtered(queryset, request, field: str):
    start, end = _date(request.GET.get("from")), _date(request.GET.get("to"), end=True)
    if start:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end:
        queryset = queryset.filter(**{f"{field}__lte": end})
    return queryset


@role_required(FINANCE)
def orders(request):
    queryset = _date_filtered(Order.objects.all(), request, "created_at")
    text = search_text(request)
    if "@" in text:
        queryset = queryset.filter(email__iexact=text)  # index payments_order_email_idx
    elif text:
        queryset = queryset.filter(reference=text.upper())  # references are capitals
    status = request.GET.get("status", "")
    if status in Order.Status.values:
        queryset = queryset.filter(status=status)
    if request.GET.get("attention") == "1":
        queryset = queryset.exclude(attention_reason="")
    if request.GET.get("format") == "csv":
        rows = (
            [
                o.reference,
                o.created_at.isoformat(),
                o.status,
                format_major(o.total_minor, o.currency),
                o.currency,
                o.email,
                o.attention_reason,
            ]
            for o in queryset.iterator()
        )
        header = ["Reference", "Created", "Status", "Total", "Currency", "Email", "Needs attention"]
        return csv_response("orders.csv", header, rows)
    return TemplateResponse(
        request,
        "payments_admin/orders.html",
        {
            "orders": listing_page(request, queryset),
            "statuses": Order.Status.choices,
            "query": request.GET.urlencode(),
            "search_label": _("Exact order reference or email address"),
        },
    )


@role_required(FINANCE)
def order_detail(request, pk: int):
    order = get_object_or_404(Order, pk=pk)
    payments = list(order.payments.prefetch_related("refunds"))
    forms = {
        payment.pk: RefundForm(currency=payment.currency, initial={"request_token": secrets.token_urlsafe(24)})
        for payment in payments
        if payment.status in Payment.REFUNDABLE
    }
    return TemplateResponse(
        request,
        "payments_admin/order_detail.html",
        {"order": order, "lines": order.lines.all(), "payments": [(p, forms.get(p.pk)) for p in payments]},
    )


@require_POST
@role_required(FINANCE)
def refund(request, pk: int):
    """Refund all or part of a payment, with a reason. A double click posts the same
    request token, so the money goes back once."""
    payment = get_object_or_404(Payment, pk=pk)
    form = RefundForm(request.POST, currency=payment.currency)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("payments_admin:order_detail", pk=payment.order_id)
    try:
        made = refund_create(
            payment=payment,
            amount_minor=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
            request_token=form.cleaned_data["request_token"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except gateway.PaymentsUnavailable:
        messages.error(
            request, _("Stripe could not be reached, so no refund was sent yet. Submit the same form again.")
        )
    else:
        if made.status == made.Status.SUCCEEDED:
            messages.success(
                request, _("Refunded %(amount)s.") % {"amount": format_money(made.amount_minor, payment.currency)}
            )
        else:
            messages.error(request, _("Stripe refused the refund. The order is flagged for attention."))
    return redirect("payments_admin:order_detail", pk=payment.order_id)


@role_required(FINANCE)
def payments_list(request):
    queryset = _date_filtered(Payment.objects.select_related("order"), request, "created_at")
    text = search_text(request)
    if text.startswith("pi_"):
        queryset = queryset.filter(stripe_payment_intent_id=text)
    elif text:
        queryset = queryset.filter(order__reference=text.upper())
    status = request.GET.get("status", "")
    if status in Payment.Status.values:
        queryset = queryset.filter(status=status)
    if request.GET.get("format") == "csv":
        rows = (
            [
                p.order.reference,
                p.created_at.isoformat(),
                p.status,
                format_major(p.amount_minor, p.currency),
                format_major(p.amount_refunded_minor, p.currency),
                p.currency,
                p.stripe_payment_intent_id,
                p.failure_message,
            ]
            for p in queryset.iterator()
        )
        header = ["Order", "Created", "Status", "Amount", "Refunded", "Currency", "Stripe payment", "Failure"]
        return csv_response("payments.csv", header, rows)
    return TemplateResponse(
        request,
        "payments_admin/payments.html",
        {
            "payments": listing_page(request, queryset),
            "statuses": Payment.Status.choices,
            "query": request.GET.urlencode(),
            "search_label": _("Exact order reference or Stripe payment ID"),
        },
    )


@role_required(FINANCE)
def donations(request):
    queryset = _date_filtered(Donation.objects.select_related("campaign"), request, "donated_at")
    text = search_text(request)
    if "@" in text:
        queryset = queryset.filter(email__iexact=text)  # index payments_donation_email_idx
    elif text:
        queryset = queryset.filter(order_line__order__reference=text.upper())
    if request.GET.get("gift_aid") == "1":
        queryset = queryset.filter(gift_aid_declaration__isnull=False)
    if request.GET.get("monthly") == "1":
        queryset = queryset.filter(recurring_gift__isnull=False)
    if request.GET.get("format") == "csv":
        rows = (
            [
                d.donated_at.isoformat(),
                format_major(d.amount_minor, d.currency),
                d.currency,
                d.campaign.title if d.campaign else "",
                "monthly" if d.recurring_gift_id else "once",
                "yes" if d.gift_aid_declaration_id else "no",
                "yes" if d.anonymous else "no",
                d.get_earmark_display(),
                d.message,
                "yes" if d.refunded else "no",
            ]
            for d in queryset.iterator()
        )
        header = [
            "Date",
            "Amount",
            "Currency",
            "Campaign",
            "Frequency",
            "Gift Aid",
            "Anonymous",
            "Earmark",
            "Message",
            "Refunded",
        ]
        return csv_response("donations.csv", header, rows)
    return TemplateResponse(
        request,
        "payments_admin/donations.html",
        {
            "donations": listing_page(request, queryset),
            "query": request.GET.urlencode(),
            "search_label": _("Exact email address or order reference"),
        },
    )


def _claim_dates(data) -> tuple:
    """The claim form's dates as days (None for a missing or bad one)."""
    days = []
    for name in ("from", "to"):
        try:
            days.append(datetime.strptime(data.get(name) or "", "%Y-%m-%d").date())
        except ValueError:
            days.append(None)
    return tuple(days)


@role_required(FINANCE)
def gift_aid_export(request):
    """GET: choose a date range, see how many donations can be claimed, and every claim made
    so far (each downloadable again). POST: make the claim (its donations are marked claimed,
    so never claimed twice) and come back here to download it."""
    if request.method == "POST":
        starts_on, ends_on = _claim_dates(request.POST)
        if not (starts_on and ends_on):
            messages.error(request, _("Choose the first and last day of the donations to claim."))
            return redirect("payments_admin:gift_aid")
        try:
            claim = gift_aid_claim_create(
                starts_on=starts_on,
                ends_on=ends_on,
                aggregate_small=request.POST.get("aggregate") == "on",
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(f"{reverse('payments_admin:gift_aid')}?from={starts_on:%Y-%m-%d}&to={ends_on:%Y-%m-%d}")
        messages.success(
            request,
            ngettext(
                "Claim %(number)s made: %(count)s donation, %(total)s given, %(gift_aid)s of Gift Aid. "
                "Download its schedule below.",
                "Claim %(number)s made: %(count)s donations, %(total)s given, %(gift_aid)s of Gift Aid. "
                "Download its schedule below.",
                claim.donation_count,
            )
            % {
                "number": claim.pk,
                "count": claim.donation_count,
                "total": claim.total_display,
                "gift_aid": claim.gift_aid_display,
            },
        )
        return redirect(f"{reverse('payments_admin:gift_aid')}?claim={claim.pk}")
    starts_on, ends_on = _claim_dates(request.GET)
    count = None
    if starts_on and ends_on:
        count = gift_aid_claimable(*day_bounds(starts_on, ends_on)).count()
    return TemplateResponse(
        request,
        "payments_admin/gift_aid.html",
        {
            "count": count,
            "from": request.GET.get("from", ""),
            "to": request.GET.get("to", ""),
            "claims": GiftAidClaim.objects.select_related("created_by")[:PAGE_SIZE],
            "new_claim": request.GET.get("claim", ""),
        },
    )


@role_required(FINANCE)
def gift_aid_claim_download(request, pk: int):
    """A claim's schedule in HMRC's Charities Online layout: built from the claim's own
    donations, so every download of it is the same file."""
    claim = get_object_or_404(GiftAidClaim, pk=pk)
    try:
        rows = gift_aid_claim_schedule(claim=claim, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("payments_admin:gift_aid")
    filename = f"gift-aid-claim-{claim.pk}-{claim.starts_on:%Y%m%d}-{claim.ends_on:%Y%m%d}.csv"
    return csv_response(filename, giftaid.SCHEDULE_COLUMNS, rows)
