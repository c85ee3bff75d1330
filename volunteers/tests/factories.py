"""Builders for volunteering tests: roles, approved volunteers, shifts. Use these rather than
creating rows inline."""

import datetime

from django.utils import timezone

from accounts.tests.factories import UserFactory
from volunteers.models import CheckLevel, CheckStatus, NameShown, Role, RoleApproval, Shift, Volunteer


def make_role(name: str = "Event steward", check: str = CheckLevel.NONE, **fields) -> Role:
    role, _created = Role.objects.get_or_create(
        name=name, defaults={"involves": "Welcome people at the door.", "check_needed": check, **fields}
    )
    return role


def make_volunteer(
    *,
    user=None,
    roles: list[Role] | None = None,
    status: str = Volunteer.Status.APPROVED,
    name: str = "Sam Rivers",
    name_shown: str = NameShown.HIDDEN,
    chosen_name: str = "",
    check: str | None = None,
) -> Volunteer:
    """A volunteer approved (by default) for `roles` (default: an event steward), with a clear
    check of level `check` when given."""
    volunteer = Volunteer.objects.create(
        user=user or UserFactory(),
        name=name,
        name_shown=name_shown,
        chosen_name=chosen_name,
        status=status,
        phone="07700 900123",
    )
    approval = RoleApproval.Status.APPROVED if status == Volunteer.Status.APPROVED else RoleApproval.Status.ASKED
    for role in roles if roles is not None else [make_role()]:
        RoleApproval.objects.create(volunteer=volunteer, role=role, status=approval)
    if check:
        volunteer.check_level, volunteer.check_status = check, CheckStatus.CLEAR
        volunteer.check_date = timezone.localdate()
        volunteer.save()
    return volunteer


def make_shift(*, role: Role | None = None, places: int = 5, days: float = 7, hours: float = 3, **fields) -> Shift:
    starts = fields.pop("starts_at", timezone.now() + datetime.timedelta(days=days))
    return Shift.objects.create(
        role=role or make_role(),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        place="Community Hall, 1 High Street",
        places=places,
        title=fields.pop("title", "Welcome desk"),
        **fields,
    )
