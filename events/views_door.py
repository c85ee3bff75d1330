"""Door check-in for Event staff: one phone-first page per event, and its JSON endpoint.

The page lives under /admin/ (outside the admin's layout) so the admin's rules hold: sign-in,
staff two-factor, and no third-party anything. It works without JavaScript (plain form
posts); `static/js/check-in.js` adds camera scanning and posts JSON to `check_in_scan`.

A flaky connection never counts anyone twice: the service row-locks the ticket, a second
scan only reports when it was first used, and a retried request (same `attempt` id) gets
the answer the first one got.
"""

import json
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from accounts.roles import EVENT_STAFF, scoped_to_chapter
from events import selectors, services
from events.models import EventPage, Registration
from events.occurrences import event_occurrences

ATTEMPT = re.compile(r"^[A-Za-z0-9-]{8,64}$")
ATTEMPT_SECONDS = 600


def staff_chapter_id(request) -> int | None:
    """Whose events this person manages: None for every event (Event staff, superusers), a
    chapter's id for a chapter organiser (another chapter's event answers 404); 403 for
    anyone else."""
    allowed, chapter_id = scoped_to_chapter(request.user, EVENT_STAFF)
    if not allowed:
        raise PermissionDenied
    return chapter_id


def staff_event(request, pk: int) -> EventPage:
    """The event, for those who manage it (staff_chapter_id)."""
    chapter_id = staff_chapter_id(request)
    events = EventPage.objects.all() if chapter_id is None else EventPage.objects.filter(chapter_id=chapter_id)
    return get_object_or_404(events, pk=pk)


def _local_time(event: EventPage, moment) -> str:
    local = moment.astimezone(ZoneInfo(event.time_zone))
    today = timezone.now().astimezone(ZoneInfo(event.time_zone)).date()
    if local.date() == today:
        return f"{local:%H:%M}"
    return _("%(time)s on %(day)s") % {"time": f"{local:%H:%M}", "day": dateformat.format(local, "j F")}


def _ticket(event: EventPage, registration: Registration) -> dict:
    return {
        "code": registration.code,
        "name": selectors.attendee_label(registration),
        "ticket_type": registration.ticket_type.name,
        "checked_in_at": _local_time(event, registration.checked_in_at) if registration.checked_in_at else "",
    }


EARLY_HOURS = 12


def off_day_note(event: EventPage, now=None) -> str:
    """A word for the door when a ticket is checked in well away from the event's dates: more
    than EARLY_HOURS before a date starts and not during or just after one. Check-in is still
    allowed then (as in pretix, whose check-in lists accept any time unless told otherwise)."""
    now = now or timezone.now()
    occurrences = event_occurrences(event)
    if any(
        o.starts_at - timedelta(hours=EARLY_HOURS) <= now <= o.ends_at + timedelta(hours=EARLY_HOURS)
        for o in occurrences
    ):
        return ""

    def when(moment) -> str:
        local = moment.astimezone(ZoneInfo(event.time_zone))
        return f"{dateformat.format(local, 'D j M Y H:i')} ({event.time_zone})"

    upcoming = [o for o in occurrences if o.starts_at > now]
    if upcoming:
        if len(upcoming) == len(occurrences):
            note = _("Note: this event starts on %(when)s.")
        else:
            note = _("Note: this event's next date starts on %(when)s.")
        return " " + note % {"when": when(upcoming[0].starts_at)}
    return " " + _("Note: this event ended on %(when)s.") % {"when": when(occurrences[-1].ends_at)}


def door_action(*, event: EventPage, code: str, action: str, actor) -> dict:
    """Check a ticket in (or undo it) and say what happened, in words for the door.
    Returns {"outcome": checked_in | already | undone | not_checked_in | refused, "message",
    "ticket"}."""
    code = code.strip()[:40]
    if not code:
        return {"outcome": "refused", "message": _("Type or scan a ticket code."), "ticket": None}
    try:
        if action == "undo":
            registration, changed = services.registration_check_in_undo(event=event, code=code, actor=actor)
        else:
            registration, changed = services.registration_check_in(event=event, code=code, actor=actor)
    except ValidationError as error:
        return {"outcome": "refused", "message": error.messages[0], "ticket": None}
    registration = selectors.with_people(Registration.objects).get(pk=registration.pk)
    ticket = _ticket(event, registration)
    name = f"{ticket['name']} ({ticket['ticket_type']})"
    if action == "undo":
        outcome = "undone" if changed else "not_checked_in"
        message = (_("Check-in undone: %(name)s.") if changed else _("%(name)s is not checked in.")) % {"name": name}
    elif changed:
        outcome, message = "checked_in", _("Checked in: %(name)s.") % {"name": name} + off_day_note(event)
    else:
        outcome = "already"
        message = _("Already checked in at %(time)s: %(name)s.") % {"time": ticket["checked_in_at"], "name": name}
    return {"outcome": outcome, "message": message, "ticket": ticket}


def _page_state(event: EventPage) -> dict:
    counts = selectors.check_in_counts(event=event)
    return {
        "counts": {"expected": counts["expected"], "in": counts["checked_in"]},
        "recent": [_ticket(event, r) for r in selectors.recent_check_ins(event=event)],
    }


def check_in(request, pk: int):
    """The page: scan or type a code, see the counts, undo. Form posts work without JS."""
    event = staff_event(request, pk)
    result = None
    if request.method == "POST":
        result = door_action(
            event=event, code=request.POST.get("code", ""), action=request.POST.get("action", ""), actor=request.user
        )
    query = request.GET.get("q", "").strip()
    matches = selectors.search_tickets(event=event, query=query) if query else []
    return render(
        request,
        "events/check_in.html",
        {
            "event": event,
            "result": result,
            "query": query,
            "matches": [(r, selectors.attendee_label(r)) for r in matches],
            **_page_state(event),
        },
    )


def check_in_scan(request, pk: int):
    """JSON in ({"code", "action": "check_in" | "undo", "attempt"}), JSON out: the outcome,
    the message, the ticket, the counts and the recent check-ins. CSRF-protected like any
    POST. A retried `attempt` gets the first answer (with fresh counts)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    event = staff_event(request, pk)
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return JsonResponse({"outcome": "refused", "message": _("That request was not understood.")}, status=400)
    attempt = str(payload.get("attempt", ""))
    key = f"events:door:{request.user.pk}:{event.pk}:{attempt}" if ATTEMPT.match(attempt) else None
    result = cache.get(key) if key else None
    if result is None:
        result = door_action(
            event=event,
            code=str(payload.get("code", "")),
            action=str(payload.get("action", "check_in")),
            actor=request.user,
        )
        if key:
            cache.set(key, result, ATTEMPT_SECONDS)
    return JsonResponse(result | _page_state(event))
