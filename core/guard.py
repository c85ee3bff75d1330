"""The one guard in front of every public form's POST: a honeypot, a per-visitor rate limit,
and one "paused" message.

    form = BookingForm(request.POST)
    verdict = guard_public_post(request, form, scope=f"book:{event.pk}", what="bookings")
    if verdict is Verdict.ROBOT:  # the honeypot was filled: look like success, keep nothing
        return render(request, "events/booking/received.html", {"event": event})
    if verdict is Verdict.PAUSED:  # the message is on the form; what they typed is kept
        return render(request, "events/booking/book.html", {"form": form}, status=429)
    if form.is_valid(): ...

A robot is answered before it is counted, so it never pauses the form for people. The limit
is a setting (`FORM_RATE_LIMIT` unless `limit_setting` names another, e.g.
`DONATION_RATE_LIMIT`) over `FORM_RATE_WINDOW_SECONDS`; the message says how many minutes
that is. Call it outside a transaction (core.ratelimit says why).
"""

import math
from enum import Enum

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.forms import HONEYPOT_FIELD
from core.ratelimit import rate_limit_exceeded


class Verdict(Enum):
    ALLOWED = "allowed"  # go on: validate and save
    ROBOT = "robot"  # the honeypot was filled: answer as if it worked, store and send nothing
    PAUSED = "paused"  # over the limit: the form carries the message, answer 429


def paused_minutes(window_seconds: int | None = None) -> int:
    """How many minutes a paused form stays paused, at most (the rate-limit window)."""
    return math.ceil((window_seconds or settings.FORM_RATE_WINDOW_SECONDS) / 60)


# The sentence for each `what` the site's forms pass, whole, so that translators can make the
# words agree (a word slotted into one sentence would stay English). Another `what` gets the
# sentence with the word as given.
PAUSED_SENTENCES = {
    "messages": gettext_lazy(
        "We have received several messages from you in the last few minutes, so we paused this "
        "form. Your answers are still below: please try again in %(wait)s."
    ),
    "bookings": gettext_lazy(
        "We have received several bookings from you in the last few minutes, so we paused this "
        "form. Your answers are still below: please try again in %(wait)s."
    ),
    "requests": gettext_lazy(
        "We have received several requests from you in the last few minutes, so we paused this "
        "form. Your answers are still below: please try again in %(wait)s."
    ),
    "tries": gettext_lazy(
        "We have received several tries from you in the last few minutes, so we paused this "
        "form. Your answers are still below: please try again in %(wait)s."
    ),
    "referrals": gettext_lazy(
        "We have received several referrals from you in the last few minutes, so we paused this "
        "form. Your answers are still below: please try again in %(wait)s."
    ),
    "applications": gettext_lazy(
        "We have received several applications from you in the last few minutes, so we paused this "
        "form. Your answers are still below: please try again in %(wait)s."
    ),
}


def paused_message(what: str = "messages") -> str:
    """The one sentence a person reads when a public form is paused for them."""
    minutes = paused_minutes()
    wait = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if what in PAUSED_SENTENCES:
        return str(PAUSED_SENTENCES[what]) % {"wait": wait}
    return _(
        "We have received several %(what)s from you in the last few minutes, so we paused this "
        "form. Your answers are still below: please try again in %(wait)s."
    ) % {"what": what, "wait": wait}


def honeypot_filled(form: forms.Form) -> bool:
    """Did a robot fill the hidden field (a form made with `core.forms.add_honeypot`)?"""
    if getattr(form, "honeypot_field_name", None) != HONEYPOT_FIELD:
        return False
    return bool(form.is_valid() and form.cleaned_data.get(HONEYPOT_FIELD))


def guard_public_post(
    request, form: forms.Form, *, scope: str, what: str = "messages", limit_setting: str = "FORM_RATE_LIMIT"
) -> Verdict:
    """Check a public form's POST: ROBOT when the honeypot is filled (not counted), PAUSED when
    this visitor has posted more than the limit in `scope` within the window (the paused
    message is added to `form`, which keeps what was typed), else ALLOWED (counted)."""
    if honeypot_filled(form):
        return Verdict.ROBOT
    if rate_limit_exceeded(
        request,
        scope=scope,
        limit=getattr(settings, limit_setting),
        window_seconds=settings.FORM_RATE_WINDOW_SECONDS,
    ):
        form.is_valid()
        form.add_error(None, paused_message(what))
        return Verdict.PAUSED
    return Verdict.ALLOWED
