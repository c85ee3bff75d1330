"""django-allauth, told to send its emails the Thrive way.

Every message allauth sends (address confirmation, password reset, security notices, the
two-factor notices of allauth.mfa) goes through `core.email.email_send`, so discreet mode
holds for it as for every other email, and the words are ours (templates/emails/account_*.txt),
never allauth's stock text with its "user user 9".

Discretion is decided by the account as well as by the address: a confirmation sent to a
new address, or the notice sent to the old address after a change, goes to an address that
is not (or no longer) the account's own, so the address alone would not show that its
owner asked for discreet mode.
"""

from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.email import email_send, user_wants_discretion
from core.forms import EMAIL_MAX_LENGTH, EMAIL_TOO_LONG, validate_sendable_email
from core.links import absolute


@dataclass(frozen=True)
class AccountEmail:
    """Subject and notice are lazy: `email_send` translates them in the recipient's language."""

    template: str
    subject: str
    notice: str = ""  # the one sentence of a security notice (template "account_notice")
    always_discreet: bool = False  # may reach someone who has no account with us


def _notice(subject: str, notice: str) -> AccountEmail:
    return AccountEmail(template="account_notice", subject=subject, notice=notice)


# Every email allauth (account and mfa) can send, by its template prefix. A test checks that
# each email template of the installed allauth is listed here, so an upgrade that adds one fails.
ACCOUNT_EMAILS = {
    "account/email/email_confirmation_signup": AccountEmail("account_confirm_email", _("Confirm your email address")),
    "account/email/email_confirmation": AccountEmail("account_confirm_email", _("Confirm your email address")),
    "account/email/password_reset_key": AccountEmail("account_password_reset", _("Choose a new password")),
    "account/email/password_reset_code": AccountEmail("account_code", _("Your password reset code")),
    "account/email/login_code": AccountEmail("account_code", _("Your sign-in code")),
    # Someone typed an address we hold no account for: it may be anyone's inbox.
    "account/email/unknown_account": AccountEmail("account_unknown", _("About your request"), always_discreet=True),
    "account/email/account_already_exists": AccountEmail("account_already_exists", _("About your sign-up")),
    "account/email/password_reset": _notice(
        _("Your password was changed"), _("The password of your account was reset.")
    ),
    "account/email/password_changed": _notice(
        _("Your password was changed"), _("The password of your account was changed.")
    ),
    "account/email/password_set": _notice(_("A password was set"), _("A password was set for your account.")),
    # Sent to the old address: it must not tell that inbox the new one.
    "account/email/email_changed": _notice(
        _("Your sign-in address was changed"),
        _("Your account now signs in with a different email address, not this one."),
    ),
    "account/email/email_confirm": _notice(
        _("Your email address is confirmed"), _("Your email address was confirmed.")
    ),
    "account/email/email_deleted": _notice(
        _("An email address was removed"), _("An email address was removed from your account.")
    ),
    "mfa/email/totp_activated": _notice(
        _("Two-factor sign-in is on"), _("An authenticator app was set up for signing in.")
    ),
    "mfa/email/totp_deactivated": _notice(
        _("Two-factor sign-in is off"), _("The authenticator app was removed from your account.")
    ),
    "mfa/email/recovery_codes_generated": _notice(
        _("New recovery codes"), _("A new set of recovery codes was made for your account.")
    ),
    "mfa/email/webauthn_added": _notice(_("A security key was added"), _("A security key was added to your account.")),
    "mfa/email/webauthn_removed": _notice(
        _("A security key was removed"), _("A security key was removed from your account.")
    ),
}
# A message a future allauth adds before the list above learns it: neutral, still ours.
FALLBACK_EMAIL = _notice(_("About your account"), _("There was a change to how you sign in."))


def greeting_name(user) -> str:
    """The member's display name, or "" (a neutral "Hello,") for anyone without a live member
    profile. Never the account's own name fields: staff names are not for members' inboxes,
    and `str(user)` is "user 9"."""
    profile = getattr(user, "member_profile", None) if user is not None and user.pk else None
    if profile is None or profile.erased_at is not None:
        return ""
    return profile.display_name


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """Every address allauth's forms take (sign-up, password reset, adding an address) is
        stored in a column of EMAIL_MAX_LENGTH characters; its form fields allow 320 (a longer
        one was a 500); and each is written to, so its domain must be one email can carry."""
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError(EMAIL_TOO_LONG)
        validate_sendable_email(email)  # sign-up, reset, adding an address: each sends to it
        return super().clean_email(email)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Send one of allauth's emails through `email_send` (discreet mode, our wording).

        allauth renders nothing itself: its templates and subject prefix are not used."""
        spec = ACCOUNT_EMAILS.get(template_prefix, FALLBACK_EMAIL)
        user = context.get("user")
        if user is None and not spec.always_discreet:
            user = get_user_model().objects.filter(email__iexact=email).select_related("member_profile").first()
        discreet = spec.always_discreet or (user is not None and user.pk is not None and user_wants_discretion(user))
        values = {
            key: context[key]
            for key in ("activate_url", "code", "password_reset_url", "signup_url")
            if context.get(key) is not None
        }
        email_send(
            to=[email],
            subject=spec.subject,
            template=spec.template,
            context=values
            | {
                "name": "" if discreet else greeting_name(user),
                "notice": spec.notice,
                "signup": template_prefix.endswith("_signup"),
                "sign_in_url": absolute(reverse("account_login")),
                "reset_url": absolute(reverse("account_reset_password")),
            },
            always_discreet=discreet,
        )

    def send_notification_mail(self, template_prefix: str, user, context=None, email=None) -> None:
        """allauth's security notices do not pass the account on; ours need it for discretion.
        The IP address and browser allauth adds are not put in the email (see the template)."""
        super().send_notification_mail(template_prefix, user, (context or {}) | {"user": user}, email)


def user_display(user) -> str:
    """How allauth's own pages name the signed-in account ("signed in as ..."): its email
    address, which the person typed themselves, instead of `str(user)` ("user 9")."""
    return user.email
