"""Booking pages: book places, join the waiting list, take a waiting-list offer. Each view
parses input, calls one service and redirects or renders; refusals are placed on the form by
their `ValidationError.code`.

Offer pages are reached from signed links (see `events.links`); a forged or outdated link
answers 404. They are never cached and never indexed.
"""

import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.guard import Verdict, guard_public_post, honeypot_filled, paused_message
from core.i18n import active_language
from core.ratelimit import attempts, client_key, count_attempt
from events import booking, links, selectors, services
from events.for_payments import pending_checkout_url
from events.forms import AccessCodeForm, BookingForm, WaitingListForm
from events.models import EventPage, Registration
from events.occurrences import dates_text, moment_text
from events.prices import needs_payment
from events.services import booking_place, waiting_list_offer_take
from newsletters.forms import add_keep_posted, keep_posted_ticked
from newsletters.models import Subscription
from newsletters.services.subscriptions import keep_posted_request

NONCE_SECONDS = 3600
NONCE_WAIT_SECONDS = 5
# Which form field a refusal belongs next to, by its code (else it is shown above the form).
ERROR_FIELDS = {"amount": "amount", "donation": "donation", "quantity": "quantity"}
Status = Registration.Status


def _live_event(pk: int) -> EventPage:
    return get_object_or_404(
        EventPage.objects.live().public().prefetch_related("extra_dates").select_related("chapter"),
        pk=pk,
    )


def _nonce_key(nonce: str) -> str:
    return f"events:booking-nonce:{nonce}"


def _forms(event, state, request, *, data=None, waiting_data=None):
    email = request.user.email if request.user.is_authenticated else ""
    book_form = BookingForm(
        data,
        ticket_choices=[(o.ticket_type.pk, o.label) for o in state.bookable],
        show_amount=any(o.ticket_type.pay_what_you_can for o in state.bookable),
        show_donation=any(needs_payment(o.ticket_type) for o in state.bookable),
        most_tickets=min(services.MAX_TICKETS_PER_BOOKING, max((o.places_left for o in state.bookable), default=1)),
        currency=state.currency or None,
        initial={"email": email, "nonce": secrets.token_urlsafe(24)},
    )
    add_keep_posted(book_form, language=active_language())  # unticked; only when the language has a list
    waiting_form = WaitingListForm(
        waiting_data,
        prefix="wait",
        ticket_choices=[(o.ticket_type.pk, o.label) for o in state.waitable],
        initial={"email": email},
    )
    return book_form, waiting_form


def _render_booking(request, event, state, book_form, waiting_form, *, status: int = 200):
    context = {
        "page": event,
        "event": event,
        "state": state,
        "form": book_form,
        "waiting_form": waiting_form,
        "dates": dates_text(event),
        "is_member": selectors.is_member(request.user),
    }
    return render(request, "events/booking/book.html", context, status=status)


def attach_error(form, error: ValidationError) -> None:
    """Show a service's refusal next to the field it is about (by its code), else above the form."""
    field = ERROR_FIELDS.get(getattr(error, "code", None) or "")
    form.add_error(field if field in form.fields else None, error.messages[0])


@never_cache
def book(request, pk: int):
    event = _live_event(pk)
    if request.method != "POST" and request.GET.get("code"):
        return book_with_code(request, pk)  # a link with the code in it, from a partner
    state = booking.booking_state(event)
    if request.method != "POST":
        return _render_booking(request, event, state, *_forms(event, state, request))
    form, waiting_form = _forms(event, state, request, data=request.POST)
    verdict = guard_public_post(request, form, scope=f"book:{event.pk}", what="bookings")
    if verdict is Verdict.ROBOT:
        return render(request, "events/booking/received.html", {"event": event})  # nothing is booked
    if verdict is Verdict.PAUSED:
        return _render_booking(request, event, state, form, waiting_form, status=429)
    if not form.is_valid():
        return _render_booking(request, event, state, form, waiting_form)
    key = _nonce_key(form.cleaned_data["nonce"])
    if not cache.add(key, "pending", timeout=NONCE_SECONDS):
        return _repeated_submission(request, event, state, form, waiting_form, key)
    data = form.cleaned_data
    try:
        booked = booking_place(
            event=event,
            ticket_type=_chosen(state.bookable, data["ticket_type"]),
            email=data["email"],
            quantity=data.get("quantity") or 1,
            user=request.user,
            attendee_name=data["attendee_name"],
            amount_minor=form.amount_minor() if "amount" in form.fields else None,
            donation_minor=form.donation_minor() if "donation" in form.fields else 0,
        )
    except ValidationError as error:
        cache.delete(key)  # nothing was booked: the same form may be sent again
        attach_error(form, error)
        return _render_booking(request, event, state, form, waiting_form)
    cache.set(key, booked.first.pk, timeout=NONCE_SECONDS)
    if keep_posted_ticked(form):  # double opt-in: an email asks them to confirm
        keep_posted_request(
            email=data["email"], language=active_language(), method=Subscription.Method.BOOKING, user=request.user
        )
    if booked.checkout_url:
        return redirect(booked.checkout_url)
    if booked.first.status == Status.CONFIRMED:
        count = len(booked.registrations)
        messages.success(
            request,
            _("Your place is booked. We have emailed your ticket to you.")
            if count == 1
            else ngettext(
                "Your %(count)s place is booked. We have emailed each ticket to you.",
                "Your %(count)s places are booked. We have emailed each ticket to you.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.success(request, _("Your request is in. The events team will confirm your place by email."))
    return redirect(links.ticket_path(booked.first))


# Access codes (allocated places) --------------------------------------------------------
# Wrong codes are counted per client across every event, so codes cannot be guessed: past
# the limit in the window, the client is paused (429) whatever it types.
WRONG_CODES = {"unknown_code", "other_event_code", "used_code", "revoked_code", "expired_code"}


def _code_key(request) -> str:
    return client_key(request, "access-code")


def _code_limit() -> int:
    return settings.ACCESS_CODE_RATE_LIMIT


@never_cache
def book_with_code(request, pk: int):
    """GET (`?code=` from a partner's link, or typed on the booking page): what the code
    unlocks and the form; POST: book the code's one place. A wrong code re-shows the form
    with why, and nothing is booked."""
    event = _live_event(pk)
    data = request.POST if request.method == "POST" else None
    form = AccessCodeForm(data, initial={"code": request.GET.get("code", "")})
    unlocked = None
    status = 200
    key = _code_key(request)
    if data is not None and honeypot_filled(form):
        return render(request, "events/booking/received.html", {"event": event})  # nothing is booked
    code = (data or request.GET).get("code", "").strip()
    if code and attempts(key) >= _code_limit():
        if not form.is_bound:
            return _render_code(request, event, form, None, status=429, code_error=paused_message("requests"))
        form.is_valid()
        form.add_error(None, paused_message("requests"))
        return _render_code(request, event, form, None, status=429)
    if code:
        try:
            unlocked = services.access_code_find(event=event, code=code).block.ticket_type
        except ValidationError as error:
            count_attempt(key, window_seconds=settings.FORM_RATE_WINDOW_SECONDS)
            if form.is_bound:
                form.is_valid()
                form.add_error("code", error.messages[0])
                return _render_code(request, event, form, None)
            return _render_code(request, event, form, None, code_error=error.messages[0])  # from a link
    if data is None or not form.is_valid():
        return _render_code(request, event, form, unlocked, status=status)
    try:
        booked = services.booking_with_code(
            event=event,
            code=form.cleaned_data["code"],
            email=form.cleaned_data["email"],
            user=request.user,
            attendee_name=form.cleaned_data["attendee_name"],
        )
    except ValidationError as error:
        if getattr(error, "code", None) in WRONG_CODES:
            count_attempt(key, window_seconds=settings.FORM_RATE_WINDOW_SECONDS)
            form.add_error("code", error.messages[0])
        else:
            form.add_error(None, error.messages[0])
        return _render_code(request, event, form, unlocked)
    if booked.checkout_url:
        return redirect(booked.checkout_url)
    if booked.first.status == Status.CONFIRMED:
        messages.success(request, _("Your place is booked. We have emailed your ticket to you."))
    else:
        messages.success(request, _("Your request is in. The events team will confirm your place by email."))
    return redirect(links.ticket_path(booked.first))


def _render_code(request, event, form, unlocked, *, status: int = 200, code_error: str = ""):
    context = {
        "page": event,
        "event": event,
        "form": form,
        "unlocked": unlocked,
        "code_error": code_error,
        "dates": dates_text(event),
    }
    return render(request, "events/booking/code.html", context, status=status)


def _repeated_submission(request, event, state, form, waiting_form, key):
    """The same form arrived again (a double click, a refresh): show the first booking."""
    deadline = time.monotonic() + NONCE_WAIT_SECONDS
    found = cache.get(key)
    while found == "pending" and time.monotonic() < deadline:
        time.sleep(0.1)
        found = cache.get(key)
    registration = Registration.objects.filter(pk=found).first() if isinstance(found, int) else None
    if registration is None:
        form.add_error(None, _("This form was already sent and is still being processed. Please check your email."))
        return _render_booking(request, event, state, form, waiting_form)
    # A paid place whose first answer was lost (a closed tab, a host gone): on to its payment,
    # as the first answer would have gone, while the place is held.
    if checkout := pending_checkout_url(registration):
        return redirect(checkout)
    messages.info(request, _("You had already sent this booking, so nothing new was booked. This is your ticket."))
    return redirect(links.ticket_path(registration))


def _chosen(options, pk: int):
    """The ticket type picked on a form whose choices were `options` (so it is among them)."""
    return next(option.ticket_type for option in options if option.ticket_type.pk == pk)


@never_cache
@require_POST
def waiting_list_join(request, pk: int):
    event = _live_event(pk)
    state = booking.booking_state(event)
    form, waiting_form = _forms(event, state, request, waiting_data=request.POST)
    verdict = guard_public_post(request, waiting_form, scope=f"wait:{event.pk}", what="requests")
    if verdict is Verdict.ROBOT:
        return render(request, "events/booking/received.html", {"event": event})
    if verdict is Verdict.PAUSED:
        return _render_booking(request, event, state, form, waiting_form, status=429)
    if waiting_form.is_valid():
        try:
            services.waiting_list_join(
                event=event,
                ticket_type=_chosen(state.waitable, waiting_form.cleaned_data["ticket_type"]),
                email=waiting_form.cleaned_data["email"],
                user=request.user,
            )
        except ValidationError as error:
            attach_error(waiting_form, error)
        else:
            return render(request, "events/booking/waiting.html", {"event": event})
    return _render_booking(request, event, state, form, waiting_form)


# Waiting-list offers ---------------------------------------------------------------------


@never_cache
def offer(request, token: str):
    entry = links.entry_from_token(token)
    if entry is None:
        raise Http404
    event = entry.event
    is_open = entry.status == entry.Status.OFFERED and entry.offered_until > timezone.now()
    error = None
    if request.method == "POST" and is_open:
        try:
            booked = waiting_list_offer_take(entry=entry, user=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            if booked.checkout_url:
                return redirect(booked.checkout_url)
            if booked.refusal:
                messages.error(
                    request,
                    _("%(refusal)s The offered place has gone back on sale.") % {"refusal": booked.refusal},
                )
            else:
                messages.success(request, _("The place is yours. We have emailed your ticket to you."))
            return redirect(links.ticket_path(booked.first))
    context = {
        "event": event,
        "entry": entry,
        "is_open": is_open,
        "error": error,
        "offered_until": moment_text(event, entry.offered_until),
        "dates": dates_text(event),
    }
    return render(request, "events/booking/offer.html", context)
