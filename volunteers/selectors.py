"""Reads of volunteering used by more than one view."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from volunteers.models import RoleApproval, Shift, SignUp, Volunteer


def volunteer_of(user) -> Volunteer | None:
    if not user.is_authenticated:
        return None
    return Volunteer.objects.filter(user=user).first()


def with_places_taken(shifts):
    return shifts.annotate(taken=Count("sign_ups", filter=Q(sign_ups__status=SignUp.Status.SIGNED_UP)))


def shifts_open_to(volunteer: Volunteer):
    """Upcoming shifts of the roles `volunteer` is approved for, with `taken` places."""
    role_ids = volunteer.approvals.filter(status=RoleApproval.Status.APPROVED).values("role_id")
    return with_places_taken(
        Shift.objects.filter(role_id__in=role_ids, cancelled=False, starts_at__gt=timezone.now()).select_related(
            "role", "event"
        )
    )


def upcoming_sign_ups(volunteer: Volunteer):
    return (
        SignUp.objects.filter(volunteer=volunteer, status=SignUp.Status.SIGNED_UP, shift__ends_at__gt=timezone.now())
        .select_related("shift__role")
        .order_by("shift__starts_at")
    )


def others_on(shift: Shift, viewer: Volunteer) -> list[str]:
    """Who else is on `shift`, as each chose to be shown to other volunteers ("A volunteer"
    for everyone who chose not to be named: the default)."""
    others = SignUp.objects.filter(shift=shift, status=SignUp.Status.SIGNED_UP).exclude(volunteer=viewer)
    return [
        sign_up.volunteer.shown_name or _("A volunteer")
        for sign_up in others.select_related("volunteer").order_by("created_at", "pk")
    ]
