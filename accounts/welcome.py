"""Signing in for the first time: the welcome link an approved member gets by email (made by
`accounts.emails.application_approved_send`), and counting their address as verified.
The link carries a random token; only its SHA-256 is stored."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User, WelcomeLink
from accounts.tokens import new_token, token_hash
from core.audit import audit_record
from core.locking import for_update


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


WELCOME_LINK_CLOSED = _(
    "This link has already been used or is too old. To sign in, choose a new password from the sign-in page."
)


@transaction.atomic
def welcome_link_use(*, token: str, password: str) -> User:
    """Set the account's password from its welcome link and use the link up (once, also under
    two clicks at once: the row is locked). The caller has validated the password and signs
    the person in. Refuses a used, expired or unknown link."""
    link = (
        for_update(WelcomeLink.objects.all())
        .filter(token_hash=token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if link is None:
        raise ValidationError(WELCOME_LINK_CLOSED)
    user = for_update(User.objects.all()).get(pk=link.user_id)
    if not user.is_active:
        raise ValidationError(WELCOME_LINK_CLOSED)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    user.set_password(password)
    user.save(update_fields=["password"])
    email_address_verify(user=user)
    audit_record(actor=user, action="welcome_link.used", obj=link)
    return user
