"""Volunteering's public and volunteers' pages (under /volunteering/, in every language)."""

from django.urls import path

from volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.index, name="index"),
    path("apply/", views.apply, name="apply"),
    path("mine/", views.mine, name="mine"),
    path("mine/preferences/", views.preferences, name="preferences"),
    path("mine/certificate/", views.certificate, name="certificate"),
    path("shifts/<int:pk>/", views.shift, name="shift"),
    path("shifts/<int:pk>/sign-up/", views.shift_sign_up, name="shift_sign_up"),
    path("shifts/<int:pk>/cancel/", views.shift_cancel, name="shift_cancel"),
    path("shifts/<int:pk>/calendar.ics", views.shift_calendar_download, name="shift_calendar"),
]
