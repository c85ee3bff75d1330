"""The volunteer's panel on the account page (the `thrive_account_panels` hook): their next
shifts and the way to "My volunteering"; for anyone else signed in, the way to volunteer."""

from django.urls import reverse
from django.utils.translation import gettext as _

from volunteers import selectors
from volunteers.emails import shift_when

SHOWN = 3


def account_panel(request) -> dict | None:
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        return {
            "key": "volunteering",
            "title": _("My volunteering"),
            "order": 60,
            "items": [],
            "empty": _("You do not volunteer with us yet."),
            "links": [{"label": _("Volunteer with us"), "url": reverse("volunteers:index")}],
        }
    items = [
        {
            "title": sign_up.shift.display_title,
            "url": reverse("volunteers:shift", args=[sign_up.shift_id]),
            "detail": shift_when(sign_up.shift),
        }
        for sign_up in selectors.upcoming_sign_ups(volunteer)[:SHOWN]
    ]
    return {
        "key": "volunteering",
        "title": _("My volunteering"),
        "order": 60,
        "items": items,
        "empty": _("No shifts coming up."),
        "links": [{"label": _("My volunteering: shifts, hours and certificate"), "url": reverse("volunteers:mine")}],
    }
