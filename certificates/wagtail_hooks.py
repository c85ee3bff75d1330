from django.urls import include, path, reverse
from wagtail import hooks

from accounts.roles import EVENT_STAFF, MEMBERSHIP, TRAINERS
from accounts.wagtail_hooks import RoleMenuItem
from certificates import admin_urls
from certificates.demo import seed_certificate_template


@hooks.register("register_admin_urls")
def certificates_admin_urls():
    return [path("certificates/", include(admin_urls, namespace="certificates_admin"))]


@hooks.register("register_admin_menu_item")
def bulk_menu_item():
    return RoleMenuItem(
        "Issue certificates",
        reverse("certificates_admin:bulk"),
        icon_name="doc-full",
        order=206,
        roles=(MEMBERSHIP, TRAINERS, EVENT_STAFF),
    )


@hooks.register("register_snippet_listing_buttons")
def preview_button(snippet, user, next_url=None):
    from wagtail.snippets.widgets import SnippetListingButton

    from certificates.models import CertificateTemplate

    if isinstance(snippet, CertificateTemplate):
        yield SnippetListingButton("Preview", reverse("certificates_admin:preview", args=[snippet.pk]), priority=5)


hooks.register("thrive_seed_demo", seed_certificate_template)


@hooks.register("thrive_account_panels")
def my_certificates_panel(request):
    from certificates.account import account_panel

    return account_panel(request)


@hooks.register("thrive_account_panels")
def my_certificates_panel(request):
    from certificates.account import account_panel

    return account_panel(request)
