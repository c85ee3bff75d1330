"""Reads for the public event listings: the event index page and the calendar feed.

Both run a fixed number of queries however many events there are (tests assert it): the
chapter list, the count and one page of events (chapter joined), and one query for the
further dates of that page's events.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import F, Min, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cms.models import Chapter, organisation_name
from core.page_cache import cached_until_published, versioned_lookup, versioned_set
from events.models import EventDate, EventPage, EventType

EVENTS_PER_PAGE = 12
WHERE_CHOICES = [("online", _("Online")), ("in-person", _("In person"))]
WHEN_CHOICES = [("upcoming", _("Upcoming")), ("past", _("Past"))]


@dataclass(frozen=True)
class EventFilters:
    """What a visitor asked for, validated: anything unknown is dropped, never echoed."""

    chapter: str = ""
    event_type: str = ""
    where: str = ""
    when: str = "upcoming"

    @classmethod
    def from_params(cls, params, *, chapter_slugs) -> "EventFilters":
        chapter = params.get("chapter", "")
        event_type = params.get("type", "")
        where = params.get("where", "")
        when = params.get("when", "")
        return cls(
            chapter=chapter if chapter in chapter_slugs else "",
            event_type=event_type if event_type in EventType.values else "",
            where=where if where in dict(WHERE_CHOICES) else "",
            when="past" if when == "past" else "upcoming",
        )

    @property
    def past(self) -> bool:
        return self.when == "past"

    def query(self, **extra) -> str:
        """The query string for these filters (defaults left out), plus `extra`."""
        pairs = {"chapter": self.chapter, "type": self.event_type, "where": self.where}
        pairs["when"] = "past" if self.past else ""
        pairs.update(extra)
        if pairs.get("page") == 1:
            pairs["page"] = ""
        return urlencode({name: value for name, value in pairs.items() if value})


def chapter_choices() -> list[tuple[str, str]]:
    """[(slug, name)] of every chapter, kept until the next publish (saving a chapter purges)."""
    return cached_until_published("events:chapters", lambda: list(Chapter.objects.values_list("slug", "name")))


def with_dates(events):
    """Events with their further dates (in order) in one extra query, whatever the count."""
    return events.prefetch_related(Prefetch("extra_dates", queryset=EventDate.objects.order_by("starts_at", "pk")))


def public_events():
    return EventPage.objects.live().public()


def _last_end():
    latest_extra = EventDate.objects.filter(event=OuterRef("pk")).order_by("-ends_at").values("ends_at")[:1]
    return Greatest(F("ends_at"), Coalesce(Subquery(latest_extra), F("ends_at")))


def _annotate_dates(events: list[EventPage], now: datetime, *, past: bool) -> None:
    """`shown_starts_at`: for upcoming listings the next date not yet over (a repeating event
    whose first date has passed shows its next one), else the first; `more_dates`: how many
    of its dates come after the one shown."""
    for event in events:
        dates = [(event.starts_at, event.ends_at)] + [(d.starts_at, d.ends_at) for d in event.extra_dates.all()]
        dates.sort()
        shown = 0
        if not past:
            shown = next((n for n, (_start, end) in enumerate(dates) if end >= now), 0)
        event.shown_starts_at = dates[shown][0]
        event.more_dates = len(dates) - shown - 1


@dataclass
class ListingPage:
    """One page of the listing, as plain values (it is kept in the cache)."""

    events: list
    number: int
    num_pages: int
    count: int
    valid_until: datetime | None  # the next end of a listed date: then the listing changes

    def __iter__(self):
        return iter(self.events)

    def __bool__(self):
        return bool(self.events)

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1


def _matching(index, filters: EventFilters):
    events = public_events().child_of(index)
    if filters.chapter:
        events = events.filter(chapter__slug=filters.chapter)
    if filters.event_type:
        events = events.filter(event_type=filters.event_type)
    if filters.where:
        events = events.filter(online=filters.where == "online")
    return events


def _build_listing_page(index, filters: EventFilters, page_number, now: datetime) -> ListingPage:
    """Three queries: count, the page of events (chapter joined), their further dates; and
    one more for when the listing next changes by itself (a listed date ending)."""
    matching = _matching(index, filters)
    events = matching.select_related("chapter").annotate(last_ends_at=_last_end())
    if filters.past:
        events = events.filter(last_ends_at__lt=now).order_by("-starts_at", "pk")
    else:
        events = events.filter(last_ends_at__gte=now).order_by("starts_at", "pk")
    page: PaginatorPage = Paginator(with_dates(events), EVENTS_PER_PAGE).get_page(page_number)
    listed = list(page.object_list)
    _annotate_dates(listed, now, past=filters.past)
    next_end = min(
        [end for end in matching.filter(ends_at__gte=now).aggregate(end=Min("ends_at")).values() if end]
        + [
            end
            for end in EventDate.objects.filter(event__in=matching.values("pk"), ends_at__gte=now)
            .aggregate(end=Min("ends_at"))
            .values()
            if end
        ],
        default=None,
    )
    return ListingPage(listed, page.number, page.paginator.num_pages, page.paginator.count, next_end)


def listing_page(*, index, filters: EventFilters, page_param: str, now: datetime) -> ListingPage:
    """A page of the listing, kept in the cache until the next publish (or cancellation) and
    no later than the moment one of its dates ends, so signed-in visitors, whom the page
    cache never serves, get it without querying for it either."""
    page_number = int(page_param) if page_param.isdigit() and len(page_param) <= 4 else 1
    key = f"events:listing:{index.pk}:{translation.get_language()}:{filters.query()}:{page_number}"
    found, version = versioned_lookup(key)
    if found is not None and (found.valid_until is None or found.valid_until > now):
        return found
    page = _build_listing_page(index, filters, page_number, now)
    versioned_set(key, page, version=version, timeout=settings.PAGE_CACHE_SECONDS or 600)
    return page


def event_listing(*, index, params, now: datetime | None = None) -> dict:
    """The context of the event index: one page of events matching validated filters,
    upcoming (soonest first; an event counts until its last date is over) or past (latest
    first), with pagination links that keep the filters."""
    now = now or timezone.now()
    chapters = chapter_choices()
    filters = EventFilters.from_params(params, chapter_slugs={slug for slug, _name in chapters})
    page = listing_page(index=index, filters=filters, page_param=params.get("page", ""), now=now)
    return {
        "events": page,
        "filters": filters,
        "past": filters.past,
        "chapters": chapters,
        "event_types": EventType.choices,
        "where_choices": WHERE_CHOICES,
        "when_choices": WHEN_CHOICES,
        "upcoming_url": "?" + filters.query(when="", page=""),
        "past_url": "?" + filters.query(when="past", page=""),
        "previous_url": "?" + filters.query(page=page.number - 1) if page.number > 1 else "",
        "next_url": "?" + filters.query(page=page.number + 1) if page.number < page.num_pages else "",
        "cacheable": _is_bounded(params, filters, page.number),
    }


def _is_bounded(params, filters: EventFilters, page_number: int) -> bool:
    """Whether the query string only holds what the filter form and the pagination links
    send (each name once; a value either empty or the valid one). Only such responses may go
    in the page cache, so made-up query strings cannot fill it."""
    valid = {
        "chapter": filters.chapter,
        "type": filters.event_type,
        "where": filters.where,
        "when": filters.when,
        "page": str(page_number),
    }
    for name, values in params.lists():
        if name not in valid or len(values) != 1 or values[0] not in ("", valid[name]):
            return False
    return True


def feed_events(*, chapter: str = "", event_type: str = ""):
    """Every published public event for the feed, soonest first, with its further dates."""
    events = public_events().order_by("starts_at", "pk")
    if chapter:
        events = events.filter(chapter__slug=chapter)
    if event_type:
        events = events.filter(event_type=event_type)
    return with_dates(events)


def public_feed_body(*, request, chapter: str = "", event_type: str = "") -> bytes | None:
    """The public calendar feed, filtered by a chapter slug and an event type, kept in the
    cache until the next publish, unpublish, move, delete or cancellation. None when the
    chapter or type does not exist (so made-up filters cannot fill the cache)."""
    if (chapter and chapter not in dict(chapter_choices())) or (event_type and event_type not in EventType.values):
        return None

    def build() -> bytes:
        # Imported here: icalendar is large, and the chapter pages and task workers that import
        # this module for its listings never build a feed.
        from events.ical import events_calendar

        return events_calendar(
            feed_events(chapter=chapter, event_type=event_type),
            name=str(_("%(organisation)s events") % {"organisation": organisation_name()}),
            base_url=settings.SITE_URL,
            # With the request, Wagtail reads the site roots once, not once per event.
            path_of=lambda event: (event.get_url_parts(request) or (None, None, ""))[2],
        )

    return cached_until_published(f"events-feed:{chapter}:{event_type}", build)
