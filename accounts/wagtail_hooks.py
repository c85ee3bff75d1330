from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts import admin_urls
from accounts.demo import seed_people
from accounts.erasure import PERSONAL_DATA as accounts_personal_data
from accounts.roles import CHAPTER_ORGANISERS, FINANCE, MEMBERSHIP, has_role
from accounts.scale import seed_members
from accounts.tasks import retention_purge
from core.hooks import PERIODIC_TASKS_HOOK, PERSONAL_DATA_HOOK, SEED_DEMO_HOOK, SEED_SCALE_HOOK


@hooks.register("register_admin_urls")
def membership_admin_urls():
    return [path("membership/", include(admin_urls, namespace="membership_admin"))]


class RoleMenuItem(MenuItem):
    def __init__(self, *args, roles: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.roles = roles

    def is_shown(self, request):
        return has_role(request.user, *self.roles)


@hooks.register("register_admin_menu_item")
def applications_menu_item():
    return RoleMenuItem(
        _("Applications"),
        reverse("membership_admin:applications"),
        icon_name="user",
        order=210,
        roles=(MEMBERSHIP, CHAPTER_ORGANISERS),
    )


@hooks.register("register_admin_menu_item")
def members_menu_item():
    return RoleMenuItem(
        _("Members"),
        reverse("membership_admin:members"),
        icon_name="group",
        order=211,
        roles=(MEMBERSHIP, FINANCE, CHAPTER_ORGANISERS),
    )


@hooks.register("register_admin_menu_item")
def referrals_menu_item():
    return RoleMenuItem(
        _("Referrals"), reverse("membership_admin:referrals"), icon_name="mail", order=212, roles=(MEMBERSHIP,)
    )


@hooks.register("register_admin_menu_item")
def erasure_menu_item():
    return RoleMenuItem(
        _("Erasure requests"),
        reverse("membership_admin:erasure_requests"),
        icon_name="bin",
        order=213,
        roles=(MEMBERSHIP,),
    )


hooks.register(SEED_DEMO_HOOK, seed_people)
hooks.register(SEED_SCALE_HOOK, seed_members, order=10)  # the people every other part refers to


@hooks.register(PERIODIC_TASKS_HOOK)
def retention_task():
    return retention_purge


@hooks.register(PERSONAL_DATA_HOOK)
def personal_data():
    return accounts_personal_data
