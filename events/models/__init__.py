from events.models.pages import Audience, EventIndexPage, EventPage, EventType
from events.models.records import Registration, TicketType, WaitingListEntry

__all__ = ["Audience", "EventIndexPage", "EventPage", "EventType", "Registration", "TicketType", "WaitingListEntry"]
