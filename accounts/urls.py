from django.urls import path

from accounts import views, views_calendar

app_name = "accounts"
urlpatterns = [
    path("", views.account_home, name="home"),
    path("profile/", views.profile_edit, name="profile"),
    path("consents/", views.consents, name="consents"),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("data/", views.data_page, name="data"),
    path("data/export.json", views.data_download, name="data_download"),
    path("erasure/", views.erasure, name="erasure"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
]
