"""Requests from organisations: submitted (public form or partner contact), declined, published
as an opportunity; organisations flagged by staff.

Rules a request must meet (`voice_request_submit` refuses with a message a person can act on):
- the organisation is not flagged;
- it starts in the future and ends after it starts;
- media and recorded requests say how anonymity is protected;
- in person needs a venue;
- the fee offered to each survivor is at least the chapter's minimum for the hours asked
  (`FeePolicy.minimum_for`): the refusal shows the policy.
"""

import datetime
import math
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import audit_record
from core.i18n import active_language
from core.money import format_money
from core.tasks import enqueue_on_commit
from voices.models import FeePolicy, FeeUnit, FlaggedOrganisation, Kind, Opportunity, VoiceRequest


def is_flagged(*, partner_id: int | None, email: str) -> bool:
    email = (email or "").strip().lower()
    query = FlaggedOrganisation.objects.filter(email__iexact=email) if email else FlaggedOrganisation.objects.none()
    if partner_id:
        query = query | FlaggedOrganisation.objects.filter(partner_id=partner_id)
    return query.exists()


def _hours_text(hours: Decimal) -> str:
    """3 not 3.0, 2.5 as 2.5 (in the reader's number format); never 1E+1 for 10."""
    whole = hours.to_integral_value()
    return number_format(whole if hours == whole else hours.normalize())


def policy_text(policy: FeePolicy, hours: Decimal | None = None) -> str:
    """The policy in words, in the chapter's currency ("£25.00 per hour; £75.00 for 3 hours")."""
    amount = format_money(policy.minimum_minor, policy.chapter.currency)
    unit = FeeUnit(policy.unit).label
    text = _("The minimum fee for %(chapter)s is %(amount)s %(unit)s for each survivor.") % {
        "chapter": policy.chapter.name,
        "amount": amount,
        "unit": unit,
    }
    if hours:
        text += " " + ngettext(
            "For %(hours)s hour that is at least %(total)s.",
            "For %(hours)s hours that is at least %(total)s.",
            math.ceil(hours),
        ) % {
            "hours": _hours_text(Decimal(hours)),
            "total": format_money(policy.minimum_for(hours), policy.chapter.currency),
        }
    return text


def voice_request_check(
    *,
    chapter,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    recorded: bool,
    anonymity: str,
    format: str,
    venue: str,
    hours: Decimal,
    fee_offered_minor: int,
    partner_id=None,
    email: str = "",
) -> None:
    """Raise ValidationError (a dict of field -> message) when a request may not be submitted."""
    errors: dict[str, str] = {}
    if is_flagged(partner_id=partner_id, email=email):
        raise ValidationError(
            _("We cannot take new requests from your organisation. Please contact the network's staff."),
            code="flagged",
        )
    if starts_at <= timezone.now():
        errors["starts_at"] = _("The date has passed: choose a date and time in the future.")
    elif ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    if (kind == Kind.MEDIA or recorded) and not anonymity.strip():
        errors["anonymity"] = _(
            "Media and recorded requests must say how anonymity is protected (for example voice "
            "altered, face not shown, first name only)."
        )
    if format == VoiceRequest.Format.IN_PERSON and not venue.strip():
        errors["venue"] = _("Give the venue's address for an in-person request.")
    policy = FeePolicy.objects.filter(chapter=chapter).select_related("chapter").first()
    if policy is not None and hours and fee_offered_minor < policy.minimum_for(hours):
        errors["fee_offered_minor"] = (
            _("The fee offered is below the network's minimum.") + " " + policy_text(policy, hours)
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def voice_request_submit(*, chapter, submitted_by=None, partner=None, **fields) -> tuple[VoiceRequest, str]:
    """Store a request after `voice_request_check` and email its private status link to the
    contact. Returns (request, token): the token is the status page's secret (only its hash is
    stored). The currency is the chapter's. Sends one email (on commit)."""
    from accounts.tokens import new_token  # noqa: PLC0415

    zone = fields.get("time_zone") or chapter.time_zone
    zoneinfo.ZoneInfo(zone)  # refused earlier by the form; a bad zone is a programming error here
    voice_request_check(
        chapter=chapter,
        kind=fields["kind"],
        starts_at=fields["starts_at"],
        ends_at=fields["ends_at"],
        recorded=fields.get("recorded", False),
        anonymity=fields.get("anonymity", ""),
        format=fields["format"],
        venue=fields.get("venue", ""),
        hours=fields["hours"],
        fee_offered_minor=fields["fee_offered_minor"],
        partner_id=partner.pk if partner else None,
        email=fields["contact_email"],
    )
    token, digest = new_token()
    request = VoiceRequest.objects.create(
        chapter=chapter,
        partner=partner,
        submitted_by=submitted_by if submitted_by is not None and submitted_by.is_authenticated else None,
        currency=chapter.currency,
        time_zone=zone,
        token_hash=digest,
        language=active_language(),
        **{key: value for key, value in fields.items() if key != "time_zone"},
    )
    audit_record(actor=request.submitted_by, action="voices.request_submitted", obj=request, kind=request.kind)
    from voices import tasks  # noqa: PLC0415

    enqueue_on_commit(tasks.voice_request_received_send, request_id=request.pk)
    return request, token


@transaction.atomic
def voice_request_decline(*, request: VoiceRequest, actor) -> VoiceRequest:
    """Decline a request that is not yet published (no email: staff write to the contact)."""
    request = VoiceRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != VoiceRequest.Status.SUBMITTED:
        raise ValidationError(_("Only a request that has not been published can be declined."))
    request.status = VoiceRequest.Status.DECLINED
    request.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="voices.request_declined", obj=request)
    return request


@transaction.atomic
def organisation_flag(*, request: VoiceRequest, actor, reason: str = "") -> FlaggedOrganisation:
    """Flag the organisation behind `request`: it can submit no new request (its partner
    organisation if it has one, else its contact's address). Idempotent."""
    if request.partner_id:
        flag, _created = FlaggedOrganisation.objects.get_or_create(
            partner_id=request.partner_id, defaults={"reason": reason, "flagged_by": actor}
        )
    else:
        flag = FlaggedOrganisation.objects.filter(email__iexact=request.contact_email).first()
        if flag is None:
            flag = FlaggedOrganisation.objects.create(
                email=request.contact_email.lower(), reason=reason, flagged_by=actor
            )
    audit_record(actor=actor, action="voices.organisation_flagged", obj=flag)
    return flag


@transaction.atomic
def opportunity_publish(
    *, request: VoiceRequest, actor, staff_contact, title: str, summary: str, **fields
) -> Opportunity:
    """Publish `request` to eligible members (the conditions in `fields`: eligible_course,
    eligible_certificate_template, eligible_chapter; will_be_asked, will_not_be_asked, ask_for,
    closes_at). Refuses a request already published, declined or cancelled, one that has
    started, and a staff contact who is not staff. Sends no email."""
    from accounts.roles import is_staff_member  # noqa: PLC0415

    request = VoiceRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != VoiceRequest.Status.SUBMITTED:
        raise ValidationError(_("This request has already been published or closed."))
    if request.starts_at <= timezone.now():
        raise ValidationError(_("This request's date has passed; it cannot be published."))
    if not is_staff_member(staff_contact):
        raise ValidationError({"staff_contact": _("Choose a member of staff as the contact.")})
    closes_at = fields.get("closes_at")
    if closes_at and closes_at >= request.starts_at:
        raise ValidationError({"closes_at": _("Interest must close before the engagement starts.")})
    opportunity = Opportunity.objects.create(
        request=request, title=title, summary=summary, staff_contact=staff_contact, published_by=actor, **fields
    )
    request.status = VoiceRequest.Status.PUBLISHED
    request.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="voices.opportunity_published", obj=opportunity)
    return opportunity
