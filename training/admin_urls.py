from django.urls import path

from training import views_admin

app_name = "training_admin"
urlpatterns = [
    path("cohorts/", views_admin.cohorts, name="cohorts"),
    path("cohorts/<int:pk>/", views_admin.cohort_detail, name="cohort"),
    path("cohorts/<int:pk>/sessions/<int:session_pk>/attendance/", views_admin.attendance, name="attendance"),
    path("cohorts/<int:pk>/attendance.csv", views_admin.attendance_csv, name="attendance_csv"),
]
