from django.urls import path

from accounts import views_admin

app_name = "membership_admin"
urlpatterns = [
    path("applications/", views_admin.applications, name="applications"),
    path("applications/<int:pk>/", views_admin.application_detail, name="application_detail"),
    path("members/", views_admin.members, name="members"),
    path("members/<int:pk>/", views_admin.member_detail, name="member_detail"),
    path("referrals/", views_admin.referrals, name="referrals"),
    path("erasure/", views_admin.erasure_requests, name="erasure_requests"),
    path("erasure/<int:pk>/", views_admin.erasure_request_confirm, name="erasure_confirm"),
]
