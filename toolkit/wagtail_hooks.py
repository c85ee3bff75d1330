from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from accounts.roles import has_role
from accounts.wagtail_hooks import RoleMenuItem
from core.hooks import PERSONAL_DATA_HOOK
from core.personal_data import PersonalData
from events.models import EventPage
from toolkit import admin_urls
from toolkit.views_admin import POSTER_ROLES
from training.models import CoursePage

# The personal-data contract (core/hooks.py): the toolkit stores nobody's data. Its models hold
# short links and the poster design; partner homes, embeds and feeds only read.
TOOLKIT_PERSONAL_DATA = PersonalData(
    not_personal={
        "toolkit.ShortLink": "random codes and the site paths they lead to",
        "toolkit.PosterDesign": "poster wording and colours staff write",
    },
    tasks={},
)


@hooks.register(PERSONAL_DATA_HOOK)
def personal_data():
    return TOOLKIT_PERSONAL_DATA


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
