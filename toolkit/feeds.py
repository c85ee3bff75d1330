"""Atom and RSS 2.0 feeds (issue 19): upcoming events, courses with a run to come, and news
(the newsletter issues sent to a public list). In the language of the address (/vi/feeds/...):
our own words are translated, the content is as published.

They list what toolkit.embed lists (events open to everyone, no venue, no person) and, for news,
exactly what the public newsletter archive shows an anonymous visitor (newsletters.archive with
no user): never a members' or partners' issue, never an unsent one.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import formats, timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _

from cms.models import organisation_name
from core.page_cache import cached_until_published
from events.models import EventIndexPage
from newsletters.archive import archive_issues
from newsletters.models import NewsletterIndexPage
from toolkit.embed import FEED_ITEMS, LISTING_SECONDS, upcoming_courses, upcoming_events
from training.models import CourseIndexPage


def _absolute_path(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _index_url(model, request) -> str:
    """The listing page of `model` in the active language, or the home page."""
    index = model.objects.live().public().first()
    if index is None:
        return _absolute_path("/")
    parts = index.get_url_parts(request)
    return _absolute_path(parts[2]) if parts and parts[2] else _absolute_path("/")


class _Feed(Feed):
    """The request is the feed's object: titles name the organisation of the request's site."""

    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        return request

    def feed_url(self, request):
        return _absolute_path(request.path)

    def item_title(self, item):
        return item["title"]

    def item_link(self, item):
        return item["url"]

    def item_guid(self, item):
        return item["url"]

    def item_pubdate(self, item):
        return item["published_at"]

    def item_updateddate(self, item):
        return item["updated_at"]


class EventsFeed(_Feed):
    def title(self, request):
        return _("%(organisation)s: upcoming events") % {"organisation": organisation_name(request)}

    def subtitle(self, request):
        return _("Events open to everyone, soonest first.")

    description = subtitle

    def link(self, request):
        return _index_url(EventIndexPage, request)

    def items(self, request):
        return cached_until_published(
            "feed-events",
            lambda: upcoming_events(request=request, limit=FEED_ITEMS),
            timeout=LISTING_SECONDS,
        )

    def item_title(self, item):
        if item["cancelled"]:
            return _("Cancelled: %(title)s") % {"title": item["title"]}
        return item["title"]

    def item_description(self, item):
        starts = timezone.localtime(item["starts_at"], ZoneInfo(item["time_zone"]))
        if item["all_day"]:
            when = formats.date_format(starts, "DATE_FORMAT")
        else:
            when = f"{formats.date_format(starts, 'DATETIME_FORMAT')} {starts.tzname()}"
        where = _("Online") if item["online"] else _("In person")
        details = " · ".join(part for part in (when, item["type"], where, item["chapter"]) if part)
        return format_html("<p>{}</p><p>{}</p>", details, item["summary"])


class CoursesFeed(_Feed):
    def title(self, request):
        return _("%(organisation)s: courses") % {"organisation": organisation_name(request)}

    def subtitle(self, request):
        return _("Courses with a run starting soon.")

    description = subtitle

    def link(self, request):
        return _index_url(CourseIndexPage, request)

    def items(self, request):
        return cached_until_published(
            "feed-courses",
            lambda: upcoming_courses(request=request, limit=FEED_ITEMS),
            timeout=LISTING_SECONDS,
        )

    def item_description(self, item):
        starts = _("Next run starts %(date)s") % {"date": formats.date_format(item["next_start"], "DATE_FORMAT")}
        details = " · ".join(part for part in (starts, item["format"], item["chapter"]) if part)
        return format_html("<p>{}</p><p>{}</p>", details, item["summary"])


def _archive(request) -> NewsletterIndexPage | None:
    """The newsletter archive in the active language, else the first one (English)."""
    from content_translation.routing import content_language, locale_id  # routing imports Wagtail's views

    archives = NewsletterIndexPage.objects.live().public()
    wanted = locale_id(content_language())
    return archives.filter(locale_id=wanted).first() or archives.order_by("path").first()


def news_items(request) -> list[dict]:
    """The issues the public archive shows an anonymous visitor, newest first, as plain values."""
    archive = _archive(request)
    if archive is None:
        return []
    issues = []
    for issue in archive_issues(archive, None)[:FEED_ITEMS]:
        parts = issue.get_url_parts(request)
        sent = issue.sent_on or issue.last_published_at or timezone.now()
        issues.append(
            {
                "title": issue.title,
                "url": _absolute_path(parts[2]) if parts and parts[2] else "",
                "summary": issue.intro,
                "published_at": sent,
                "updated_at": sent,
            }
        )
    return [issue for issue in issues if issue["url"]]


class NewsFeed(_Feed):
    def title(self, request):
        return _("%(organisation)s: news") % {"organisation": organisation_name(request)}

    def subtitle(self, request):
        return _("Our newsletters, as sent.")

    description = subtitle

    def link(self, request):
        archive = _archive(request)
        parts = archive.get_url_parts(request) if archive else None
        return _absolute_path(parts[2]) if parts and parts[2] else _absolute_path("/")

    def items(self, request):
        return cached_until_published("feed-news", lambda: news_items(request), timeout=LISTING_SECONDS)

    def item_description(self, item):
        return format_html("<p>{}</p>", item["summary"])


class _Rss:
    feed_type = Rss201rev2Feed


class EventsRssFeed(_Rss, EventsFeed):
    pass


class CoursesRssFeed(_Rss, CoursesFeed):
    pass


class NewsRssFeed(_Rss, NewsFeed):
    pass
