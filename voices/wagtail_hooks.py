from django.urls import include, path
from wagtail import hooks

from core.hooks import ACCOUNT_PANELS_HOOK, PERSONAL_DATA_HOOK, SEED_DEMO_HOOK
from voices import admin_urls
from voices.account import account_panel
from voices.demo import seed_voices
from voices.erasure import PERSONAL_DATA as voices_personal_data


@hooks.register("register_admin_urls")
def voices_admin_urls():
    return [path("voices/", include(admin_urls, namespace="voices_admin"))]


hooks.register(SEED_DEMO_HOOK, seed_voices)  # after accounts' and training's (INSTALLED_APPS order)


@hooks.register(PERSONAL_DATA_HOOK)
def personal_data():
    return voices_personal_data


@hooks.register(ACCOUNT_PANELS_HOOK)
def opportunities_panel(request):
    return account_panel(request)


@hooks.register("register_admin_menu_item")
def voices_menu_item():
    """One "Survivor voices" submenu; each item shown to the roles whose screen it opens (the
    views check the roles again)."""
    from django.urls import reverse  # noqa: PLC0415
    from django.utils.translation import gettext_lazy as _  # noqa: PLC0415
    from wagtail.admin.menu import Menu, SubmenuMenuItem  # noqa: PLC0415

    from accounts.roles import FINANCE, MEMBERSHIP  # noqa: PLC0415
    from accounts.wagtail_hooks import RoleMenuItem  # noqa: PLC0415

    items = [
        RoleMenuItem(
            _("Requests"), reverse("voices_admin:requests"), icon_name="doc-full", order=1, roles=(MEMBERSHIP,)
        ),
        RoleMenuItem(
            _("Flagged organisations"),
            reverse("voices_admin:flagged"),
            icon_name="warning",
            order=2,
            roles=(MEMBERSHIP,),
        ),
        RoleMenuItem(
            _("Minimum fees"),
            reverse("voices_admin:fee_policies"),
            icon_name="doc-full",
            order=3,
            roles=(MEMBERSHIP, FINANCE),
        ),
        RoleMenuItem(
            _("Paying survivors"), reverse("voices_admin:payouts"), icon_name="list-ul", order=4, roles=(FINANCE,)
        ),
    ]
    return SubmenuMenuItem(_("Survivor voices"), Menu(items=items), icon_name="group", order=214)
