from django.urls import include, path
from wagtail import hooks

from core.hooks import ACCOUNT_PANELS_HOOK, CAMPAIGN_SECTIONS_HOOK, PERSONAL_DATA_HOOK, SEED_DEMO_HOOK
from fundraising import admin_urls
from fundraising.account import account_panel
from fundraising.campaign import campaign_section
from fundraising.demo import seed_fundraising
from fundraising.erasure import PERSONAL_DATA as fundraising_personal_data


@hooks.register("register_admin_urls")
def fundraising_admin_urls():
    return [path("fundraising/", include(admin_urls, namespace="fundraising_admin"))]


hooks.register(SEED_DEMO_HOOK, seed_fundraising)  # after payments' (INSTALLED_APPS order): needs its campaign


@hooks.register(PERSONAL_DATA_HOOK)
def personal_data():
    return fundraising_personal_data


@hooks.register(ACCOUNT_PANELS_HOOK)
def fundraising_panel(request):
    return account_panel(request)


@hooks.register(CAMPAIGN_SECTIONS_HOOK)
def supporters_pages(*, campaign, request):
    """On a campaign's page: "Fundraise for <campaign>" and its approved supporters' pages."""
    return campaign_section(campaign=campaign, request=request)


@hooks.register("register_admin_menu_item")
def fundraising_menu_item():
    """One "Supporter fundraising" submenu for Communications (moderation) and Finance (read,
    export); the views check the roles again."""
    from django.urls import reverse  # noqa: PLC0415
    from django.utils.translation import gettext_lazy as _  # noqa: PLC0415
    from wagtail.admin.menu import Menu, SubmenuMenuItem  # noqa: PLC0415

    from accounts.roles import COMMUNICATIONS, FINANCE  # noqa: PLC0415
    from accounts.wagtail_hooks import RoleMenuItem  # noqa: PLC0415

    roles = (COMMUNICATIONS, FINANCE)
    items = [
        RoleMenuItem(_("Pages"), reverse("fundraising_admin:pages"), icon_name="doc-full", order=1, roles=roles),
        RoleMenuItem(
            _("Donors’ messages"), reverse("fundraising_admin:messages"), icon_name="mail", order=2, roles=roles
        ),
        RoleMenuItem(_("Teams"), reverse("fundraising_admin:teams"), icon_name="group", order=3, roles=roles),
    ]
    return SubmenuMenuItem(_("Supporter fundraising"), Menu(items=items), icon_name="pick", order=216)
