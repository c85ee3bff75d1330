"""Every write about members, applications, referrals, consents and erasure.

Each service is keyword-only, runs in one transaction, checks the transition it makes,
logs it in the audit log (ids only) and sends its emails after commit.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    Consent,
    ConsentEvent,
    ErasureRequest,
    MemberProfile,
    MembershipApplication,
    PartnerContact,
    Referral,
    User,
    WelcomeLink,
)
from accounts.tokens import new_token, token_hash
from core.audit import audit_record
from core.email import email_send
from core.links import absolute

ApplicationStatus = MembershipApplication.Status


def _after_commit_email(**kwargs) -> None:
    transaction.on_commit(lambda: email_send(**kwargs))


# Applications ---------------------------------------------------------------------------


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
) -> tuple[MembershipApplication, str]:
    """Record an application and tell the applicant and the membership team (staff get no
    personal details by email, only a link to the queue). Returns the application and the
    token of its private status link. Refuses a second open application for the same email."""
    email = email.strip().lower()
    open_statuses = [ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO]
    if MembershipApplication.objects.filter(email=email, status__in=open_statuses).exists():
        raise ValidationError(
            "There is already an application waiting for this email address. "
            "We will reply to it soon; there is no need to apply again."
        )
    if referral is not None:
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status != Referral.Status.ACCEPTED or hasattr(referral, "application"):
            raise ValidationError("This invitation has already been used.")
    token, digest = new_token()
    application = MembershipApplication.objects.create(
        display_name=display_name.strip(),
        email=email,
        contact_method=contact_method,
        contact_details=contact_details.strip(),
        chapter=chapter,
        referral=referral,
        user=user if user is not None and user.is_authenticated else None,
        token_hash=digest,
    )
    audit_record(actor=user, action="application.submitted", obj=application, referred=referral is not None)
    status_url = absolute(reverse("membership:application_status", args=[token]))
    _after_commit_email(
        to=[email],
        subject="We have received your application",
        template="application_received",
        context={"application": application, "status_url": status_url},
    )
    _after_commit_email(
        to=[settings.STAFF_NOTIFICATION_EMAIL],
        subject="A membership application is waiting for review",
        template="staff_application_waiting",
        context={"queue_url": absolute(reverse("membership_admin:applications"))},
    )
    return application, token


def _locked_application(application: MembershipApplication, allowed: list[str]) -> MembershipApplication:
    locked = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status not in allowed:
        raise ValidationError(f"This application is already {locked.get_status_display().lower()}.")
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
    if user.has_usable_password():
        context = {"profile": profile, "sign_in_url": absolute(reverse("account_login"))}
    else:
        token = welcome_link_create(user=user)
        context = {
            "profile": profile,
            "welcome_url": absolute(reverse("membership:welcome", args=[token])),
            "days": settings.WELCOME_LINK_DAYS,
        }
    _after_commit_email(
        to=[user.email], subject="Welcome to the network", template="application_approved", context=context
    )
    return profile


# Signing in for the first time ------------------------------------------------------------


def email_address_verify(*, user: User) -> None:
    """Count the account's own address as verified for allauth (so sign-in does not stop at
    "confirm your email address"); it becomes the primary address if there is none."""
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=not has_primary)
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


@transaction.atomic
def welcome_link_create(*, user: User) -> str:
    """A new welcome link for `user` (earlier unused ones stop working). Returns the token;
    only its hash is stored."""
    WelcomeLink.objects.filter(user=user, used_at__isnull=True).delete()
    token, digest = new_token()
    WelcomeLink.objects.create(
        user=user, token_hash=digest, expires_at=timezone.now() + timedelta(days=settings.WELCOME_LINK_DAYS)
    )
    return token


def welcome_link_open(token: str) -> WelcomeLink | None:
    """The unused, unexpired welcome link of an active account with this token, or None."""
    return (
        WelcomeLink.objects.select_related("user")
        .filter(token_hash=token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )


WELCOME_LINK_CLOSED = (
    "This link has already been used or is too old. To sign in, choose a new password from the sign-in page."
)


@transaction.atomic
def welcome_link_use(*, token: str, password: str) -> User:
    """Set the account's password from its welcome link and use the link up (once, also under
    two clicks at once: the row is locked). The caller has validated the password and signs
    the person in. Refuses a used, expired or unknown link."""
    link = (
        WelcomeLink.objects.select_for_update()
        .filter(token_hash=token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if link is None:
        raise ValidationError(WELCOME_LINK_CLOSED)
    user = User.objects.select_for_update().get(pk=link.user_id)
    if not user.is_active:
        raise ValidationError(WELCOME_LINK_CLOSED)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    user.set_password(password)
    user.save(update_fields=["password"])
    email_address_verify(user=user)
    audit_record(actor=user, action="welcome_link.used", obj=link)
    return user


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
    _after_commit_email(
        to=[application.email],
        subject="About your application",
        template="application_declined",
        context={"application": application},
    )


@transaction.atomic
def application_request_information(*, application: MembershipApplication, actor: User, message: str) -> str:
    """Ask the applicant a question; they answer on their private status page, whose new link
    (returned) is emailed to them. Refuses decided applications and an empty question."""
    if not message.strip():
        raise ValidationError("Write the question you want to ask the applicant.")
    application = _locked_application(application, [ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO])
    token, digest = new_token()
    application.status = ApplicationStatus.MORE_INFO
    application.staff_message = message.strip()
    application.token_hash = digest
    application.save()
    audit_record(actor=actor, action="application.more_info_requested", obj=application)
    _after_commit_email(
        to=[application.email],
        subject="A question about your application",
        template="application_more_info",
        context={
            "application": application,
            "status_url": absolute(reverse("membership:application_status", args=[token])),
        },
    )
    return token


@transaction.atomic
def application_reply(*, application: MembershipApplication, reply: str) -> None:
    """The applicant answers a question: the application goes back to the review queue."""
    if not reply.strip():
        raise ValidationError("Write your answer before sending it.")
    application = _locked_application(application, [ApplicationStatus.MORE_INFO])
    application.applicant_reply = reply.strip()
    application.status = ApplicationStatus.SUBMITTED
    application.save()
    audit_record(actor=None, action="application.replied", obj=application)


# Referrals ------------------------------------------------------------------------------


@transaction.atomic
def referral_create(*, contact: PartnerContact, email: str, note: str) -> tuple[Referral, str]:
    """A partner invites a survivor. Only the survivor can start an application, from the
    link in the invitation; the partner later sees the status only. The invitation email
    is always discreet (neutral sender and subject)."""
    token, digest = new_token()
    referral = Referral.objects.create(
        organisation=contact.organisation,
        referred_by=contact,
        email=email.strip().lower(),
        note=note.strip(),
        token_hash=digest,
        expires_at=timezone.now() + timedelta(days=settings.REFERRAL_INVITATION_DAYS),
    )
    audit_record(actor=contact.user, action="referral.created", obj=referral)
    _after_commit_email(
        to=[referral.email],
        subject="An invitation",
        template="referral_invitation",
        context={
            "organisation": contact.organisation,
            "invitation_url": absolute(reverse("membership:invitation", args=[token])),
            "days": settings.REFERRAL_INVITATION_DAYS,
        },
        always_discreet=True,
    )
    return referral, token


def referral_is_open(referral: Referral) -> bool:
    return referral.status == Referral.Status.INVITED and referral.expires_at > timezone.now()


@transaction.atomic
def referral_respond(*, referral: Referral, accept: bool) -> Referral:
    """The survivor accepts (and may then apply) or declines. Refuses used or expired ones."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status == Referral.Status.INVITED and referral.expires_at <= timezone.now():
        referral.status = Referral.Status.EXPIRED
        referral.save(update_fields=["status"])
    if referral.status != Referral.Status.INVITED:
        raise ValidationError("This invitation can no longer be used.")
    referral.status = Referral.Status.ACCEPTED if accept else Referral.Status.DECLINED
    referral.responded_at = timezone.now()
    referral.save(update_fields=["status", "responded_at"])
    audit_record(actor=None, action=f"referral.{referral.status}", obj=referral)
    return referral


# Consents and profile ------------------------------------------------------------------


@transaction.atomic
def consent_set(*, profile: MemberProfile, consent: Consent, given: bool, actor: User) -> bool:
    """Give or withdraw one consent; logs the change with its time. Returns whether it changed."""
    profile = MemberProfile.objects.select_for_update().get(pk=profile.pk)
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
    profile = MemberProfile.objects.select_for_update().get(pk=profile.pk)
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
    _after_commit_email(
        to=[settings.STAFF_NOTIFICATION_EMAIL],
        subject="A data erasure request is waiting",
        template="staff_erasure_waiting",
        context={"queue_url": absolute(reverse("membership_admin:erasure_requests"))},
    )
    return request


@transaction.atomic
def erasure_confirm(*, request: ErasureRequest, actor: User) -> None:
    """Erase the member's personal data for good (Membership staff only, checked by the view).

    The account and profile rows stay, emptied and pseudonymised, so records that must be
    kept (audit log, and later payments and certificates) still point at something without
    a name. Applications and referrals lose every personal field. Sign-in becomes impossible.
    """
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ErasureRequest.Status.REQUESTED:
        raise ValidationError("This request has already been handled.")
    user = User.objects.select_for_update().get(pk=request.user_id)
    old_email = user.email
    from accounts.erasure import erase_member

    erase_member(user=user, old_email=old_email, revoke_certificates=request.revoke_certificates)
    request.status = ErasureRequest.Status.COMPLETED
    request.handled_at = timezone.now()
    request.handled_by = actor
    request.save()
    audit_record(actor=actor, action="erasure.completed", obj=request, user=user.pk)
