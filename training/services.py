"""Every write about enrolments, progress, attendance and completion.

Capacity is enforced under a row lock on the cohort (PostgreSQL SELECT ... FOR UPDATE), so
simultaneous enrolments never overfill it; a freed place goes to the oldest waitlisted
learner. Services are keyword-only, atomic, and raise ValidationError with a message a
person can act on.
"""

import time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MemberProfile
from certificates.services import certificate_issue
from core.audit import audit_record
from core.locking import for_update
from core.tasks import enqueue_on_commit
from training.check_in import check_in_closed_reason, check_in_code, register_opens_reason
from training.models import (
    Cohort,
    CoursePage,
    CourseSponsoredPlaces,
    Enrolment,
    EnrolmentMode,
    LiveSession,
    ModulePage,
    ModuleProgress,
)
from training.models import SessionAttendance as Attendance
from training.rules import ATTENDED, module_is_open, quiz_score
from training.selectors import completed_course_ids, completion_state, manages_cohort
from training.tasks import enrolment_email_send

Status = Enrolment.Status
# What a learner can leave (`enrolment_withdraw`): an application, a place, a waiting-list spot.
WITHDRAWABLE = (Status.APPLIED, Status.ENROLLED, Status.WAITLISTED)


def _email_after_commit(enrolment: Enrolment, kind: str) -> None:
    enqueue_on_commit(enrolment_email_send, enrolment_id=enrolment.pk, kind=kind)


def _places_taken(cohort: Cohort) -> int:
    return Enrolment.objects.filter(cohort=cohort, status__in=Enrolment.PLACE_TAKING).count()


def _check_can_enrol(*, user, cohort: Cohort, course: CoursePage) -> None:
    if not MemberProfile.objects.active().filter(user=user).exists():
        raise ValidationError(_("Courses are for members of the network. Apply to join first."), code="not_a_member")
    if Enrolment.objects.filter(user=user, cohort=cohort, status__in=Enrolment.ACTIVE).exists():
        raise ValidationError(
            _("You are already enrolled in this course run (or on its waiting list)."), code="already_enrolled"
        )
    if cohort.enrolment_closes_at and cohort.enrolment_closes_at <= timezone.now():
        raise ValidationError(
            _("Enrolment for this course run has closed. Look for a later run of the course."), code="enrolment_closed"
        )
    prerequisites = list(course.prerequisites.all())
    completed = completed_course_ids(user) if prerequisites else set()
    missing = [c.title for c in prerequisites if c.pk not in completed]
    if missing:
        raise ValidationError(
            _("Complete %(courses)s first: this course builds on it.") % {"courses": ", ".join(missing)},
            code="prerequisites_missing",
        )


@transaction.atomic
def enrolment_create(*, user, cohort: Cohort, join_waitlist: bool = False) -> Enrolment:
    """Enrol a member in a cohort of an open course, or put them on its waiting list.

    Refuses (changing nothing): non-members, a second active enrolment, closed enrolment,
    missing prerequisites, courses by application or invitation, and a full cohort unless
    `join_waitlist`. Emails the learner after commit."""
    cohort = for_update(Cohort.objects.select_related("course").filter(pk=cohort.pk)).get()
    course = cohort.course
    _check_can_enrol(user=user, cohort=cohort, course=course)
    if course.enrolment_mode != EnrolmentMode.OPEN:
        raise ValidationError(
            _("This course takes applications: use 'Apply' and the training team will reply."), code="applications_only"
        )
    enrolled = _places_taken(cohort)
    if enrolled >= cohort.capacity and not join_waitlist:
        raise ValidationError(_("This course run is full. You can join its waiting list instead."), code="full")
    now = timezone.now()
    full = enrolled >= cohort.capacity
    enrolment = Enrolment.objects.create(
        user=user,
        cohort=cohort,
        status=Status.WAITLISTED if full else Status.ENROLLED,
        enrolled_at=None if full else now,
    )
    audit_record(actor=user, action=f"enrolment.{enrolment.status}", obj=enrolment)
    _email_after_commit(enrolment, "waitlisted" if full else "enrolled")
    return enrolment


@transaction.atomic
def enrolment_apply(*, user, cohort: Cohort) -> Enrolment:
    """Apply for a place on a course by application. Staff approve with `enrolment_approve`."""
    cohort = for_update(Cohort.objects.select_related("course").filter(pk=cohort.pk)).get()
    _check_can_enrol(user=user, cohort=cohort, course=cohort.course)
    if cohort.course.enrolment_mode == EnrolmentMode.OPEN:
        raise ValidationError(_("This course is open: enrol directly."), code="open_course")
    enrolment = Enrolment.objects.create(user=user, cohort=cohort, status=Status.APPLIED)
    audit_record(actor=user, action="enrolment.applied", obj=enrolment)
    return enrolment


@transaction.atomic
def enrolment_approve(*, enrolment: Enrolment, actor) -> Enrolment:
    """Accept an application (or an invitation by staff): enrolled if a place is free,
    otherwise waitlisted."""
    cohort = for_update(Cohort.objects.filter(pk=enrolment.cohort_id)).get()
    enrolment = for_update(Enrolment.objects.filter(pk=enrolment.pk)).get()
    if enrolment.status != Status.APPLIED:
        raise ValidationError(_("Only applications waiting for a decision can be approved."), code="not_applied")
    enrolled = _places_taken(cohort)
    enrolment.status = Status.ENROLLED if enrolled < cohort.capacity else Status.WAITLISTED
    enrolment.enrolled_at = timezone.now() if enrolment.status == Status.ENROLLED else None
    enrolment.save(update_fields=["status", "enrolled_at"])
    audit_record(actor=actor, action=f"enrolment.approved.{enrolment.status}", obj=enrolment)
    return enrolment


def _promote_next(cohort: Cohort) -> Enrolment | None:
    """Give a freed place to the oldest waitlisted learner. Caller holds the cohort lock."""
    enrolled = _places_taken(cohort)
    if enrolled >= cohort.capacity:
        return None
    nxt = Enrolment.objects.filter(cohort=cohort, status=Status.WAITLISTED).order_by("created_at", "pk").first()
    if nxt is None:
        return None
    nxt.status = Status.ENROLLED
    nxt.enrolled_at = timezone.now()
    nxt.save(update_fields=["status", "enrolled_at"])
    audit_record(actor=None, action="enrolment.promoted", obj=nxt)
    _email_after_commit(nxt, "promoted")
    return nxt


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, actor) -> Enrolment:
    """Leave a course run (or its waiting list). A freed place goes to the next person waiting."""
    cohort = for_update(Cohort.objects.select_related("course").filter(pk=enrolment.cohort_id)).get()
    enrolment = for_update(Enrolment.objects.filter(pk=enrolment.pk)).get()
    if enrolment.status not in WITHDRAWABLE:
        raise ValidationError(_("This enrolment has already ended."), code="ended")
    held_place = enrolment.status == Status.ENROLLED
    enrolment.status = Status.WITHDRAWN
    enrolment.save(update_fields=["status"])
    audit_record(actor=actor, action="enrolment.withdrawn", obj=enrolment)
    if held_place:
        _promote_next(cohort)
    return enrolment


# Learning -------------------------------------------------------------------------------


@transaction.atomic
def module_complete(*, enrolment: Enrolment, module: ModulePage, answers: dict[str, str] | None = None) -> int | None:
    """Mark a module complete for an enrolled learner. Refuses locked modules and a failed
    quiz (returns nothing, saves nothing). Returns the quiz score when there is a quiz."""
    enrolment = for_update(Enrolment.objects.select_related("cohort").filter(pk=enrolment.pk)).get()
    if enrolment.status not in Enrolment.PLACE_TAKING:
        raise ValidationError(_("Only enrolled learners can complete modules."), code="not_enrolled")
    if module.get_parent().pk != enrolment.cohort.course_id:
        raise ValidationError(_("This module belongs to another course."), code="other_course")
    if not module_is_open(module, enrolment):
        raise ValidationError(_("This module is not open yet."), code="module_closed")
    score = None
    quiz = module.quiz()
    if quiz is not None:
        score = quiz_score(quiz, answers or {})
        if score < quiz["pass_mark"]:
            raise ValidationError(
                _("You scored %(score)s%%. The pass mark is %(pass_mark)s%%: have another look and try again.")
                % {"score": score, "pass_mark": quiz["pass_mark"]},
                code="quiz_failed",
            )
    ModuleProgress.objects.get_or_create(enrolment=enrolment, module=module, defaults={"quiz_score": score})
    completion_check(enrolment=enrolment)
    return score


# Attendance -----------------------------------------------------------------------------


@transaction.atomic
def attendance_mark(*, session: LiveSession, marks: dict[int, str], actor, notes: dict[int, str] | None = None) -> int:
    """Record attendance for a session: {enrolment id: status}. Only the cohort's trainers
    (checked here too, not only in the view). Unknown enrolments are refused. Returns how
    many marks changed."""
    cohort = for_update(Cohort.objects.filter(pk=session.cohort_id)).get()
    if not manages_cohort(actor, cohort):
        raise ValidationError(_("Only this cohort's trainers can take its attendance."), code="not_trainer")
    early = register_opens_reason(session)
    if early and any(status in ATTENDED for status in marks.values()):
        raise ValidationError(early, code="register_closed")
    valid = set(Attendance.Status.values)
    enrolments = {e.pk: e for e in Enrolment.objects.filter(cohort=cohort, status__in=Enrolment.PLACE_TAKING)}
    changed = 0
    status_changed = set()  # whose attendance, so whose completion, this save can change
    for enrolment_id, status in marks.items():
        if enrolment_id not in enrolments or status not in valid:
            raise ValidationError(_("That learner or mark is not part of this session."), code="unknown_mark")
        defaults = {"status": status, "marked_by": actor}
        if notes and enrolment_id in notes:
            defaults["trainer_note"] = notes[enrolment_id]
        row, created = Attendance.objects.get_or_create(session=session, enrolment_id=enrolment_id, defaults=defaults)
        if created or row.status != status:
            status_changed.add(enrolment_id)
        if not created and (
            row.status != status or ("trainer_note" in defaults and row.trainer_note != notes[enrolment_id])
        ):
            for name, value in defaults.items():
                setattr(row, name, value)
            row.save()
            changed += 1
        changed += created
    audit_record(actor=actor, action="attendance.marked", obj=session, count=len(marks))
    for enrolment_id in status_changed:
        if enrolments[enrolment_id].status == Status.ENROLLED:  # completed learners stay completed
            completion_check(enrolment=enrolments[enrolment_id])
    return changed


@transaction.atomic
def attendance_self_check_in(*, session: LiveSession, enrolment: Enrolment, code: str) -> None:
    """A learner checks in with the code the trainer shows (this minute's or the last), only
    while check-in is open (`check_in_window`: from 30 minutes before the start to the end)."""
    if enrolment.cohort_id != session.cohort_id or enrolment.status not in Enrolment.PLACE_TAKING:
        raise ValidationError(_("You are not enrolled in this session."), code="not_enrolled")
    closed = check_in_closed_reason(session)
    if closed:
        raise ValidationError(closed, code="check_in_closed")
    now = time.time()
    if code.strip() not in {check_in_code(session, now), check_in_code(session, now - 60)}:
        raise ValidationError(
            _("That code is not right or has changed. Ask your trainer for the current one."), code="wrong_code"
        )
    Attendance.objects.update_or_create(
        session=session, enrolment=enrolment, defaults={"status": Attendance.Status.PRESENT, "self_checked_in": True}
    )
    completion_check(enrolment=enrolment)


# Completion -----------------------------------------------------------------------------


def _completion_zone(enrolment: Enrolment) -> ZoneInfo:
    """Where the day of completion is counted: the member's chapter's time zone (a course
    finished on a New York evening is dated that day, not the next one in UTC), else the
    cohort's."""
    chapter_zone = (
        MemberProfile.objects.filter(user_id=enrolment.user_id).values_list("chapter__time_zone", flat=True).first()
    )
    return ZoneInfo(chapter_zone or enrolment.cohort.time_zone)


def _complete(enrolment: Enrolment, *, actor, note: str = "") -> None:
    enrolment.status = Status.COMPLETED
    enrolment.completed_at = timezone.now()
    enrolment.completion_note = note
    enrolment.signed_off_by = actor if note else None
    enrolment.save(update_fields=["status", "completed_at", "completion_note", "signed_off_by"])
    audit_record(actor=actor, action="enrolment.completed", obj=enrolment, by_hand=bool(note))
    course = enrolment.cohort.course
    certificate_issue(
        recipient=enrolment.user,
        source=enrolment,
        title=course.title,
        awarded_on=timezone.localtime(enrolment.completed_at, _completion_zone(enrolment)).date(),
        hours=Decimal(course.hours),
        actor=actor,
    )


def completion_check(*, enrolment: Enrolment) -> bool:
    """Complete the enrolment if the course's rule is met. Call inside the caller's transaction."""
    enrolment = for_update(Enrolment.objects.select_related("cohort__course").filter(pk=enrolment.pk)).get()
    if enrolment.status != Status.ENROLLED:
        return False
    if not completion_state(enrolment)["met"]:
        return False
    _complete(enrolment, actor=None)
    return True


@transaction.atomic
def completion_sign_off(*, enrolment: Enrolment, actor, reason: str) -> None:
    """A trainer completes a learner by hand, with a reason (kept, staff only)."""
    if not reason.strip():
        raise ValidationError(_("Give a reason for signing off completion by hand."), code="reason_missing")
    enrolment = for_update(Enrolment.objects.select_related("cohort__course").filter(pk=enrolment.pk)).get()
    if not manages_cohort(actor, enrolment.cohort):
        raise ValidationError(_("Only this cohort's trainers can sign off its learners."), code="not_trainer")
    if enrolment.status != Status.ENROLLED:
        raise ValidationError(_("Only enrolled learners can be signed off."), code="not_enrolled")
    _complete(enrolment, actor=actor, note=reason.strip())


# Sponsored places ----------------------------------------------------------------------------


@transaction.atomic
def course_sponsored_places_set(*, course: CoursePage, places: int) -> int:
    """Set how many places donors have paid for on this course (payments recounts them from
    succeeded, unrefunded earmarked gifts and calls this). Absolute, so running it twice
    changes nothing and a refund lowers it. Under the course page's row lock, so concurrent
    recounts write one after the other; the course page shows the new number once cached
    pages are retired (the model purges the page cache when saved). Returns the number set.
    Moves no money and names no one."""
    places = max(0, int(places))
    for_update(CoursePage.objects.filter(pk=course.pk)).values_list("pk", flat=True).first()
    row, _created = CourseSponsoredPlaces.objects.get_or_create(course=course)
    if row.places != places:
        row.places = places
        row.save(update_fields=["places", "updated_at"])
        audit_record(actor=None, action="course.sponsored_places", obj=course, places=places)
    return places
