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
    # The offline door (issue 21): the worker sits in the page's folder so its scope covers it.
    path("<int:pk>/check-in/offline/", views_door.check_in_shell, name="check_in_shell"),
    path("<int:pk>/check-in/data.json", views_door.check_in_data, name="check_in_data"),
    path("<int:pk>/check-in/sync/", views_door.check_in_sync, name="check_in_sync"),
    path("<int:pk>/check-in/worker.js", views_door.check_in_worker, name="check_in_worker"),
    path("<int:pk>/check-in/manifest.webmanifest", views_door.check_in_manifest, name="check_in_manifest"),
    path("<int:pk>/door-key/rotate/", views_admin.door_key_rotate, name="door_key_rotate"),
]
