from django.urls import path

from certificates import views_admin

app_name = "certificates_admin"
urlpatterns = [
    path("templates/<int:pk>/preview/", views_admin.template_preview, name="preview"),
    path("templates/<int:pk>/preview.pdf", views_admin.template_preview_pdf, name="preview_pdf"),
    path("find/", views_admin.certificate_find, name="find"),
    path("<int:pk>/", views_admin.certificate_detail, name="certificate"),
    path("<int:pk>/revoke/", views_admin.certificate_revoke_view, name="revoke"),
    path("<int:pk>/reissue/", views_admin.certificate_reissue_view, name="reissue"),
    path("bulk/", views_admin.bulk_start, name="bulk"),
    path("bulk/<int:pk>/", views_admin.bulk_job, name="bulk_job"),
    path("bulk/<int:pk>/status.json", views_admin.bulk_status, name="bulk_status"),
    path("bulk/<int:pk>/resume/", views_admin.bulk_resume, name="bulk_resume"),
]
