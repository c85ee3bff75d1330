"""Newsletters' admin screens, under /admin/newsletters/ (namespace newsletters_admin)."""

from django.urls import path

from newsletters import views_admin

app_name = "newsletters_admin"

# Subscribers and mailing lists.
urlpatterns = [
    path("lists/", views_admin.mailing_lists, name="lists"),
    path("lists/new/", views_admin.mailing_list_edit, name="list_new"),
    path("lists/<int:pk>/edit/", views_admin.mailing_list_edit, name="list_edit"),
    path("lists/<int:pk>/subscribers/", views_admin.subscribers, name="subscribers"),
]
