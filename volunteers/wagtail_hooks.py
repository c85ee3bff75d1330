from django.urls import include, path
from wagtail import hooks

from core.hooks import ACCOUNT_PANELS_HOOK, HOME_LISTINGS_HOOK, PERIODIC_TASKS_HOOK, PERSONAL_DATA_HOOK, SEED_DEMO_HOOK
from volunteers import admin_urls
from volunteers.account import account_panel
from volunteers.demo import seed_volunteers
from volunteers.erasure import PERSONAL_DATA as volunteers_personal_data


@hooks.register("register_admin_urls")
def volunteers_admin_urls():
    return [path("volunteers/", include(admin_urls, namespace="volunteers_admin"))]


hooks.register(SEED_DEMO_HOOK, seed_volunteers)  # after accounts' and events' (INSTALLED_APPS order)


@hooks.register(PERSONAL_DATA_HOOK)
def personal_data():
    return volunteers_personal_data


@hooks.register(ACCOUNT_PANELS_HOOK)
def volunteering_panel(request):
    return account_panel(request)


@hooks.register(HOME_LISTINGS_HOOK)
def volunteer_roles(request):
    """The home page's "Volunteer with us": up to three open roles, each linking to its place on
    the roles page (nothing per visitor: the home page is cached)."""
    from django.urls import reverse  # noqa: PLC0415
    from django.utils.translation import gettext as _  # noqa: PLC0415

    from volunteers.models import Role  # noqa: PLC0415

    index = reverse("volunteers:index")
    items = [
        {"title": role.name, "url": f"{index}#role-{role.pk}", "when": role.get_check_needed_display()}
        for role in Role.objects.filter(open_for_applications=True)[:3]
    ]
    return {"title": _("Volunteer with us"), "items": items, "more_url": index}


@hooks.register(PERIODIC_TASKS_HOOK)
def reminders_task():
    from volunteers.tasks import shift_reminders_send  # noqa: PLC0415

    return shift_reminders_send


@hooks.register("register_admin_menu_item")
def volunteers_menu_item():
    """One "Volunteering" submenu; each item shown to the roles whose screen it opens (the views
    check the roles again)."""
    from django.urls import reverse  # noqa: PLC0415
    from django.utils.translation import gettext_lazy as _  # noqa: PLC0415
    from wagtail.admin.menu import Menu, SubmenuMenuItem  # noqa: PLC0415

    from accounts.roles import EVENT_STAFF, MEMBERSHIP  # noqa: PLC0415
    from accounts.wagtail_hooks import RoleMenuItem  # noqa: PLC0415

    items = [
        RoleMenuItem(
            _("Volunteers and applications"),
            reverse("volunteers_admin:volunteers"),
            icon_name="user",
            order=1,
            roles=(MEMBERSHIP,),
        ),
        RoleMenuItem(
            _("Shifts"), reverse("volunteers_admin:shifts"), icon_name="date", order=2, roles=(EVENT_STAFF, MEMBERSHIP)
        ),
        RoleMenuItem(_("Roles"), reverse("volunteers_admin:roles"), icon_name="tag", order=3, roles=(MEMBERSHIP,)),
    ]
    return SubmenuMenuItem(_("Volunteering"), Menu(items=items), icon_name="group", order=215)
