"""The partner home, posters and leaflets (issue 19)."""

from django.urls import path

from toolkit import views_home

urlpatterns = [
    path("", views_home.partner_home, name="home"),
    path(
        "posters/<str:kind>/<int:pk>/<str:size>/<str:variant>.pdf",
        views_home.partner_poster,
        name="poster",
    ),
]
