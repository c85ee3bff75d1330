"""`site_settings` in every template: the site's settings as plain values, from the cache.

Loaded lazily, and kept in the cache under the page-cache version (saving the settings
bumps it), so an ordinary request spends no query on them."""

from types import SimpleNamespace

from django.forms.models import model_to_dict
from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from cms.models import SiteSettings
from content_translation.templatetags.content_translation import localized_url
from core.page_cache import cached_until_published


def load_site_settings(request) -> SimpleNamespace:
    site = Site.find_for_request(request)
    if site is None:
        return SimpleNamespace(**model_to_dict(SiteSettings()), safety_url="", social_links=[])

    def build() -> dict:
        row = SiteSettings.for_site(site)
        values = model_to_dict(row)
        values["safety_url"] = (
            localized_url(row.safety_page, request) if row.safety_page_id and row.safety_page.live else ""
        )
        values["social_links"] = row.social_links()
        return values

    return SimpleNamespace(**cached_until_published(f"sitesettings:{site.pk}", build))


def site_settings(request):
    return {"site_settings": SimpleLazyObject(lambda: load_site_settings(request))}
