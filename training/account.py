"""The learner's panel on the account page (the `thrive_account_panels` hook, see
accounts/views.py): their courses, the next live session, and the way to My learning and
its private calendar feed (made on the account's calendar page)."""

from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from training.models import CourseIndexPage, Enrolment, LiveSession


def account_panel(request) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    enrolments = list(
        Enrolment.objects.filter(user=user, status__in=Enrolment.ACTIVE)
        .select_related("cohort__course")
        .order_by("-created_at")
    )
    next_sessions = {}
    place_taking = [e.cohort_id for e in enrolments if e.status in Enrolment.PLACE_TAKING]
    for session in LiveSession.objects.filter(cohort_id__in=place_taking, ends_at__gte=timezone.now()).order_by(
        "-starts_at"
    ):
        next_sessions[session.cohort_id] = session  # the earliest is written last
    items = []
    for enrolment in enrolments:
        course = enrolment.cohort.course
        detail = f"{enrolment.cohort.name} · {enrolment.get_status_display()}"
        if session := next_sessions.get(enrolment.cohort_id):
            zone = enrolment.cohort.time_zone
            starts = formats.date_format(session.starts_at.astimezone(ZoneInfo(zone)), "j F, H:i")
            detail += " · " + _("next session %(starts)s (%(time_zone)s)") % {"starts": starts, "time_zone": zone}
        items.append({"title": course.title, "url": course.url, "detail": detail})
    links = [{"label": _("My learning: progress, sessions and certificates"), "url": reverse("training:dashboard")}]
    links.append({"label": _("Calendar feed of my sessions"), "url": reverse("accounts:calendar")})
    index = CourseIndexPage.objects.live().public().first()
    if index is not None:
        links.append({"label": _("Find a course"), "url": index.url})
    return {
        "key": "learning",
        "title": _("My learning"),
        "order": 10,
        "items": items,
        "empty": _("You are not on a course yet."),
        "links": links,
    }
