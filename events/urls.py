from django.urls import path

from events import views

app_name = "events"
urlpatterns = [
    path("events/feed.ics", views.public_feed, name="feed"),
    path("events/<int:pk>/calendar.ics", views.event_ics, name="event_ics"),
]
