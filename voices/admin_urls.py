"""Survivor voices in the admin (/admin/voices/): Membership brokers and safeguards, Finance pays."""

from django.urls import path

from voices import views_admin, views_admin_payouts, views_consultation

app_name = "voices_admin"
urlpatterns = [
    path("requests/", views_admin.requests, name="requests"),
    path("requests/<int:pk>/", views_admin.request_detail, name="request"),
    path("requests/<int:pk>/publish/", views_admin.request_publish, name="request_publish"),
    path("opportunities/<int:pk>/", views_admin.opportunity, name="opportunity"),
    path("opportunities/<int:pk>/questions/", views_consultation.questions, name="questions"),
    path("engagements/<int:pk>/", views_admin.engagement, name="engagement"),
    path("fee-policies/", views_admin.fee_policies, name="fee_policies"),
    path("fee-policies/<int:chapter_id>/", views_admin.fee_policy_edit, name="fee_policy_edit"),
    path("flagged/", views_admin.flagged, name="flagged"),
    path("payouts/", views_admin_payouts.payouts, name="payouts"),
    path("payouts/export.csv", views_admin_payouts.payouts_export, name="payouts_export"),
    path("payouts/<int:pk>/", views_admin_payouts.payout, name="payout"),
]
