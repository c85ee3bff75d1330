"""Every email survivor voices sends. Each builds one message from rows (by primary key) and
sends it through `core.email.email_send` (discreet mode applies there: a member in discreet mode
gets a neutral message that sends them to their account, where the brief is); each runs as the
task of the same name in `voices.tasks`. A row that has gone sends nothing.

What the organisation is told about a member is `Engagement.shown_as` and the member's "no
photos"/"no recording" wishes, after the member confirmed; never their address or account.
"""

import zoneinfo

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.tokens import new_token
from core.email import email_send
from core.i18n import language_of
from core.links import absolute
from voices.models import Engagement, VoiceRequest


def status_url(request: VoiceRequest) -> str:
    """A new private link to the request's status page for its contact (the previous one stops
    working). Made inside the task: the token never travels in task arguments."""
    token, digest = new_token()
    VoiceRequest.objects.filter(pk=request.pk).update(token_hash=digest)
    return absolute(reverse("voices:request_status", args=[token]))


def _local(request: VoiceRequest, moment):
    return moment.astimezone(zoneinfo.ZoneInfo(request.time_zone))


def _brief(engagement: Engagement) -> dict:
    opportunity = engagement.opportunity
    request = opportunity.request
    return {
        "engagement": engagement,
        "opportunity": opportunity,
        "request": request,
        "starts": _local(request, request.starts_at),
        "ends": _local(request, request.ends_at),
        "staff_contact": opportunity.staff_contact,
        "interest": engagement.interest,
    }


@transaction.atomic
def voice_request_received_send(*, request_id: int) -> None:
    """Tell the organisation's contact their request arrived, with the private status link."""
    request = VoiceRequest.objects.filter(pk=request_id).first()
    if request is None:
        return
    with language_of(request.contact_email, request.language):
        url = status_url(request)
    email_send(
        to=[request.contact_email],
        subject=_("We have received your request"),
        template="voices_request_received",
        context={"request": request, "status_url": url},
        language=request.language,
    )


def _engagement(engagement_id: int) -> Engagement | None:
    return (
        Engagement.objects.filter(pk=engagement_id)
        .select_related("member", "opportunity__request", "opportunity__staff_contact", "interest")
        .first()
    )


def engagement_offered_send(*, engagement_id: int) -> None:
    """Tell the member staff chose them, and that nothing happens until they confirm."""
    engagement = _engagement(engagement_id)
    if engagement is None or engagement.status != Engagement.Status.OFFERED:
        return
    email_send(
        to=[engagement.member.email],
        subject=_("You have been offered an opportunity"),
        template="voices_engagement_offered",
        context={**_brief(engagement), "account_url": absolute(reverse("voices:engagement", args=[engagement.pk]))},
    )


@transaction.atomic
def engagement_briefs_send(*, engagement_id: int) -> None:
    """The member confirmed: the brief to the member and to the organisation (with only what
    the member chose to show)."""
    engagement = _engagement(engagement_id)
    if engagement is None or engagement.status != Engagement.Status.CONFIRMED:
        return
    brief = _brief(engagement)
    email_send(
        to=[engagement.member.email],
        subject=_("Your brief"),
        template="voices_brief_member",
        context={**brief, "account_url": absolute(reverse("voices:engagement", args=[engagement.pk]))},
    )
    request = brief["request"]
    with language_of(request.contact_email, request.language):
        url = status_url(request)
    email_send(
        to=[request.contact_email],
        subject=_("A survivor leader has confirmed"),
        template="voices_brief_organisation",
        context={**brief, "status_url": url},
        language=request.language,
    )


@transaction.atomic
def engagement_withdrawn_send(*, engagement_id: int, tell_organisation: bool) -> None:
    """Tell the staff contact, and the organisation if it had been told of the member, that a
    place is free again, neutrally: no reason, no name."""
    engagement = _engagement(engagement_id)
    if engagement is None:
        return
    brief = _brief(engagement)
    email_send(
        to=[engagement.opportunity.staff_contact.email],
        subject=_("An engagement place is free again"),
        template="voices_withdrawn_staff",
        context={**brief, "admin_url": absolute(reverse("voices_admin:opportunity", args=[engagement.opportunity_id]))},
    )
    if tell_organisation:
        request = brief["request"]
        with language_of(request.contact_email, request.language):
            url = status_url(request)
        email_send(
            to=[request.contact_email],
            subject=_("A change to your request"),
            template="voices_withdrawn_organisation",
            context={**brief, "status_url": url},
            language=request.language,
        )


def engagement_feedback_send(*, engagement_id: int) -> None:
    """Tell the staff contact there is private feedback to read (not the feedback itself)."""
    engagement = _engagement(engagement_id)
    if engagement is None:
        return
    email_send(
        to=[engagement.opportunity.staff_contact.email],
        subject=_("Feedback after an engagement"),
        template="voices_feedback_staff",
        context={
            **_brief(engagement),
            "admin_url": absolute(reverse("voices_admin:engagement", args=[engagement.pk])),
        },
    )
