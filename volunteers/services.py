"""Every write of volunteering with a rule.

States: Volunteer applied -> approved | declined (Membership staff decide per role asked for:
approved if any role is). RoleApproval asked -> approved | declined. SignUp signed_up ->
cancelled (the volunteer, before the shift starts; or staff). Attendance is marked on a
signed-up place once the shift has started.

Lock order: the shift row, then its sign-ups; the volunteer row on its own. Signing up counts the
shift's places under the shift's lock (`core.locking.for_update`, as events reserve tickets), so
30 volunteers asking at once for the last 3 places get exactly 3 (tests/test_race.py on
PostgreSQL). A second sign-up by the same volunteer (a double click, a replay) finds the first.

Emails are queued after the commit (`core.tasks.enqueue_on_commit`); the audit log records ids
and choices only, never a name.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.locking import for_update
from core.tasks import enqueue_on_commit
from volunteers.models import (
    CheckLevel,
    CheckStatus,
    HoursCertificate,
    NameShown,
    Role,
    RoleApproval,
    Shift,
    SignUp,
    Volunteer,
)


def _tasks():
    from volunteers import tasks  # noqa: PLC0415 (tasks import the emails, which import this module's models)

    return tasks


def _clean_name(name: str, name_shown: str, chosen_name: str) -> tuple[str, str]:
    name, chosen_name = name.strip(), chosen_name.strip()
    errors = {}
    if not name:
        errors["name"] = _("Write your name: staff need it, and it is printed on your certificate of hours.")
    if name_shown not in NameShown.values:
        errors["name_shown"] = _("Choose how other volunteers see you.")
    elif name_shown == NameShown.CHOSEN and not chosen_name:
        errors["chosen_name"] = _("Write the name to show, or choose another way to be shown.")
    if errors:
        raise ValidationError(errors)
    return name, chosen_name if name_shown == NameShown.CHOSEN else ""


@transaction.atomic
def application_submit(
    *,
    user,
    name: str,
    name_shown: str,
    chosen_name: str = "",
    phone: str = "",
    about: str = "",
    availability: str = "",
    roles: list[Role],
    language: str = "",
) -> Volunteer:
    """Apply to volunteer in `roles` (or, already approved, ask for more roles). Refuses no
    role, a role closed for applications, an empty name, a chosen name left empty, and an
    application staff declined. Sending the same form twice changes nothing more. Queues the
    "we have your application" email (only on the first application)."""
    name, chosen_name = _clean_name(name, name_shown, chosen_name)
    roles = list(roles)
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    if any(not role.open_for_applications for role in roles):
        raise ValidationError({"roles": _("One of these roles is not taking applications now. Choose another.")})
    volunteer = for_update(Volunteer.objects.filter(user=user)).first()
    created = volunteer is None
    if created:
        volunteer = Volunteer(user=user)
    elif volunteer.status == Volunteer.Status.DECLINED:
        raise ValidationError(_("Your application was not accepted this time. Write to us if anything has changed."))
    volunteer.name, volunteer.name_shown, volunteer.chosen_name = name, name_shown, chosen_name
    volunteer.phone, volunteer.about, volunteer.availability = phone.strip(), about.strip(), availability.strip()
    volunteer.language = language or volunteer.language
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:  # the same account's first application, sent twice at once
        return Volunteer.objects.get(user=user)
    for role in roles:
        RoleApproval.objects.get_or_create(volunteer=volunteer, role=role)
    if created:
        audit_record(actor=user, action="volunteers.applied", obj=volunteer, roles=[r.pk for r in roles])
        enqueue_on_commit(_tasks().volunteer_email_send, volunteer_id=volunteer.pk, kind="received")
    return volunteer


@transaction.atomic
def volunteer_preferences_set(
    *, volunteer: Volunteer, name: str, name_shown: str, chosen_name: str = "", phone: str = ""
) -> Volunteer:
    """The volunteer changes their name, how other volunteers see them, and their phone number."""
    volunteer = for_update(Volunteer.objects.filter(pk=volunteer.pk)).get()
    volunteer.name, volunteer.chosen_name = _clean_name(name, name_shown, chosen_name)
    volunteer.name_shown, volunteer.phone = name_shown, phone.strip()
    volunteer.save(update_fields=["name", "name_shown", "chosen_name", "phone"])
    return volunteer


@transaction.atomic
def application_decide(*, volunteer: Volunteer, actor, approved_role_ids: set[int]) -> Volunteer:
    """Membership staff's decision on every role the volunteer asked for: approved for those in
    `approved_role_ids`, not for the others. The volunteer is approved if any role is, declined
    otherwise. Deciding again (a changed mind, a double click) sets the same or new answers; the
    volunteer is emailed only when their status changes."""
    volunteer = for_update(Volunteer.objects.filter(pk=volunteer.pk)).get()
    approvals = list(volunteer.approvals.all())
    unknown = set(approved_role_ids) - {a.role_id for a in approvals}
    if unknown:
        raise ValidationError(_("Approve only roles the volunteer asked for."))
    for approval in approvals:
        approval.status = (
            RoleApproval.Status.APPROVED if approval.role_id in approved_role_ids else RoleApproval.Status.DECLINED
        )
        approval.save(update_fields=["status"])
    status = Volunteer.Status.APPROVED if approved_role_ids else Volunteer.Status.DECLINED
    changed = status != volunteer.status
    volunteer.status, volunteer.decided_at, volunteer.decided_by = status, timezone.now(), actor
    volunteer.save(update_fields=["status", "decided_at", "decided_by"])
    audit_record(
        actor=actor, action="volunteers.decided", obj=volunteer, status=status, roles=sorted(approved_role_ids)
    )
    if changed:
        enqueue_on_commit(_tasks().volunteer_email_send, volunteer_id=volunteer.pk, kind=status)
    return volunteer


@transaction.atomic
def check_record(*, volunteer: Volunteer, actor, level: str, status: str, checked_on: date | None) -> Volunteer:
    """Record a volunteer's check as a level, a status and a date (never the certificate or its
    number). A finished check needs the date it was done, not in the future; a check of no
    level can only be "not started"."""
    errors = {}
    if level not in CheckLevel.values:
        errors["check_level"] = _("Choose the level of check.")
    if status not in CheckStatus.values:
        errors["check_status"] = _("Choose the status of the check.")
    if status in (CheckStatus.CLEAR, CheckStatus.NOT_CLEAR) and checked_on is None:
        errors["check_date"] = _("Give the date the check was done.")
    if checked_on and checked_on > timezone.localdate():
        errors["check_date"] = _("The date of a check cannot be in the future.")
    if level == CheckLevel.NONE and status != CheckStatus.NOT_STARTED:
        errors["check_level"] = _("Choose the level of the check you are recording.")
    if errors:
        raise ValidationError(errors)
    volunteer = for_update(Volunteer.objects.filter(pk=volunteer.pk)).get()
    volunteer.check_level, volunteer.check_status, volunteer.check_date = level, status, checked_on
    volunteer.check_recorded_by = actor
    volunteer.save(update_fields=["check_level", "check_status", "check_date", "check_recorded_by"])
    audit_record(actor=actor, action="volunteers.check_recorded", obj=volunteer, level=level, status=status)
    return volunteer


def may_sign_up(volunteer: Volunteer | None, role: Role) -> bool:
    """Approved, approved for `role`, and with the check the role needs done and clear."""
    return (
        volunteer is not None
        and volunteer.status == Volunteer.Status.APPROVED
        and volunteer.approvals.filter(role=role, status=RoleApproval.Status.APPROVED).exists()
        and volunteer.check_covers(role.check_needed)
    )


@transaction.atomic
def shift_sign_up(*, volunteer: Volunteer, shift: Shift) -> SignUp:
    """Take one place on `shift` for `volunteer`, under the shift's row lock: never more
    sign-ups than places. Refuses a cancelled or started shift, a volunteer not approved for
    the role or without the check it needs, and a full shift. Signing up twice returns the
    first place. Queues the confirmation email with the shift's .ics."""
    shift = for_update(Shift.objects.filter(pk=shift.pk), of=("self",)).select_related("role").get()
    if shift.cancelled:
        raise ValidationError(_("This shift has been cancelled."), code="cancelled")
    if shift.starts_at <= timezone.now():
        raise ValidationError(_("This shift has already started."), code="started")
    existing = SignUp.objects.filter(shift=shift, volunteer=volunteer, status=SignUp.Status.SIGNED_UP).first()
    if existing is not None:
        return existing
    if not may_sign_up(volunteer, shift.role):
        raise ValidationError(
            _("You can sign up once staff have approved you for this role and any check it needs is done."),
            code="not_approved",
        )
    taken = SignUp.objects.filter(shift=shift, status=SignUp.Status.SIGNED_UP).count()
    if taken >= shift.places:
        raise ValidationError(_("Sorry, this shift is full. Choose another shift."), code="full")
    sign_up = SignUp.objects.create(shift=shift, volunteer=volunteer)
    audit_record(actor=volunteer.user, action="volunteers.signed_up", obj=sign_up, shift=shift.pk)
    enqueue_on_commit(_tasks().sign_up_email_send, sign_up_id=sign_up.pk, kind="confirmed")
    return sign_up


@transaction.atomic
def sign_up_cancel(*, sign_up: SignUp, actor) -> SignUp:
    """Give up a place (the volunteer, before the shift starts; staff at any time before it is
    marked attended). Cancelling twice changes nothing more. Sends no email."""
    shift = for_update(Shift.objects.filter(pk=sign_up.shift_id), of=("self",)).get()
    sign_up = for_update(SignUp.objects.filter(pk=sign_up.pk)).get()
    if sign_up.status == SignUp.Status.CANCELLED:
        return sign_up
    if sign_up.attended:
        raise ValidationError(_("This place is marked attended and cannot be cancelled."))
    if actor.pk == sign_up.volunteer.user_id and shift.starts_at <= timezone.now():
        raise ValidationError(_("This shift has started: tell the staff on the day instead."))
    sign_up.status, sign_up.cancelled_at = SignUp.Status.CANCELLED, timezone.now()
    sign_up.save(update_fields=["status", "cancelled_at"])
    audit_record(actor=actor, action="volunteers.sign_up_cancelled", obj=sign_up, shift=shift.pk)
    return sign_up


@transaction.atomic
def shift_save(*, shift: Shift, actor) -> Shift:
    """Create or change a shift (staff). Refuses fewer places than volunteers signed up, and an
    end before the start. A change to a shift with sign-ups raises its calendar SEQUENCE."""
    errors = {}
    if shift.starts_at and shift.ends_at and shift.ends_at <= shift.starts_at:
        errors["ends_at"] = _("The shift must end after it starts.")
    if shift.pk:
        for_update(Shift.objects.filter(pk=shift.pk), of=("self",)).get()
        taken = SignUp.objects.filter(shift=shift, status=SignUp.Status.SIGNED_UP).count()
        if shift.places is not None and shift.places < taken:
            errors["places"] = _("%(count)s volunteers are signed up: keep at least that many places.") % {
                "count": taken
            }
        shift.sequence += 1
    if errors:
        raise ValidationError(errors)
    created = shift.pk is None
    shift.save()
    audit_record(actor=actor, action="volunteers.shift_created" if created else "volunteers.shift_changed", obj=shift)
    return shift


@transaction.atomic
def shift_cancel(*, shift: Shift, actor) -> int:
    """Cancel a shift that has not started (staff): nobody can sign up any more, and everyone
    signed up is emailed with a calendar update that cancels the entry (STATUS:CANCELLED, a
    higher SEQUENCE). Their sign-ups stay, so the email and the .ics can say what was cancelled.
    Cancelling twice changes nothing more. Returns how many volunteers are told."""
    shift = for_update(Shift.objects.filter(pk=shift.pk), of=("self",)).get()
    if shift.cancelled:
        return 0
    if shift.starts_at <= timezone.now():
        raise ValidationError(_("This shift has already started, so it cannot be cancelled."))
    shift.cancelled = True
    shift.sequence += 1
    shift.save(update_fields=["cancelled", "sequence"])
    sign_ups = list(SignUp.objects.filter(shift=shift, status=SignUp.Status.SIGNED_UP).values_list("pk", flat=True))
    for sign_up_id in sign_ups:
        enqueue_on_commit(_tasks().sign_up_email_send, sign_up_id=sign_up_id, kind="cancelled")
    audit_record(actor=actor, action="volunteers.shift_cancelled", obj=shift, told=len(sign_ups))
    return len(sign_ups)


@transaction.atomic
def attendance_mark(*, shift: Shift, actor, marks: dict[int, tuple[bool, Decimal | None]]) -> int:
    """Mark who came to `shift` and the hours each gave: `marks` maps a sign-up's id to
    (attended, hours); hours left empty are the shift's length. Refuses a shift that has not
    started and hours outside 0 to 24. Marking again replaces the earlier marks. Returns how
    many are marked attended."""
    shift = for_update(Shift.objects.filter(pk=shift.pk), of=("self",)).get()
    if shift.starts_at > timezone.now():
        raise ValidationError(_("Attendance can be marked once the shift has started."))
    for _attended, hours in marks.values():
        if hours is not None and not (Decimal(0) <= hours <= Decimal(24)):
            raise ValidationError(_("Hours given must be between 0 and 24."))
    count = 0
    for sign_up in for_update(SignUp.objects.filter(shift=shift, status=SignUp.Status.SIGNED_UP)):
        if sign_up.pk not in marks:
            continue
        attended, hours = marks[sign_up.pk]
        sign_up.attended = attended
        sign_up.hours = (hours if hours is not None else shift.length_hours) if attended else None
        sign_up.marked_by = actor
        sign_up.save(update_fields=["attended", "hours", "marked_by"])
        count += attended
    audit_record(actor=actor, action="volunteers.attendance_marked", obj=shift, attended=count)
    return count


def hours_given(volunteer: Volunteer) -> Decimal:
    total = SignUp.objects.filter(volunteer=volunteer, status=SignUp.Status.SIGNED_UP, attended=True).aggregate(
        total=Sum("hours")
    )["total"]
    return total or Decimal("0.0")


@transaction.atomic
def hours_certificate_issue(*, volunteer: Volunteer):
    """A certificate of the volunteering hours given so far, through the certificates app (its
    PDF is rendered and emailed by the certificates task). Asking again with the same hours
    returns the same certificate; refuses a volunteer with no hours yet."""
    from certificates.models import Certificate  # noqa: PLC0415
    from certificates.services import certificate_issue  # noqa: PLC0415

    volunteer = for_update(Volunteer.objects.filter(pk=volunteer.pk)).select_related("user").get()
    total = hours_given(volunteer)
    if total <= 0:
        raise ValidationError(_("Your certificate can be made once staff have marked a shift you gave time to."))
    source, _created = HoursCertificate.objects.get_or_create(volunteer=volunteer, hours=total)
    roles = sorted({s.shift.role.name for s in volunteer.sign_ups.filter(attended=True).select_related("shift__role")})
    certificate = certificate_issue(
        recipient=volunteer.user,
        source=source,
        title=_("Volunteering: %(roles)s") % {"roles": ", ".join(roles)},
        awarded_on=timezone.localdate(),
        hours=total,
        kind=Certificate.Kind.VOLUNTEERING,
        actor=volunteer.user,
    )
    if not certificate.name_printed:
        # Someone who is not a member has no certificate name: print the name they volunteer
        # under (the PDF is rendered after this commits).
        Certificate.objects.filter(pk=certificate.pk, name_printed="").update(name_printed=volunteer.name)
        certificate.name_printed = volunteer.name
    return certificate
