"""Volunteering for staff (the admin, /admin/volunteers/).

Membership decides applications, records checks and keeps the roles: it already approves
members and holds safeguarding, and a check is safeguarding data. Event staff and Membership
run shifts (add, change, who is signed up with their real names and phone numbers, attendance):
they run the day. Each view checks the role itself; Wagtail has already refused anyone who may
not open the admin and sends every admin page with no-store. Actions are POSTs that run one
service and redirect back (a reload repeats nothing).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import EVENT_STAFF, MEMBERSHIP, role_required
from core.forms import form_errors_from
from core.listing import listing_page, search
from volunteers import selectors, services
from volunteers.emails import shift_when
from volunteers.forms import CheckForm, DecisionForm, RoleForm, ShiftForm, attendance_form_class
from volunteers.models import Role, Shift, SignUp, Volunteer


def _error(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# Roles (Membership) ---------------------------------------------------------------------


@role_required(MEMBERSHIP)
def roles(request):
    return render(request, "volunteers_admin/roles.html", {"roles": Role.objects.all()})


@role_required(MEMBERSHIP)
def role_edit(request, pk: int | None = None):
    role = get_object_or_404(Role, pk=pk) if pk else Role()
    form = RoleForm(request.POST or None, instance=role)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Role saved."))
        return redirect("volunteers_admin:roles")
    return render(request, "volunteers_admin/role_edit.html", {"form": form, "role": role})


# Applications and volunteers (Membership) ------------------------------------------------


@role_required(MEMBERSHIP)
def volunteers(request):
    """Applications waiting first, then everyone; filtered by status, searched by name or email."""
    queryset = Volunteer.objects.select_related("user").order_by("status", "-applied_at")
    status = request.GET.get("status", "")
    if status in Volunteer.Status.values:
        queryset = queryset.filter(status=status)
    page = listing_page(request, search(queryset, request, ["name__icontains", "user__email__icontains"]))
    return render(
        request,
        "volunteers_admin/volunteers.html",
        {"page": page, "statuses": Volunteer.Status.choices, "status": status},
    )


@role_required(MEMBERSHIP)
def volunteer(request, pk: int):
    """One volunteer: what they wrote, the decision per role, their check, their shifts."""
    volunteer = get_object_or_404(Volunteer.objects.select_related("user"), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    decision_form = DecisionForm(request.POST if action == "decide" else None, volunteer=volunteer)
    check_form = CheckForm(
        request.POST if action == "check" else None,
        initial={
            "check_level": volunteer.check_level,
            "check_status": volunteer.check_status,
            "check_date": volunteer.check_date,
        },
    )
    if action == "decide" and decision_form.is_valid():
        services.application_decide(
            volunteer=volunteer,
            actor=request.user,
            approved_role_ids={role.pk for role in decision_form.cleaned_data["approved_roles"]},
        )
        messages.success(request, _("Decision saved. The volunteer has been told by email."))
        return redirect("volunteers_admin:volunteer", pk=volunteer.pk)
    if action == "check" and check_form.is_valid():
        try:
            services.check_record(
                volunteer=volunteer,
                actor=request.user,
                level=check_form.cleaned_data["check_level"],
                status=check_form.cleaned_data["check_status"],
                checked_on=check_form.cleaned_data["check_date"],
            )
        except ValidationError as error:
            form_errors_from(check_form, error)
        else:
            messages.success(request, _("Check recorded."))
            return redirect("volunteers_admin:volunteer", pk=volunteer.pk)
    return render(
        request,
        "volunteers_admin/volunteer.html",
        {
            "volunteer": volunteer,
            "approvals": volunteer.approvals.select_related("role"),
            "decision_form": decision_form,
            "check_form": check_form,
            "sign_ups": volunteer.sign_ups.select_related("shift__role").order_by("-shift__starts_at")[:50],
            "hours": services.hours_given(volunteer),
        },
    )


# Shifts (Event staff and Membership) -------------------------------------------------------


@role_required(EVENT_STAFF, MEMBERSHIP)
def shifts(request):
    show = request.GET.get("show", "upcoming")
    queryset = selectors.with_places_taken(Shift.objects.select_related("role", "event"))
    if show == "past":
        queryset = queryset.filter(starts_at__lte=timezone.now()).order_by("-starts_at")
    else:
        queryset = queryset.filter(ends_at__gt=timezone.now()).order_by("starts_at")
    page = listing_page(
        request, search(queryset, request, ["title__icontains", "role__name__icontains", "place__icontains"])
    )
    for row in page.rows:
        row.when = shift_when(row)
    return render(request, "volunteers_admin/shifts.html", {"page": page, "show": show})


@role_required(EVENT_STAFF, MEMBERSHIP)
def shift_edit(request, pk: int | None = None):
    shift = get_object_or_404(Shift, pk=pk) if pk else Shift()
    form = ShiftForm(request.POST or None, instance=shift)
    if request.method == "POST" and form.is_valid():
        try:
            shift = services.shift_save(shift=form.instance, actor=request.user)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Shift saved."))
            return redirect("volunteers_admin:shift", pk=shift.pk)
    return render(request, "volunteers_admin/shift_edit.html", {"form": form, "shift": shift})


@role_required(EVENT_STAFF, MEMBERSHIP)
def shift(request, pk: int):
    """Who is signed up (names and phone numbers: staff run the day), attendance and hours."""
    shift = get_object_or_404(Shift.objects.select_related("role", "event"), pk=pk)
    sign_ups = list(
        SignUp.objects.filter(shift=shift, status=SignUp.Status.SIGNED_UP).select_related("volunteer__user")
    )
    form_class = attendance_form_class(sign_ups, shift.length_hours)
    action = request.POST.get("action") if request.method == "POST" else None
    form = form_class(request.POST if action == "attendance" else None)
    if action == "attendance" and form.is_valid():
        marks = {s.pk: (form.cleaned_data[f"attended_{s.pk}"], form.cleaned_data[f"hours_{s.pk}"]) for s in sign_ups}
        try:
            count = services.attendance_mark(shift=shift, actor=request.user, marks=marks)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Attendance saved: %(count)s attended.") % {"count": count})
            return redirect("volunteers_admin:shift", pk=shift.pk)
    if action == "cancel_shift":
        try:
            told = services.shift_cancel(shift=shift, actor=request.user)
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Shift cancelled. %(count)s volunteers have been told.") % {"count": told})
        return redirect("volunteers_admin:shift", pk=shift.pk)
    if action == "cancel_sign_up":
        sign_up = get_object_or_404(SignUp, pk=request.POST.get("sign_up") or 0, shift=shift)
        try:
            services.sign_up_cancel(sign_up=sign_up, actor=request.user)
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Place cancelled."))
        return redirect("volunteers_admin:shift", pk=shift.pk)
    rows = [(s, form[f"attended_{s.pk}"], form[f"hours_{s.pk}"]) for s in sign_ups]
    return render(
        request,
        "volunteers_admin/shift.html",
        {
            "shift": shift,
            "when": shift_when(shift),
            "rows": rows,
            "form": form,
            "left": max(shift.places - len(sign_ups), 0),
            "started": shift.starts_at <= timezone.now(),
        },
    )
