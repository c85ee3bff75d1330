from django.urls import path
from django.views.generic import RedirectView

from events import views, views_booking, views_codes, views_tickets

app_name = "events"
urlpatterns = [
    path("events/feed.ics", views.public_feed, name="feed"),
    path("events/<int:pk>/calendar.ics", views.event_ics, name="event_ics"),
    # Booking (views_booking) and the ticket pages (views_tickets; signed links, see events/links.py)
    path("events/<int:pk>/book/", views_booking.book, name="book"),
    path("events/<int:pk>/book/code/", views_booking.book_with_code, name="book_with_code"),
    path(
        "events/access-codes/<int:block_id>/codes.csv",
        views_codes.access_codes_csv_partner,
        name="access_codes_csv_partner",
    ),
    path("events/<int:pk>/waiting-list/", views_booking.waiting_list_join, name="waiting_list_join"),
    path("events/offer/<str:token>/", views_booking.offer, name="offer"),
    path("events/ticket/<str:token>/", views_tickets.ticket, name="ticket"),
    path("events/ticket/<str:token>/cancel/", views_tickets.ticket_cancel, name="ticket_cancel"),
    path("events/ticket/<str:token>/transfer/", views_tickets.ticket_transfer, name="ticket_transfer"),
    path("events/ticket/<str:token>/ticket.pdf", views_tickets.ticket_pdf, name="ticket_pdf"),
    path("events/ticket/<str:token>/event.ics", views_tickets.ticket_ics, name="ticket_ics"),
    path("events/my-bookings/", views_tickets.my_bookings, name="my_bookings"),
    # Replaced by the account's calendar page (one page for every personal feed); kept for old links.
    path("events/my-bookings/calendar/", RedirectView.as_view(pattern_name="accounts:calendar"), name="my_feed_manage"),
    path("events/my-bookings/<str:token>.ics", views_tickets.my_feed, name="my_feed"),
]
