"""Listings partners embed, and feeds (issue 19). Mounted outside /partners/ by config.urls."""

urlpatterns: list = []
