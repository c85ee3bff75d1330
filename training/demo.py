"""Demo courses for `manage.py seed_demo` (a `thrive_seed_demo` hook). Idempotent."""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import MemberProfile
from cms.models import Chapter, HomePage, PartnerOrganisation
from training.models import Cohort, CourseIndexPage, CoursePage, Enrolment, LiveSession, ModulePage, ModuleProgress
from training.models import SessionAttendance as Attendance
from training.services import completion_check

DEMO_TRAINER_EMAIL = "trainer@thrive.example"

COURSES = [
    {
        "title": "Foundations of survivor leadership",
        "slug": "foundations-of-survivor-leadership",
        "summary": "Six weeks on what leadership can look like for survivors: voice, boundaries and community.",
        "format": "online",
        "hours": 12,
        "starts_in_days": -14,
        "modules": [
            ("Welcome and ground rules", "How we learn together safely.", False),
            ("Your story, your choice", "Deciding what to share, and when.", True),
            ("Leading in community", "Leadership as something we do together.", True),
        ],
    },
    {
        "title": "Telling your story safely",
        "slug": "telling-your-story-safely",
        "summary": "Practical skills for speaking to media, funders and policymakers, sharing only what you choose.",
        "format": "blended",
        "hours": 8,
        "starts_in_days": -3,
        "co_hosts": ["Safe Harbour Trust"],
        "modules": [
            ("Consent and control", "Your story belongs to you.", True),
            ("Working with journalists", "Questions to ask before you say yes.", True),
        ],
    },
    {
        "title": "Policy advocacy",
        "slug": "policy-advocacy",
        "summary": "How laws and policies are made, and how survivor leaders change them.",
        "format": "in_person",
        "hours": 10,
        "starts_in_days": 21,
        "modules": [
            ("How policy is made", "From idea to law.", True),
            ("Meeting decision-makers", "Preparing well.", True),
        ],
        "prerequisite": "foundations-of-survivor-leadership",
        "mode": "application",
    },
]

QUIZ = {
    "type": "quiz",
    "value": {
        "title": "Check your understanding",
        "pass_mark": 50,
        "questions": [
            {
                "question": "Who decides what parts of your story you share?",
                "choices": ["The interviewer", "You", "The organisation"],
                "correct_choice": 2,
            }
        ],
    },
}


def _module_body(text: str, with_quiz: bool) -> str:
    blocks = [
        {"type": "paragraph", "value": f"<p>{text}</p>"},
        {"type": "reflection", "value": {"prompt": "What would you like to take from this module?"}},
    ]
    if with_quiz:
        blocks.append(QUIZ)
    return json.dumps(blocks)


def _publish_child(parent, page):
    found = parent.get_children().filter(slug=page.slug).first()
    if found is not None:
        return found.specific
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _at(day, hour: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(zone))


def seed_training(*, password: str) -> None:
    home = HomePage.objects.first()
    index = _publish_child(
        home,
        CourseIndexPage(
            title="Courses", slug="courses", show_in_menus=True, intro="<p>Leadership training, led by survivors.</p>"
        ),
    )
    uk = Chapter.objects.get(slug="uk")
    trainer = demo_user(DEMO_TRAINER_EMAIL, password, first_name="Demo", last_name="Trainer")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    if not MemberProfile.objects.filter(user=trainer).exists():
        MemberProfile.objects.create(user=trainer, display_name="Trainer Jo", chapter=uk)
    courses = {}
    for spec in COURSES:
        course = _publish_child(
            index,
            CoursePage(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                format=spec["format"],
                hours=spec["hours"],
                chapter=uk,
                trainers_description="Two survivor leaders from the UK chapter",
                enrolment_mode=spec.get("mode", "open"),
                outcomes="<ul><li>Confidence</li><li>Practical skills</li><li>A peer network</li></ul>",
                audience="<p>Members of the network at any stage.</p>",
            ),
        )
        co_hosts = list(PartnerOrganisation.objects.filter(name__in=spec.get("co_hosts", [])))
        if co_hosts and not course.partners.exists():
            course.partners = co_hosts
            course.save_revision().publish()
        if spec.get("prerequisite") and not course.prerequisites.exists():
            course.prerequisites.add(courses[spec["prerequisite"]])
            course.save_revision().publish()
        for number, (title, text, required) in enumerate(spec["modules"]):
            _publish_child(
                course,
                ModulePage(
                    title=title,
                    slug=f"module-{number + 1}",
                    body=_module_body(text, with_quiz=number == 1),
                    estimated_minutes=20 + 10 * number,
                    required=required,
                ),
            )
        courses[spec["slug"]] = course
        if not Cohort.objects.filter(course=course).exists():
            today = timezone.localdate()
            start = today + timedelta(days=spec["starts_in_days"])
            cohort = Cohort.objects.create(
                course=course,
                name="Autumn evenings",
                chapter=uk,
                time_zone="Europe/London",
                starts_on=start,
                ends_on=start + timedelta(days=42),
                capacity=8,
            )
            cohort.trainers.add(trainer)
            for week in range(3):
                day = start + timedelta(days=7 * week)
                LiveSession.objects.create(
                    cohort=cohort,
                    title=f"Week {week + 1} circle",
                    starts_at=_at(day, 18, "Europe/London"),
                    ends_at=_at(day, 20, "Europe/London"),
                    online_url="https://meet.example.org/thrive-circle",
                )
    _seed_learners(courses["foundations-of-survivor-leadership"])
    _seed_us_cohort(courses["foundations-of-survivor-leadership"])


def _seed_us_cohort(course: CoursePage) -> None:
    """A run of the first course with the US chapter, so the US chapter organiser
    (us-organiser@thrive.example) has a cohort to manage and its page a course coming up."""
    us = Chapter.objects.get(slug="us")
    if Cohort.objects.filter(course=course, chapter=us).exists():
        return
    start = timezone.localdate() + timedelta(days=21)
    cohort = Cohort.objects.create(
        course=course,
        name="US evenings",
        chapter=us,
        time_zone=us.time_zone,
        starts_on=start,
        ends_on=start + timedelta(days=14),
        capacity=10,
    )
    for week in range(2):
        day = start + timedelta(days=7 * week)
        LiveSession.objects.create(
            cohort=cohort,
            title=f"Week {week + 1} circle",
            starts_at=_at(day, 18, us.time_zone),
            ends_at=_at(day, 20, us.time_zone),
            online_url="https://meet.example.org/thrive-us-circle",
        )
    profile = MemberProfile.objects.filter(user__email="river@member.example").select_related("user").first()
    if profile is not None:
        Enrolment.objects.create(
            user=profile.user, cohort=cohort, status=Enrolment.Status.ENROLLED, enrolled_at=timezone.now()
        )


def _seed_learners(course: CoursePage) -> None:
    """Demo learners at different stages in the running cohort of the first course."""
    cohort = Cohort.objects.filter(course=course).first()
    if cohort is None or cohort.enrolments.exists():
        return
    modules = list(ModulePage.objects.child_of(course).order_by("path"))
    past_sessions = list(cohort.sessions.filter(starts_at__lte=timezone.now()))
    stages = [("member@thrive.example", 1), ("river@member.example", len(modules)), ("sam@member.example", 0)]
    for email, modules_done in stages:
        profile = MemberProfile.objects.filter(user__email=email).select_related("user").first()
        if profile is None:
            continue
        enrolment = Enrolment.objects.create(
            user=profile.user, cohort=cohort, status=Enrolment.Status.ENROLLED, enrolled_at=timezone.now()
        )
        for module in modules[:modules_done]:
            ModuleProgress.objects.create(enrolment=enrolment, module=module)
        for session in past_sessions:
            Attendance.objects.create(session=session, enrolment=enrolment, status=Attendance.Status.PRESENT)
        if modules_done == len(modules):
            # Sessions still to come count as missed until marked (training.rules), so River, who
            # told the trainer she cannot come to them, is excused from them ahead of time.
            for session in cohort.sessions.exclude(pk__in=[s.pk for s in past_sessions]):
                Attendance.objects.create(session=session, enrolment=enrolment, status=Attendance.Status.EXCUSED)
            completion_check(enrolment=enrolment)  # completes and issues the certificate
