from django.urls import include, path
from wagtail import hooks

from voices import admin_urls


@hooks.register("register_admin_urls")
def voices_admin_urls():
    return [path("voices/", include(admin_urls, namespace="voices_admin"))]
