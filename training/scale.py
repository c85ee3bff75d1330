"""Training of a large network for `manage.py seed_scale` (a `thrive_seed_scale` hook, order 30).

One course for every 2,500 members (at least five), each with four to seven modules, under
the demo's course index; one cohort for every 250 members, over the last two years and the
next six months, each with six weekly live sessions, one or two trainers (25 trainers made
here, and the demo trainer in one cohort in ten) and 8 to 20 learners at every stage.
Sessions that have ended have their attendance marked; learners have done some modules, and
those whose cohort finished mostly completed it.
"""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import MemberProfile, User
from accounts.roles import TRAINERS
from core.seeding import ScaleRequest, Timings, bulk_insert, explicit_times, pages_bulk_add
from training.models import Cohort, CourseIndexPage, CoursePage, Enrolment, LiveSession, ModulePage, ModuleProgress
from training.models import SessionAttendance as Attendance

TOPICS = [
    "Survivor leadership",
    "Public speaking",
    "Policy advocacy",
    "Peer support",
    "Media and storytelling",
    "Facilitating groups",
    "Safeguarding",
    "Campaigning",
    "Working with funders",
    "Community organising",
]
LEVELS = ["foundations", "next steps", "in practice", "for trainers"]
TRAINER_COUNT = 25
SESSIONS = 6
DEMO_TRAINER_EMAIL = "trainer@thrive.example"


def seed_learning(*, scale: ScaleRequest, timings: Timings) -> None:
    rng = scale.random("training")
    now = timezone.now()
    index = CourseIndexPage.objects.first()
    if index is None:
        return
    members = list(
        MemberProfile.objects.filter(user__email__endswith=scale.email_suffix).values_list("user_id", "chapter_id")
    )
    chapters = {chapter_id for _user, chapter_id in members} - {None}
    with timings.table("training_coursepage") as count:
        courses = pages_bulk_add(index, [_course(rng, scale, n, sorted(chapters)) for n in range(_courses(scale))])
        count[0] = len(courses)
    with timings.table("training_modulepage") as count:
        for course in courses:
            modules = [_module(rng, n) for n in range(rng.randint(4, 7))]
            count[0] += len(pages_bulk_add(course, modules))
    trainers = _trainers(scale, timings)
    with timings.table("training_cohort") as count:
        cohorts = bulk_insert(Cohort, (_cohort(rng, courses, n, now) for n in range(max(1, scale.members // 250))))
        count[0] = len(cohorts)
    with timings.table("training_cohort_trainers") as count:
        count[0] = len(bulk_insert(Cohort.trainers.through, _cohort_trainers(rng, cohorts, trainers)))
    with timings.table("training_livesession") as count:
        sessions = bulk_insert(LiveSession, (s for cohort in cohorts for s in _sessions(cohort)))
        count[0] = len(sessions)
    learner_ids = [user_id for user_id, _chapter in members]
    with timings.table("training_enrolment") as count, explicit_times(Enrolment, "created_at"):
        enrolments = bulk_insert(
            Enrolment, (e for cohort in cohorts for e in _enrolments(rng, cohort, learner_ids, now))
        )
        count[0] = len(enrolments)
    with timings.table("training_sessionattendance") as count:
        count[0] = len(bulk_insert(Attendance, _attendance(rng, cohorts, sessions, enrolments, now)))
    with timings.table("training_moduleprogress") as count, explicit_times(ModuleProgress, "completed_at"):
        count[0] = len(bulk_insert(ModuleProgress, _progress(rng, cohorts, enrolments)))


def _courses(scale: ScaleRequest) -> int:
    return max(5, scale.members // 2500) if scale.members else 0


def _course(rng, scale: ScaleRequest, n: int, chapters: list[int]) -> CoursePage:
    title = f"{TOPICS[n % len(TOPICS)]}: {LEVELS[(n // len(TOPICS)) % len(LEVELS)]}"
    if n >= len(TOPICS) * len(LEVELS):
        title += f" ({n // (len(TOPICS) * len(LEVELS)) + 1})"
    return CoursePage(
        title=title,
        slug=f"{slugify(title)}-{scale.tag}",
        summary=f"{title}: practical sessions with survivor leaders, at your own pace between them.",
        outcomes="<ul><li>Confidence</li><li>Practical skills</li><li>A peer network</li></ul>",
        audience="<p>Members of the network at any stage.</p>",
        format=rng.choice(["online", "in_person", "blended"]),
        chapter_id=rng.choice(chapters) if chapters else None,
        trainers_description="Two survivor leaders",
        enrolment_mode=rng.choices(["open", "application", "invitation"], [70, 25, 5])[0],
        price_minor=0 if rng.random() < 0.8 else rng.choice([2500, 5000, 9000]),
        min_attendance_percent=75,
        hours=rng.choice([6, 8, 10, 12, 16]),
    )


def _module(rng, n: int) -> ModulePage:
    body = [
        {"type": "paragraph", "value": f"<p>Part {n + 1}: reading, a short video transcript and a reflection.</p>"},
        {"type": "reflection", "value": {"prompt": "What would you like to take from this module?"}},
    ]
    return ModulePage(
        title=f"Part {n + 1}",
        slug=f"module-{n + 1}",
        body=json.dumps(body),
        estimated_minutes=rng.choice([15, 20, 30, 45]),
        required=n > 0,
    )


def _trainers(scale: ScaleRequest, timings: Timings) -> list[int]:
    """Trainer accounts (in the Trainers group), and the demo trainer's."""
    with timings.table("accounts_user (trainers)") as count:
        unusable = make_password(None)
        users = bulk_insert(
            User,
            (User(email=scale.email("trainer", n), password=unusable) for n in range(TRAINER_COUNT)),
        )
        group = Group.objects.get(name=TRAINERS)
        bulk_insert(User.groups.through, (User.groups.through(user_id=u.pk, group_id=group.pk) for u in users))
        count[0] = len(users) * 2
    demo = User.objects.filter(email=DEMO_TRAINER_EMAIL).values_list("pk", flat=True).first()
    return [u.pk for u in users] + ([demo] if demo else [])


def _cohort(rng, courses: list[CoursePage], n: int, now) -> Cohort:
    course = rng.choice(courses)
    starts_on = (now + timedelta(days=rng.uniform(-730, 180))).date()
    season = ["Winter", "Spring", "Summer", "Autumn"][(starts_on.month - 1) // 3]
    zone = "America/New_York" if course.chapter_id and rng.random() < 0.3 else "Europe/London"
    return Cohort(
        course_id=course.pk,
        name=f"{season} {starts_on.year}, {rng.choice(['evenings', 'weekends', 'daytime'])} #{n + 1}",
        chapter_id=course.chapter_id,
        time_zone=zone,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=7 * SESSIONS),
        capacity=20,
    )


def _cohort_trainers(rng, cohorts: list[Cohort], trainers: list[int]):
    scale_trainers, demo = trainers[:TRAINER_COUNT], trainers[TRAINER_COUNT:]
    for n, cohort in enumerate(cohorts):
        chosen = set(rng.sample(scale_trainers, rng.choice([1, 2])))
        if demo and n % 10 == 0:
            chosen.add(demo[0])
        for user_id in chosen:
            yield Cohort.trainers.through(cohort_id=cohort.pk, user_id=user_id)


def _sessions(cohort: Cohort):
    zone = ZoneInfo(cohort.time_zone)
    for week in range(SESSIONS):
        day = cohort.starts_on + timedelta(days=7 * week)
        starts = datetime.combine(day, time(18), tzinfo=zone)
        yield LiveSession(
            cohort_id=cohort.pk,
            title=f"Week {week + 1} circle",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            online_url="https://meet.example.org/thrive-circle",
        )


def _enrolments(rng, cohort: Cohort, learner_ids: list[int], now):
    started = datetime.combine(cohort.starts_on, time(9), tzinfo=ZoneInfo(cohort.time_zone))
    finished = cohort.ends_on < now.date()
    for user_id in rng.sample(learner_ids, min(len(learner_ids), rng.randint(8, 20))):
        if finished:
            status = rng.choices(["completed", "enrolled", "withdrawn"], [60, 25, 15])[0]
        elif started <= now:
            status = rng.choices(["enrolled", "withdrawn"], [92, 8])[0]
        else:
            status = rng.choices(["enrolled", "applied", "waitlisted"], [70, 15, 15])[0]
        joined = started - timedelta(days=rng.uniform(3, 40))
        yield Enrolment(
            user_id=user_id,
            cohort_id=cohort.pk,
            status=status,
            created_at=joined,
            enrolled_at=joined if status in ("enrolled", "completed", "withdrawn") else None,
            completed_at=datetime.combine(cohort.ends_on, time(21), tzinfo=ZoneInfo(cohort.time_zone))
            if status == "completed"
            else None,
        )


def _attendance(rng, cohorts, sessions, enrolments, now):
    """A mark for each place-holding learner at each session that has ended."""
    ended = {}
    for session in sessions:
        if session.ends_at <= now:
            ended.setdefault(session.cohort_id, []).append(session)
    for enrolment in enrolments:
        if enrolment.status not in Enrolment.PLACE_TAKING:
            continue
        for session in ended.get(enrolment.cohort_id, []):
            status = rng.choices(["present", "late", "absent", "excused"], [75, 8, 10, 7])[0]
            if enrolment.status == "completed" and status == "absent":
                status = "present"
            yield Attendance(session_id=session.pk, enrolment_id=enrolment.pk, status=status)


def _progress(rng, cohorts, enrolments):
    modules_of = {}
    for module_id, course_path in ModulePage.objects.filter(
        path__startswith=CourseIndexPage.objects.first().path
    ).values_list("pk", "path"):
        modules_of.setdefault(course_path[: -ModulePage.steplen], []).append(module_id)
    course_path = dict(CoursePage.objects.filter(pk__in={c.course_id for c in cohorts}).values_list("pk", "path"))
    course_of = {cohort.pk: cohort.course_id for cohort in cohorts}
    for enrolment in enrolments:
        modules = sorted(modules_of.get(course_path[course_of[enrolment.cohort_id]], []))
        if enrolment.status == "completed":
            done = len(modules)
        elif enrolment.status in ("enrolled", "withdrawn"):
            done = rng.randint(0, len(modules))
        else:
            continue
        for module_id in modules[:done]:
            yield ModuleProgress(
                enrolment_id=enrolment.pk,
                module_id=module_id,
                completed_at=enrolment.enrolled_at + timedelta(days=rng.uniform(1, 40)),
            )
