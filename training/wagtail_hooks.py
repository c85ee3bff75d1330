from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from accounts.roles import CHAPTER_ORGANISERS, MEMBERSHIP, TRAINERS
from accounts.wagtail_hooks import RoleMenuItem
from core.hooks import (
    ACCOUNT_PANELS_HOOK,
    CALENDAR_FEEDS_HOOK,
    CERTIFICATE_MANAGERS_HOOK,
    CERTIFICATE_SOURCES_HOOK,
    CHAPTER_LISTINGS_HOOK,
    HOME_LISTINGS_HOOK,
    PERSONAL_DATA_HOOK,
    SEED_DEMO_HOOK,
    SEED_SCALE_HOOK,
    SPONSORSHIP_TARGETS_HOOK,
)
from training import admin_urls, selectors
from training.account import account_panel
from training.chapter import chapter_courses_listing
from training.demo import seed_training
from training.erasure import PERSONAL_DATA as training_personal_data
from training.scale import seed_learning


@hooks.register("register_admin_urls")
def training_admin_urls():
    return [path("training/", include(admin_urls, namespace="training_admin"))]


@hooks.register("register_admin_menu_item")
def cohorts_menu_item():
    return RoleMenuItem(
        _("Cohorts"),
        reverse("training_admin:cohorts"),
        icon_name="group",
        order=205,
        roles=(TRAINERS, MEMBERSHIP, CHAPTER_ORGANISERS),
    )


@hooks.register(HOME_LISTINGS_HOOK)
def upcoming_courses(request):
    return selectors.upcoming_courses_listing()


hooks.register(CHAPTER_LISTINGS_HOOK, chapter_courses_listing, order=20)


@hooks.register(CERTIFICATE_SOURCES_HOOK)
def cohort_certificate_sources():
    return selectors.certificate_sources()


@hooks.register(CERTIFICATE_MANAGERS_HOOK)
def cohort_certificate_managers(source_key: str) -> set[int]:
    return selectors.certificate_managers(source_key)


@hooks.register(SPONSORSHIP_TARGETS_HOOK, order=20)  # after events on the donation form
def sponsorable_courses(page_ids=None):
    return selectors.sponsorship_targets(page_ids)


hooks.register(SEED_DEMO_HOOK, seed_training)
hooks.register(SEED_SCALE_HOOK, seed_learning, order=30)


@hooks.register(ACCOUNT_PANELS_HOOK)
def my_learning_panel(request):
    return account_panel(request)


@hooks.register(CALENDAR_FEEDS_HOOK, order=10)
def my_learning_feed(token: str) -> dict:
    return {"key": "learning", "label": _("My learning"), "path": reverse("training:feed", args=[token])}


@hooks.register(PERSONAL_DATA_HOOK)
def personal_data():
    return training_personal_data
