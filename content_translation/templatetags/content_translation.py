"""Content translation in templates (issue 16).

- `{% page_alternates %}` in the head: on a Wagtail page, a `<link rel="alternate" hreflang>`
  for each live translation of the page (and x-default: the English one), absolute addresses;
  on any other page, the interface-language alternates (core i18n_tags.language_alternates).
- `{% content_fallback_note %}`: on a page whose content is not in the reader's language (not
  translated yet, or an alias still showing English), a note in the reader's language.
- `{% content_lang_attrs [page or code] %}`: ` lang="en-GB" dir="ltr"` for each element holding
  such content (title, summary, body; never the interface around it, which follows <html lang
  dir>), so screen readers and browsers read it as English inside a Vietnamese or Arabic
  interface. `{% content_text value as v %}`: the same as a span, for a title inside one of
  our sentences. `{% interface_lang_attrs %}`: the reader's language again, for our words
  inside content (a StreamField block's button).
- `{% localized_pageurl page %}`: the page's address in the reader's language: its live
  translation if there is one, else the English page under the reader's language prefix
  (served with the note), so following a link keeps the reader in their language.

Each costs no query on an ordinary request: what they read is kept in the cache until the
next publish (core.page_cache), the same for every language.
"""

import re
from html import unescape

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import translate_url
from django.utils import translation
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from wagtail.models import Page

from content_translation.routing import content_language, content_language_of, locale_codes
from core.page_cache import cached_until_published
from core.templatetags.i18n_tags import html_lang, language_alternates

register = template.Library()


def _wagtail_page(context) -> Page | None:
    page = context.get("page")
    return page if isinstance(page, Page) and page.pk else None


def _site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def page_translations(page: Page, request=None) -> list[tuple[str, str]]:
    """[(language code, address relative to the site)] of the live translations of `page`
    (itself included; aliases left out: they show another language's content), English first."""

    def build():
        codes = locale_codes()
        found = []
        for translated in (
            Page.objects.filter(translation_key=page.translation_key, live=True, alias_of__isnull=True)
            .order_by("pk")
            .specific()
        ):
            code = codes.get(translated.locale_id)
            if code is None:
                continue
            url_parts = translated.get_url_parts(request)
            if url_parts is None or url_parts[2] is None:
                continue
            found.append((code, url_parts[2]))
        found.sort(key=lambda item: item[0] != settings.LANGUAGE_CODE)
        return found

    # The same for every interface language (each translation's address has its own prefix).
    with translation.override(settings.LANGUAGE_CODE):
        return cached_until_published(f"page-translations:{page.translation_key}", build)


@register.simple_tag(takes_context=True)
def page_alternates(context) -> str:
    page = _wagtail_page(context)
    if page is None:
        return language_alternates(context)
    translations = page_translations(page, context.get("request"))
    if not translations:
        return ""
    base = _site_url()
    links = [(html_lang(code), base + url) for code, url in translations]
    default = dict(translations).get(settings.LANGUAGE_CODE)
    if default is not None:
        links.append(("x-default", base + default))
    return format_html_join("\n  ", '<link rel="alternate" hreflang="{}" href="{}">', links)


def fallback_state(context) -> str | None:
    """The content's language code when a Wagtail page shows content in a language other than
    the reader's, else None. Worked out once per request."""
    request = context.get("request")
    page = _wagtail_page(context)
    if page is None:
        return None
    cache_attr = "_content_fallback_language"
    if request is not None and hasattr(request, cache_attr):
        return getattr(request, cache_attr)
    content_code = content_language_of(page)
    state = content_code if content_code != content_language() else None
    if request is not None:
        setattr(request, cache_attr, state)
    return state


@register.simple_tag(takes_context=True)
def content_fallback_note(context) -> str:
    if fallback_state(context) is None:
        return ""
    code = translation.get_language() or settings.LANGUAGE_CODE
    return render_to_string(
        "content_translation/fallback_note.html",
        {
            "language_name": dict(settings.LANGUAGES).get(code, code),
            "lang": html_lang(code),
            "dir": "rtl" if translation.get_language_bidi() else "ltr",
        },
    )


def _lang_attrs(code: str) -> str:
    direction = "rtl" if code.split("-")[0] in settings.LANGUAGES_BIDI else "ltr"
    return format_html(' lang="{}" dir="{}"', html_lang(code), direction)


def _content_code(context, source) -> str | None:
    """The language of `source`'s content when it is not the reader's, else None. `source`:
    None (the page being shown), a Wagtail page (a page listed or linked), "source" (the source
    language, English: pages never translated, events and courses, listed as plain items), or a
    language code."""
    if source is None:
        return fallback_state(context)
    if isinstance(source, Page):
        code = content_language_of(source)
    elif source == "source":
        code = settings.LANGUAGE_CODE
    else:
        code = str(source)
    return code if code != content_language() else None


@register.simple_tag(takes_context=True)
def content_lang_attrs(context, source=None) -> str:
    """Attributes for an element holding CONTENT (title, summary, body...) only, never for the
    interface around it: `{% content_lang_attrs %}` for the page being shown,
    `{% content_lang_attrs other_page %}` for another page's title/summary in a listing,
    `{% content_lang_attrs "source" %}` for items known to be in the source language (events
    and courses are never translated)."""
    code = _content_code(context, source)
    return "" if code is None else _lang_attrs(code)


@register.simple_tag(takes_context=True)
def content_text(context, value, source=None) -> str:
    """`value` (content) in a `<span lang dir>` when it is not in the reader's language, else
    just escaped: for a title inside a translated sentence,
    `{% content_text event.title as title %}{% blocktranslate with title=title %}`."""
    code = _content_code(context, source)
    if code is None:
        return conditional_escape(value)
    return format_html("<span{}>{}</span>", _lang_attrs(code), value)


@register.simple_tag(takes_context=True)
def interface_lang_attrs(context) -> str:
    """The reader's language again, for our own words inside an element marked as content
    (a StreamField block's button or note): "" when the page is not a fallback."""
    if fallback_state(context) is None:
        return ""
    return _lang_attrs(translation.get_language() or settings.LANGUAGE_CODE)


def localized_pages(pages, request=None) -> list[tuple[Page, str]]:
    """[(page to show, its address)] for `pages` in the reader's language: a page's live
    translation (title and address) where there is one, else the page itself under the reader's
    language prefix. One query whatever the language and however many pages (for menus)."""
    pages = list(pages)
    code = translation.get_language() or settings.LANGUAGE_CODE
    wanted = content_language(code)
    wanted_id = next((pk for pk, language_code in locale_codes().items() if language_code == wanted), None)
    translations = {
        translated.translation_key: translated
        for translated in Page.objects.filter(
            translation_key__in=[page.translation_key for page in pages], locale_id=wanted_id, live=True
        )
    }
    found = []
    for page in pages:
        translated = translations.get(page.translation_key)
        if translated is not None:
            found.append((translated, translated.get_url(request)))
            continue
        # The English address, resolved as English, reversed under the reader's prefix.
        with translation.override(settings.LANGUAGE_CODE):
            url = page.get_url(request)
            if url:
                url = translate_url(url, code)
        found.append((page, url))
    return found


def localized_url(page: Page, request=None) -> str:
    """`page`'s address in the active language (see the module's docstring)."""
    return cached_until_published(f"localized-url:{page.pk}", lambda: localized_pages([page], request)[0][1])


@register.simple_tag(takes_context=True)
def localized_pageurl(context, page) -> str:
    if page is None:
        return ""
    return localized_url(page, context.get("request"))


_SITE_LINK = re.compile(r'(<a\b[^>]*?\bhref=")(/(?!/)[^"]*)(")')


@register.filter
def localized_links(html):
    """Links to our own site's pages written as paths in content (`<a href="/membership/apply/">`
    in rich text) lead to the page in the reader's language: /ar/membership/apply/ for an Arabic
    reader. Paths already carrying a language prefix, and addresses outside the translated
    part of the site (documents, admin), are left as they are. No query."""
    code = translation.get_language() or settings.LANGUAGE_CODE
    if code == settings.LANGUAGE_CODE or not html:
        return html
    prefixes = tuple(f"/{language}/" for language, _name in settings.LANGUAGES)

    def replace(match):
        path = match.group(2)
        if path.startswith(prefixes):
            return match.group(0)
        with translation.override(settings.LANGUAGE_CODE):
            localized = translate_url(unescape(path), code)
        return match.group(1) + escape(localized) + match.group(3)

    return mark_safe(_SITE_LINK.sub(replace, str(html)))  # noqa: S308 (only hrefs of safe HTML change)
