"""A member's erasure, as volunteering applies it (the personal-data contract, core/hooks.py).

Found by account: the volunteer row, its role approvals, sign-ups and certificates of hours.
At erasure the volunteer loses their name, chosen name, phone, what they wrote (why, when
free), language and the check recorded about them (level, status, date: data about criminal
records checks is kept no longer than the person is); how they were shown becomes "not shown".
Sign-ups for shifts that have not started are cancelled (the place goes back to the shift; no
email: the contract sends none). Kept: statuses, dates, attendance and hours (counts the
network reports, naming no one once the account is erased).
"""

from django.utils import timezone

from core.audit import audit_record
from core.locking import for_update
from core.personal_data import Member, PersonalData, Rows
from volunteers.models import CheckLevel, CheckStatus, HoursCertificate, NameShown, RoleApproval, SignUp, Volunteer


def _pks(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


def volunteers_member_rows(member: Member, found: Rows) -> Rows:
    volunteers = Volunteer.objects.filter(user_id=member.user_id)
    return {
        Volunteer._meta.label: _pks(volunteers),
        RoleApproval._meta.label: _pks(RoleApproval.objects.filter(volunteer__in=volunteers)),
        SignUp._meta.label: _pks(SignUp.objects.filter(volunteer__in=volunteers)),
        HoursCertificate._meta.label: _pks(HoursCertificate.objects.filter(volunteer__in=volunteers)),
    }


def volunteers_erase_member(member: Member, found: Rows) -> None:
    ids = found.get(Volunteer._meta.label, ())
    if not ids:
        return
    volunteers = for_update(Volunteer.objects.filter(pk__in=ids))
    list(volunteers)
    volunteers.update(
        name="",
        chosen_name="",
        name_shown=NameShown.HIDDEN,
        phone="",
        about="",
        availability="",
        language="",
        check_level=CheckLevel.NONE,
        check_status=CheckStatus.NOT_STARTED,
        check_date=None,
    )
    now = timezone.now()
    cancelled = SignUp.objects.filter(
        pk__in=found.get(SignUp._meta.label, ()), status=SignUp.Status.SIGNED_UP, shift__starts_at__gt=now
    ).update(status=SignUp.Status.CANCELLED, cancelled_at=now)
    for volunteer_id in ids:
        audit_record(actor=None, action="volunteers.member_erased", obj=Volunteer(pk=volunteer_id), cancelled=cancelled)


PERSONAL_DATA = PersonalData(
    personal={
        "volunteers.Volunteer": ("name", "chosen_name", "phone", "about", "availability", "language"),
    },
    not_personal={
        "volunteers.Role": "a role staff describe",
        "volunteers.Shift": "a shift staff set up (role, time, place, places, notes)",
        "volunteers.Volunteer.name_shown": "a choice (not shown, first name, a chosen name)",
        "volunteers.Volunteer.status": "a status",
        "volunteers.Volunteer.check_level": "a choice; reset at erasure",
        "volunteers.Volunteer.check_status": "a status; reset at erasure",
        "volunteers.RoleApproval.status": "a status",
        "volunteers.SignUp.status": "a status",
    },
    tasks={
        "volunteers.tasks.volunteer_email_send": {"volunteer_id": "volunteers.Volunteer"},
        "volunteers.tasks.sign_up_email_send": {"sign_up_id": "volunteers.SignUp"},
        "volunteers.tasks.shift_reminders_send": {},
    },
    rows=volunteers_member_rows,
    erase=volunteers_erase_member,
    acting_staff=(
        "volunteers.Volunteer.decided_by",
        "volunteers.Volunteer.check_recorded_by",
        "volunteers.SignUp.marked_by",
    ),
)
