"""A whole-page cache for anonymous visitors of Wagtail pages.

Only responses that carry nothing personal are stored: GET/HEAD of a live Wagtail page,
by a visitor with no cookies but (at most) a CSRF cookie, answered 200 without setting a
cookie or using a CSRF token. Any publish, unpublish, move or delete of a page, and any
save of site settings or snippets that pages show, bumps one version number and so
retires every stored page at once (menus and listings make pages depend on each other).

A page that also shows something changing without a publish (an event's places left) names
a key it depends on (`depends_on`); the app bumps that key when the thing changes (`bump`),
which retires only the pages stored under an older value of it.
"""

from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

VERSION_KEY = "pagecache:version"
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
    """Retire every stored page that depends on `key` (see `depends_on`)."""
    try:
        cache.incr(_dependency_key(key))
    except ValueError:
        cache.set(_dependency_key(key), 2, timeout=None)


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
    """Retire every cached page. Safe to call from any process sharing the cache."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def versioned_lookup(key: str):
    """(value stored with `versioned_set`, or None if absent or stored before the last purge;
    the current version). One cache round trip."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY, 1)
    stored = found.get(key)
    return (stored[1] if stored is not None and stored[0] == version else None), version


def versioned_set(key: str, value, *, version: int, timeout: int | None = None) -> None:
    """Store `value` under the version read before it was built, so a purge that happens
    while it is being built leaves it already stale."""
    cache.set(key, (version, value), timeout)


def cached_until_published(key: str, build, timeout: int | None = None):
    """`build()`'s result, kept until the next purge (publish, unpublish, move, delete,
    settings save): for what changes only when staff publish (menus, settings, outlines, feeds)."""
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
    del Page  # imported to fail early if Wagtail's models are not ready


def _purge_on_page_delete(sender, instance, **kwargs):
    from wagtail.models import Page  # models: this module stays free of them (models modules import it)

    if isinstance(instance, Page):
        purge_all()


def _purge_on_content_save(sender, instance, **kwargs):
    """Snippets and settings that pages render carry `purges_page_cache = True`."""
    if getattr(sender, "purges_page_cache", False):
        purge_all()
