from django.urls import path
from django.views.generic import RedirectView

from training import views

app_name = "training"
urlpatterns = [
    path("learning/", views.dashboard, name="dashboard"),
    # Replaced by the account's calendar page (one page for every personal feed); kept for old links.
    path("learning/calendar/", RedirectView.as_view(pattern_name="accounts:calendar"), name="feed_manage"),
    path("training/cohorts/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("training/enrolments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("training/modules/<int:pk>/complete/", views.module_complete, name="module_complete"),
    path("training/sessions/<int:pk>/calendar.ics", views.session_calendar, name="session_calendar"),
    path("training/sessions/<int:pk>/check-in/", views.self_check_in, name="check_in"),
    path("training/feed/<str:token>.ics", views.feed, name="feed"),
]
