"""Learner-facing training views. Each parses input, calls one service, redirects."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.calendar import calendar_feed_of, calendar_feed_user
from core.email import user_wants_discretion
from core.i18n import language_of
from core.ical import calendar_response
from core.ratelimit import count_attempt, give_back
from training import ical, selectors, services
from training.check_in import check_in_closed_reason
from training.models import Cohort, Enrolment, LiveSession, ModulePage


@login_required
@require_POST
def enrol(request, pk: int):
    cohort = get_object_or_404(Cohort.objects.select_related("course"), pk=pk)
    action = request.POST.get("action", "enrol")
    try:
        if action == "apply":
            services.enrolment_apply(user=request.user, cohort=cohort)
            messages.success(request, _("Your application is in. The training team will reply by email."))
        else:
            enrolment = services.enrolment_create(user=request.user, cohort=cohort, join_waitlist=action == "waitlist")
            if enrolment.status == Enrolment.Status.WAITLISTED:
                messages.success(request, _("You are on the waiting list. We will email you if a place frees up."))
            else:
                messages.success(request, _("You are enrolled. Your modules are on My learning."))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(cohort.course.url)


@login_required
def withdraw(request, pk: int):
    """Leaving asks first: a GET (or a POST without `confirm`) shows what leaving does and a
    button that confirms it; only a POST with confirm=yes leaves."""
    enrolment = get_object_or_404(Enrolment.objects.select_related("cohort__course"), pk=pk, user=request.user)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            services.enrolment_withdraw(enrolment=enrolment, actor=request.user)
            messages.success(request, _("You have left this course run."))
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect("training:dashboard")
    if enrolment.status not in services.WITHDRAWABLE:
        return redirect("training:dashboard")
    return render(request, "training/withdraw.html", {"enrolment": enrolment})


@login_required
@require_POST
def module_complete(request, pk: int):
    module = get_object_or_404(ModulePage.objects.live(), pk=pk)
    enrolment = selectors.learner_enrolment(user=request.user, course_id=module.get_parent().pk)
    if enrolment is None:
        raise Http404
    answers = {key: value for key, value in request.POST.items() if key.startswith("q")}
    try:
        score = services.module_complete(enrolment=enrolment, module=module, answers=answers)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(module.url)
    if score is None:
        messages.success(request, _("Well done: module complete."))
    else:
        messages.success(request, _("Well done: module complete (%(score)s%%).") % {"score": score})
    return redirect(module.url)


@login_required
def dashboard(request):
    context = selectors.dashboard(user=request.user)
    context["feed"] = calendar_feed_of(user=request.user)
    return render(request, "training/dashboard.html", context)


def feed(request, token: str):
    """A learner's own sessions. No sign-in (calendar apps cannot); the token is the key.
    Reads only: the secret is made and replaced on the account's calendar page."""
    user = calendar_feed_user(token=token)
    if user is None:
        raise Http404
    sessions = selectors.learner_sessions(user=user)
    with language_of(user):
        body = ical.sessions_calendar(sessions, name=_("My learning"), discreet=user_wants_discretion(user))
    return calendar_response(body, "my-learning.ics", private=True)


@login_required
def session_calendar(request, pk: int):
    session = get_object_or_404(LiveSession.objects.select_related("cohort__course"), pk=pk)
    if not Enrolment.objects.filter(
        user=request.user, cohort=session.cohort, status__in=Enrolment.PLACE_TAKING
    ).exists():
        raise Http404
    with language_of(request.user):
        body = ical.sessions_calendar(
            [session], name=session.cohort.course.title, discreet=user_wants_discretion(request.user)
        )
    return calendar_response(body, f"session-{session.pk}.ics", private=True)


@login_required
def self_check_in(request, pk: int):
    session = get_object_or_404(LiveSession.objects.select_related("cohort__course"), pk=pk)
    enrolment = Enrolment.objects.filter(
        user=request.user, cohort=session.cohort, status__in=Enrolment.PLACE_TAKING
    ).first()
    if enrolment is None:
        raise Http404
    error = None
    status = 200
    if request.method == "POST":
        error = _check_in_paused(session, enrolment)
        if error:
            status = 429
        else:
            try:
                services.attendance_self_check_in(
                    session=session, enrolment=enrolment, code=request.POST.get("code", "")
                )
            except ValidationError as exc:
                error = exc.messages[0]
            else:
                for key in _check_in_keys(session, enrolment):
                    give_back(key)
                messages.success(request, _("You are checked in. Welcome!"))
                return redirect("training:dashboard")
    closed = check_in_closed_reason(session)
    return render(
        request, "training/check_in.html", {"session": session, "error": error, "closed": closed}, status=status
    )


def _check_in_keys(session, enrolment) -> list[str]:
    return [f"ratelimit:checkin-learner:{session.pk}:{enrolment.pk}", f"ratelimit:checkin-session:{session.pk}"]


def _check_in_paused(session, enrolment) -> str:
    """Count this code attempt for the learner and for the session (atomically, before the code
    is checked, so simultaneous guesses are all counted); the reason, in words, once either has
    had too many in the window (CHECK_IN_LEARNER_ATTEMPTS, CHECK_IN_SESSION_ATTEMPTS), else "".
    A learner refused by their own limit no longer adds to the session's count. While check-in
    is closed nothing is counted (the service says why)."""
    if check_in_closed_reason(session):
        return ""
    minutes = settings.CHECK_IN_ATTEMPT_WINDOW_SECONDS // 60
    learner_key, session_key = _check_in_keys(session, enrolment)
    window = settings.CHECK_IN_ATTEMPT_WINDOW_SECONDS
    if count_attempt(learner_key, window_seconds=window) > settings.CHECK_IN_LEARNER_ATTEMPTS:
        return _(
            "That was too many wrong codes, so check-in is paused for you for up to %(minutes)s minutes. "
            "Ask your trainer to mark you present."
        ) % {"minutes": minutes}
    if count_attempt(session_key, window_seconds=window) > settings.CHECK_IN_SESSION_ATTEMPTS:
        return _(
            "Too many wrong codes were tried for this session just now, so self check-in is paused for up to "
            "%(minutes)s minutes. Ask your trainer to mark you present."
        ) % {"minutes": minutes}
    return ""
