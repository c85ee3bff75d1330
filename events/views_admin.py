"""Event staff pages in the Wagtail admin: the events dashboard, one event's sales,
approvals, payment at the door, cancelling an event, and the attendance CSV.

Every view checks the Event staff role itself (superusers pass). Attendees appear by
display name only, never by email address.
"""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.csv_export import csv_response
from core.listing import listing_page, search, search_text
from core.money import format_money
from events import selectors, services
from events.forms import AccessCodeBlockForm
from events.models import AccessCodeBlock, Registration
from events.views_codes import codes_csv
from events.views_door import staff_chapter_id, staff_event

Status = Registration.Status


def events(request):
    """Every event this person manages with its sales, upcoming first, a page at a time;
    searched by title."""
    chapter_id = staff_chapter_id(request)
    now = timezone.now()
    events = selectors.dashboard_order(now=now)
    if chapter_id is not None:
        events = events.filter(chapter_id=chapter_id)
    page = listing_page(request, search(events, request, ["title__icontains"]))
    rows = selectors.dashboard_events(event_ids=page.rows, now=now)
    return render(request, "events_admin/events.html", {"rows": rows, "page": page})


def event_detail(request, pk: int):
    event = staff_event(request, pk)
    total, by_type = selectors.event_sales(event=event)
    currency = event.currency
    people = selectors.with_people(Registration.objects.filter(event=event))
    pending = list(people.filter(status=Status.PENDING))
    reserved = list(people.filter(status=Status.RESERVED))
    page = listing_page(request, selectors.event_bookings(event=event, query=search_text(request)))
    return render(
        request,
        "events_admin/event.html",
        {
            "event": event,
            "total": total,
            "total_amount": format_money(total.amount_minor, currency),
            "by_type": [
                (ticket_type, sales, format_money(sales.amount_minor, currency)) for ticket_type, sales in by_type
            ],
            "waiting_list": selectors.waiting_list_summary(event=event),
            "pending": [(r, selectors.attendee_label(r)) for r in pending],
            "reserved": [(r, selectors.attendee_label(r), format_money(r.amount_minor, currency)) for r in reserved],
            "page": page,
            "bookings": [(r, selectors.attendee_label(r)) for r in selectors.registrations_in_order(page.rows)],
        },
    )


REGISTRATION_ACTIONS = {
    "approve": (services.registration_approve, gettext_lazy("Booking approved.")),
    "decline": (services.registration_decline, gettext_lazy("Booking declined; the place is free again.")),
}


@require_POST
def registration_action(request, pk: int, registration_pk: int):
    """Approve, decline, or mark paid at the door; then back to the event."""
    event = staff_event(request, pk)
    registration = get_object_or_404(Registration, pk=registration_pk, event=event)
    action = request.POST.get("action", "")
    try:
        if action == "paid_at_door":
            services.registration_confirm_paid(registration=registration, actor=request.user, at_door=True)
            messages.success(
                request, _("Ticket %(code)s marked paid at the door and confirmed.") % {"code": registration.code}
            )
        elif action in REGISTRATION_ACTIONS:
            service, done = REGISTRATION_ACTIONS[action]
            service(registration=registration, actor=request.user)
            messages.success(request, done)
        else:
            messages.error(request, _("Choose approve, decline or paid at the door."))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("events_admin:event", pk=event.pk)


def event_cancel(request, pk: int):
    """A confirmation page with a reason (sent to attendees); cancelling is POST only."""
    event = staff_event(request, pk)
    error = None
    reason = request.POST.get("reason", "").strip()[:1000]
    if request.method == "POST":
        if not reason:
            error = _("Write a short reason: it goes in the email to every attendee.")
        else:
            try:
                cancelled = services.event_cancel(event=event, actor=request.user, reason=reason)
            except ValidationError as exc:
                error = exc.messages[0]
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(title)s is cancelled. %(count)s booking cancelled; everyone is emailed.",
                        "%(title)s is cancelled. %(count)s bookings cancelled; everyone is emailed.",
                        len(cancelled),
                    )
                    % {"title": event.title, "count": len(cancelled)},
                )
                return redirect("events_admin:event", pk=event.pk)
    total, _by_type = selectors.event_sales(event=event)
    return render(
        request, "events_admin/cancel.html", {"event": event, "total": total, "error": error, "reason": reason}
    )


@require_POST
def door_key_rotate(request, pk: int):
    """Rotate the event's door signing key (a key that may have leaked): every ticket's QR
    code changes and each confirmed holder is emailed the new ticket."""
    event = staff_event(request, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm: every holder is emailed a new ticket."))
        return redirect("events_admin:event", pk=event.pk)
    services.door_key_rotate(event=event, actor=request.user)
    messages.success(
        request,
        _("New door key made. Tickets printed before now no longer pass the door; every holder is emailed a new one."),
    )
    return redirect("events_admin:event", pk=event.pk)


def attendance_csv(request, pk: int):
    """Ticket code, attendee name, ticket type, status, checked in at. No email addresses."""
    event = staff_event(request, pk)
    zone = ZoneInfo(event.time_zone)
    registrations = selectors.with_people(Registration.objects.filter(event=event)).order_by("created_at", "pk")
    rows = (
        [
            registration.code,
            selectors.attendee_label(registration),
            registration.ticket_type.name,
            registration.get_status_display(),
            registration.checked_in_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if registration.checked_in_at
            else "",
        ]
        for registration in registrations
    )
    return csv_response(
        f"event-{event.pk}-attendance.csv",
        [_("Ticket code"), _("Attendee"), _("Ticket type"), _("Status"), _("Checked in at")],
        rows,
    )


# Allocated places (access codes) ------------------------------------------------------------


def access_codes(request, pk: int):
    """Allocate a block of access codes to a partner, and the event's blocks with how many of
    their codes were used (never by whom), to revoke or download."""
    event = staff_event(request, pk)
    form = AccessCodeBlockForm(request.POST if request.method == "POST" else None, event=event)
    with timezone.override(event.time_zone):
        valid = request.method == "POST" and form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            services.access_code_block_create(
                event=event,
                partner=data["partner"],
                ticket_type=data["ticket_type"],
                places=data["places"],
                expires_at=data["expires_at"],
                actor=request.user,
            )
        except ValidationError as error:
            field = {"places": "places", "places_left": "places", "other_event": "ticket_type"}.get(
                error.code, "expires_at" if (error.code or "").startswith("expiry") else None
            )
            form.add_error(field, error.messages[0])
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s access code allocated to %(partner)s.",
                    "%(count)s access codes allocated to %(partner)s.",
                    data["places"],
                )
                % {"count": data["places"], "partner": data["partner"].name},
            )
            return redirect("events_admin:access_codes", pk=event.pk)
    now = timezone.now()
    blocks = [(block, block.is_valid_at(now)) for block in selectors.access_code_blocks(event=event)]
    return render(request, "events_admin/access_codes.html", {"event": event, "form": form, "blocks": blocks})


@require_POST
def access_codes_revoke(request, pk: int, block_id: int):
    event = staff_event(request, pk)
    block = get_object_or_404(AccessCodeBlock, pk=block_id, event=event)
    services.access_code_block_revoke(block=block, actor=request.user)
    messages.success(request, _("The codes are revoked: their unused places are back on sale."))
    return redirect("events_admin:access_codes", pk=event.pk)


def access_codes_csv(request, pk: int, block_id: int):
    event = staff_event(request, pk)
    block = get_object_or_404(AccessCodeBlock.objects.select_related("event"), pk=block_id, event=event)
    return codes_csv(request, block)
