"""Survivor voices' public, partner and member pages (under /voices/, in every language)."""

from django.urls import path

from voices import views_consultation, views_member, views_org

app_name = "voices"
urlpatterns = [
    # Organisations (public form, partner contacts, the private status page by link).
    path("request/", views_org.request_new, name="request_new"),
    path("request/sent/", views_org.request_sent, name="request_sent"),
    path("requests/", views_org.partner_requests, name="partner_requests"),
    path("requests/mine/<int:pk>/", views_org.partner_request, name="partner_request"),
    path("requests/mine/<int:pk>/results/", views_consultation.partner_results, name="partner_consultation_results"),
    path("requests/<str:token>/", views_org.request_status, name="request_status"),
    path("requests/<str:token>/pay/", views_org.request_pay, name="request_pay"),
    path("requests/<str:token>/results/", views_consultation.results, name="consultation_results"),
    # Members.
    path("opportunities/", views_member.opportunities, name="opportunities"),
    path("opportunities/<int:pk>/", views_member.opportunity, name="opportunity"),
    path("engagements/<int:pk>/", views_member.engagement, name="engagement"),
    path("engagements/<int:pk>/expenses/", views_member.expense_new, name="expense_new"),
    path("engagements/<int:pk>/questionnaire/", views_consultation.questionnaire, name="questionnaire"),
    path("expenses/<int:pk>/receipt/", views_member.expense_receipt, name="expense_receipt"),
    path("thanks/", views_member.thanks, name="thanks"),
]
