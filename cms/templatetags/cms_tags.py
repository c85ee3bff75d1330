from django import template
from django.utils.html import format_html
from wagtail import hooks
from wagtail.models import Site

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
    return cached_until_published(
        f"menu:{site.pk}",
        lambda: [
            {"pk": page.pk, "title": page.title, "url": page.get_url(request)}
            for page in site.root_page.get_children().live().public().in_menu()
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
