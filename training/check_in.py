"""Self check-in to a live session: the code a trainer shows (it changes every minute) and
when check-in and the register open and close. Pure: takes a session, returns values;
`services.attendance_self_check_in` and `services.attendance_mark` enforce them."""

import hashlib
import hmac
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from training.models import LiveSession

# Self check-in is open from this long before a session starts until it ends.
CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)


def check_in_code(session: LiveSession, at: float | None = None) -> str:
    """A 6-digit code that changes every minute, for learners to check themselves in."""
    minute = int((at or time.time()) // 60)
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{session.uid}:{minute}".encode(), hashlib.sha256).hexdigest()
    return f"{int(digest[:8], 16) % 1_000_000:06d}"


def check_in_window(session: LiveSession) -> tuple[datetime, datetime]:
    """When learners may check themselves in to a session: (opens, closes)."""
    return session.starts_at - CHECK_IN_OPENS_BEFORE, session.ends_at


def _when(at: datetime, session: LiveSession) -> dict:
    """The values of a check-in message, in the language active ("Tuesday 5 March")."""
    return {
        "time": formats.date_format(at, "H:i"),
        "day": formats.date_format(at, "l j F"),
        "time_zone": session.cohort.time_zone,
        "minutes": CHECK_IN_OPENS_BEFORE.seconds // 60,
    }


def check_in_closed_reason(session: LiveSession, now: datetime | None = None) -> str:
    """Why self check-in is not open now, in words for the learner ("" while it is open).
    Times are in the cohort's time zone."""
    now = now or timezone.now()
    opens, closes = check_in_window(session)
    zone = ZoneInfo(session.cohort.time_zone)
    if now < opens:
        at = timezone.localtime(opens, zone)
        return _(
            "Check-in for this session opens at %(time)s on %(day)s (%(time_zone)s), "
            "%(minutes)s minutes before it starts. Come back then."
        ) % _when(at, session)
    if now > closes:
        at = timezone.localtime(closes, zone)
        return _(
            "Check-in for this session closed when it ended, at %(time)s on %(day)s "
            "(%(time_zone)s). If you were there, ask your trainer to mark you present."
        ) % _when(at, session)
    return ""


def register_opens_reason(session: LiveSession, now: datetime | None = None) -> str:
    """Why present and late cannot be marked yet ("" once they can). The register opens for them
    when self check-in does (`check_in_window`); absent and excused can be marked at any time
    and count at once (see training.rules). Times are in the cohort's time zone."""
    opens, _closes = check_in_window(session)
    if (now or timezone.now()) >= opens:
        return ""
    at = timezone.localtime(opens, ZoneInfo(session.cohort.time_zone))
    return _(
        "This session has not started. Present and late can be marked from %(time)s on %(day)s "
        "(%(time_zone)s), %(minutes)s minutes before it starts. "
        "Absent and excused can be marked now: they count at once."
    ) % _when(at, session)
