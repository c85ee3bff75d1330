"""Serving Wagtail pages under a language prefix, with English as the fallback (issue 16).

/vi/about/ is routed in the Vietnamese tree (the translation of the site's root page and the
pages translated under it). A path that tree does not have is routed in the English tree, and
the English page is served under the same address, in the reader's interface language, with a
note saying the page is not yet available in their language (content_translation.templatetags).
When the English page found that way has a live translation elsewhere in the tree (an editor
gave it another slug), the reader is sent there instead.

Wagtail's own `serve` view does the rest (view restrictions, hooks, the page's `serve`): it
reads the route from `request._wagtail_route_for_request` when the request already has one
(`Page.route_for_request`), which is where this view puts it.

Where a path leads is kept in the cache under the page-cache version (any publish, unpublish,
move or delete bumps it), per site and language, so an ordinary request spends one query on
routing whatever the language: translated pages cost what English ones cost.
"""

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpResponseRedirect
from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site
from wagtail.url_routing import RouteResult

from core.page_cache import versioned_lookup, versioned_set


def content_language(code: str | None = None) -> str:
    """The content language (WAGTAIL_CONTENT_LANGUAGES) for an interface language code."""
    code = code or translation.get_language() or settings.LANGUAGE_CODE
    try:
        return get_supported_content_language_variant(code)
    except LookupError:
        return settings.LANGUAGE_CODE


def locale_codes(refresh: bool = False) -> dict[int, str]:
    """{locale id: language code}: read once per page-cache version."""
    key = "content-locales"
    value, version = versioned_lookup(key)
    if value is None or refresh:
        value = dict(Locale.objects.values_list("pk", "language_code"))
        versioned_set(key, value, version=version, timeout=settings.PAGE_CACHE_SECONDS)
    return value


def locale_id(code: str) -> int | None:
    for refresh in (False, True):  # a locale added since the codes were read: read them again
        for pk, language_code in locale_codes(refresh).items():
            if language_code == code:
                return pk
    return None


def _wagtail_route(request, roots: list[Page], components: list[str]):
    """Wagtail's own routing, tree by tree (pages that route sub-paths themselves)."""
    for root in roots:
        try:
            return root.specific.route(request, components)
        except Http404:
            continue
    return None


def _route(request, site: Site, code: str, components: list[str]):
    """(RouteResult or None, the address to send the reader to instead or None).

    Three queries whatever the language: the site's root page and its translation in the
    reader's language; the page at this path in either tree (the reader's language first),
    with whether it has a live translation in that language; its specific row."""
    wanted = locale_id(code)
    root_key = Page.objects.filter(pk=site.root_page_id).values("translation_key")[:1]
    roots = list(
        Page.objects.filter(translation_key=Subquery(root_key), live=True)
        .filter(Q(pk=site.root_page_id) | Q(locale_id=wanted))
        .only("pk", "url_path", "locale_id", "depth", "path", "content_type")
    )
    # The reader's tree first, then the English one.
    roots.sort(key=lambda root: (root.locale_id != wanted, root.pk != site.root_page_id))
    suffix = "".join(f"{component}/" for component in components)
    candidates = {root.url_path + suffix: n for n, root in enumerate(roots)}
    translated_elsewhere = Page.objects.filter(
        translation_key=OuterRef("translation_key"), locale_id=wanted, live=True
    ).exclude(pk=OuterRef("pk"))
    found = sorted(
        Page.objects.filter(url_path__in=list(candidates), live=True).annotate(translated=Exists(translated_elsewhere)),
        key=lambda page: candidates.get(page.url_path, len(candidates)),
    )
    if not found:
        result = _wagtail_route(request, roots, components)
        if result is None:
            return None, _address_in_another_tree(request, site, suffix)
        return result, None
    page = found[0]
    if page.locale_id != wanted and page.translated:
        translation_page = page.get_translation(wanted)
        return None, translation_page.get_url(request)
    return RouteResult(page.specific), None


def _address_in_another_tree(request, site: Site, suffix: str) -> str | None:
    """A path of another language's tree asked for in this language (the language switcher
    keeps the path: /vi/ve-chung-toi/ -> /ve-chung-toi/): the same page in this language, or
    its English page under this language's prefix. Only on a miss, so its queries do not count."""
    from content_translation.templatetags.content_translation import localized_pages

    root_key = Page.objects.filter(pk=site.root_page_id).values("translation_key")[:1]
    roots = Page.objects.filter(translation_key=Subquery(root_key)).values_list("url_path", flat=True)
    page = Page.objects.filter(url_path__in=[root + suffix for root in roots], live=True).first()
    if page is None:
        return None
    source = page.get_translation_or_none(locale_id(settings.LANGUAGE_CODE)) or page
    if not source.live:
        return None
    return localized_pages([source], request)[0][1] or None


def route_for_request(request, path: str):
    """Where `path` leads for this request's site and language: (RouteResult or None, address
    to redirect to or None)."""
    site = Site.find_for_request(request)
    if site is None:
        return None, None
    code = content_language()
    components = [component for component in path.split("/") if component]
    key = f"content-route:{site.pk}:{code}:{'/'.join(components)}"
    hit, version = versioned_lookup(key)
    if hit is not None:
        label, pk = hit
        page = apps.get_model(label)._default_manager.filter(pk=pk, live=True).first()
        if page is not None:
            return RouteResult(page), None
    result, redirect_to = _route(request, site, code, components)
    if result is not None and not result[1] and not result[2] and result[0].live:
        page = result[0]
        versioned_set(key, (page._meta.label, page.pk), version=version, timeout=settings.PAGE_CACHE_SECONDS)
    return result, redirect_to


def serve(request, path):
    result, redirect_to = route_for_request(request, path)
    if redirect_to:
        return HttpResponseRedirect(redirect_to)
    request._wagtail_route_for_request = result
    return wagtail_views.serve(request, path)


def content_language_of(page: Page) -> str:
    """The language a page's content is written in: its locale's, or for an alias (a page in
    another tree showing the same content) the locale of the page it shows."""
    codes = locale_codes()
    if page.alias_of_id:
        key = f"content-alias-locale:{page.alias_of_id}"
        value, version = versioned_lookup(key)
        if value is None:
            value = Page.objects.filter(pk=page.alias_of_id).values_list("locale_id", flat=True).first() or 0
            versioned_set(key, value, version=version, timeout=settings.PAGE_CACHE_SECONDS)
        return codes.get(value, settings.LANGUAGE_CODE)
    return codes.get(page.locale_id, settings.LANGUAGE_CODE)
