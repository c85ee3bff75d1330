"""Wagtail's front-end URLs (`wagtail.urls`) with the page-serving view replaced by the one that
routes in the reader's language and falls back to English (content_translation.routing).
Included in place of `wagtail.urls`; the URL names stay Wagtail's."""

from django.urls import re_path
from wagtail import urls as wagtail_urls

from content_translation.routing import serve


def _replace_serve(pattern):
    if getattr(pattern, "name", None) == "wagtail_serve":
        return re_path(wagtail_urls.serve_pattern, serve, name="wagtail_serve")
    return pattern


urlpatterns = [_replace_serve(pattern) for pattern in wagtail_urls.urlpatterns]
