from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts.urls_public import membership_patterns, partner_patterns
from cms import views as cms_views
from core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("membership/", include(membership_patterns)),
    path("partners/", include(partner_patterns)),
    path("search/", cms_views.search, name="search"),
    path("payments/", include("payments.urls")),
    path("", include("training.urls")),
    # Pages that tasks link to from PDFs and emails (certificate verification): see that module.
    path("", include("config.link_urls")),
    path("", include("events.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

# The database away: 503 "try again shortly" (core.views.server_error); any other error: 500.
handler500 = "core.views.server_error"
