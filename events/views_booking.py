"""Attendee pages: booking, the waiting list, offers, the ticket page (self-service), My
bookings and the personal bookings calendar. Each view parses input, calls one service and
redirects or renders.

Ticket and offer pages are reached from signed links (see `events.links`); a forged or
outdated link answers 404. They are never cached and never indexed.
"""

import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import CalendarFeed  # moved by train; train rewrites the feed views
from accounts.tokens import new_token, token_hash
from core.email import user_wants_discretion
from core.forms import HONEYPOT_FIELD
from core.ical import calendar_response
from core.qr import qr_svg
from core.ratelimit import rate_limit_exceeded
from events import booking, documents, links, selectors, services
from events.emails import confirmation_after_commit
from events.forms import BookingForm, TransferForm, WaitingListForm
from events.models import EventPage, Registration
from events.occurrences import dates_text, moment_text
from events.prices import ticket_amount

NONCE_SECONDS = 3600
NONCE_WAIT_SECONDS = 5
SESSION_FEED_URL = "events_feed_url"
DONATION_NEEDS_PAID_TICKET = (
    "A donation can be added to paid tickets only. To give on its own, please use our donate page."
)
PAYMENT_NOT_AVAILABLE = (
    "Online payment is not available yet, so only places that cost nothing can be booked here for now. "
    "Please use the contact form to book a paid place."
)
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
        show_donation=booking.online_payment_available()
        and any(booking.needs_payment(o.ticket_type) for o in state.bookable),
        most_tickets=min(services.MAX_TICKETS_PER_BOOKING, max((o.places_left for o in state.bookable), default=1)),
        currency=state.currency or None,
        initial={"email": email, "nonce": secrets.token_urlsafe(24)},
    )
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
        "payments_available": booking.online_payment_available(),
        "payment_note": PAYMENT_NOT_AVAILABLE,
        "is_member": selectors.is_member(request.user),
    }
    return render(request, "events/booking/book.html", context, status=status)


@never_cache
def book(request, pk: int):
    event = _live_event(pk)
    state = booking.booking_state(event)
    if request.method != "POST":
        return _render_booking(request, event, state, *_forms(event, state, request))
    form, waiting_form = _forms(event, state, request, data=request.POST)
    if form.is_valid() and form.cleaned_data.get(HONEYPOT_FIELD):
        return render(request, "events/booking/received.html", {"event": event})  # a robot: nothing is booked
    if rate_limit_exceeded(
        request,
        scope=f"book:{event.pk}",
        limit=settings.FORM_RATE_LIMIT,
        window_seconds=settings.FORM_RATE_WINDOW_SECONDS,
    ):
        form.is_valid()
        form.add_error(
            None,
            "We have received several bookings from you just now, so we paused this form. "
            "Your answers are still below: please try again in 10 minutes.",
        )
        return _render_booking(request, event, state, form, waiting_form, status=429)
    if not form.is_valid():
        return _render_booking(request, event, state, form, waiting_form)
    key = _nonce_key(form.cleaned_data["nonce"])
    if not cache.add(key, "pending", timeout=NONCE_SECONDS):
        return _repeated_submission(request, event, state, form, waiting_form, key)
    try:
        registration, response = _book_places(request, event, state, form)
    except ValidationError as error:
        cache.delete(key)  # nothing was booked: the same form may be sent again
        _attach_error(form, error)
        return _render_booking(request, event, state, form, waiting_form)
    cache.set(key, registration.pk, timeout=NONCE_SECONDS)
    return response


def _attach_error(form, error: ValidationError) -> None:
    message = error.messages[0]
    code = getattr(error, "code", None) or (error.error_list[0].code if hasattr(error, "error_list") else None)
    field = None
    if "least you can pay" in message and "amount" in form.fields:
        field = "amount"
    elif code == "donation" and "donation" in form.fields:
        field = "donation"
    elif code == "quantity":
        field = "quantity"
    form.add_error(field, message)


def _repeated_submission(request, event, state, form, waiting_form, key):
    """The same form arrived again (a double click, a refresh): show the first booking."""
    deadline = time.monotonic() + NONCE_WAIT_SECONDS
    found = cache.get(key)
    while found == "pending" and time.monotonic() < deadline:
        time.sleep(0.1)
        found = cache.get(key)
    registration = Registration.objects.filter(pk=found).first() if isinstance(found, int) else None
    if registration is None:
        form.add_error(None, "This form was already sent and is still being processed. Please check your email.")
        return _render_booking(request, event, state, form, waiting_form)
    messages.info(request, "You had already sent this booking, so nothing new was booked. This is your ticket.")
    return redirect(links.ticket_path(registration))


def _checkout_or_release(request, registrations, *, donation_minor: int = 0) -> str:
    """The checkout address for held paid places (and any donation); when payments cannot
    take them, every hold is released at once (the places go back on sale) and the refusal
    is raised."""
    try:
        url = booking.checkout_url(request=request, registrations=registrations, donation_minor=donation_minor)
    except ValidationError:
        _release(registrations)
        raise
    if url is None:
        _release(registrations)
        raise ValidationError("Online payment could not be started. Nothing was charged: please try again later.")
    return url


def _release(registrations) -> None:
    for registration in registrations:
        services.registration_cancel(registration=registration)


def _chosen(options, pk: int):
    """The ticket type picked on a form whose choices were `options` (so it is among them)."""
    return next(option.ticket_type for option in options if option.ticket_type.pk == pk)


def _book_places(request, event, state, form):
    """Reserve the places (all or none), then go to the checkout or to the first ticket
    (whose page lists the others). Returns (first registration, response)."""
    data = form.cleaned_data
    ticket_type = _chosen(state.bookable, data["ticket_type"])
    amount = form.amount_minor() if ticket_type.pay_what_you_can else None
    donation_minor = form.donation_minor() if "donation" in form.fields else 0
    paid = ticket_amount(ticket_type, amount) > 0
    if paid and not booking.online_payment_available():
        raise ValidationError(PAYMENT_NOT_AVAILABLE)
    if donation_minor and not paid:
        raise ValidationError(DONATION_NEEDS_PAID_TICKET, code="donation")
    quantity = data.get("quantity") or 1
    try:
        registrations = services.registrations_reserve(
            event=event,
            ticket_type=ticket_type,
            email=data["email"],
            quantity=quantity,
            user=request.user,
            attendee_name=data["attendee_name"],
            amount_minor=amount,
        )
    except ValidationError as error:
        if quantity > 1 and "left for" in error.messages[0]:
            raise ValidationError(error.messages[0], code="quantity") from None
        raise
    first = registrations[0]
    if first.status == Status.RESERVED:
        response = redirect(_checkout_or_release(request, registrations, donation_minor=donation_minor))
    else:
        if first.status == Status.CONFIRMED:
            for registration in registrations:
                confirmation_after_commit(registration)
            if len(registrations) == 1:
                messages.success(request, "Your place is booked. We have emailed your ticket to you.")
            else:
                messages.success(
                    request, f"Your {len(registrations)} places are booked. We have emailed each ticket to you."
                )
        else:
            messages.success(request, "Your request is in. The events team will confirm your place by email.")
        response = redirect(links.ticket_path(first))
    return first, response


@never_cache
@require_POST
def waiting_list_join(request, pk: int):
    event = _live_event(pk)
    state = booking.booking_state(event)
    form, waiting_form = _forms(event, state, request, waiting_data=request.POST)
    if waiting_form.is_valid() and waiting_form.cleaned_data.get(HONEYPOT_FIELD):
        return render(request, "events/booking/received.html", {"event": event})
    if rate_limit_exceeded(
        request,
        scope=f"wait:{event.pk}",
        limit=settings.FORM_RATE_LIMIT,
        window_seconds=settings.FORM_RATE_WINDOW_SECONDS,
    ):
        waiting_form.is_valid()
        waiting_form.add_error(
            None, "We have received several requests from you just now. Please try again in 10 minutes."
        )
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
            waiting_form.add_error(None, error.messages[0])
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
            registration = services.waiting_list_accept(entry=entry)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            return _after_accept(request, registration)
    context = {
        "event": event,
        "entry": entry,
        "is_open": is_open,
        "error": error,
        "offered_until": moment_text(event, entry.offered_until),
        "dates": dates_text(event),
    }
    return render(request, "events/booking/offer.html", context)


def _after_accept(request, registration):
    if registration.status == Status.RESERVED:
        try:
            return redirect(_checkout_or_release(request, [registration]))
        except ValidationError as error:
            messages.error(request, f"{error.messages[0]} The offered place has gone back on sale.")
    else:
        messages.success(request, "The place is yours. We have emailed your ticket to you.")
    return redirect(links.ticket_path(registration))


# The ticket page (self-service) ----------------------------------------------------------


def _registration_or_404(token: str) -> Registration:
    registration = links.registration_from_token(token)
    if registration is None:
        raise Http404
    return registration


def _qr(code: str) -> str:
    return qr_svg(code, scale=5, title=f"Ticket code {code}")


holder_wants_discretion = documents.holder_wants_discretion


def ticket_page_context(registration, token: str, now=None) -> dict:
    now = now or timezone.now()
    event = registration.event
    confirmed = registration.status in (Status.CONFIRMED, Status.CHECKED_IN)
    changeable = (
        registration.status in (Status.PENDING, Status.RESERVED, Status.CONFIRMED)
        and not event.cancelled
        and now < selectors.self_service_deadline(event)
    )
    return {
        "registration": registration,
        "event": event,
        "token": token,
        "confirmed": confirmed,
        "dates": dates_text(event),
        "venue": event.venue if confirmed and not event.online else "",
        "online_link": event.online_link if confirmed and event.online else "",
        "qr_svg": mark_safe(_qr(registration.code)) if confirmed else "",  # noqa: S308 (segno's own SVG)
        "can_cancel": changeable,
        "can_transfer": changeable and registration.status == Status.CONFIRMED,
        "deadline": moment_text(event, selectors.self_service_deadline(event)),
        "discreet": (discreet := confirmed and holder_wants_discretion(registration)),
        "calendar_links": links.calendar_links(event, discreet=discreet) if confirmed else [],
        "started": now >= event.starts_at,
        "pay_now_url": booking.pending_checkout_url(registration),
        "booking_tickets": _booking_tickets(registration),
    }


def _booking_tickets(registration) -> list[dict]:
    """Every ticket of the booking, each with its own code, QR code, page and PDF; empty for
    a booking of one ticket."""
    together = selectors.booking_registrations(registration)
    if len(together) < 2:
        return []
    shown = []
    for number, other in enumerate(together, start=1):
        confirmed = other.status in (Status.CONFIRMED, Status.CHECKED_IN)
        token = links.ticket_token(other)
        shown.append(
            {
                "number": number,
                "registration": other,
                "current": other.pk == registration.pk,
                "confirmed": confirmed,
                "url": reverse("events:ticket", args=[token]),
                "pdf_url": reverse("events:ticket_pdf", args=[token]) if confirmed else "",
                "qr_svg": mark_safe(_qr(other.code)) if confirmed else "",  # noqa: S308 (segno's own SVG)
            }
        )
    return shown


@never_cache
def ticket(request, token: str):
    registration = _registration_or_404(token)
    context = ticket_page_context(registration, token) | {"transfer_form": TransferForm()}
    return render(request, "events/booking/ticket.html", context)


@never_cache
def ticket_cancel(request, token: str):
    """Cancelling asks first: a GET (or a POST without `confirm`) shows what cancelling does
    and a button that confirms it; only a POST with confirm=yes cancels."""
    registration = _registration_or_404(token)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            cancelled = services.registration_self_cancel(registration=registration)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            where = (
                "the place has been offered to the next person on the waiting list"
                if cancelled.place_offered
                else "the place is free again for someone else to book"
            )
            messages.success(request, f"Your booking is cancelled and {where}. Thank you for telling us.")
        return redirect("events:ticket", token=token)
    context = ticket_page_context(registration, token)
    if not context["can_cancel"]:
        return redirect("events:ticket", token=token)
    from events.for_payments import paid_online

    context["refund"] = paid_online(registration) and booking.online_payment_available()
    return render(request, "events/booking/cancel.html", context)


@never_cache
@require_POST
def ticket_transfer(request, token: str):
    registration = _registration_or_404(token)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            services.registration_transfer(
                registration=registration,
                email=form.cleaned_data["email"],
                attendee_name=form.cleaned_data["attendee_name"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            return render(request, "events/booking/transferred.html", {"event": registration.event})
    context = ticket_page_context(registration, token) | {"transfer_form": form}
    return render(request, "events/booking/ticket.html", context, status=200)


def _confirmed_or_404(token: str) -> Registration:
    registration = _registration_or_404(token)
    if registration.status not in (Status.CONFIRMED, Status.CHECKED_IN):
        raise Http404
    return registration


@never_cache
def ticket_pdf(request, token: str):
    registration = _confirmed_or_404(token)
    discreet = holder_wants_discretion(registration)
    response = HttpResponse(documents.ticket_pdf(registration, discreet=discreet), content_type="application/pdf")
    filename = documents.ticket_pdf_filename(registration, discreet=discreet)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def ticket_ics(request, token: str):
    registration = _confirmed_or_404(token)
    discreet = holder_wants_discretion(registration)
    return calendar_response(documents.ticket_ics(registration, discreet=discreet), "event.ics", private=True)


# My bookings and the personal calendar -------------------------------------------------


@login_required
def my_bookings(request):
    now = timezone.now()
    registrations = list(
        Registration.objects.filter(user=request.user)
        .exclude(status=Status.CANCELLED, event__ends_at__lt=now)
        .select_related("event", "ticket_type")
        .order_by("event__starts_at", "pk")
    )
    for registration in registrations:
        registration.ticket_link = links.ticket_path(registration)
    context = {
        "upcoming": [r for r in registrations if r.event.ends_at >= now],
        "past": [r for r in registrations if r.event.ends_at < now][::-1],
        "feed": CalendarFeed.objects.filter(user=request.user).first(),
        "new_feed_url": request.session.pop(SESSION_FEED_URL, None),
    }
    return render(request, "events/booking/my_bookings.html", context)


@login_required
@require_POST
def my_feed_manage(request):
    """Make (or replace) the private calendar address, or turn it off. One secret per person
    serves both this bookings calendar and the My learning calendar, so replacing or turning
    it off here does the same there."""
    CalendarFeed.objects.filter(user=request.user).delete()
    if request.POST.get("action") == "revoke":
        messages.success(request, "Your calendar addresses no longer work.")
    else:
        token, digest = new_token()
        CalendarFeed.objects.create(user=request.user, token_hash=digest)
        request.session[SESSION_FEED_URL] = request.build_absolute_uri(reverse("events:my_feed", args=[token]))
        messages.success(request, "Your private bookings calendar address is below. Keep it to yourself.")
    return redirect("events:my_bookings")


def my_feed(request, token: str):
    """A person's confirmed bookings. No sign-in (calendar apps cannot); the token is the key."""
    feed_row = get_object_or_404(CalendarFeed.objects.select_related("user"), token_hash=token_hash(token))
    user = feed_row.user
    if not user.is_active:
        raise Http404
    events = (
        EventPage.objects.live()
        .filter(
            registrations__user=user,
            registrations__status__in=[Status.CONFIRMED, Status.CHECKED_IN],
        )
        .distinct()
        .prefetch_related("extra_dates")
        .order_by("starts_at")
    )
    body = documents.bookings_calendar(events, name="My bookings", discreet=user_wants_discretion(user))
    return calendar_response(body, "my-bookings.ics", private=True)
