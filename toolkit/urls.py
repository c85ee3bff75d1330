"""The toolkit's public addresses, mounted at /partners/ beside accounts' referral pages
(namespace "toolkit"). Each part keeps its own list."""

from django.urls import include, path

app_name = "toolkit"

urlpatterns = [
    path("", include("toolkit.urls_home")),
]
