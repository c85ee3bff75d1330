import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts.urls_public import membership_patterns, partner_patterns
from cms import views as cms_views
from core import views as core_views

# Not translated: probes, the staff admin (Wagtail's admin speaks each staff member's own
# language), documents. Everything people read is under `i18n_patterns` below.
urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
]

# English at the bare address, every other language under its prefix (/sq/, /vi/, /ar/).
public_patterns = [
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("membership/", include(membership_patterns)),
    path("partners/", include(partner_patterns)),
    path("partners/", include("toolkit.urls")),
    path("", include("toolkit.urls_embed")),
    path("", include("toolkit.urls_short")),
    path("search/", cms_views.search, name="search"),
    path("payments/", include("payments.urls")),
    path("voices/", include("voices.urls")),
    path("volunteering/", include("volunteers.urls")),
    path("fundraising/", include("fundraising.urls")),
    path("newsletters/", include("newsletters.urls")),
    path("", include("training.urls")),
    # Pages that tasks link to from PDFs and emails (certificate verification): see that module.
    path("", include("config.link_urls")),
    path("", include("events.urls")),
]

if settings.SERVE_LOCAL_RENDITIONS:
    # `make run` and a single host without a bucket: the public image renditions (`images/`,
    # what pages and the admin show) from the local disk. Only that folder: certificates,
    # receipts and original uploads stay behind the views that check who asks.
    urlpatterns += [
        re_path(
            r"^%s(?P<path>.*)$" % re.escape(settings.MEDIA_URL.lstrip("/") + "images/"),  # noqa: UP031
            core_views.local_rendition,
        )
    ]

public_patterns += [
    # Wagtail's own front-end sign-in (for private pages) is a bare Django LoginView: it signs
    # in accounts whose address was never verified and skips allauth's failed-password limits.
    # Private pages send people to allauth's sign-in (WAGTAIL_FRONTEND_LOGIN_URL), and the old
    # address goes there too, keeping `next`.
    path(
        "_util/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtail_frontend_login_moved",
    ),
    # Wagtail's pages, routed in the reader's language with English as the fallback.
    path("", include("content_translation.urls")),
]
urlpatterns += i18n_patterns(*public_patterns, prefix_default_language=False)

# The database away: 503 "try again shortly" (core.views.server_error); any other error: 500.
handler500 = "core.views.server_error"
