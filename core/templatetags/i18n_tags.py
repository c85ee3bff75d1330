"""The language switcher and the hreflang alternates on every page (core.i18n)."""

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html_join

from core.i18n import alternate_urls

register = template.Library()


@register.filter
def html_lang(code: str) -> str:
    """A Django language code as HTML's `lang` wants it: "en-gb" -> "en-GB"."""
    language, _, region = (code or settings.LANGUAGE_CODE).partition("-")
    return f"{language}-{region.upper()}" if region else language


@register.simple_tag(takes_context=True)
def language_alternates(context) -> str:
    """<link rel="alternate" hreflang> for this page in every interface language, and
    x-default (English), as absolute addresses."""
    request = context.get("request")
    if request is None or getattr(request, "resolver_match", None) is None:
        return ""
    base = settings.SITE_URL.rstrip("/")
    urls = alternate_urls(request)
    links = [(html_lang(code), base + url) for code, _name, url in urls]
    links.append(("x-default", base + urls[0][2]))
    return format_html_join("\n  ", '<link rel="alternate" hreflang="{}" href="{}">', links)


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context) -> dict:
    request = context.get("request")
    if request is None or getattr(request, "resolver_match", None) is None:
        return {"languages": []}
    current = translation.get_language()
    return {
        "languages": [
            {"code": code, "lang": html_lang(code), "name": name, "url": url, "current": code == current}
            for code, name, url in alternate_urls(request)
        ]
    }
