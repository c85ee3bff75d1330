"""Reads for training pages. Each runs a fixed number of queries, whatever the amount of
content (tests assert it), so pages stay fast as courses and learners grow."""

from decimal import Decimal

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.roles import organised_chapter_id
from certificates.models import Certificate
from certificates.services import source_key_for
from cms.models import Chapter
from core.money import format_money
from core.page_cache import cached_until_published
from payments.sponsorship import SponsorshipTarget
from training.models import (
    Cohort,
    CourseFormat,
    CourseIndexPage,
    CoursePage,
    CourseSponsoredPlaces,
    Enrolment,
    LiveSession,
    ModulePage,
    ModuleProgress,
)
from training.models import SessionAttendance as Attendance
from training.rules import attendance_percent, statuses_that_count


def course_listing(*, index, params) -> dict:
    today = timezone.localdate()
    courses = (
        CoursePage.objects.child_of(index)
        .live()
        .public()
        .select_related("chapter")
        .annotate(next_start=Min("cohorts__starts_on", filter=Q(cohorts__starts_on__gte=today)))
        .order_by("title")
    )
    chapter, course_format = params.get("chapter", ""), params.get("format", "")
    if chapter:
        courses = courses.filter(chapter__slug=chapter)
    if course_format in CourseFormat.values:
        courses = courses.filter(format=course_format)
    if params.get("upcoming"):
        courses = courses.filter(next_start__isnull=False)
    page = Paginator(courses, index.COURSES_PER_PAGE).get_page(params.get("page"))
    return {
        "courses": page,
        "chapters": list(Chapter.objects.all()),
        "formats": CourseFormat.choices,
        "filters": {"chapter": chapter, "format": course_format, "upcoming": bool(params.get("upcoming"))},
    }


def course_modules(course) -> list[ModulePage]:
    return list(
        ModulePage.objects.child_of(course)
        .live()
        .only(
            "pk",
            "title",
            "slug",
            "url_path",
            "path",
            "depth",
            "estimated_minutes",
            "required",
            "release_on",
            "release_after_days",
            # Read by the reader's-language links (content_translation's page mixin).
            "locale_id",
            "alias_of_id",
        )
        .order_by("path")
    )


def course_outline(course) -> dict:
    """What only changes when staff publish: modules, prerequisites, chapter, price. Cached under
    the page-cache version."""
    return cached_until_published(
        f"course-outline:{course.pk}",
        lambda: {
            "modules": course_modules(course),
            "prerequisite_courses": list(course.prerequisites.all()),
            "chapter": course.chapter,
            "price": _course_price(course),
            "index_url": course.get_parent().url,
        },
    )


def course_detail(*, course, user) -> dict:
    today = timezone.localdate()
    cohorts = list(
        Cohort.objects.filter(course=course, ends_on__gte=today)
        .select_related("chapter")
        .annotate(taken=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.PLACE_TAKING)))
        .order_by("starts_on")
    )
    for cohort in cohorts:
        cohort.places_left = max(0, cohort.capacity - cohort.taken)
    mine = {}
    if user.is_authenticated:
        mine = {
            e.cohort_id: e
            for e in Enrolment.objects.filter(user=user, cohort__course=course, status__in=Enrolment.ACTIVE)
        }
    for cohort in cohorts:
        cohort.my_enrolment = mine.get(cohort.pk)
    return course_outline(course) | {
        "sponsored_places": course_sponsored_places(course),
        "cohorts": cohorts,
        "enrolled": any(e.status in Enrolment.PLACE_TAKING for e in mine.values()),
    }


def course_sponsored_places(course) -> int:
    """How many places donors' earmarked gifts have paid for on this course."""
    return CourseSponsoredPlaces.objects.filter(course=course).values_list("places", flat=True).first() or 0


def _course_price(course) -> str:
    """The course's price in its chapter's currency ("" when free)."""
    if not course.price_minor:
        return ""
    currency = course.chapter.currency if course.chapter else settings.PAYMENTS_DEFAULT_CURRENCY
    return format_money(course.price_minor, currency)


def learner_enrolment(*, user, course_id: int) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return (
        Enrolment.objects.filter(user=user, cohort__course_id=course_id, status__in=Enrolment.PLACE_TAKING)
        .select_related("cohort")
        .first()
    )


def completed_course_ids(user) -> set[int]:
    """The courses this person has completed (prerequisites)."""
    return set(
        Enrolment.objects.filter(user=user, status=Enrolment.Status.COMPLETED).values_list(
            "cohort__course_id", flat=True
        )
    )


def is_trainer_of(user, cohort: Cohort) -> bool:
    return user.is_superuser or cohort.trainers.filter(pk=user.pk).exists()


def in_chapter(chapter_id: int):
    """Cohorts of a chapter: their own chapter's, or their course's when they have none."""
    return Q(chapter_id=chapter_id) | Q(chapter__isnull=True, course__chapter_id=chapter_id)


def manages_cohort(user, cohort: Cohort) -> bool:
    """May take attendance, approve applications and sign off learners: the cohort's trainers,
    the organiser of its chapter (accounts.roles), superusers."""
    if is_trainer_of(user, cohort):
        return True
    chapter_id = organised_chapter_id(user)
    return chapter_id is not None and Cohort.objects.filter(in_chapter(chapter_id), pk=cohort.pk).exists()


def completion_state(enrolment: Enrolment) -> dict:
    """What the completion rule needs, and whether it is met."""
    course = enrolment.cohort.course
    required = set(ModulePage.objects.child_of(course).live().filter(required=True).values_list("pk", flat=True))
    done = set(enrolment.progress.values_list("module_id", flat=True))
    # Every session of the run counts, those still to come as not attended until marked (see
    # training.rules), so completion never depends on sessions that might yet be missed.
    sessions = list(LiveSession.objects.filter(cohort_id=enrolment.cohort_id).only("pk", "starts_at", "ends_at"))
    marks = dict(enrolment.attendance.values_list("session_id", "status"))
    percent = attendance_percent(statuses_that_count(sessions, marks=marks, enrolled_at=enrolment.enrolled_at))
    percent = 100 if percent is None else percent  # no session counts: the attendance part is met
    return {
        "modules_required": len(required),
        "modules_done": len(required & done),
        "attendance_percent": percent,
        "met": required <= done and percent >= course.min_attendance_percent,
    }


def learner_sessions(*, user):
    """The live sessions of every course run the person holds a place on (their private feed)."""
    return (
        LiveSession.objects.filter(cohort__enrolments__user=user, cohort__enrolments__status__in=Enrolment.PLACE_TAKING)
        .select_related("cohort__course")
        .distinct()
    )


def module_detail(*, module, user) -> dict:
    course_id = module.get_parent().pk
    enrolment = learner_enrolment(user=user, course_id=course_id)
    opens_at = module.opens_at(enrolment.enrolled_at) if enrolment else None
    done = bool(enrolment) and ModuleProgress.objects.filter(enrolment=enrolment, module=module).exists()
    siblings = list(
        module.get_siblings()
        .live()
        .only("pk", "title", "url_path", "path", "depth", "locale_id", "alias_of_id")
        .order_by("path")
    )
    position = next((i for i, s in enumerate(siblings) if s.pk == module.pk), 0)
    return {
        "enrolment": enrolment,
        "is_open": enrolment is not None and (opens_at is None or opens_at <= timezone.now()),
        "opens_at": opens_at,
        "done": done,
        "previous_module": siblings[position - 1] if position > 0 else None,
        "next_module": siblings[position + 1] if position + 1 < len(siblings) else None,
        "quiz": module.quiz(),
    }


def dashboard(*, user) -> dict:
    """My learning: each enrolment with progress, attendance and the next session, in a
    fixed number of queries."""
    enrolments = list(
        Enrolment.objects.filter(user=user, status__in=Enrolment.ACTIVE)
        .select_related("cohort__course")
        .order_by("-created_at")
    )
    if not enrolments:
        return {"enrolments": [], "next_session": None}
    course_paths = {e.cohort.course.path for e in enrolments}
    path_filter = Q()
    for path in course_paths:
        path_filter |= Q(path__startswith=path)
    required_by_course: dict[str, set[int]] = {}
    for module_id, path in ModulePage.objects.live().filter(path_filter, required=True).values_list("pk", "path"):
        for course_path in course_paths:
            if path.startswith(course_path) and path != course_path:
                required_by_course.setdefault(course_path, set()).add(module_id)
    done: dict[int, set[int]] = {}
    for enrolment_id, module_id in ModuleProgress.objects.filter(enrolment__in=enrolments).values_list(
        "enrolment_id", "module_id"
    ):
        done.setdefault(enrolment_id, set()).add(module_id)
    now = timezone.now()
    cohort_ids = {e.cohort_id for e in enrolments}
    sessions = list(
        LiveSession.objects.filter(cohort_id__in=cohort_ids).select_related("cohort__course").order_by("starts_at")
    )
    marks = dict(
        ((a_enrolment, a_session), status)
        for a_enrolment, a_session, status in Attendance.objects.filter(enrolment__in=enrolments).values_list(
            "enrolment_id", "session_id", "status"
        )
    )
    for enrolment in enrolments:
        required = required_by_course.get(enrolment.cohort.course.path, set())
        enrolment.modules_required = len(required)
        enrolment.modules_done = len(required & done.get(enrolment.pk, set()))
        enrolment.progress_percent = round(100 * enrolment.modules_done / len(required)) if required else 100
        own_sessions = [s for s in sessions if s.cohort_id == enrolment.cohort_id]
        own_marks = {s.pk: marks[(enrolment.pk, s.pk)] for s in own_sessions if (enrolment.pk, s.pk) in marks}
        enrolment.attendance_percent = attendance_percent(  # so far: sessions started or already marked
            statuses_that_count(own_sessions, marks=own_marks, enrolled_at=enrolment.enrolled_at, now=now)
        )
        enrolment.next_session = next(
            (s for s in sessions if s.cohort_id == enrolment.cohort_id and s.ends_at >= now), None
        )
    completed_keys = [source_key_for(e) for e in enrolments if e.status == Enrolment.Status.COMPLETED]
    certificates = {}
    if completed_keys:
        certificates = {
            c.source_key: c for c in Certificate.objects.live().filter(recipient=user, source_key__in=completed_keys)
        }
    for enrolment in enrolments:
        enrolment.certificate = certificates.get(source_key_for(enrolment))
    active = {e.cohort_id for e in enrolments if e.status in Enrolment.PLACE_TAKING}
    upcoming = [s for s in sessions if s.ends_at >= now and s.cohort_id in active]
    return {"enrolments": enrolments, "next_session": upcoming[0] if upcoming else None}


def upcoming_courses_listing(limit: int = 3) -> dict:
    """For the home page: courses with a run starting soon (one query)."""
    today = timezone.localdate()
    courses = (
        CoursePage.objects.live()
        .public()
        .annotate(next_start=Min("cohorts__starts_on", filter=Q(cohorts__starts_on__gte=today)))
        .filter(next_start__isnull=False)
        .order_by("next_start", "path")[:limit]
    )
    items = [
        {
            "title": c.title,
            "url": c.url,
            "when": _("Starts %(date)s") % {"date": formats.date_format(c.next_start, "j F Y")},
        }
        for c in courses
    ]
    index = CourseIndexPage.objects.live().first() if items else None
    return {"title": _("Upcoming courses"), "items": items, "more_url": index.url if index else None}


def certificate_sources() -> dict[str, dict]:
    """Cohorts whose completed learners can be issued certificates in bulk (a hook for the
    certificates admin, which never imports training)."""
    sources = {}
    cohorts = Cohort.objects.select_related("course").prefetch_related("trainers")
    for cohort in cohorts:

        def qualifying(cohort=cohort):
            for enrolment in Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.COMPLETED).select_related(
                "user"
            ):
                yield {
                    "recipient": enrolment.user,
                    "source": enrolment,
                    "title": cohort.course.title,
                    "awarded_on": (enrolment.completed_at or timezone.now()).date(),
                    "hours": Decimal(cohort.course.hours),
                }

        sources[f"training.cohort:{cohort.pk}"] = {
            "label": f"{cohort.course.title}: {cohort.name}",
            "qualifying": qualifying,
            "trainer_ids": {t.pk for t in cohort.trainers.all()},
        }
    return sources


def certificate_managers(source_key: str) -> set[int]:
    """For the certificates admin: the trainers of the cohort whose learner holds a
    certificate issued for `source_key` (an enrolment's "training.enrolment:<pk>"), who may
    revoke or reissue it. Empty for any other source."""
    label, _sep, pk = source_key.partition(":")
    if label != Enrolment._meta.label_lower or not pk.isdigit():
        return set()
    return set(Enrolment.objects.filter(pk=int(pk)).values_list("cohort__trainers", flat=True)) - {None}


def sponsorship_targets(page_ids: list[int] | None = None) -> list:
    """Courses a gift can fund places on, for payments' donation form (the
    `thrive_sponsorship_targets` hook): with `page_ids` None, live public courses by title
    (at most 20); else those of `page_ids` that are courses. A place costs the course's price."""
    courses = CoursePage.objects.select_related("chapter")
    courses = courses.live().public().order_by("title")[:20] if page_ids is None else courses.filter(pk__in=page_ids)
    return [
        SponsorshipTarget(
            page_id=course.pk,
            label=_("Funded places on %(course)s") % {"course": course.title},
            place_minor=course.price_minor,
            currency=course.chapter_currency or "",
        )
        for course in courses
    ]
