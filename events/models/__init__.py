from events.models.codes import AccessCode, AccessCodeBlock
from events.models.pages import Audience, EventDate, EventIndexPage, EventPage, EventType
from events.models.records import Registration, SponsoredPlaces, TicketType, WaitingListEntry

__all__ = [
    "AccessCode",
    "AccessCodeBlock",
    "Audience",
    "EventDate",
    "EventIndexPage",
    "EventPage",
    "EventType",
    "Registration",
    "SponsoredPlaces",
    "TicketType",
    "WaitingListEntry",
]
