from django.urls import path
from wagtail import hooks

from content_translation.admin_views import SubmitPageTranslationView
from content_translation.demo import seed_translations
from core.hooks import SEED_DEMO_HOOK


@hooks.register("register_admin_urls", order=-1)
def translate_page_screen():
    """Registered before `wagtail.contrib.simple_translation`'s URLs (order=-1), so this address
    (the same as simple translation's own, which its buttons link to) is answered here."""
    return [
        path(
            "translation/submit/page/<int:page_id>/",
            SubmitPageTranslationView.as_view(),
            name="content_translation_submit_page",
        )
    ]


@hooks.register(SEED_DEMO_HOOK)
def seed_demo_translations(password):
    seed_translations()
