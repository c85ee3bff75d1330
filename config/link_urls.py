"""The pages that background tasks link to from PDFs and emails, as a URLconf of their own.

`config.urls` mounts this module at the site root, so every path here is the path the site
serves, by construction. Tasks reverse against it (`core.links.absolute_url`) instead of
the whole site's URLconf: a task worker then never imports the Wagtail admin, allauth and
every view just to print a link (about 23 MB per worker process). Only modules whose views
are cheap to import belong here; links to anything else use `reverse()` as usual.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("certificates.urls")),
]
