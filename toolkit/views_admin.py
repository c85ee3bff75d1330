"""Posters and leaflets for staff (issue 19): any event or course, and the membership
invitation, from the admin (Posters and leaflets in the menu, and "Posters and leaflets" in the
more menu of an event's or course's edit screen). Editors, Event staff, Trainers and
Communications; checked here."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.roles import COMMUNICATIONS, EDITORS, EVENT_STAFF, TRAINERS, role_required
from events.models import EventPage
from toolkit import posters
from toolkit.views_home import checked_subject, poster_response
from training.models import CoursePage

POSTER_ROLES = (EDITORS, EVENT_STAFF, TRAINERS, COMMUNICATIONS)
LISTED = 50


def _admin_url(kind, pk, size, variant) -> str:
    return reverse("toolkit_admin:download", args=[kind, pk, size, variant])


def _row(kind, page) -> dict:
    return {"page": page, "downloads": posters.downloads(posters.Subject(kind, page), _admin_url)}


@role_required(*POSTER_ROLES)
@require_safe
def poster_index(request):
    events = EventPage.objects.live().filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")[:LISTED]
    courses = CoursePage.objects.live().order_by("title")[:LISTED]
    return render(
        request,
        "toolkit_admin/posters.html",
        {
            "events": [_row(posters.EVENT, event) for event in events],
            "courses": [_row(posters.COURSE, course) for course in courses],
            "membership": posters.downloads(posters.Subject(posters.MEMBERSHIP), _admin_url),
        },
    )


@role_required(*POSTER_ROLES)
@require_safe
def poster_subject(request, kind: str, pk: int):
    subject = checked_subject(kind, pk, posters.POSTER, posters.STANDARD)
    return render(
        request,
        "toolkit_admin/poster_subject.html",
        {"subject": subject, "downloads": posters.downloads(subject, _admin_url)},
    )


@role_required(*POSTER_ROLES)
@require_safe
def poster_download(request, kind: str, pk: int, size: str, variant: str):
    return poster_response(checked_subject(kind, pk, size, variant), size, variant)
