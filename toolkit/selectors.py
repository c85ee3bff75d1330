"""What a partner contact's home shows (issue 19): their organisation's co-hosted events and
courses with counts only. Never an attendee's or learner's identity: every figure here is a
count, and nothing returned holds a registration, an enrolment or a user."""

from django.db.models import Count, Q
from django.utils import timezone

from events.availability import places_left
from events.models import EventPage, Registration
from training.models import Cohort, CoursePage, Enrolment

PAST_EVENTS_SHOWN = 10


def _event_rows(events) -> list[dict]:
    rows = []
    for event in events:
        rows.append(
            {
                "page": event,
                "booked": event.booked,
                "checked_in": event.checked_in,
                "places_left": 0 if event.cancelled else places_left(event),
            }
        )
    return rows


def cohosted_events(organisation, now=None) -> dict:
    """{"upcoming": soonest first, "past": latest first (a few)}; each row a page and counts."""
    now = now or timezone.now()
    events = (
        EventPage.objects.live()
        .filter(partners=organisation)
        .annotate(
            booked=Count("registrations", filter=Q(registrations__status__in=Registration.HOLDS_PLACE)),
            checked_in=Count("registrations", filter=Q(registrations__status=Registration.Status.CHECKED_IN)),
        )
    )
    upcoming = events.filter(ends_at__gte=now).order_by("starts_at", "pk")
    past = events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:PAST_EVENTS_SHOWN]
    return {"upcoming": _event_rows(upcoming), "past": _event_rows(past)}


def cohosted_courses(organisation) -> list[dict]:
    """Each co-hosted course with its runs not yet over (soonest first) and their counts."""
    today = timezone.localdate()
    courses = list(CoursePage.objects.live().filter(partners=organisation).order_by("title"))
    cohorts = (
        Cohort.objects.filter(course__in=courses, ends_on__gte=today)
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.PLACE_TAKING)),
            completed=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.COMPLETED)),
        )
        .order_by("starts_on", "pk")
    )
    by_course: dict[int, list[dict]] = {}
    for cohort in cohorts:
        by_course.setdefault(cohort.course_id, []).append(
            {
                "name": cohort.name,
                "starts_on": cohort.starts_on,
                "ends_on": cohort.ends_on,
                "enrolled": cohort.enrolled,
                "completed": cohort.completed,
                "places_left": max(0, cohort.capacity - cohort.enrolled),
            }
        )
    return [{"page": course, "cohorts": by_course.get(course.pk, [])} for course in courses]


def cohosts(kind: str, pk: int, organisation) -> bool:
    """True if `organisation` co-hosts the live event or course `pk`."""
    model = {"event": EventPage, "course": CoursePage}.get(kind)
    return bool(model) and model.objects.live().filter(pk=pk, partners=organisation).exists()
