"""A chapter's courses with a run coming up, for its chapter page (core.hooks
CHAPTER_LISTINGS_HOOK)."""

from urllib.parse import urlencode

from django.db.models import Min, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from training.models import CourseIndexPage, CoursePage

CHAPTER_COURSES = 6


def chapter_courses_listing(*, chapter, request) -> dict:
    """Two queries whatever the number of courses: the courses with a run of this chapter
    starting today or later (soonest first), and the course index for the link to them."""
    today = timezone.localdate()
    # A run belongs to its own chapter, or to its course's when it has none (training.selectors.in_chapter).
    runs_here = Q(cohorts__chapter=chapter) | Q(cohorts__chapter__isnull=True, chapter=chapter)
    courses = list(
        CoursePage.objects.live()
        .public()
        .annotate(next_start=Min("cohorts__starts_on", filter=Q(cohorts__starts_on__gte=today) & runs_here))
        .filter(next_start__isnull=False)
        .order_by("next_start", "pk")[:CHAPTER_COURSES]
    )
    items = [
        {
            "title": course.title,
            "url": course.get_url(request),
            "when": _("Starts %(date)s") % {"date": formats.date_format(course.next_start, "DATE_FORMAT")},
        }
        for course in courses
    ]
    index = CourseIndexPage.objects.live().first()
    query = urlencode({"chapter": chapter.slug})
    return {
        "title": _("Upcoming courses"),
        "items": items,
        "more_url": f"{index.get_url(request)}?{query}" if index else None,
        "more_label": _("All courses of this chapter"),
        "empty": _("No course runs are planned yet."),
    }
