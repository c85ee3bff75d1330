from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from accounts.roles import has_role
from accounts.wagtail_hooks import RoleMenuItem
from events.models import EventPage
from toolkit import admin_urls
from toolkit.views_admin import POSTER_ROLES
from training.models import CoursePage


@hooks.register("register_admin_urls")
def toolkit_admin_urls():
    return [path("toolkit/", include(admin_urls, namespace="toolkit_admin"))]


@hooks.register("register_admin_menu_item")
def posters_menu_item():
    return RoleMenuItem(
        _("Posters and leaflets"), reverse("toolkit_admin:posters"), icon_name="doc-full", order=290, roles=POSTER_ROLES
    )


@hooks.register("register_page_header_buttons")
def poster_button(page, user, view_name, next_url=None):
    """ "Posters and leaflets" in the more menu of an event's or a course's page header."""
    kind = {EventPage: "event", CoursePage: "course"}.get(page.specific_class)
    if kind and page.live and has_role(user, *POSTER_ROLES):
        yield Button(
            _("Posters and leaflets"),
            reverse("toolkit_admin:subject", args=[kind, page.pk]),
            icon_name="doc-full",
            priority=80,
        )
