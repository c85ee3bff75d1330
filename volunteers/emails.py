"""Volunteering's emails, each through `core.email.email_send` (discreet mode obeyed: a
volunteer in discreet mode gets the neutral sender and subject, a body naming nothing, and a
neutral calendar entry).

- `volunteer_email_send`: application received, approved, declined;
- `sign_up_email_send`: the place confirmed, with the shift's .ics;
- `shift_reminders_send`: the day before a shift, with the .ics, once per sign-up.
"""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy

from core.email import email_send, user_wants_discretion
from core.i18n import language_of
from core.links import absolute
from volunteers.models import SignUp, Volunteer

logger = logging.getLogger(__name__)

REMINDER_WINDOW = timedelta(hours=24)

SUBJECTS = {
    "received": gettext_lazy("We have your application to volunteer"),
    "approved": gettext_lazy("You are approved to volunteer"),
    "declined": gettext_lazy("Your application to volunteer"),
    "confirmed": gettext_lazy("You are on the rota"),
    "reminder": gettext_lazy("Tomorrow: your volunteering shift"),
    "cancelled": gettext_lazy("A volunteering shift is cancelled"),
}


def shift_when(shift) -> str:
    zone = ZoneInfo(shift.time_zone)
    start, end = shift.starts_at.astimezone(zone), shift.ends_at.astimezone(zone)
    day = formats.date_format(start, "l j F Y")
    return f"{day}, {formats.time_format(start, 'H:i')}–{formats.time_format(end, 'H:i')} ({shift.time_zone})"


def volunteer_email_send(*, volunteer_id: int, kind: str) -> None:
    volunteer = Volunteer.objects.select_related("user").filter(pk=volunteer_id).first()
    if volunteer is None:
        return
    with language_of(volunteer.user, volunteer.language):
        context = {
            "name": volunteer.name,
            "kind": kind,
            "roles": [a.role.name for a in volunteer.approvals.filter(status="approved").select_related("role")],
            "page_url": absolute(reverse("volunteers:mine")),
        }
    email_send(
        to=[volunteer.user.email],
        subject=SUBJECTS[kind],
        template="volunteer_application",
        context=context,
        language=volunteer.language,
    )


def sign_up_email_send(*, sign_up_id: int, kind: str) -> None:
    """The confirmation, the reminder or the cancellation of one place, with the shift's .ics
    attached (a cancelled shift's cancels the calendar entry)."""
    sign_up = SignUp.objects.select_related("shift__role", "volunteer__user").filter(pk=sign_up_id).first()
    if sign_up is None or sign_up.status != SignUp.Status.SIGNED_UP:
        return
    # icalendar is loaded when an email is made, not when the admin's URLs are (a worker that
    # only builds links never loads it: core/tests/test_links.py).
    from volunteers.ical import shift_calendar

    shift, volunteer = sign_up.shift, sign_up.volunteer
    discreet = user_wants_discretion(volunteer.user)
    with language_of(volunteer.user, volunteer.language):
        calendar = shift_calendar(shift, discreet=discreet)
        context = {
            "name": volunteer.name,
            "kind": kind,
            "shift_title": shift.display_title,
            "when": shift_when(shift),
            "place": shift.place,
            "notes": shift.notes,
            "shift_url": absolute(reverse("volunteers:shift", args=[shift.pk])),
        }
    email_send(
        to=[volunteer.user.email],
        subject=SUBJECTS[kind],
        template="volunteer_shift",
        context=context,
        attachments=[("shift.ics", calendar, "text/calendar")],
        language=volunteer.language,
    )


def shift_reminders_send(*, now=None) -> int:
    """Email each volunteer signed up for a shift starting in the next 24 hours, once per
    sign-up (claimed by setting `reminder_sent_at` first; given back if sending fails).
    Returns how many were sent. Sends email."""
    now = now or timezone.now()
    due = SignUp.objects.filter(
        status=SignUp.Status.SIGNED_UP,
        reminder_sent_at__isnull=True,
        shift__cancelled=False,
        shift__starts_at__gt=now,
        shift__starts_at__lte=now + REMINDER_WINDOW,
    )
    sent = 0
    for sign_up_id in due.values_list("pk", flat=True):
        claimed = (
            SignUp.objects.filter(pk=sign_up_id).filter(Q(reminder_sent_at__isnull=True)).update(reminder_sent_at=now)
        )
        if not claimed:
            continue
        try:
            sign_up_email_send(sign_up_id=sign_up_id, kind="reminder")
        except Exception:
            SignUp.objects.filter(pk=sign_up_id, reminder_sent_at=now).update(reminder_sent_at=None)
            logger.exception("reminder for volunteer sign-up %s not sent; it will be retried", sign_up_id)
            continue
        sent += 1
    return sent
