"""What a shared link and a feed reader see of our pages (issue 19), in base.html's head.

- `{% open_graph %}`: `<meta name="description">` and Open Graph (og:title, og:description,
  og:url, og:type, og:site_name, og:locale, og:image when the page has a picture of ours) on
  every page built on base.html. No script, nothing fetched from elsewhere.
  Defaults: the title is the page's own `{% block title %}` (so every view has one without
  saying so twice); the description is the Wagtail page's search description, else its
  summary or introduction, else the site's (the home page's search description or hero text),
  else one plain sentence. og:url is the canonical address: the site's address and the path,
  without the query string. A template may override any of them:
  `{% block open_graph %}{% open_graph description=... %}{% endblock %}`, or a view through the
  context (`meta_description`, `og_title`, `og_type`, `og_image`).
- `{% feed_links %}`: `<link rel="alternate">` to the Atom and RSS feeds (toolkit.feeds) on the
  listing pages they mirror (events, courses, the newsletter archive) and the home page.
"""

import re
from html import unescape

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockNode
from django.utils import translation
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from cms.models import organisation_name
from core.page_cache import cached_until_published
from core.templatetags.i18n_tags import html_lang

register = template.Library()

DESCRIPTION_WORDS = 50
# Page fields that describe a page in a sentence or two, in the order they are tried.
DESCRIPTION_FIELDS = ("search_description", "summary", "intro", "hero_text")
OG_IMAGE_SPEC = "fill-1200x630"
ARTICLE_TYPES = {"newsletters.newsletterpage", "cms.standardpage"}
FEEDS_OF_PAGE = {
    "events.eventindexpage": ("events",),
    "training.courseindexpage": ("courses",),
    "newsletters.newsletterindexpage": ("news",),
    "cms.homepage": ("events", "courses", "news"),
}
FEED_TITLES = {
    "events": (lambda: _("Upcoming events")),
    "courses": (lambda: _("Courses")),
    "news": (lambda: _("News")),
}


def _plain(html_or_text) -> str:
    """One line of plain text from rendered HTML or a field (tags dropped, entities read)."""
    return re.sub(r"\s+", " ", unescape(strip_tags(str(html_or_text or "")))).strip()


def _rendered_block(context, name: str) -> str:
    """The text of the template's `{% block name %}` as the page renders it (its most derived
    version, `block.super` working as in the block itself)."""
    block_context = context.render_context.get(BLOCK_CONTEXT_KEY)
    if block_context is None:
        return ""
    block = block_context.pop(name)
    if block is None:
        return ""
    try:
        with context.push():
            node = BlockNode(block.name, block.nodelist)
            node.context = context
            context["block"] = node
            return _plain(node.nodelist.render(context))
    finally:
        block_context.push(name, block)


def _wagtail_page(context):
    page = context.get("page")
    return page if isinstance(page, Page) and page.pk else None


def _page_description(page) -> str:
    for field in DESCRIPTION_FIELDS:
        text = _plain(getattr(page, field, ""))
        if text:
            return text
    return ""


def _site_description(request) -> str:
    """The home page's search description or hero text, kept until the next publish."""
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return ""

    def build() -> str:
        home = site.root_page.specific
        return _page_description(home)

    return cached_until_published(f"og-site-description:{site.pk}", build)


def _own_image_url(url: str) -> str:
    """An absolute address for a picture of our own media (a path under MEDIA_URL, or the
    media storage's own absolute address); '' for anything else."""
    if not url:
        return ""
    if url.startswith(settings.MEDIA_URL) and not url.startswith("//"):
        return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url
    return ""


def _page_image(page) -> str:
    image = getattr(page, "hero_image", None)
    if image is None:
        return ""
    try:
        rendition = image.get_rendition(OG_IMAGE_SPEC)
    except OSError:  # wagtail.images.models.SourceImageIOError among them
        return ""  # the original is missing: no preview picture rather than an error page
    url = rendition.url
    if url.startswith(("http://", "https://")):
        return url  # the media storage's own address (a bucket or its CDN): our media
    return _own_image_url(url)


@register.simple_tag(takes_context=True)
def open_graph(context, title=None, description=None, type=None, image=None):  # noqa: A002 (Open Graph's word)
    request = context.get("request")
    page = _wagtail_page(context)
    site_name = getattr(context.get("site_settings"), "organisation_name", "") or organisation_name(request)

    title = _plain(title or context.get("og_title") or _rendered_block(context, "title"))
    if not title and page is not None:
        title = _plain(page.seo_title or page.title)
    title = title or site_name

    description = _plain(description or context.get("meta_description"))
    if not description and page is not None:
        description = _page_description(page)
    description = description or _site_description(request)
    description = description or _("Events, courses and news from %(organisation)s.") % {"organisation": site_name}
    description = Truncator(description).words(DESCRIPTION_WORDS)

    og_type = type or context.get("og_type")
    if not og_type:
        og_type = "article" if page is not None and page._meta.label_lower in ARTICLE_TYPES else "website"

    path = request.path if request is not None else "/"
    url = settings.SITE_URL.rstrip("/") + path

    image_url = _own_image_url(image or context.get("og_image") or "")
    if not image_url and page is not None:
        image_url = _page_image(page)

    locale = html_lang(translation.get_language() or settings.LANGUAGE_CODE).replace("-", "_")
    properties = [
        ("og:title", title),
        ("og:description", description),
        ("og:url", url),
        ("og:type", og_type),
        ("og:site_name", site_name),
        ("og:locale", locale),
    ]
    if image_url:
        properties.append(("og:image", image_url))
    return format_html(
        '<meta name="description" content="{}">\n  {}\n  <link rel="canonical" href="{}">',
        description,
        format_html_join("\n  ", '<meta property="{}" content="{}">', properties),
        url,
    )


@register.simple_tag(takes_context=True)
def feed_links(context) -> str:
    page = _wagtail_page(context)
    if page is None:
        return ""
    feeds = FEEDS_OF_PAGE.get(page.specific_class._meta.label_lower if page.specific_class else "", ())
    if not feeds:
        return ""
    return render_to_string(
        "toolkit/feed_links.html",
        {"feeds": [(name, FEED_TITLES[name]()) for name in feeds]},
    )
