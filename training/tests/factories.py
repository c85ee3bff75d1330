"""Building courses for tests: pages go into the Wagtail tree, so these are functions."""

from datetime import timedelta

from django.utils import timezone
from wagtail.models import Page

from accounts.tests.factories import ChapterFactory, MemberProfileFactory, UserFactory
from training.models import Cohort, CourseIndexPage, CoursePage, Enrolment, LiveSession, ModulePage


def course_index() -> CourseIndexPage:
    existing = CourseIndexPage.objects.first()
    if existing:
        return existing
    root = Page.get_first_root_node()
    home = root.get_children().first() or root
    index = home.add_child(instance=CourseIndexPage(title="Courses", slug="courses-test"))
    return index


def make_course(*, modules: int = 3, title: str | None = None, quiz_on: int | None = None, **fields) -> CoursePage:
    index = course_index()
    number = CoursePage.objects.count() + 1
    title = title or f"Course {number}"
    course = index.add_child(
        instance=CoursePage(
            title=title, slug=f"course-{number}", summary=f"About {title}", chapter=ChapterFactory(), **fields
        )
    )
    for n in range(modules):
        body = []
        if quiz_on == n:
            body = [
                {
                    "type": "quiz",
                    "value": {
                        "title": "Check",
                        "pass_mark": 100,
                        "questions": [{"question": "Two plus two?", "choices": ["3", "4"], "correct_choice": 2}],
                    },
                }
            ]
        course.add_child(instance=ModulePage(title=f"Module {n + 1}", slug=f"module-{n + 1}", body=body))
    return course


def make_cohort(
    course: CoursePage, *, capacity: int = 10, sessions: int = 0, trainers=(), starts_in_days: int = -1, **fields
) -> Cohort:
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        course=course,
        name=fields.pop("name", "Test run"),
        starts_on=today + timedelta(days=starts_in_days),
        ends_on=today + timedelta(days=60),
        capacity=capacity,
        chapter=course.chapter,
        **fields,
    )
    cohort.trainers.add(*trainers)
    now = timezone.now()
    for n in range(sessions):
        start = now - timedelta(days=sessions - n, hours=1)
        LiveSession.objects.create(
            cohort=cohort,
            title=f"Session {n + 1}",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            online_url="https://meet.example.org/room",
        )
    return cohort


def make_learner(**profile_fields):
    return MemberProfileFactory(**profile_fields).user


def enrol(user, cohort, status=Enrolment.Status.ENROLLED, enrolled_at=None) -> Enrolment:
    """Enrolled a year ago unless told otherwise, so every session of `make_cohort` (held in the
    last days) counts for the learner, as it does for someone who enrolled before the run began."""
    enrolled_at = enrolled_at or timezone.now() - timedelta(days=365)
    return Enrolment.objects.create(user=user, cohort=cohort, status=status, enrolled_at=enrolled_at)


def make_trainer():
    return UserFactory(groups=["Trainers"])
