"""Which Wagtail pages may be translated (issue 16), and the guard that keeps the others English.

Translating a page with Wagtail's simple translation copies it, with its child objects, into
the other locale's tree. That is right for pages that are only content (the home page,
standard pages, forms). It is wrong for pages that carry bookings, places, payments or
learners: a copy of an event is a second event with its own ticket types and capacity (places
sold twice), and it would be listed next to the original; an index page's listing reads its own
children, so a copied index lists nothing. Those pages stay English and are shown under every
language prefix with a note (content_translation.routing), in the reader's interface language.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_save
from django.utils.translation import gettext as _
from wagtail.models import Page, get_page_models

# Pages that are only content. Everything else (events, courses, modules, campaigns, the
# donate page, the index pages, chapter pages) keeps one English page for every language.
# Newsletters are written per language (issue 18); their archive lists the issues under all its
# translations, so a translated archive is not empty.
TRANSLATABLE_PAGE_TYPES = frozenset(
    {
        "cms.homepage",
        "cms.standardpage",
        "cms.formpage",
        "newsletters.newsletterindexpage",
        "newsletters.newsletterpage",
    }
)


def is_translatable(page_or_model) -> bool:
    model = page_or_model if isinstance(page_or_model, type) else type(page_or_model)
    return model._meta.label_lower in TRANSLATABLE_PAGE_TYPES


class PageNotTranslatable(PermissionDenied):
    pass


def refuse_copies_in_other_locales(sender, instance, raw=False, **kwargs):
    """No page of a type that must stay English is created outside the default locale, by any
    route (the Translate screen, its subtree option, an alias, a script)."""
    if raw or not instance._state.adding or instance.locale_id is None:
        return
    from content_translation.routing import locale_id  # routing imports Wagtail's views

    default = locale_id(settings.LANGUAGE_CODE)
    if default is not None and instance.locale_id != default:
        raise PageNotTranslatable(
            _("%(type)s pages cannot be translated: they stay in English and are shown in every language.")
            % {"type": sender._meta.verbose_name}
        )


def connect_guard() -> None:
    for model in get_page_models():
        if model is not Page and not is_translatable(model):
            pre_save.connect(refuse_copies_in_other_locales, sender=model, dispatch_uid=f"ct-guard-{model._meta.label}")
