"""Absolute links to our pages for PDFs and emails built outside a request."""

from django.conf import settings
from django.urls import reverse

LINK_URLCONF = "config.link_urls"


def absolute(path: str) -> str:
    """The site's absolute URL of a path (one that starts with "/")."""
    return settings.SITE_URL.rstrip("/") + path


def absolute_url(viewname: str, *args) -> str:
    """The site's absolute URL of a page listed in `config.link_urls` (which the site's own
    URLconf mounts at its root, so the path is the one the site serves): a task worker that
    links only to these never loads the whole site's URLconf."""
    return absolute(reverse(viewname, args=args, urlconf=LINK_URLCONF))
