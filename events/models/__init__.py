from events.models.codes import AccessCode, AccessCodeBlock
from events.models.door import DoorDevice, DoorKey, DoorScan
from events.models.pages import Audience, EventDate, EventIndexPage, EventPage, EventType
from events.models.records import Registration, SponsoredPlaces, TicketType, WaitingListEntry

__all__ = [
    "AccessCode",
    "AccessCodeBlock",
    "Audience",
    "DoorDevice",
    "DoorKey",
    "DoorScan",
    "EventDate",
    "EventIndexPage",
    "EventPage",
    "EventType",
    "Registration",
    "SponsoredPlaces",
    "TicketType",
    "WaitingListEntry",
]
