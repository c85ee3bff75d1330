"""Public payment pages: the donation form, the checkout (orders and monthly gifts), the
result page and the monthly gift's cancel link. Views parse input, call one service, and
render or redirect; nothing here talks to Stripe except through the services."""

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from wagtail import hooks

from core.guard import Verdict, guard_public_post
from core.hooks import CAMPAIGN_SECTIONS_HOOK
from core.i18n import active_language
from core.money import format_money
from newsletters.forms import keep_posted_ticked
from newsletters.models import Subscription
from newsletters.services.subscriptions import keep_posted_request
from payments import gateway, services
from payments.forms import GIFT_AID_UNTICKED, DonationForm, GiftAidForm
from payments.links import CHECKOUT_SALT, checkout_url  # noqa: F401 (checkout_url: the views and tests use it from here too)
from payments.models import CampaignPage, Order, OrderLine, Payment, RecurringGift
from payments.selectors import campaign_totals, cancel_token, recurring_gift_for_token, recurring_gift_next_payment_on
from payments.tickets import tickets_held_until, tickets_hold_extend, tickets_of_order

UNAVAILABLE = gettext_lazy(
    "Payments are unavailable right now, so nothing has been taken. Please try again in a few minutes."
)


def _checkout_target(token: str) -> Order | RecurringGift:
    try:
        reference = signing.loads(token, salt=CHECKOUT_SALT)
    except signing.BadSignature:
        raise Http404 from None
    model = RecurringGift if reference.startswith("G") else Order
    found = model.objects.filter(reference=reference).first()
    if found is None:
        raise Http404
    return found


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def checkout_csp() -> dict:
    """The site's policy plus Stripe.js, on the checkout page only."""
    js, api = _origin(gateway.stripe_js_url()), _origin(settings.STRIPE_API_BASE)
    frames = [CSP.NONE] if gateway.is_demo() else [js, "https://hooks.stripe.com"]
    return settings.SECURE_CSP | {
        "script-src": [CSP.SELF, js],
        "connect-src": [CSP.SELF, api],
        "frame-src": frames,
    }


# Donation form ------------------------------------------------------------------------------


def _declaration(data: dict, user):
    """The Gift Aid declaration a donation form or the checkout's Gift Aid form made."""
    return services.gift_aid_declaration_create(
        title=data.get("title", ""),
        first_name=data["first_name"],
        last_name=data["last_name"],
        house_name_or_number=data["house_name_or_number"],
        postcode=data["postcode"],
        user=user,
    )


def _donation_choice(form: DonationForm, user) -> services.DonationChoice:
    data = form.cleaned_data
    declaration = _declaration(data, user) if data.get("gift_aid") else None
    return services.DonationChoice(
        amount_minor=data["amount_minor"],
        campaign=form.page if isinstance(form.page, CampaignPage) else None,
        anonymous=data.get("anonymous", False),
        message=data.get("message", ""),
        earmark=data.get("earmark", ""),
        gift_aid_declaration=declaration,
        sponsored_page_id=data.get("sponsored_page_id"),
    )


def donation_page_serve(request, page):
    """GET: the page with its donation form. POST: validate, create the order (once) or
    the monthly gift, and go to the checkout. What the donor typed is kept on errors."""
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = DonationForm(request.POST or None, page=page, initial=initial)
    status = 200
    if request.method == "POST":
        verdict = guard_public_post(request, form, scope="donate", what="tries", limit_setting="DONATION_RATE_LIMIT")
        if verdict is Verdict.PAUSED:
            status = 429
        elif form.is_valid():
            try:
                choice = _donation_choice(form, request.user)
                email = form.cleaned_data["email"]
                if form.cleaned_data.get("frequency") == "monthly":
                    target = services.recurring_gift_create(
                        email=email, donation=choice, currency=page.currency, user=request.user
                    )
                else:
                    target = services.order_create(
                        email=email, donation=choice, currency=page.currency, user=request.user
                    )
                if keep_posted_ticked(form):  # double opt-in: an email asks them to confirm
                    keep_posted_request(
                        email=email, language=active_language(), method=Subscription.Method.DONATION, user=request.user
                    )
                return redirect(checkout_url(target))
            except ValidationError as error:
                form.add_error(None, error)
        else:
            status = 400
    context = page.get_context(request) | {"form": form}
    if isinstance(page, CampaignPage):
        totals = campaign_totals(page.pk)
        percent = min(100, round(100 * totals["raised_minor"] / page.target_minor)) if page.target_minor else 0
        context |= {
            "totals": totals,
            "percent": percent,
            "raised_display": _money(totals["raised_minor"], page),
            "campaign_sections": campaign_sections(page, request),
        }
    return TemplateResponse(request, page.get_template(request), context, status=status)


def campaign_sections(page: CampaignPage, request) -> list[dict]:
    """What other apps add to a campaign's page (CAMPAIGN_SECTIONS_HOOK in core/hooks.py:
    supporters' fundraising pages), in their `order`; one with neither an action nor items is
    left out."""
    sections = []
    for provider in hooks.get_hooks(CAMPAIGN_SECTIONS_HOOK):
        section = provider(campaign=page, request=request)
        if section and (section.get("action") or section.get("items")):
            sections.append(section)
    return sorted(sections, key=lambda section: section.get("order", 100))


def _money(amount: int, page) -> str:
    return format_money(amount, page.currency)


# Checkout ---------------------------------------------------------------------------------


def hold_zone(moment) -> str:
    """The time zone a hold time is shown in: the one the selling app gave it (the event's)."""
    return getattr(getattr(moment, "tzinfo", None), "key", None) or settings.TIME_ZONE


def hold_clock(moment) -> str:
    """'18:45': a hold time on the clock of its event's zone."""
    return f"{timezone.localtime(moment, ZoneInfo(hold_zone(moment))):%H:%M}"


def hold_time_text(moment) -> str:
    """'18:45 America/New_York time': a hold time in its event's zone, the zone named."""
    return _("%(time)s %(zone)s time") % {"time": hold_clock(moment), "zone": hold_zone(moment)}


def countdown_words(hold_seconds: int | None) -> dict | None:
    """What countdown.js shows beside the hold time, in the page's language: the words for each
    number of minutes the hold can still have and for each number of seconds in the last one
    (plural forms differ between languages, so the server chooses them)."""
    if hold_seconds is None:
        return None
    most_minutes = max(1, hold_seconds // 60 + 1)
    return {
        "minutes": {
            n: ngettext("%(count)s minute left", "%(count)s minutes left", n) % {"count": n}
            for n in range(1, most_minutes + 1)
        },
        "seconds": {
            n: ngettext("%(count)s second left", "%(count)s seconds left", n) % {"count": n} for n in range(1, 60)
        },
    }


def _checkout_context(target) -> dict:
    if isinstance(target, Order):
        lines = list(target.lines.all())
        return {
            "kind": "order",
            "order": target,
            "lines": [(line.description, format_money(line.amount_minor, target.currency)) for line in lines],
            "total": target.total_display,
            "held_until": (held_until := tickets_held_until(target)),
            "hold_zone": hold_zone(held_until),
            # Counted down in the page from the server's clock (the visitor's may be wrong).
            "hold_seconds": (hold_seconds := max(0, int((held_until - timezone.now()).total_seconds())))
            if held_until
            else None,
            "hold_time": hold_clock(held_until) if held_until else "",
            "countdown_words": countdown_words(hold_seconds) if held_until else None,
            "settled": target.status not in Order.OPEN_STATES,
            "gift_aid": _gift_aid_offer(target, lines),
        }
    return {
        "kind": "monthly",
        "gift": target,
        "total": _("%(amount)s every month") % {"amount": target.amount_display},
        "held_until": None,
        "settled": target.status != RecurringGift.Status.PENDING,
    }


def _checkout_start(target: Order | RecurringGift) -> gateway.SetupIntentResult:
    if isinstance(target, Order):
        return services.order_checkout_start(order=target)
    return services.recurring_gift_checkout_start(gift=target)


def _gift_aid_offer(order: Order, lines: list[OrderLine]) -> dict | None:
    """Gift Aid for the donation in a basket, when it can have it: {"added": bool, "amount"}."""
    if order.currency != "GBP":
        return None
    line = next((line for line in lines if line.kind == OrderLine.Kind.DONATION), None)
    if line is None:
        return None
    return {"added": line.gift_aid_eligible, "amount": format_money(line.amount_minor, order.currency)}


def _checkout_page(request, token: str, target):
    context = _checkout_context(target) | {"token": token}
    if context["settled"]:
        return redirect("payments:checkout_done", token=token)
    if context.get("gift_aid") and not context["gift_aid"]["added"]:
        # Part of the card form: sent with the payment and recorded before it is taken.
        context["gift_aid_form"] = GiftAidForm(use_required_attribute=False)  # optional until ticked
    status = 200
    try:
        setup = _checkout_start(target)
        context |= {
            "setup": setup,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": gateway.stripe_js_url(),
            # checkout.js explains a card refused in the browser in the same words as the server.
            "decline_messages": gateway.DECLINE_MESSAGES | {"card_declined": gateway.DEFAULT_DECLINE_MESSAGE},
        }
    except gateway.PaymentsUnavailable:
        context["unavailable"] = UNAVAILABLE
        status = 503
    response = TemplateResponse(request, "payments/checkout.html", context, status=status)
    response["Cache-Control"] = "no-store"
    if not context.get("unavailable"):
        response._csp_config = checkout_csp()
    return response


def checkout(request, token: str):
    """The card form. Creates the SetupIntent the browser confirms; says plainly when Stripe
    cannot be reached (nothing is lost: the order and any held places stay as they are)."""
    return _checkout_page(request, token, _checkout_target(token))


@require_POST
def checkout_extend(request, token: str):
    """ "I need more time": the places stay held longer, within what the event allows."""
    target = _checkout_target(token)
    if not isinstance(target, Order) or target.status not in Order.OPEN_STATES:
        return redirect("payments:checkout", token=token)
    before = tickets_held_until(target)
    after = tickets_hold_extend(target)
    if after is None:
        messages.info(request, _("The hold on your places has already ended. You can still pay if they are free."))
    elif before is not None and after > before:
        messages.success(request, _("Your places are now held until %(time)s.") % {"time": hold_time_text(after)})
    else:
        messages.info(
            request,
            _("Your places are held until %(time)s; we cannot hold them longer.") % {"time": hold_time_text(after)},
        )
    return redirect("payments:checkout", token=token)


@require_POST
def checkout_setup(request, token: str):
    """JSON for checkout.js: a SetupIntent to confirm a card against after one was refused."""
    target = _checkout_target(token)
    try:
        setup = _checkout_start(target)
    except gateway.PaymentsUnavailable:
        return JsonResponse({"status": "unavailable", "message": UNAVAILABLE}, status=503)
    except ValidationError as error:
        return JsonResponse({"status": "error", "message": " ".join(error.messages)}, status=400)
    return JsonResponse({"setup_client_secret": setup.client_secret})


def _checkout_gift_aid_record(request, order: Order) -> JsonResponse | None:
    """The Gift Aid declaration sent with the payment (the checkout's one form), recorded on
    the basket's donation before any PaymentIntent exists. None when there is nothing to
    record or it is recorded; otherwise the JSON that stops the payment and says why (a
    declaration half filled in or not ticked is never dropped in silence)."""
    offer = _gift_aid_offer(order, list(order.lines.all()))
    if offer is None or offer["added"]:
        return None
    form = GiftAidForm(request.POST)
    if not request.POST.get("gift_aid"):
        if not any(request.POST.get(name, "").strip() for name in GiftAidForm.GIFT_AID_FIELDS):
            return None
        errors = {"gift_aid": [_(GIFT_AID_UNTICKED)]}
    elif form.is_valid():
        try:
            with transaction.atomic():
                services.order_gift_aid_add(order=order, declaration=_declaration(form.cleaned_data, request.user))
        except ValidationError as error:
            return JsonResponse({"status": "error", "message": " ".join(error.messages)}, status=400)
        return None
    else:
        errors = {name: list(texts) for name, texts in form.errors.items()}
    problems = " ".join(text for texts in errors.values() for text in texts)
    return JsonResponse(
        {
            "status": "gift_aid_invalid",
            "message": _("Your Gift Aid declaration is not complete, so nothing has been taken. %(problems)s")
            % {"problems": problems},
            "errors": errors,
        }
    )  # 200, as a declined card is: an answer the page shows, not a broken request


@require_POST
def checkout_pay(request, token: str):
    """JSON for checkout.js: the browser confirmed a SetupIntent; record the Gift Aid
    declaration sent with it (if any), then charge (or subscribe)."""
    target = _checkout_target(token)
    setup_intent_id = request.POST.get("setup_intent", "")
    done = reverse("payments:checkout_done", args=[token])
    try:
        if isinstance(target, Order):
            if target.status in Order.OPEN_STATES and (refused := _checkout_gift_aid_record(request, target)):
                return refused
            outcome = services.order_pay(order=target, setup_intent_id=setup_intent_id)
            answer = {"status": outcome.status, "message": outcome.message, "client_secret": outcome.client_secret}
            if outcome.status == "declined":
                target.refresh_from_db()
                answer["setup_client_secret"] = services.order_checkout_start(order=target).client_secret
                offer = _gift_aid_offer(target, list(target.lines.all()))
                if offer and offer["added"]:  # the page swaps the filled-in declaration for this
                    answer["gift_aid_added"] = _("Gift Aid: added to your %(amount)s donation.") % {
                        "amount": offer["amount"]
                    }
        else:
            outcome = services.recurring_gift_start(gift=target, setup_intent_id=setup_intent_id)
            answer = {"status": outcome.status, "message": outcome.message, "client_secret": outcome.client_secret}
            target.refresh_from_db()
            if outcome.status == "declined" and target.status == RecurringGift.Status.PENDING:
                answer["setup_client_secret"] = services.recurring_gift_checkout_start(gift=target).client_secret
    except gateway.PaymentsUnavailable:
        return JsonResponse({"status": "unavailable", "message": UNAVAILABLE}, status=503)
    except ValidationError as error:
        return JsonResponse({"status": "error", "message": " ".join(error.messages)}, status=400)
    answer["next"] = done
    return JsonResponse(answer)


def checkout_done(request, token: str):
    """After paying: thanks, or "we are confirming", or back to the card form."""
    target = _checkout_target(token)
    tickets = []
    if isinstance(target, Order):
        paid = target.status in Order.PAID_STATES
        pending = (
            not paid
            and target.payments.filter(status__in=[Payment.Status.CREATED, Payment.Status.REQUIRES_ACTION]).exists()
        )
        donation_line = target.lines.filter(kind=OrderLine.Kind.DONATION).first()
        has_donation = donation_line is not None
        tickets = tickets_of_order(target)
    else:
        paid = target.status == RecurringGift.Status.ACTIVE
        pending = target.status == RecurringGift.Status.PENDING and bool(target.stripe_subscription_id)
        has_donation = True
    if not paid and not pending:
        return redirect("payments:checkout", token=token)
    context = {
        "paid": paid,
        "pending": pending,
        "target": target,
        "has_donation": has_donation,
        "token": token,
        "tickets": tickets,
    }
    if isinstance(target, Order):
        context["once"] = {
            "total": target.total_display,
            "donation": format_money(donation_line.amount_minor, target.currency) if donation_line else "",
            "gift_aid": bool(donation_line and donation_line.gift_aid_eligible),
        }
    if isinstance(target, RecurringGift):
        # What a monthly donor must be told: how much, when next, and how to stop it.
        context["monthly"] = {
            "amount": target.amount_display,
            "next_payment_on": recurring_gift_next_payment_on(target),
            "cancel_url": reverse("payments:gift_cancel", args=[cancel_token(target)]),
        }
    response = TemplateResponse(request, "payments/checkout_done.html", context)
    response["Cache-Control"] = "no-store"
    return response


# Monthly gift: cancel link ------------------------------------------------------------------


def gift_cancel(request, token: str):
    """GET: ask to confirm. POST: cancel the Stripe subscription and the gift."""
    gift = recurring_gift_for_token(token)
    if gift is None:
        raise Http404
    context = {"gift": gift, "token": token}
    status = 200
    if request.method == "POST" and gift.status != RecurringGift.Status.CANCELLED:
        try:
            gift = services.recurring_gift_cancel(gift=gift)
            context["gift"] = gift
        except gateway.PaymentsUnavailable:
            context["error"] = _(
                "We could not reach our card processor just now, so your gift is unchanged. "
                "Please try the link again in a few minutes."
            )
            status = 503
    response = TemplateResponse(request, "payments/gift_cancel.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
