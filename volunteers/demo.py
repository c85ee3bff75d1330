"""Demo volunteering for `manage.py seed_demo` (a `thrive_seed_demo` hook, run after accounts'
and events'). Idempotent: roles by name, shifts by title, the volunteer by account.

- Four roles: event steward and admin help (no check), driver (DBS basic), peer mentor (DBS
  enhanced: time with survivors, who may be vulnerable adults).
- Upcoming shifts: "Welcome desk" (event steward, half an hour before the first in-person
  event more than a day ahead, or a week ahead on its own) with 2 places; "Setting up the room"
  (steward, 6 places); "Office afternoon" (admin help, 3 places).
- Kai (kai@member.example) volunteers as an event steward, not named to other volunteers,
  signed up for "Setting up the room".
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from volunteers.models import CheckLevel, NameShown, Role, RoleApproval, Shift, SignUp, Volunteer

ROLES = [
    ("Event steward", "Welcome people at our events, show them around and help the day run smoothly.", CheckLevel.NONE),
    (
        "Peer mentor",
        "Meet a survivor regularly to listen and help them find their way. Training is given.",
        CheckLevel.DBS_ENHANCED,
    ),
    ("Driver", "Drive members to events and training in your own car; we pay mileage.", CheckLevel.DBS_BASIC),
    ("Admin help", "Help in the office: post, filing and phone calls, a few hours a week.", CheckLevel.NONE),
]
DEMO_VOLUNTEER_EMAIL = "kai@member.example"
WELCOME_DESK = "Welcome desk"


LONDON = ZoneInfo("Europe/London")


def _at(days: int, hour: int, zone=LONDON) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, 0), tzinfo=zone)


def seed_volunteers(*, password: str) -> None:
    roles = {}
    for order, (name, involves, check) in enumerate(ROLES):
        roles[name], _created = Role.objects.get_or_create(
            name=name, defaults={"involves": involves, "check_needed": check, "order": order}
        )
    from events.models import EventPage  # noqa: PLC0415

    # The first in-person event more than a day ahead (an online one needs no steward at a door).
    event = (
        EventPage.objects.live()
        .filter(starts_at__gt=timezone.now() + timedelta(days=1), online=False, cancelled=False)
        .order_by("starts_at")
        .first()
    )
    if event is not None:
        zone = ZoneInfo(event.time_zone)
        desk_start = event.starts_at.astimezone(zone) - timedelta(minutes=30)
        place = event.venue.splitlines()[0] if event.venue and not event.sensitive else "The event’s venue"
        desk = (desk_start, desk_start + timedelta(hours=3), place, event)
    else:
        desk = (_at(7, 9), _at(7, 12), "Community Hall, 1 High Street", None)
    shifts = [
        (WELCOME_DESK, roles["Event steward"], desk[0], desk[1], desk[2], desk[3], 2),
        ("Setting up the room", roles["Event steward"], desk[0] - timedelta(hours=2), desk[0], desk[2], desk[3], 6),
        ("Office afternoon", roles["Admin help"], _at(10, 13), _at(10, 17), "Thrive office, 2 Mill Lane", None, 3),
    ]
    for title, role, starts_at, ends_at, place, event_page, places in shifts:
        if not Shift.objects.filter(title=title).exists():
            Shift.objects.create(
                title=title,
                role=role,
                starts_at=starts_at,
                ends_at=ends_at,
                place=place[:200],
                event=event_page,
                places=places,
                time_zone=str(starts_at.tzinfo),
                notes="Ask for the volunteer lead at the door.",
            )
    user = User.objects.filter(email=DEMO_VOLUNTEER_EMAIL).first()
    if user is None or Volunteer.objects.filter(user=user).exists():
        return
    volunteer = Volunteer.objects.create(
        user=user, name="Kai", name_shown=NameShown.HIDDEN, status=Volunteer.Status.APPROVED, decided_at=timezone.now()
    )
    RoleApproval.objects.create(volunteer=volunteer, role=roles["Event steward"], status=RoleApproval.Status.APPROVED)
    SignUp.objects.create(volunteer=volunteer, shift=Shift.objects.get(title="Setting up the room"))
