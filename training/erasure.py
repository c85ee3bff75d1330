"""A member's erasure, as training applies it (the personal-data contract, core/hooks.py).

Trainers' notes about the learner (a completion sign-off's reason, an attendance note) are
emptied. Kept: enrolments, module progress and attendance marks (statuses and dates), so a
cohort's counts and a certificate's basis still add up; they name no one once the account
is erased. Quiz answers and reflections are not stored (only whether a module was
completed), so there is nothing more to erase.
"""

from core.personal_data import Member, PersonalData, Rows
from training.models import Enrolment, ModuleProgress, SessionAttendance


def training_member_rows(member: Member, found: Rows) -> Rows:
    of_learner = {"enrolment__user_id": member.user_id}
    return {
        Enrolment._meta.label: set(Enrolment.objects.filter(user_id=member.user_id).values_list("pk", flat=True)),
        ModuleProgress._meta.label: set(ModuleProgress.objects.filter(**of_learner).values_list("pk", flat=True)),
        SessionAttendance._meta.label: set(SessionAttendance.objects.filter(**of_learner).values_list("pk", flat=True)),
    }


def training_erase_member(member: Member, found: Rows) -> None:
    Enrolment.objects.filter(pk__in=found.get(Enrolment._meta.label, ())).update(completion_note="")
    SessionAttendance.objects.filter(pk__in=found.get(SessionAttendance._meta.label, ())).update(trainer_note="")


PERSONAL_DATA = PersonalData(
    personal={
        "training.Enrolment": ("completion_note",),
        "training.SessionAttendance": ("trainer_note",),
    },
    not_personal={
        "training.Enrolment.status": "a status",
        "training.SessionAttendance.status": "an attendance mark",
        "training.Cohort": "a cohort's name and time zone, written by staff",
        "training.LiveSession": "session titles, links and venues staff write",
        "training.CourseIndexPage": "page content staff publish",
        "training.CoursePage": "page content staff publish",
        "training.ModulePage": "page content staff publish (quiz and reflection answers are not stored)",
    },
    tasks={"training.tasks.enrolment_email_send": {"enrolment_id": "training.Enrolment"}},
    rows=training_member_rows,
    erase=training_erase_member,
    # Trainers who signed off a learner or marked their attendance: not in the trainer's export.
    acting_staff=("training.Enrolment.signed_off_by", "training.SessionAttendance.marked_by"),
)
