"""Erasing a member: the entry point, and what accounts erases (see README "Data rights").

`erase_member` finds the member's rows through every app's answer to the personal-data
contract (`core.personal_data`, hook `thrive_personal_data` in core/hooks.py) and lets each
app erase its own, in one transaction. Accounts' answer is below: the profile is emptied and
pseudonymised, the account can no longer sign in, applications and referrals (by account or
by the address the account had) lose every personal field, sign-in addresses, second factors,
welcome links, the calendar secret and the member's sessions are deleted. Kept: the account
and profile rows (other records point at them), the consent history (choices and times).
"""

import json

from django.apps import apps
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.models import (
    CalendarFeed,
    Consent,
    MemberProfile,
    MembershipApplication,
    Referral,
    User,
    WelcomeLink,
)
from core.locking import for_update
from core.personal_data import ERASED_EMAIL_DOMAIN, Member, PersonalData, Rows, erased_email, member_erase

__all__ = ["ERASED_EMAIL_DOMAIN", "PERSONAL_DATA", "erase_member", "erased_email"]


def erase_member(*, user: User, old_email: str, revoke_certificates: bool) -> Rows:
    """Erase every personal field that refers to `user` or to the address it had, in every app.
    Call inside a transaction (`accounts.services.erasure_confirm` does). Idempotent. Returns
    the rows found (the same the member's data export shows)."""
    found = member_erase(
        Member(user_id=user.pk, email=(old_email or "").strip().lower(), revoke_certificates=revoke_certificates)
    )
    user.refresh_from_db()
    return found


def _by_address(model, member: Member, lookup: str = "email__iexact") -> set:
    if not member.email:
        return set()
    return set(model._default_manager.filter(**{lookup: member.email}).values_list("pk", flat=True))


def _sessions_of(member: Member) -> set:
    """The member's sign-in sessions (the table is not keyed by account: each is decoded)."""
    found = set()
    for session in Session.objects.iterator():
        data = session.get_decoded()
        if str(data.get("_auth_user_id")) == str(member.user_id) or (
            member.email and member.email in json.dumps(data, default=str).lower()
        ):
            found.add(session.pk)
    return found


def accounts_member_rows(member: Member, found: Rows) -> Rows:
    by_account = {"user_id": member.user_id}
    EmailAddress = apps.get_model("account", "EmailAddress")
    Authenticator = apps.get_model("mfa", "Authenticator")
    return {
        User._meta.label: {member.user_id},
        MemberProfile._meta.label: set(MemberProfile.objects.filter(**by_account).values_list("pk", flat=True)),
        MembershipApplication._meta.label: set(
            MembershipApplication.objects.filter(**by_account).values_list("pk", flat=True)
        )
        | _by_address(MembershipApplication, member),
        Referral._meta.label: _by_address(Referral, member),
        EmailAddress._meta.label: set(EmailAddress.objects.filter(**by_account).values_list("pk", flat=True))
        | _by_address(EmailAddress, member),
        Authenticator._meta.label: set(Authenticator.objects.filter(**by_account).values_list("pk", flat=True)),
        WelcomeLink._meta.label: set(WelcomeLink.objects.filter(**by_account).values_list("pk", flat=True)),
        CalendarFeed._meta.label: set(CalendarFeed.objects.filter(**by_account).values_list("pk", flat=True)),
        Session._meta.label: _sessions_of(member),
    }


def accounts_erase_member(member: Member, found: Rows) -> None:
    """Accounts' part of an erasure (see the module's docstring)."""

    def rows(model):
        return model._default_manager.filter(pk__in=found.get(model._meta.label, ()))

    for profile in for_update(rows(MemberProfile)):
        profile.display_name = f"Erased member {profile.pk}"
        for name in ("certificate_name", "legal_name", "pronouns", "preferred_language", "access_needs"):
            setattr(profile, name, "")
        profile.contact_details = ""
        profile.discreet_mode = False
        for consent in Consent:
            setattr(profile, f"consent_{consent}", False)
        profile.erased_at = profile.erased_at or timezone.now()
        profile.save()
    for application in for_update(rows(MembershipApplication)):
        application.display_name = "Erased"
        application.email = erased_email("application", application.pk)
        application.language = ""
        application.contact_details = ""
        application.staff_message = ""
        application.applicant_reply = ""
        application.user_id = member.user_id
        application.save()
    rows(Referral).update(email="", note="", relationship="")
    # Sign-in records: addresses, second factors (TOTP secrets), links and sessions go entirely.
    for model in (apps.get_model("account", "EmailAddress"), apps.get_model("mfa", "Authenticator")):
        rows(model).delete()
    for model in (WelcomeLink, CalendarFeed, Session):
        rows(model).delete()

    user = for_update(User.objects.all()).get(pk=member.user_id)
    user.email = erased_email("user", user.pk)
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()  # also ends every session: their hash no longer matches
    user.save()
    user.groups.clear()


PERSONAL_DATA = PersonalData(
    personal={
        "accounts.User": ("first_name", "last_name", "email"),
        "accounts.MemberProfile": (
            "display_name",
            "certificate_name",
            "legal_name",
            "pronouns",
            "preferred_language",
            "access_needs",
            "contact_details",
        ),
        "accounts.MembershipApplication": (
            "display_name",
            "email",
            "contact_details",
            "staff_message",
            "applicant_reply",
            "language",
        ),
        # relationship: how a public referrer knows them ("her caseworker at ..."): may identify.
        "accounts.Referral": ("email", "note", "relationship"),
        "account.EmailAddress": ("email",),
        "mfa.Authenticator": ("data",),
        "sessions.Session": ("session_data",),
    },
    not_personal={
        "accounts.User.password": "a password hash (made unusable at erasure)",
        "accounts.MemberProfile.contact_method": "a choice (email, phone, ...)",
        "accounts.ConsentEvent": "consent choices and times (kept: the consent history)",
        "accounts.Referral.token_hash": "the hash of a random link token",
        "accounts.Referral.status": "a status",
        "accounts.Referral.source": "a choice (a partner or the public form)",
        "accounts.MembershipApplication.contact_method": "a choice (email, phone, ...)",
        "accounts.MembershipApplication.status": "a status",
        "accounts.MembershipApplication.token_hash": "the hash of a random link token",
        "accounts.ErasureRequest": "a status",
        "accounts.WelcomeLink": "the hash of a random link token (deleted at erasure)",
        "accounts.CalendarFeed": "the hash of a random calendar secret (deleted at erasure)",
        "account.EmailConfirmation": "random confirmation keys (deleted with their address)",
        "mfa.Authenticator.type": "the kind of second factor",
        "sessions.Session.session_key": "a random key",
    },
    tasks={
        "accounts.tasks.retention_purge": {},
        "accounts.tasks.application_received_send": {"application_id": "accounts.MembershipApplication"},
        "accounts.tasks.application_waiting_notify": {"application_id": "accounts.MembershipApplication"},
        "accounts.tasks.application_already_waiting_send": {"application_id": "accounts.MembershipApplication"},
        "accounts.tasks.application_member_exists_send": {"user_id": "accounts.User"},
        "accounts.tasks.application_approved_send": {"application_id": "accounts.MembershipApplication"},
        "accounts.tasks.application_declined_send": {"application_id": "accounts.MembershipApplication"},
        "accounts.tasks.application_more_info_send": {"application_id": "accounts.MembershipApplication"},
        "accounts.tasks.referral_invitation_send": {"referral_id": "accounts.Referral"},
        # Tells Membership staff a request is waiting; names no one.
        "accounts.tasks.erasure_request_notify": {},
        "accounts.tasks.sign_in_failures_notify": {"user_id": "accounts.User"},
    },
    rows=accounts_member_rows,
    erase=accounts_erase_member,
    # Staff who decided someone else's application or handled their erasure: not in the staff
    # member's own data export.
    acting_staff=("accounts.MembershipApplication.decided_by", "accounts.ErasureRequest.handled_by"),
    order=10,
)
