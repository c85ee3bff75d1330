"""Listings partners embed, and feeds (issue 19). Mounted outside /partners/ by config.urls,
in every language (/vi/embed/<key>/, /vi/feeds/events.atom). Namespace "embed"."""

from django.urls import path

from toolkit import feeds, views_embed

app_name = "embed"

urlpatterns = [
    path("embed/<str:key>/", views_embed.embed, name="embed"),
    path("feeds/events.atom", feeds.EventsFeed(), name="feed_events_atom"),
    path("feeds/events.rss", feeds.EventsRssFeed(), name="feed_events_rss"),
    path("feeds/courses.atom", feeds.CoursesFeed(), name="feed_courses_atom"),
    path("feeds/courses.rss", feeds.CoursesRssFeed(), name="feed_courses_rss"),
    path("feeds/news.atom", feeds.NewsFeed(), name="feed_news_atom"),
    path("feeds/news.rss", feeds.NewsRssFeed(), name="feed_news_rss"),
]
