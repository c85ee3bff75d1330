"""Volunteering for the public and volunteers (under /volunteering/, in every language).

The roles page is public and cached like any page (nothing per visitor). Applying needs an
account (allauth's own sign-up or sign-in: the address is never checked here, so the form
tells a stranger nothing about who is known). Everything else is the volunteer's own and never
cached; a shift is shown only to a volunteer approved for its role (or signed up to it), 404 to
anyone else, so an id tells nobody anything.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from certificates.models import Certificate
from core.email import user_wants_discretion
from core.forms import form_errors_from
from core.ical import calendar_response
from volunteers import selectors, services
from volunteers.emails import shift_when
from volunteers.forms import ApplicationForm, PreferencesForm
from volunteers.ical import shift_calendar
from volunteers.models import Role, Shift, SignUp, Volunteer


def index(request):
    """The public "Volunteer with us" page: every role open for applications."""
    return render(request, "volunteers/index.html", {"roles": Role.objects.filter(open_for_applications=True)})


def _initial_name(user) -> str:
    profile = getattr(user, "member_profile", None)
    if profile is not None and profile.erased_at is None:
        return profile.display_name
    return user.get_full_name()


@login_required
@never_cache
def apply(request):
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is not None and volunteer.status == Volunteer.Status.DECLINED:
        return redirect("volunteers:mine")
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.application_submit(user=request.user, language=get_language() or "", **data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("Thank you: we have your application. We will write to you."))
                return redirect("volunteers:mine")
    elif volunteer is not None:
        form = ApplicationForm(
            initial={
                "name": volunteer.name,
                "name_shown": volunteer.name_shown,
                "chosen_name": volunteer.chosen_name,
                "phone": volunteer.phone,
                "about": volunteer.about,
                "availability": volunteer.availability,
                "roles": list(volunteer.approvals.values_list("role_id", flat=True)),
            }
        )
    else:
        form = ApplicationForm(initial={"name": _initial_name(request.user)})
    return render(request, "volunteers/apply.html", {"form": form, "volunteer": volunteer})


@login_required
@never_cache
def mine(request):
    """My volunteering: where the application is, upcoming shifts, shifts open to sign up for,
    hours given and the certificate of hours."""
    volunteer = selectors.volunteer_of(request.user)
    context = {"volunteer": volunteer}
    if volunteer is not None:
        signed_up = selectors.upcoming_sign_ups(volunteer)
        signed_shift_ids = {s.shift_id for s in signed_up}
        open_shifts = [
            shift
            for shift in selectors.shifts_open_to(volunteer)
            if shift.pk not in signed_shift_ids and services.may_sign_up(volunteer, shift.role)
        ]
        for shift in open_shifts:
            shift.left = max(shift.places - shift.taken, 0)
            shift.when = shift_when(shift)
        for sign_up in signed_up:
            sign_up.when = shift_when(sign_up.shift)
        context |= {
            "approvals": volunteer.approvals.select_related("role"),
            "signed_up": signed_up,
            "open_shifts": open_shifts,
            "hours": services.hours_given(volunteer),
            "given": volunteer.sign_ups.filter(attended=True)
            .select_related("shift__role")
            .order_by("-shift__starts_at"),
            "certificates": Certificate.objects.live().filter(
                recipient=request.user, kind=Certificate.Kind.VOLUNTEERING
            )[:1],
        }
    return render(request, "volunteers/mine.html", context)


@login_required
@never_cache
def preferences(request):
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        raise Http404("Not a volunteer")
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                services.volunteer_preferences_set(volunteer=volunteer, **form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("volunteers:mine")
    else:
        form = PreferencesForm(
            initial={
                "name": volunteer.name,
                "name_shown": volunteer.name_shown,
                "chosen_name": volunteer.chosen_name,
                "phone": volunteer.phone,
            }
        )
    return render(request, "volunteers/preferences.html", {"form": form})


def _shift_for(request, pk: int) -> tuple[Shift, Volunteer]:
    """The shift, for a volunteer who may sign up for it or holds a place on it; 404 otherwise."""
    volunteer = selectors.volunteer_of(request.user)
    shift = get_object_or_404(Shift.objects.select_related("role", "event"), pk=pk)
    if volunteer is None:
        raise Http404("Not a volunteer")
    holds_place = SignUp.objects.filter(shift=shift, volunteer=volunteer, status=SignUp.Status.SIGNED_UP).exists()
    if not holds_place and not services.may_sign_up(volunteer, shift.role):
        raise Http404("Not this volunteer's shift")
    return shift, volunteer


@login_required
@never_cache
def shift(request, pk: int):
    shift, volunteer = _shift_for(request, pk)
    mine = SignUp.objects.filter(shift=shift, volunteer=volunteer, status=SignUp.Status.SIGNED_UP).first()
    taken = SignUp.objects.filter(shift=shift, status=SignUp.Status.SIGNED_UP).count()
    return render(
        request,
        "volunteers/shift.html",
        {
            "shift": shift,
            "when": shift_when(shift),
            "sign_up": mine,
            "left": max(shift.places - taken, 0),
            "others": selectors.others_on(shift, volunteer) if mine else [],
            "started": shift.starts_at <= timezone.now(),
        },
    )


@login_required
@require_POST
def shift_sign_up(request, pk: int):
    shift, volunteer = _shift_for(request, pk)
    try:
        services.shift_sign_up(volunteer=volunteer, shift=shift)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You are on this shift. We have emailed you the details and a calendar entry."))
    return redirect("volunteers:shift", pk=shift.pk)


@login_required
@require_POST
def shift_cancel(request, pk: int):
    shift, volunteer = _shift_for(request, pk)
    sign_up = SignUp.objects.filter(shift=shift, volunteer=volunteer, status=SignUp.Status.SIGNED_UP).first()
    if sign_up is not None:
        try:
            services.sign_up_cancel(sign_up=sign_up, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("volunteers:shift", pk=shift.pk)
    messages.success(request, _("You are no longer on this shift. Thank you for letting us know."))
    return redirect("volunteers:mine")


@login_required
def shift_calendar_download(request, pk: int):
    shift, _volunteer = _shift_for(request, pk)
    body = shift_calendar(shift, discreet=user_wants_discretion(request.user))
    return calendar_response(body, f"shift-{shift.pk}.ics", private=True)


@login_required
@require_POST
def certificate(request):
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        raise Http404("Not a volunteer")
    try:
        services.hours_certificate_issue(volunteer=volunteer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your certificate is ready (we have emailed it to you too)."))
    return redirect("volunteers:mine")
