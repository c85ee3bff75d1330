"""Absolute links to our pages for PDFs and emails built outside a request."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

LINK_URLCONF = "config.link_urls"


def absolute(path: str) -> str:
    """The site's absolute URL of a path (one that starts with "/")."""
    return settings.SITE_URL.rstrip("/") + path


def absolute_url(viewname: str, *args) -> str:
    """The site's absolute URL of a page listed in `config.link_urls` (which the site's own
    URLconf mounts at its root, so the path is the one the site serves): a task worker that
    links only to these never loads the whole site's URLconf.

    In the language active (a PDF made in a member's language links to that language's page),
    prefixed as `config.urls`' `i18n_patterns` prefix it: English bare, others /<code>/."""
    path = reverse(viewname, args=args, urlconf=LINK_URLCONF)
    language = translation.get_language()
    if language and language != settings.LANGUAGE_CODE and language in dict(settings.LANGUAGES):
        path = f"/{language}{path}"
    return absolute(path)
