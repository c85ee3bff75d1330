"""Ticket pages: the ticket page (self-service: cancel, pass on), the PDF ticket and its .ics,
My bookings and the personal bookings calendar. Each view parses input, calls one service and
redirects or renders.

Ticket pages are reached from signed links (see `events.links`); a forged or outdated link
answers 404. They are never cached and never indexed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.calendar import calendar_feed_of, calendar_feed_user
from core.email import user_wants_discretion
from core.i18n import language_of
from core.ical import calendar_response
from core.qr import qr_svg
from events import documents, door_tokens, links, selectors, services
from events.documents import viewer_wants_discretion
from events.for_payments import paid_online, pending_checkout_url
from events.forms import TransferForm
from events.models import Audience, EventPage, Registration
from events.occurrences import dates_text, moment_text

Status = Registration.Status


def _registration_or_404(token: str) -> Registration:
    registration = links.registration_from_token(token)
    if registration is None:
        raise Http404
    return registration


def _qr(registration) -> str:
    """The ticket's QR code: its signed door token (events.door_tokens), titled with its code."""
    return qr_svg(
        door_tokens.ticket_token(registration), scale=5, title=_("Ticket code %(code)s") % {"code": registration.code}
    )


def ticket_page_context(registration, token: str, viewer, now=None) -> dict:
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
        "qr_svg": mark_safe(_qr(registration)) if confirmed else "",  # noqa: S308 (segno's own SVG)
        "can_cancel": changeable,
        # A members' event's ticket is never passed on online (services.registration_transfer).
        "can_transfer": changeable and registration.status == Status.CONFIRMED and event.audience == Audience.PUBLIC,
        "members_ticket": event.audience != Audience.PUBLIC,
        "deadline": moment_text(event, selectors.self_service_deadline(event)),
        "discreet": (discreet := confirmed and viewer_wants_discretion(registration, viewer)),
        "calendar_links": links.calendar_links(event, discreet=discreet) if confirmed else [],
        "started": now >= event.starts_at,
        "pay_now_url": pending_checkout_url(registration),
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
                "qr_svg": mark_safe(_qr(other)) if confirmed else "",  # noqa: S308 (segno's own SVG)
            }
        )
    return shown


@never_cache
def ticket(request, token: str):
    registration = _registration_or_404(token)
    context = ticket_page_context(registration, token, request.user) | {"transfer_form": TransferForm()}
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
            messages.success(
                request,
                _(
                    "Your booking is cancelled and the place has been offered to the next person on the "
                    "waiting list. Thank you for telling us."
                )
                if cancelled.place_offered
                else _(
                    "Your booking is cancelled and the place is free again for someone else to book. "
                    "Thank you for telling us."
                ),
            )
        return redirect("events:ticket", token=token)
    context = ticket_page_context(registration, token, request.user)
    if not context["can_cancel"]:
        return redirect("events:ticket", token=token)
    context["refund"] = paid_online(registration)
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
    context = ticket_page_context(registration, token, request.user) | {"transfer_form": form}
    return render(request, "events/booking/ticket.html", context, status=200)


def _confirmed_or_404(token: str) -> Registration:
    registration = _registration_or_404(token)
    if registration.status not in (Status.CONFIRMED, Status.CHECKED_IN):
        raise Http404
    return registration


@never_cache
def ticket_pdf(request, token: str):
    registration = _confirmed_or_404(token)
    discreet = viewer_wants_discretion(registration, request.user)
    response = HttpResponse(documents.ticket_pdf(registration, discreet=discreet), content_type="application/pdf")
    filename = documents.ticket_pdf_filename(registration, discreet=discreet)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def ticket_ics(request, token: str):
    registration = _confirmed_or_404(token)
    discreet = viewer_wants_discretion(registration, request.user)
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
        "feed": calendar_feed_of(user=request.user),
    }
    return render(request, "events/booking/my_bookings.html", context)


def my_feed(request, token: str):
    """A person's confirmed bookings. No sign-in (calendar apps cannot); the token is the key.
    Reads only: the secret is made and replaced on the account's calendar page (accounts)."""
    user = calendar_feed_user(token=token)
    if user is None:
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
    with language_of(user):
        body = documents.bookings_calendar(events, name=_("My bookings"), discreet=user_wants_discretion(user))
    return calendar_response(body, "my-bookings.ics", private=True)
