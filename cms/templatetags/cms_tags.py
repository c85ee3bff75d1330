from django import template
from django.utils.html import format_html
from wagtail import hooks
from wagtail.models import Site

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_pages(context):
    """Top-level pages marked 'show in menus', in tree order."""
    request = context["request"]
    site = Site.find_for_request(request)
    if site is None:
        return []
    return list(site.root_page.get_children().live().public().in_menu().specific())


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
    for provider in hooks.get_hooks("thrive_home_listings"):
        listing = provider(request)
        if listing and listing.get("items"):
            listings.append(listing)
    return {"listings": listings}
