"""Newsletters' admin screens, under /admin/newsletters/ (namespace newsletters_admin)."""

from django.urls import path

from newsletters import views_admin, views_admin_mailings

app_name = "newsletters_admin"

# Subscribers and mailing lists.
urlpatterns = [
    path("lists/", views_admin.mailing_lists, name="lists"),
    path("lists/new/", views_admin.mailing_list_edit, name="list_new"),
    path("lists/<int:pk>/edit/", views_admin.mailing_list_edit, name="list_edit"),
    path("lists/<int:pk>/subscribers/", views_admin.subscribers, name="subscribers"),
]

# Mailings: scheduling, progress, pause, resume, cancel (newsletters.views_admin_mailings).
urlpatterns += [
    path("mailings/", views_admin_mailings.mailings, name="mailing_index"),
    path("mailings/new/", views_admin_mailings.mailing_new, name="mailing_new"),
    path("mailings/<int:pk>/", views_admin_mailings.mailing_detail, name="mailing_detail"),
    path("mailings/<int:pk>/status.json", views_admin_mailings.mailing_status, name="mailing_status"),
    path("mailings/<int:pk>/pause/", views_admin_mailings.mailing_pause, name="mailing_pause"),
    path("mailings/<int:pk>/resume/", views_admin_mailings.mailing_resume, name="mailing_resume"),
    path("mailings/<int:pk>/cancel/", views_admin_mailings.mailing_cancel, name="mailing_cancel"),
]
