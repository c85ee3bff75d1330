"""Page addresses in the reader's language (issue 16)."""

from django.conf import settings
from django.urls import translate_url
from django.utils import translation


class LocalizedUrlMixin:
    """Put first in a page model's bases: `class EventPage(LocalizedUrlMixin, Page)`.

    Wagtail gives a page of the English tree its English address whatever language the reader
    has chosen, so every link to it (menus, listings, `{% pageurl %}`, emails made in a member's
    language) would take a Vietnamese reader out of Vietnamese. With this mixin an English page's
    address carries the active language's prefix (/vi/events/...): that address serves the page's
    translation when it has one under the same slug, redirects to it under another slug, or
    shows the English page with a note (content_translation.routing). No query: the path is
    only re-reversed under the active language. Pages of another locale keep their own address.
    """

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request)
        if parts is None or parts[2] is None:
            return parts
        code = translation.get_language() or settings.LANGUAGE_CODE
        if code == settings.LANGUAGE_CODE or translation.get_language_from_path(parts[2]):
            return parts
        site_id, root_url, page_path = parts
        with translation.override(settings.LANGUAGE_CODE):
            return site_id, root_url, translate_url(page_path, code)
