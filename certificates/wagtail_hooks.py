from django.urls import include, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import ListingButton

from accounts.roles import EDITORS, EVENT_STAFF, MEMBERSHIP, TRAINERS, has_role
from accounts.wagtail_hooks import RoleMenuItem
from certificates import admin_urls
from certificates.account import account_panel
from certificates.demo import seed_certificate_template
from certificates.erasure import PERSONAL_DATA as certificates_personal_data
from certificates.models import CertificateTemplate
from core.hooks import ACCOUNT_PANELS_HOOK, PERSONAL_DATA_HOOK, SEED_DEMO_HOOK


@hooks.register("register_admin_urls")
def certificates_admin_urls():
    return [path("certificates/", include(admin_urls, namespace="certificates_admin"))]


@hooks.register("register_admin_menu_item")
def bulk_menu_item():
    return RoleMenuItem(
        _("Issue certificates"),
        reverse("certificates_admin:bulk"),
        icon_name="doc-full",
        order=206,
        roles=(MEMBERSHIP, TRAINERS, EVENT_STAFF),
    )


@hooks.register("register_admin_menu_item")
def certificates_menu_item():
    return RoleMenuItem(
        _("Certificates"),
        reverse("certificates_admin:find"),
        icon_name="doc-full-inverse",
        order=204,
        roles=(MEMBERSHIP, TRAINERS),
    )


@hooks.register("register_snippet_listing_buttons")
def preview_button(snippet, user, next_url=None):
    """A "Preview" button beside each certificate template in its snippet listing, for the
    roles the preview page admits. Wagtail 8 calls this hook as (instance, user, next_url)
    and takes any BaseButton; a ListingButton stays out of the "More" dropdown
    (wagtail.snippets.views.snippets.IndexView.get_list_buttons)."""
    if isinstance(snippet, CertificateTemplate) and has_role(user, EDITORS, MEMBERSHIP):
        yield ListingButton(
            _("Preview"),
            reverse("certificates_admin:preview", args=[snippet.pk]),
            icon_name="view",
            attrs={"aria-label": gettext("Preview %(name)s") % {"name": snippet.name}},
            priority=5,
        )


hooks.register(SEED_DEMO_HOOK, seed_certificate_template)


@hooks.register(ACCOUNT_PANELS_HOOK)
def my_certificates_panel(request):
    return account_panel(request)


@hooks.register(PERSONAL_DATA_HOOK)
def personal_data():
    return certificates_personal_data
