"""Erasing a member: what is emptied, what is kept, and why (see README "Data rights")."""

from django.apps import apps
from django.utils import timezone

from accounts.models import Consent, MemberProfile, MembershipApplication, Referral, User, WelcomeLink
from accounts.signals import member_erased
from core.locking import for_update

ERASED_EMAIL_DOMAIN = "@erased.invalid"


def erased_email(kind: str, pk: int) -> str:
    return f"erased-{kind}-{pk}{ERASED_EMAIL_DOMAIN}"


def erase_member(*, user: User, old_email: str, revoke_certificates: bool) -> None:
    """Empty every personal field that refers to `user`. Call inside a transaction."""
    profile = for_update(MemberProfile.objects.all()).filter(user=user).first()
    if profile is not None:
        profile.display_name = f"Erased member {profile.pk}"
        for field in ("certificate_name", "legal_name", "pronouns", "preferred_language", "access_needs"):
            setattr(profile, field, "")
        profile.contact_details = ""
        profile.discreet_mode = False
        for consent in Consent:
            setattr(profile, f"consent_{consent}", False)
        profile.erased_at = timezone.now()
        profile.save()

    applications = MembershipApplication.objects.filter(user=user) | MembershipApplication.objects.filter(
        email__iexact=old_email
    )
    for application in applications.distinct():
        application.display_name = "Erased"
        application.email = erased_email("application", application.pk)
        application.contact_details = ""
        application.staff_message = ""
        application.applicant_reply = ""
        application.user = user
        application.save()
    Referral.objects.filter(email__iexact=old_email).update(email="", note="")

    # Sign-in records: addresses and second factors (TOTP secrets) go entirely.
    apps.get_model("account", "EmailAddress").objects.filter(user=user).delete()
    apps.get_model("mfa", "Authenticator").objects.filter(user=user).delete()
    WelcomeLink.objects.filter(user=user).delete()

    user.email = erased_email("user", user.pk)
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()  # also ends every session: their hash no longer matches
    user.save()
    user.groups.clear()
    member_erased.send(sender=User, user_id=user.pk, old_email=old_email, revoke_certificates=revoke_certificates)
