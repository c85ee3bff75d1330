"""Supporter fundraising in the admin (/admin/fundraising/): Communications moderates, Finance reads."""

from django.urls import path

from fundraising import views_admin

app_name = "fundraising_admin"
urlpatterns = [
    path("pages/", views_admin.pages, name="pages"),
    path("pages/<int:pk>/", views_admin.page_review, name="page"),
    path("messages/", views_admin.donor_messages, name="messages"),
    path("teams/", views_admin.teams, name="teams"),
    path("gifts.csv", views_admin.gifts_export, name="gifts_export"),
]
