"""Every email accounts sends about members, applications, referrals and erasure. Each
function builds one message from the rows (by primary key) and sends it through
`core.email.email_send` (discreet mode applies there); each runs as the task of the same
name in `accounts.tasks`, queued on commit by `accounts.services`.

A link that carries a secret (an application's private page, an invitation, a welcome
link) gets its token here, inside the task: only its hash is stored, and the token never
travels in a task's arguments (which the task table keeps). Making a new one replaces the
last, so a task run twice sends two emails of which the second link works. Sending an
email is the only effect; a row that has gone (erased, purged) sends nothing.

allauth's own emails (password reset, address confirmation, security notices) are not here:
they are sent inline by `accounts.adapter.AccountAdapter` because their context holds the
reset key or code, which must not be written into a task's arguments.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import ErasureRequest, MembershipApplication, Referral, User
from accounts.tokens import new_token
from accounts.welcome import welcome_link_create
from core.email import email_send
from core.i18n import language_of
from core.links import absolute


def _status_url(application: MembershipApplication) -> str:
    """A new private link to the application's status page (the previous one stops working)."""
    token, digest = new_token()
    MembershipApplication.objects.filter(pk=application.pk).update(token_hash=digest)
    return absolute(reverse("membership:application_status", args=[token]))


@transaction.atomic
def application_received_send(*, application_id: int) -> None:
    """Tell the applicant their application arrived, with the private link to follow it."""
    application = MembershipApplication.objects.filter(pk=application_id).first()
    if application is None:
        return
    with language_of(application.email, application.language):  # the link under their language's prefix
        status_url = _status_url(application)
    email_send(
        to=[application.email],
        subject=_("We have received your application"),
        template="application_received",
        context={"application": application, "status_url": status_url},
        language=application.language,
    )


@transaction.atomic
def application_already_waiting_send(*, application_id: int) -> None:
    """Someone applied again with the address of an application that is still waiting: tell
    the address's owner (the page said only "thank you", the same as for a new application)
    that it is waiting, with a new link to its private page. Nothing once it was decided."""
    application = MembershipApplication.objects.filter(pk=application_id).first()
    open_statuses = [MembershipApplication.Status.SUBMITTED, MembershipApplication.Status.MORE_INFO]
    if application is None or application.status not in open_statuses:
        return
    with language_of(application.email, application.language):
        status_url = _status_url(application)
    email_send(
        to=[application.email],
        subject=_("About your application"),
        template="application_already_waiting",
        context={"status_url": status_url},
        language=application.language,
    )


def application_member_exists_send(*, user_id: int) -> None:
    """Someone applied with the address of a member's account: tell its owner they already
    have an account, and how to sign in or choose a new password. Nothing for an account
    that was erased or closed since."""
    user = User.objects.filter(pk=user_id, is_active=True, member_profile__erased_at__isnull=True).first()
    if user is None:
        return
    email_send(
        to=[user.email],
        subject=_("About your application"),
        template="application_member_exists",
        context={
            "sign_in_url": absolute(reverse("account_login")),
            "reset_url": absolute(reverse("account_reset_password")),
        },
    )


def application_waiting_notify(*, application_id: int) -> None:
    """Tell the membership team an application waits: a link to the queue, no personal details."""
    if not MembershipApplication.objects.filter(pk=application_id).exists():
        return
    email_send(
        to=[settings.STAFF_NOTIFICATION_EMAIL],
        subject=_("A membership application is waiting for review"),
        template="staff_application_waiting",
        context={"queue_url": absolute(reverse("membership_admin:applications"))},
    )


def application_approved_send(*, application_id: int) -> None:
    """Welcome the approved applicant: one link that sets their password and signs them in (a
    new welcome link, made here), or the sign-in page when the account has a password."""
    application = MembershipApplication.objects.select_related("user__member_profile").filter(pk=application_id).first()
    user = application.user if application is not None else None
    if user is None or not user.is_active or not hasattr(user, "member_profile"):
        return
    context = {"profile": user.member_profile}
    with language_of(user, application.language):  # the links under their language's prefix
        if user.has_usable_password():
            context["sign_in_url"] = absolute(reverse("account_login"))
        else:
            token = welcome_link_create(user=user)
            context["welcome_url"] = absolute(reverse("membership:welcome", args=[token]))
            context["days"] = settings.WELCOME_LINK_DAYS
    email_send(
        to=[user.email],
        subject=_("Welcome to the network"),
        template="application_approved",
        context=context,
        language=application.language,
    )


def application_declined_send(*, application_id: int) -> None:
    """Tell the applicant the answer, with staff's message."""
    application = MembershipApplication.objects.filter(pk=application_id).first()
    if application is None:
        return
    email_send(
        to=[application.email],
        subject=_("About your application"),
        template="application_declined",
        context={"application": application},
        language=application.language,
    )


@transaction.atomic
def application_more_info_send(*, application_id: int) -> None:
    """Send staff's question, with a new private link where the applicant answers it."""
    application = MembershipApplication.objects.filter(pk=application_id).first()
    if application is None or application.status != MembershipApplication.Status.MORE_INFO:
        return
    with language_of(application.email, application.language):
        status_url = _status_url(application)
    email_send(
        to=[application.email],
        subject=_("A question about your application"),
        template="application_more_info",
        context={"application": application, "status_url": status_url},
        language=application.language,
    )


@transaction.atomic
def referral_invitation_send(*, referral_id: int) -> None:
    """Send a partner's invitation, always discreet (neutral sender and subject: the address
    may be a shared inbox), with its link, made here. Nothing once it was answered or emptied."""
    referral = Referral.objects.select_related("organisation").filter(pk=referral_id).first()
    if referral is None or referral.status != Referral.Status.INVITED or not referral.email:
        return
    token, digest = new_token()
    Referral.objects.filter(pk=referral.pk).update(token_hash=digest)
    email_send(
        to=[referral.email],
        subject=_("An invitation"),
        template="referral_invitation",
        context={
            "organisation": referral.organisation,
            "invitation_url": absolute(reverse("membership:invitation", args=[token])),
            "days": settings.REFERRAL_INVITATION_DAYS,
        },
        always_discreet=True,
    )


def erasure_request_notify(*, erasure_request_id: int) -> None:
    """Tell the membership team an erasure request waits for confirmation (a link, no details)."""
    if not ErasureRequest.objects.filter(pk=erasure_request_id, status=ErasureRequest.Status.REQUESTED).exists():
        return
    email_send(
        to=[settings.STAFF_NOTIFICATION_EMAIL],
        subject=_("A data erasure request is waiting"),
        template="staff_erasure_waiting",
        context={"queue_url": absolute(reverse("membership_admin:erasure_requests"))},
    )


def sign_in_failures_notify(*, user_id: int, failures: int, where: str) -> None:
    """Tell staff one account has had repeated wrong passwords: its id, a link, the count and
    which sign-in page; never the address typed, a password or the client's address."""
    if not User.objects.filter(pk=user_id).exists():
        return
    email_send(
        to=[settings.STAFF_NOTIFICATION_EMAIL],
        subject=_("Repeated failed sign-ins to one account"),
        template="staff_sign_in_failures",
        context={
            "user_id": user_id,
            "failures": failures,
            "minutes": settings.SIGN_IN_FAILURE_WINDOW_SECONDS // 60,
            # The sign-in page, named in English by the caller (marked with gettext_noop: a
            # task's argument stays plain text), translated here in the recipient's language.
            "where": _(where),
            "admin_url": absolute(reverse("wagtailusers_users:edit", args=[user_id])),
        },
    )
