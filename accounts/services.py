"""Every write about members, applications, referrals, consents and erasure.

Each service is keyword-only, runs in one transaction, checks the transition it makes,
logs it in the audit log (ids only) and queues its emails on commit (tasks of
`accounts.tasks`, built by `accounts.emails`).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import tasks
from accounts.erasure import erase_member
from accounts.models import (
    Consent,
    ConsentEvent,
    ErasureRequest,
    MemberProfile,
    MembershipApplication,
    PartnerContact,
    Referral,
    User,
)
from accounts.tokens import new_token
from accounts.welcome import email_address_verify
from core.audit import audit_record
from core.i18n import active_language
from core.locking import for_update
from core.tasks import enqueue_on_commit

ApplicationStatus = MembershipApplication.Status


# Applications ---------------------------------------------------------------------------


OPEN_APPLICATION_STATUSES = [ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO]


@transaction.atomic
def application_submit(
    *,
    display_name: str,
    email: str,
    contact_method: str,
    contact_details: str,
    chapter,
    referral: Referral | None = None,
    user: User | None = None,
) -> MembershipApplication | None:
    """Record an application and tell the applicant (with the private link to follow it) and
    the membership team (no personal details, only a link to the queue), by email tasks.

    The answer on the page must not tell a stranger whether an address is known (issue 23),
    so this never refuses because of the address. When an application for it is already
    waiting, nothing new is stored: the address's owner is emailed that it is waiting, with
    a new link to its private page, and the waiting application is returned. When the
    address belongs to a member, nothing is stored: the member is emailed how to sign in or
    choose a new password, and None is returned. An erased member's address is no longer
    known, so it applies like anyone. Refuses only an invitation that was already used."""
    email = email.strip().lower()
    waiting = MembershipApplication.objects.filter(email=email, status__in=OPEN_APPLICATION_STATUSES).first()
    if waiting is not None:
        audit_record(actor=user, action="application.repeated", obj=waiting)
        enqueue_on_commit(tasks.application_already_waiting_send, application_id=waiting.pk)
        return waiting
    member = _member_account(email)
    if member is not None:
        audit_record(actor=user, action="application.by_member", obj=member)
        enqueue_on_commit(tasks.application_member_exists_send, user_id=member.pk)
        return None
    if referral is not None:
        referral = for_update(Referral.objects.all()).get(pk=referral.pk)
        if referral.status != Referral.Status.ACCEPTED or hasattr(referral, "application"):
            raise ValidationError(_("This invitation has already been used."))
    _token, digest = new_token()  # the private link is made by the email's task
    application = MembershipApplication.objects.create(
        display_name=display_name.strip(),
        email=email,
        language=active_language(),
        contact_method=contact_method,
        contact_details=contact_details.strip(),
        chapter=chapter,
        referral=referral,
        user=user if user is not None and user.is_authenticated else None,
        token_hash=digest,
    )
    audit_record(actor=user, action="application.submitted", obj=application, referred=referral is not None)
    enqueue_on_commit(tasks.application_received_send, application_id=application.pk)
    enqueue_on_commit(tasks.application_waiting_notify, application_id=application.pk)
    return application


def _member_account(email: str) -> User | None:
    """The active account of a member (not erased) that signs in with `email`, if any."""
    return (
        User.objects.filter(
            email__iexact=email, is_active=True, member_profile__isnull=False, member_profile__erased_at__isnull=True
        )
        .only("pk")
        .first()
    )


def _locked_application(application: MembershipApplication, allowed: list[str]) -> MembershipApplication:
    locked = for_update(MembershipApplication.objects.all()).get(pk=application.pk)
    if locked.status not in allowed:
        raise ValidationError(
            _("This application is already %(status)s.") % {"status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def application_approve(*, application: MembershipApplication, actor: User) -> MemberProfile:
    """Approve: create (or reuse) the account for the application's email and its member
    profile, count the address as verified (the welcome email goes to it, and only its reader
    can use the link), and email the applicant one link that sets their password and signs
    them in (or, for an account that already has a password, the sign-in page). Refuses
    decided applications."""
    application = _locked_application(application, [ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO])
    user = application.user or User.objects.filter(email=application.email).first()
    if user is None:
        user = User.objects.create_user(email=application.email, password=None)
    profile, _created = MemberProfile.objects.get_or_create(
        user=user,
        defaults={
            "display_name": application.display_name,
            "chapter": application.chapter,
            "contact_method": application.contact_method,
            "contact_details": application.contact_details,
        },
    )
    application.user = user
    application.status = ApplicationStatus.APPROVED
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.save()
    audit_record(actor=actor, action="application.approved", obj=application, profile=profile.pk)
    email_address_verify(user=user)
    enqueue_on_commit(tasks.application_approved_send, application_id=application.pk)
    return profile


@transaction.atomic
def application_decline(*, application: MembershipApplication, actor: User, message: str) -> None:
    """Decline with a message to the applicant. Refuses decided applications."""
    application = _locked_application(application, [ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO])
    application.status = ApplicationStatus.DECLINED
    application.staff_message = message.strip()
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.save()
    audit_record(actor=actor, action="application.declined", obj=application)
    enqueue_on_commit(tasks.application_declined_send, application_id=application.pk)


@transaction.atomic
def application_request_information(*, application: MembershipApplication, actor: User, message: str) -> None:
    """Ask the applicant a question; they answer on their private status page, whose new link
    is emailed to them (by a task). Refuses decided applications and an empty question."""
    if not message.strip():
        raise ValidationError(_("Write the question you want to ask the applicant."))
    application = _locked_application(application, [ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO])
    application.status = ApplicationStatus.MORE_INFO
    application.staff_message = message.strip()
    application.save()
    audit_record(actor=actor, action="application.more_info_requested", obj=application)
    enqueue_on_commit(tasks.application_more_info_send, application_id=application.pk)


@transaction.atomic
def application_reply(*, application: MembershipApplication, reply: str) -> None:
    """The applicant answers a question: the application goes back to the review queue."""
    if not reply.strip():
        raise ValidationError(_("Write your answer before sending it."))
    application = _locked_application(application, [ApplicationStatus.MORE_INFO])
    application.applicant_reply = reply.strip()
    application.status = ApplicationStatus.SUBMITTED
    application.save()
    audit_record(actor=None, action="application.replied", obj=application)


# Referrals ------------------------------------------------------------------------------


@transaction.atomic
def referral_create(*, contact: PartnerContact, email: str, note: str) -> Referral:
    """A partner invites a survivor. Only the survivor can start an application, from the
    link in the invitation (made and emailed by a task, always discreet: neutral sender and
    subject); the partner later sees the status only.

    Referring again an address the same organisation's invitation is still open for stores
    nothing new: that invitation is sent again (with a new link) and returned. Nothing
    depends on whether the address belongs to anyone (issue 23)."""
    email = email.strip().lower()
    open_one = Referral.objects.filter(
        organisation=contact.organisation,
        email=email,
        status=Referral.Status.INVITED,
        expires_at__gt=timezone.now(),
    ).first()
    if open_one is not None:
        audit_record(actor=contact.user, action="referral.repeated", obj=open_one)
        enqueue_on_commit(tasks.referral_invitation_send, referral_id=open_one.pk)
        return open_one
    _token, digest = new_token()  # unusable: the invitation's task makes the link
    referral = Referral.objects.create(
        organisation=contact.organisation,
        referred_by=contact,
        email=email,
        note=note.strip(),
        token_hash=digest,
        expires_at=timezone.now() + timedelta(days=settings.REFERRAL_INVITATION_DAYS),
    )
    audit_record(actor=contact.user, action="referral.created", obj=referral)
    enqueue_on_commit(tasks.referral_invitation_send, referral_id=referral.pk)
    return referral


@transaction.atomic
def referral_create_public(*, email: str, note: str, relationship: str = "") -> Referral | None:
    """Anyone refers a survivor, with the survivor's agreement, through the public form
    (issue 19): the same neutral invitation as a partner's, emailed by the same task.

    Someone could use the form to pester an address, so it invites an address at most once
    at a time and never again after a "no": nothing is stored or sent when an invitation to
    the address is open (from anyone), or when the address declined an invitation within
    REFERRAL_DECLINED_QUIET_DAYS. Returns the new referral, or None; the caller answers the
    same either way, so the form tells nobody whether the address was invited before."""
    email = email.strip().lower()
    now = timezone.now()
    quiet_since = now - timedelta(days=settings.REFERRAL_DECLINED_QUIET_DAYS)
    earlier = Referral.objects.filter(email=email)
    blocking = (
        earlier.filter(status=Referral.Status.INVITED, expires_at__gt=now).first()
        or earlier.filter(status=Referral.Status.DECLINED, responded_at__gt=quiet_since).first()
    )
    if blocking is not None:
        audit_record(actor=None, action="referral.public_not_sent", obj=blocking, status=blocking.status)
        return None
    _token, digest = new_token()  # unusable: the invitation's task makes the link
    referral = Referral.objects.create(
        source=Referral.Source.PUBLIC,
        organisation=None,
        email=email,
        note=note.strip(),
        relationship=relationship.strip(),
        token_hash=digest,
        expires_at=now + timedelta(days=settings.REFERRAL_INVITATION_DAYS),
    )
    audit_record(actor=None, action="referral.created", obj=referral, source=Referral.Source.PUBLIC)
    enqueue_on_commit(tasks.referral_invitation_send, referral_id=referral.pk)
    return referral


def referral_is_open(referral: Referral) -> bool:
    return referral.status == Referral.Status.INVITED and referral.expires_at > timezone.now()


@transaction.atomic
def referral_respond(*, referral: Referral, accept: bool) -> Referral:
    """The survivor accepts (and may then apply) or declines. Refuses used or expired ones."""
    referral = for_update(Referral.objects.all()).get(pk=referral.pk)
    if referral.status == Referral.Status.INVITED and referral.expires_at <= timezone.now():
        referral.status = Referral.Status.EXPIRED
        referral.save(update_fields=["status"])
    if referral.status != Referral.Status.INVITED:
        raise ValidationError(_("This invitation can no longer be used."))
    referral.status = Referral.Status.ACCEPTED if accept else Referral.Status.DECLINED
    referral.responded_at = timezone.now()
    referral.save(update_fields=["status", "responded_at"])
    audit_record(actor=None, action=f"referral.{referral.status}", obj=referral)
    return referral


# Consents and profile ------------------------------------------------------------------


@transaction.atomic
def consent_set(*, profile: MemberProfile, consent: Consent, given: bool, actor: User) -> bool:
    """Give or withdraw one consent; logs the change with its time. Returns whether it changed."""
    profile = for_update(MemberProfile.objects.all()).get(pk=profile.pk)
    field = f"consent_{consent}"
    if getattr(profile, field) == given:
        return False
    setattr(profile, field, given)
    profile.save(update_fields=[field])
    ConsentEvent.objects.create(profile=profile, consent=consent, given=given)
    audit_record(actor=actor, action="consent.given" if given else "consent.withdrawn", obj=profile, consent=consent)
    return True


@transaction.atomic
def profile_update(*, profile: MemberProfile, actor: User, **fields) -> MemberProfile:
    """Save the member's own profile choices; notes when access needs last changed."""
    profile = for_update(MemberProfile.objects.all()).get(pk=profile.pk)
    if fields.get("access_needs", profile.access_needs) != profile.access_needs:
        profile.access_needs_updated_at = timezone.now()
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    audit_record(actor=actor, action="profile.updated", obj=profile, fields=sorted(fields))
    return profile


# Erasure --------------------------------------------------------------------------------


@transaction.atomic
def erasure_request(*, user: User, revoke_certificates: bool) -> ErasureRequest:
    """The member asks to be erased; Membership staff confirm. One open request at a time."""
    existing = ErasureRequest.objects.filter(user=user, status=ErasureRequest.Status.REQUESTED).first()
    if existing is not None:
        return existing
    request = ErasureRequest.objects.create(user=user, revoke_certificates=revoke_certificates)
    audit_record(actor=user, action="erasure.requested", obj=request, revoke_certificates=revoke_certificates)
    enqueue_on_commit(tasks.erasure_request_notify, erasure_request_id=request.pk)
    return request


@transaction.atomic
def erasure_confirm(*, request: ErasureRequest, actor: User) -> None:
    """Erase the member's personal data for good (Membership staff only, checked by the view).

    The account and profile rows stay, emptied and pseudonymised, so records that must be
    kept (audit log, and later payments and certificates) still point at something without
    a name. Applications and referrals lose every personal field. Sign-in becomes impossible.
    """
    request = for_update(ErasureRequest.objects.all()).get(pk=request.pk)
    if request.status != ErasureRequest.Status.REQUESTED:
        raise ValidationError(_("This request has already been handled."))
    user = for_update(User.objects.all()).get(pk=request.user_id)
    old_email = user.email
    erase_member(user=user, old_email=old_email, revoke_certificates=request.revoke_certificates)
    request.status = ErasureRequest.Status.COMPLETED
    request.handled_at = timezone.now()
    request.handled_by = actor
    request.save()
    audit_record(actor=actor, action="erasure.completed", obj=request, user=user.pk)
