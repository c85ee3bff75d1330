"""Trainer and staff pages in the Wagtail admin: cohorts, attendance, sign-off, CSV.

Trainers see and mark only cohorts they train; Membership staff see every cohort
(read-only); superusers everything. Checked here on every request, and again in services.
"""

import time

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, F, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import MEMBERSHIP, TRAINERS, has_role, organised_chapter_id
from core.csv_export import csv_response
from core.listing import listing_page, search
from training import services
from training.check_in import check_in_code, register_opens_reason
from training.models import Cohort, Enrolment, LiveSession
from training.models import SessionAttendance as Attendance
from training.rules import attendance_percent, statuses_that_count
from training.selectors import course_sponsored_places, in_chapter, manages_cohort


def visible_cohorts(user):
    """Every cohort for Membership and superusers; a trainer's own; a chapter organiser's
    chapter's (and their own if they also train)."""
    cohorts = Cohort.objects.select_related("course")
    if user.is_superuser or has_role(user, MEMBERSHIP):
        return cohorts
    chapter_id = organised_chapter_id(user)
    trains = has_role(user, TRAINERS)
    if chapter_id is not None and trains:
        return cohorts.filter(in_chapter(chapter_id) | Q(pk__in=user.training_cohorts.values("pk")))
    if chapter_id is not None:
        return cohorts.filter(in_chapter(chapter_id))
    if trains:
        return cohorts.filter(trainers=user)
    raise PermissionDenied


def _cohort_for(user, pk: int, *, to_mark: bool = False) -> Cohort:
    cohort = get_object_or_404(visible_cohorts(user), pk=pk)
    if to_mark and not manages_cohort(user, cohort):
        raise PermissionDenied
    return cohort


def cohorts(request):
    """The cohorts this person may see, running and coming ones first (soonest start first),
    then finished ones (latest first), a page at a time; searched by course or cohort name."""
    running = Q(ends_on__gte=timezone.localdate())
    rows = visible_cohorts(request.user).annotate(
        learners=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.PLACE_TAKING)),
        completed=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.COMPLETED)),
        waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)),
        applications=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.APPLIED)),
        finished=Case(When(running, then=Value(0)), default=Value(1)),
        running_start=Case(When(running, then=F("starts_on"))),
        finished_start=Case(When(~running, then=F("starts_on"))),
    )
    rows = rows.order_by(
        "finished", F("running_start").asc(nulls_last=True), F("finished_start").desc(nulls_last=True), "pk"
    )
    page = listing_page(request, search(rows, request, ["course__title__icontains", "name__icontains"]))
    return render(
        request,
        "training_admin/cohorts.html",
        {
            "cohorts": page,
            "page": page,
            # The Cohort snippet's own add and edit forms, for those Wagtail lets edit cohorts.
            "can_add": request.user.has_perm("training.add_cohort"),
            "can_edit": request.user.has_perm("training.change_cohort"),
        },
    )


def _learner_rows(cohort: Cohort) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(cohort=cohort, status__in=Enrolment.PLACE_TAKING)
        .select_related("user__member_profile")
        .order_by("user__member_profile__display_name", "pk")
    )


def cohort_detail(request, pk: int):
    cohort = _cohort_for(request.user, pk)
    can_mark = manages_cohort(request.user, cohort)
    if request.method == "POST":
        if not can_mark:
            raise PermissionDenied
        enrolment = get_object_or_404(Enrolment, pk=request.POST.get("enrolment"), cohort=cohort)
        try:
            if request.POST.get("action") == "approve":
                services.enrolment_approve(enrolment=enrolment, actor=request.user)
                messages.success(request, _("Application approved."))
            else:
                services.completion_sign_off(
                    enrolment=enrolment, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Completion signed off."))
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect("training_admin:cohort", pk=cohort.pk)
    learners = _learner_rows(cohort)
    sessions = list(cohort.sessions.all())
    marks = {
        (a.enrolment_id, a.session_id): a.status
        for a in Attendance.objects.filter(session__cohort=cohort).only("enrolment_id", "session_id", "status")
    }
    now = timezone.now()
    for learner in learners:
        own_marks = {s.pk: marks[(learner.pk, s.pk)] for s in sessions if (learner.pk, s.pk) in marks}
        learner.attendance_percent = attendance_percent(
            statuses_that_count(sessions, marks=own_marks, enrolled_at=learner.enrolled_at, now=now)
        )
    completed = sum(1 for learner in learners if learner.status == Enrolment.Status.COMPLETED)
    return render(
        request,
        "training_admin/cohort_detail.html",
        {
            "cohort": cohort,
            "learners": learners,
            "sessions": sessions,
            "applications": cohort.enrolments.filter(status=Enrolment.Status.APPLIED).select_related(
                "user__member_profile"
            ),
            "waiting": cohort.enrolments.filter(status=Enrolment.Status.WAITLISTED).count(),
            "completion_rate": round(100 * completed / len(learners)) if learners else 0,
            "can_mark": can_mark,
            "can_edit": request.user.has_perm("training.change_cohort"),
            "sponsored_places": course_sponsored_places(cohort.course),
        },
    )


def attendance(request, pk: int, session_pk: int):
    """One fast page: a radio group per learner, arrow keys move between marks."""
    cohort = _cohort_for(request.user, pk, to_mark=True)
    session = get_object_or_404(LiveSession, pk=session_pk, cohort=cohort)
    learners = _learner_rows(cohort)
    existing = {a.enrolment_id: a for a in Attendance.objects.filter(session=session)}
    error = None
    if request.method == "POST":
        marks = {e.pk: request.POST.get(f"mark-{e.pk}") for e in learners if request.POST.get(f"mark-{e.pk}")}
        notes = {e.pk: request.POST.get(f"note-{e.pk}", "").strip() for e in learners}
        notes = {k: v for k, v in notes.items() if k in marks}
        try:
            services.attendance_mark(session=session, marks=marks, actor=request.user, notes=notes)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(
                request,
                ngettext(
                    "Attendance saved for %(count)s learner.", "Attendance saved for %(count)s learners.", len(marks)
                )
                % {"count": len(marks)},
            )
            return redirect("training_admin:cohort", pk=cohort.pk)
    for learner in learners:
        mark = existing.get(learner.pk)
        learner.mark = mark.status if mark else ""
        learner.note = mark.trainer_note if mark else ""
        learner.self_checked_in = bool(mark and mark.self_checked_in)
        # Such a session does not count for them unless they were there (training.rules).
        learner.joined_after = bool(learner.enrolled_at and session.ends_at <= learner.enrolled_at)
    return render(
        request,
        "training_admin/attendance.html",
        {
            "cohort": cohort,
            "session": session,
            "learners": learners,
            "statuses": Attendance.Status.choices,
            "code": check_in_code(session),
            "seconds_left": 60 - int(time.time()) % 60,
            "error": error,
            "not_open_yet": register_opens_reason(session),
        },
    )


def attendance_csv(request, pk: int):
    cohort = _cohort_for(request.user, pk)
    sessions = list(cohort.sessions.all())
    marks = {
        (a.enrolment_id, a.session_id): a.get_status_display()
        for a in Attendance.objects.filter(session__cohort=cohort)
    }
    header = [_("Learner"), _("Status")] + [f"{s.title} ({s.starts_at:%Y-%m-%d})" for s in sessions]
    rows = (
        [
            getattr(getattr(learner.user, "member_profile", None), "display_name", f"learner {learner.user_id}"),
            learner.get_status_display(),
        ]
        + [marks.get((learner.pk, s.pk), "") for s in sessions]
        for learner in _learner_rows(cohort)
    )
    return csv_response(f"cohort-{cohort.pk}-attendance.csv", header, rows)
