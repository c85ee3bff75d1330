from django.urls import path

from events import views_admin, views_door

app_name = "events_admin"
urlpatterns = [
    path("", views_admin.events, name="events"),
    path("<int:pk>/", views_admin.event_detail, name="event"),
    path("<int:pk>/bookings/<int:registration_pk>/", views_admin.registration_action, name="registration_action"),
    path("<int:pk>/cancel/", views_admin.event_cancel, name="cancel"),
    path("<int:pk>/attendance.csv", views_admin.attendance_csv, name="attendance_csv"),
    path("<int:pk>/access-codes/", views_admin.access_codes, name="access_codes"),
    path("<int:pk>/access-codes/<int:block_id>/revoke/", views_admin.access_codes_revoke, name="access_codes_revoke"),
    path("<int:pk>/access-codes/<int:block_id>/codes.csv", views_admin.access_codes_csv, name="access_codes_csv"),
    path("<int:pk>/check-in/", views_door.check_in, name="check_in"),
    path("<int:pk>/check-in/scan/", views_door.check_in_scan, name="check_in_scan"),
]
