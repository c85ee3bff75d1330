"""A whole-page cache for anonymous visitors of Wagtail pages.

Only responses that carry nothing personal are stored: GET/HEAD of a live Wagtail page,
by a visitor with no cookies but (at most) a CSRF cookie, answered 200 without setting a
cookie or using a CSRF token. Any publish, unpublish, move or delete of a page, and any
save of site settings or snippets that pages show, bumps one version number and so
retires every stored page at once (menus and listings make pages depend on each other).

A page that also shows something changing without a publish (an event's places left) names
a key it depends on (`depends_on`); the app bumps that key when the thing changes (`bump`),
which retires only the pages stored under an older value of it.

**A cache outage.** The version number lives in the cache, so a publish made while Redis is
away cannot bump it; when Redis comes back (restarted from its saved data, or reachable again
after a network fault) it still holds the pages and the old number, and would serve them stale.
So every retirement is also counted in the database (`core.CacheGeneration`, one UPDATE per
publish), and what is stored is stamped with both numbers: the cache's (seen by every process at
once) and the database's. A process reads the database's number at most once every
PAGE_CACHE_GENERATION_CHECK_SECONDS, and at once after it has seen the cache fail or come back;
the first process to see Redis come back also bumps the cache's number (core.cache.on_reconnect).
A retirement the cache refused (a `bump` during an outage) is counted in the database too.
"""

import logging
import threading
import time
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import translation
from wagtail.signals import page_published, page_unpublished, post_page_move

from core import cache as cache_backends

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
GENERATION_NAME = "pages"
# The CSRF cookie alone carries nothing personal; any other cookie (session, messages,
# language) may change what the page shows, so such requests are never served from cache.
IGNORED_COOKIES = {settings.CSRF_COOKIE_NAME}


def mark_cacheable(request) -> None:
    """Called when Wagtail serves a live page; only such responses may be stored."""
    request.page_cache_allowed = True


def mark_not_cacheable(request) -> None:
    """Called by a page whose response must not be stored, e.g. one answering a query string
    it does not recognise (stored, such pages would let anyone fill the cache)."""
    request.page_cache_allowed = False


class DependentPage(NamedTuple):
    """A stored page with the values its dependency keys had before it was built."""

    response: object
    keys: dict[str, int]


def _dependency_key(key: str) -> str:
    return f"pagecache:depends:{key}"


def depends_on(request, key: str) -> None:
    """The page answering `request` also goes stale when `key` is bumped. Call it before
    reading what the key guards, so a change made while the page is built leaves it stale."""
    keys = getattr(request, "page_cache_keys", None)
    if keys is None:
        keys = request.page_cache_keys = {}
    keys[key] = cache.get(_dependency_key(key), 1)


def bump(key: str) -> None:
    """Retire every stored page that depends on `key` (see `depends_on`). When the cache cannot
    be told (Redis away), every stored page is retired through the database instead."""
    failures_before = cache_backends.failures()
    try:
        cache.incr(_dependency_key(key))
    except ValueError:
        cache.set(_dependency_key(key), 2, timeout=None)
    if cache_backends.failures() != failures_before:
        _generation_record()


def _still_fresh(stored):
    """The stored response, or None when a key it depends on was bumped since (one more
    cache round trip, for dependent pages only)."""
    if not isinstance(stored, DependentPage):
        return stored
    current = cache.get_many([_dependency_key(key) for key in stored.keys])
    if any(current.get(_dependency_key(key), 1) != value for key, value in stored.keys.items()):
        return None
    return stored.response


def purge_all(**_kwargs) -> None:
    """Retire every cached page. Safe to call from any process sharing the cache. Counted in the
    database too (in the caller's transaction, if any), so it holds through a cache outage."""
    _generation_record()
    _cache_version_bump()


def _cache_version_bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def versioned_lookup(key: str):
    """(value stored with `versioned_set`, or None if absent or stored before the last purge;
    the current version). One cache round trip, and now and then one query (`_generation`)."""
    found = cache.get_many([VERSION_KEY, key])
    version = (found.get(VERSION_KEY, 1), _generation())
    stored = found.get(key)
    return (stored[1] if stored is not None and stored[0] == version else None), version


def versioned_set(key: str, value, *, version: int, timeout: int | None = None) -> None:
    """Store `value` under the version read before it was built, so a purge that happens
    while it is being built leaves it already stale."""
    cache.set(key, (version, value), timeout)


class _KnownGeneration:
    """This process's copy of the database's count of retirements, and when it was read."""

    def __init__(self):
        self.lock = threading.Lock()
        self.value = 0
        self.read_at = float("-inf")
        self.cache_failures = -1
        self.cache_reconnections = -1


_known = _KnownGeneration()


def _generation() -> int:
    """The database's count of retirements as this process last read it; read again when
    PAGE_CACHE_GENERATION_CHECK_SECONDS have passed or the cache failed or came back since.
    0 when the setting is None (the test settings: tests that count queries stay exact)."""
    every = settings.PAGE_CACHE_GENERATION_CHECK_SECONDS
    if every is None:
        return 0
    failures, reconnections = cache_backends.failures(), cache_backends.reconnections()
    if (
        time.monotonic() - _known.read_at < every
        and failures == _known.cache_failures
        and reconnections == _known.cache_reconnections
    ):
        return _known.value
    with _known.lock:
        try:
            value = (
                apps.get_model("core", "CacheGeneration")
                .objects.filter(name=GENERATION_NAME)
                .values_list("value", flat=True)
                .first()
            )
        except DatabaseError as error:
            # The database away: keep the number last read and try again later; the page itself
            # will say whether it can be built.
            logger.warning("page cache: generation unreadable (%s)", type(error).__name__)
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()
            _known.read_at = time.monotonic()
            return _known.value
        _known.value = value or 0
        _known.read_at = time.monotonic()
        _known.cache_failures, _known.cache_reconnections = failures, reconnections
        return _known.value


def _generation_record() -> None:
    """Count one retirement in the database (in the caller's transaction, if any)."""
    if settings.PAGE_CACHE_GENERATION_CHECK_SECONDS is None:
        return
    generation = apps.get_model("core", "CacheGeneration")
    if not generation.objects.filter(name=GENERATION_NAME).update(value=F("value") + 1):
        # The row is made by migration core/0004; a flushed test database has none.
        _row, created = generation.objects.get_or_create(name=GENERATION_NAME, defaults={"value": 1})
        if not created:
            generation.objects.filter(name=GENERATION_NAME).update(value=F("value") + 1)
    _known.read_at = float("-inf")  # this process reads the new number at its next lookup


def _retire_after_cache_outage() -> None:
    """Redis is back: what it kept from before the outage may predate a publish made meanwhile,
    so retire it all for every process at once (a cold cache costs time, never correctness)."""
    _cache_version_bump()


def cached_until_published(key: str, build, timeout: int | None = None):
    """`build()`'s result, kept until the next purge (publish, unpublish, move, delete,
    settings save): for what changes only when staff publish (menus, settings, outlines, feeds).
    Kept once per interface language: what is built holds translated words and prefixed URLs."""
    key = f"{key}:{translation.get_language() or settings.LANGUAGE_CODE}"
    value, version = versioned_lookup(key)
    if value is None:
        value = build()
        versioned_set(key, value, version=version, timeout=timeout)
    return value


def _request_may_use_cache(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    return all(name in IGNORED_COOKIES for name in request.COOKIES)


def _response_may_be_stored(request, response) -> bool:
    return (
        getattr(request, "page_cache_allowed", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "no-store" not in response.get("Cache-Control", "")
        and "private" not in response.get("Cache-Control", "")
    )


def _page_key(request) -> str:
    return f"pagecache:page:{request.method}:{request.get_host()}:{request.get_full_path()}"


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = settings.PAGE_CACHE_SECONDS

    def __call__(self, request):
        if not self.timeout or not _request_may_use_cache(request):
            return self.get_response(request)
        page_key = _page_key(request)
        stored, version = versioned_lookup(page_key)
        response = _still_fresh(stored)
        if response is not None:
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _response_may_be_stored(request, response):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            keys = getattr(request, "page_cache_keys", None)
            stored = DependentPage(response, dict(keys)) if keys else response
            versioned_set(page_key, stored, version=version, timeout=self.timeout)
            response["X-Page-Cache"] = "miss"
        return response


def connect_purge_signals() -> None:
    from wagtail.models import Page  # models: this module stays free of them (models modules import it)

    page_published.connect(purge_all, dispatch_uid="pagecache_published")
    page_unpublished.connect(purge_all, dispatch_uid="pagecache_unpublished")
    post_page_move.connect(purge_all, dispatch_uid="pagecache_moved")
    post_delete.connect(_purge_on_page_delete, dispatch_uid="pagecache_deleted")
    post_save.connect(_purge_on_content_save, dispatch_uid="pagecache_content_saved")
    cache_backends.on_reconnect(_retire_after_cache_outage)
    del Page  # imported to fail early if Wagtail's models are not ready


def _purge_on_page_delete(sender, instance, **kwargs):
    from wagtail.models import Page  # models: this module stays free of them (models modules import it)

    if isinstance(instance, Page):
        purge_all()


def _purge_on_content_save(sender, instance, **kwargs):
    """Snippets and settings that pages render carry `purges_page_cache = True`."""
    if getattr(sender, "purges_page_cache", False):
        purge_all()
