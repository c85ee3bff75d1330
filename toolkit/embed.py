"""The listing partners put on their own sites, and what the feeds list (issue 19). Reads only.

What is listed is what anyone may see on the site, and less: live pages without a view
restriction; events open to everyone (`Audience.PUBLIC`: events for members or for survivors
are booked by signed-in members, so a partner's visitors are not sent to them); courses with a
run still to start, except those staff enrol by invitation. No venue (an event may keep it for
confirmed attendees), no places left, no ticket types (so no hidden one), no person.

Filters are validated like the events listing's (events.listing.EventFilters): anything unknown
is dropped, never echoed, and never makes an error. What is built is kept in the cache until the
next publish (core.page_cache), per filter and language, for at most LISTING_SECONDS (an event
ending or a run starting changes the listing without a publish).
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone, translation
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from cms.models import PartnerOrganisation
from core.i18n import supported
from core.page_cache import cached_until_published
from events.listing import chapter_choices, public_events, with_dates
from events.models import Audience, EventDate, EventType
from training.models import CourseFormat, CoursePage, EnrolmentMode

EMBED_EVENTS = 20
EMBED_COURSES = 10
FEED_ITEMS = 50
LISTING_SECONDS = 300
COURSES = "course"
EVENTS = "event"
KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,32}")


def type_choices() -> list[tuple[str, str]]:
    """The "type" filter: events of any type, each event type, or courses."""
    return [(EVENTS, _("Events")), *EventType.choices, (COURSES, _("Courses"))]


@dataclass(frozen=True)
class EmbedFilters:
    chapter: str = ""
    kind: str = ""
    language: str = ""

    @classmethod
    def from_params(cls, params) -> "EmbedFilters":
        chapter, kind, language = params.get("chapter", ""), params.get("type", ""), params.get("language", "")
        return cls(
            chapter=chapter if chapter in dict(chapter_choices()) else "",
            kind=kind if kind in dict(type_choices()) else "",
            language=(supported(language) or "") if len(language) <= 16 else "",
        )

    @property
    def shows_events(self) -> bool:
        return self.kind != COURSES

    @property
    def shows_courses(self) -> bool:
        return self.kind in ("", COURSES)

    @property
    def event_type(self) -> str:
        return self.kind if self.kind in EventType.values else ""


def embed_origins(key: str) -> list[str] | None:
    """The origins registered for the partner whose listing key is `key`, or None when no
    partner has it. Kept until the next snippet save (a partner's save purges)."""
    if not KEY_SHAPE.fullmatch(key):
        return None  # never a key (new_embed_key makes URL-safe base64): no query, no cache key

    def build():
        partner = PartnerOrganisation.objects.filter(embed_key=key).only("embed_origins").first()
        return None if partner is None else partner.embed_origin_list()

    with translation.override(settings.LANGUAGE_CODE):  # one copy whatever the language
        return cached_until_published(f"embed-origins:{key}", build)


def embed_csp(origins: list[str]) -> dict:
    """The site's policy, with `frame-ancestors` naming only these origins ('none' without)."""
    return settings.SECURE_CSP | {"frame-ancestors": list(origins) or [CSP.NONE]}


def _absolute(page, request) -> str:
    """The page's address in the active language, absolute (the listing is read on other sites)."""
    parts = page.get_url_parts(request)
    path = parts[2] if parts else None
    return settings.SITE_URL.rstrip("/") + path if path else ""


def _next_dates(event, now: datetime) -> tuple[datetime, datetime, int]:
    """(start, end) of the event's next date not yet over, and how many of its dates follow."""
    dates = sorted([(event.starts_at, event.ends_at)] + [(d.starts_at, d.ends_at) for d in event.extra_dates.all()])
    shown = next((n for n, (_start, end) in enumerate(dates) if end >= now), 0)
    return dates[shown][0], dates[shown][1], len(dates) - shown - 1


def upcoming_events(*, request=None, chapter: str = "", event_type: str = "", now=None, limit: int = EMBED_EVENTS):
    """Upcoming events open to everyone, soonest first, as plain values: two queries."""
    now = now or timezone.now()
    events = public_events().filter(audience=Audience.PUBLIC).select_related("chapter")
    if chapter:
        events = events.filter(chapter__slug=chapter)
    if event_type:
        events = events.filter(event_type=event_type)
    still_to_come = Exists(EventDate.objects.filter(event=OuterRef("pk"), ends_at__gte=now))
    events = with_dates(events.filter(Q(ends_at__gte=now) | still_to_come).order_by("starts_at", "pk"))[:limit]
    listed = []
    for event in events:
        starts_at, ends_at, more_dates = _next_dates(event, now)
        listed.append(
            {
                "pk": event.pk,
                "title": event.title,
                "url": _absolute(event, request),
                "summary": event.summary,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "time_zone": event.time_zone,
                "all_day": event.all_day,
                "more_dates": more_dates,
                "online": event.online,
                "cancelled": event.cancelled,
                "type": str(event.get_event_type_display()),
                "chapter": event.chapter.name if event.chapter else "",
                "published_at": event.first_published_at or event.last_published_at or now,
                "updated_at": event.last_published_at or event.first_published_at or now,
            }
        )
    listed.sort(key=lambda item: (item["starts_at"], item["pk"]))
    return listed


def upcoming_courses(*, request=None, chapter: str = "", course_format: str = "", limit: int = EMBED_COURSES):
    """Courses with a run still to start (not by invitation), soonest run first: one query."""
    today = timezone.localdate()
    courses = (
        CoursePage.objects.live()
        .public()
        .exclude(enrolment_mode=EnrolmentMode.INVITATION)
        .select_related("chapter")
        .annotate(next_start=Min("cohorts__starts_on", filter=Q(cohorts__starts_on__gte=today)))
        .filter(next_start__isnull=False)
    )
    if chapter:
        courses = courses.filter(chapter__slug=chapter)
    if course_format in CourseFormat.values:
        courses = courses.filter(format=course_format)
    return [
        {
            "pk": course.pk,
            "title": course.title,
            "url": _absolute(course, request),
            "summary": course.summary,
            "next_start": course.next_start,
            "format": str(course.get_format_display()),
            "chapter": course.chapter.name if course.chapter else "",
            "published_at": course.first_published_at or course.last_published_at or timezone.now(),
            "updated_at": course.last_published_at or course.first_published_at or timezone.now(),
        }
        for course in courses.order_by("next_start", "path")[:limit]
    ]


def embed_listing(*, request, filters: EmbedFilters) -> dict:
    """What the embed shows for `filters`, in the active language."""

    def build() -> dict:
        return {
            "events": upcoming_events(request=request, chapter=filters.chapter, event_type=filters.event_type)
            if filters.shows_events
            else [],
            "courses": upcoming_courses(request=request, chapter=filters.chapter) if filters.shows_courses else [],
        }

    key = f"embed-listing:{filters.chapter}:{filters.kind}"
    return cached_until_published(key, build, timeout=LISTING_SECONDS)
