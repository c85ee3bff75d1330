"""Short links (issue 19): /s/<code>, mounted by config.urls. Namespace "short"."""

from django.urls import path

from toolkit import views_short

app_name = "short"

urlpatterns = [
    path("s/<str:code>", views_short.short_link, name="short_link"),
]
