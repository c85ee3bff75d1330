from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import Site

from cms.models import ChapterPage
from content_translation.templatetags.content_translation import localized_pages
from core.hooks import HOME_LISTINGS_HOOK
from core.page_cache import cached_until_published

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_pages(context):
    """Top-level pages marked 'show in menus', in tree order: [{pk, title, url}].

    Kept in the cache under the page-cache version, so it costs no query until something
    is published, moved or deleted (which bumps the version)."""
    request = context["request"]
    site = Site.find_for_request(request)
    if site is None:
        return []
    # In the reader's language: a page's translation where there is one, else the English page
    # under the reader's language prefix (content_translation), one query for the whole menu.
    return cached_until_published(
        f"menu:{site.pk}",
        lambda: [
            {"pk": page.pk, "title": page.title, "url": url}
            for page, url in localized_pages(site.root_page.get_children().live().public().in_menu(), request)
        ],
    )


@register.simple_tag
def protected_email(address: str):
    """An email address that robots harvesting pages cannot read but people can.

    The page holds the address reversed; CSS shows it the right way round, and a small
    script of ours turns it into a working link. Harvesters reading the HTML get nonsense.
    """
    if not address or "@" not in address:
        return ""
    return format_html('<span class="protected-email" data-reversed="{}">{}</span>', address[::-1], address[::-1])


@register.inclusion_tag("includes/home_listings.html", takes_context=True)
def home_listings(context):
    """Blocks that other apps add to the home page (upcoming courses, upcoming events).

    Apps register a hook `thrive_home_listings` returning a dict with `title`, `items`
    (objects with `title`, `url`, `when`) and `more_url`. Empty listings are not shown.
    """
    request = context["request"]
    listings = []
    for provider in hooks.get_hooks(HOME_LISTINGS_HOOK):
        listing = provider(request)
        if listing and listing.get("items"):
            listings.append(listing)
    return {"listings": listings}


@register.simple_tag(takes_context=True)
def chapter_page_link(context, chapter_slug: str):
    """A link to the page of the chapter a listing is filtered by, put next to the chapter
    filter ("" when there is no such page). The chapter pages' addresses are kept in the
    cache until the next publish: no query on an ordinary request."""
    request = context.get("request")
    if not chapter_slug or request is None:
        return ""
    site = Site.find_for_request(request)
    if site is None:
        return ""
    pages = cached_until_published(
        f"chapter-pages:{site.pk}:{translation.get_language()}",
        lambda: {
            page.chapter.slug: (page.title, page.get_url(request))
            for page in ChapterPage.objects.live().public().select_related("chapter").order_by("path")
        },
    )
    if chapter_slug not in pages:
        return ""
    title, url = pages[chapter_slug]
    label = _("%(title)s: team, events and contact") % {"title": title}
    return format_html('<p class="note chapter-link"><a href="{}">{}</a></p>', url, label)
