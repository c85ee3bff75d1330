"""Supporter fundraising's public and supporter pages (under /fundraising/, in every language)."""

from django.urls import path

from fundraising import views

app_name = "fundraising"
urlpatterns = [
    path("", views.start, name="start"),
    path("new/<int:campaign_id>/", views.page_new, name="page_new"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.page_detail, name="page"),
    path("<int:pk>/edit/", views.page_edit, name="page_edit"),
    path("<int:pk>/photo/", views.page_photo, name="page_photo"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
]
