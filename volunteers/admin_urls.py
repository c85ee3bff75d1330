"""Volunteering in the admin (/admin/volunteers/): Membership decides and checks, Event staff
and Membership run shifts."""

from django.urls import path

from volunteers import views_admin

app_name = "volunteers_admin"
urlpatterns = [
    path("roles/", views_admin.roles, name="roles"),
    path("roles/add/", views_admin.role_edit, name="role_add"),
    path("roles/<int:pk>/", views_admin.role_edit, name="role_edit"),
    path("volunteers/", views_admin.volunteers, name="volunteers"),
    path("volunteers/<int:pk>/", views_admin.volunteer, name="volunteer"),
    path("shifts/", views_admin.shifts, name="shifts"),
    path("shifts/add/", views_admin.shift_edit, name="shift_add"),
    path("shifts/<int:pk>/", views_admin.shift, name="shift"),
    path("shifts/<int:pk>/edit/", views_admin.shift_edit, name="shift_edit"),
]
