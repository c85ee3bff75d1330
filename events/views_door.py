"""Door check-in for Event staff: one phone-first page per event, and its JSON endpoint.

The page lives under /admin/ (outside the admin's layout) so the admin's rules hold: sign-in,
staff two-factor, and no third-party anything. It works without JavaScript (plain form
posts); `static/js/check-in.js` adds camera scanning and posts JSON to `check_in_scan`.

Offline (issue 21): a service worker (`check_in_worker`, scoped to the page's folder) keeps a
shell of the page with no names in it (`check_in_shell`), the script, the styles and the QR
decoder. The page downloads `check_in_data` (the event's public key, cancelled ticket ids,
hashed codes; no names), checks the signed token in each QR code itself, queues scans in
IndexedDB and sends them to `check_in_sync` when the connection returns.

A flaky connection never counts anyone twice: the service row-locks the ticket, a second
scan only reports when it was first used, and a retried request (same `attempt` id) gets
the answer the first one got.
"""

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from accounts.roles import EVENT_STAFF, scoped_to_chapter
from events import door_tokens, selectors, services
from events.models import DoorScan, EventPage, Registration
from events.occurrences import event_occurrences
from events.services.door import SYNC_BATCH_LIMIT

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
            "duplicates": duplicate_reports(event),
            **_page_state(event),
        },
    )


def check_in_scan(request, pk: int):
    """JSON in ({"code", "action": "check_in" | "undo", "attempt"}, or {"token", "attempt"}
    for a scanned signed QR code), JSON out: the outcome,
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
        if payload.get("token"):
            result = token_action(event=event, token=str(payload["token"])[:200], actor=request.user)
        else:
            result = door_action(
                event=event,
                code=str(payload.get("code", "")),
                action=str(payload.get("action", "check_in")),
                actor=request.user,
            )
        if key:
            cache.set(key, result, ATTEMPT_SECONDS)
    return JsonResponse(result | _page_state(event))


# ---- The offline door (issue 21) ---------------------------------------------------------

TOKEN_REFUSALS = {
    "unreadable": lambda: _("This QR code is not a ticket of ours. Type the code printed under it instead."),
    "other_event": lambda: _("This ticket is for another event."),
    "signature": lambda: _(
        "This ticket's QR code is not signed with this event's current key: it may be altered, forged or "
        "replaced by a newer ticket. Ask for the ticket from the latest email, or type its code."
    ),
}


def token_action(*, event: EventPage, token: str, actor) -> dict:
    """Check in the ticket a scanned token names (door_action with its code), after checking
    the signature, the event and that the token is the ticket's current one."""
    try:
        read = door_tokens.token_read(token, event=event)
    except door_tokens.TokenRefused as refused:
        return {"outcome": "refused", "message": TOKEN_REFUSALS[refused.reason](), "ticket": None}
    registration = Registration.objects.filter(pk=read.ticket_id, event=event).first()
    key = door_tokens.active_key(event)
    if registration is None:
        return {"outcome": "refused", "message": _("No ticket has that code."), "ticket": None}
    if door_tokens.code_hash(key.salt, registration.code)[:4] != read.tag:
        return {
            "outcome": "refused",
            "message": _("This ticket was replaced (passed on to someone else or re-issued) and cannot be used."),
            "ticket": None,
        }
    return door_action(event=event, code=registration.code, action="check_in", actor=actor)


def _worker_assets() -> list[str]:
    return [
        static("js/check-in.js"),
        static("css/check-in.css"),
        static("vendor/jsqr/jsQR.js"),
        static("favicon.svg"),
    ]


def duplicate_reports(event: EventPage, limit: int = 10) -> list[str]:
    """Scans reported twice, newest first, in words for Event staff (names included)."""
    scans = (
        DoorScan.objects.filter(event=event, outcome=DoorScan.Outcome.DUPLICATE)
        .select_related("device", "first__device", "registration__ticket_type", "registration__user__member_profile")
        .order_by("-scanned_at", "-pk")[:limit]
    )
    return [duplicate_message(event, scan) for scan in scans]


def duplicate_message(event: EventPage, scan: DoorScan) -> str:
    registration = scan.registration
    first_at = scan.first.scanned_at if scan.first else registration.checked_in_at
    if scan.first:
        first = _("already in at %(time)s through door %(door)s") % {
            "time": _local_time(event, first_at),
            "door": scan.first.device.number,
        }
    else:
        first = _("already in at %(time)s (checked in online)") % {"time": _local_time(event, first_at)}
    return _("%(name)s: %(first)s; scanned again at %(time)s through door %(door)s.") % {
        "name": selectors.attendee_label(registration),
        "first": first,
        "time": _local_time(event, scan.scanned_at),
        "door": scan.device.number,
    }


def check_in_shell(request, pk: int):
    """The page as the service worker keeps it for offline use: no result, no recent
    check-ins, no search, so no name is ever stored on the device."""
    event = staff_event(request, pk)
    response = render(
        request,
        "events/check_in.html",
        {"event": event, "shell": True, "counts": {"expected": "–", "in": "–"}, "recent": [], "duplicates": []},
    )
    add_never_cache_headers(response)
    return response


def check_in_data(request, pk: int):
    """What the door needs to check tickets with no connection, as JSON: the event's public
    key, the ids of tickets that can no longer be used (cancelled, awaiting approval or
    payment), the usable tickets as [id, first 16 bytes of SHA-256(salt || code) in hex] (a
    typed code is hashed on the device and looked up here; the first 4 bytes are also the
    tag in the ticket's token, so a passed-on ticket's old QR code is refused), the ids
    already checked in, and a fresh CSRF token for syncing. No names, emails or ticket types."""
    event = staff_event(request, pk)
    key = door_tokens.active_key(event)
    Status = Registration.Status
    rows = Registration.objects.filter(event=event).values_list("pk", "code", "status")
    usable = (Status.CONFIRMED, Status.CHECKED_IN)
    response = JsonResponse(
        {
            "event": event.pk,
            "key": door_tokens.public_key_text(key),
            "salt": door_tokens.salt_text(key),
            "cancelled": sorted(pk for pk, _code, status in rows if status not in usable),
            "tickets": sorted(
                [pk, door_tokens.code_hash(key.salt, code)[:16].hex()] for pk, code, status in rows if status in usable
            ),
            "in": sorted(pk for pk, _code, status in rows if status == Status.CHECKED_IN),
            "generated_at": timezone.now().isoformat(),
            "csrf": get_token(request),
        }
    )
    add_never_cache_headers(response)
    return response


def _scan_moment(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def check_in_sync(request, pk: int):
    """JSON in: {"device": the device's random id, "scans": [{"id", "ticket", "at" (ms since
    1970)}]}; JSON out: each scan's outcome and message (duplicates name the first scan's
    time and door; names only here, to Event staff online), and the counts. Replay-safe: a
    scan id already received gets its first answer."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    event = staff_event(request, pk)
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        payload = None
    device = str(payload.get("device", "")) if isinstance(payload, dict) else ""
    raw = payload.get("scans") if isinstance(payload, dict) else None
    if not ATTEMPT.match(device) or not isinstance(raw, list):
        return JsonResponse({"message": _("That request was not understood.")}, status=400)
    scans = []
    for item in raw[:SYNC_BATCH_LIMIT]:
        if not isinstance(item, dict) or not ATTEMPT.match(str(item.get("id", ""))):
            continue
        try:
            ticket = int(item.get("ticket"))
        except (TypeError, ValueError):
            continue
        if not 0 < ticket < 2**63:
            continue
        scans.append({"id": str(item["id"]), "ticket": ticket, "at": _scan_moment(item.get("at"))})
    recorded = services.door_scans_sync(event=event, device_id=device, scans=scans, actor=request.user)
    results = []
    for scan in recorded:
        if scan.outcome == DoorScan.Outcome.DUPLICATE:
            scan = DoorScan.objects.select_related(
                "device", "first__device", "registration__ticket_type", "registration__user__member_profile"
            ).get(pk=scan.pk)
            message = duplicate_message(event, scan)
        elif scan.outcome == DoorScan.Outcome.REFUSED:
            message = _("A ticket scanned offline could not be checked in: it was cancelled or is not for this event.")
        else:
            message = ""
        results.append({"id": scan.scan_id, "ticket": scan.ticket_id, "outcome": scan.outcome, "message": message})
    return JsonResponse({"results": results} | _page_state(event))


def check_in_worker(request, pk: int):
    """The door's service worker, served from the page's folder so its scope covers the page."""
    event = staff_event(request, pk)
    config = {
        "event": event.pk,
        "page": reverse("events_admin:check_in", args=[event.pk]),
        "shell": reverse("events_admin:check_in_shell", args=[event.pk]),
        "assets": _worker_assets(),
    }
    config["version"] = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16]
    body = render(request, "events/check_in_worker.js", {"config": json.dumps(config).replace("<", "\\u003c")})
    response = HttpResponse(body.content, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("events_admin:check_in", args=[event.pk])
    add_never_cache_headers(response)
    return response


def check_in_manifest(request, pk: int):
    """The web app manifest that makes the door page installable (fetched with credentials)."""
    event = staff_event(request, pk)
    page = reverse("events_admin:check_in", args=[event.pk])
    manifest = {
        "name": _("Check-in: %(title)s") % {"title": event.title},
        "short_name": _("Check-in"),
        "start_url": page,
        "scope": page,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4f4a",
        "icons": [{"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(json.dumps(manifest), content_type="application/manifest+json")
