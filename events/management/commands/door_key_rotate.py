"""Rotate an event's door signing key: `manage.py door_key_rotate <event id>` (issue 21).

Tickets printed before the rotation stop passing the door; each confirmed holder is emailed
a re-issued ticket (through core.email.email_send, discreet mode obeyed) unless --no-email."""

from django.core.management.base import BaseCommand, CommandError

from events import services
from events.models import EventPage


class Command(BaseCommand):
    help = "Make a new door signing key for an event and email every confirmed holder a re-issued ticket."

    def add_arguments(self, parser):
        parser.add_argument("event_id", type=int)
        parser.add_argument("--no-email", action="store_true", help="Rotate without emailing the holders.")

    def handle(self, *args, event_id: int, no_email: bool, **options):
        event = EventPage.objects.filter(pk=event_id).first()
        if event is None:
            raise CommandError(f"No event has id {event_id}.")
        key = services.door_key_rotate(event=event, notify=not no_email)
        self.stdout.write(f"Event {event.pk}: new door key {key.pk}.")
