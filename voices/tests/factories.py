"""Builders for survivor-voices tests: a request, its opportunity, an interested member, an
engagement. Use these rather than creating rows inline."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.tests.factories import ChapterFactory, MemberProfileFactory, StaffFactory
from accounts.tokens import new_token, token_hash
from voices.models import Engagement, FeePolicy, Interest, Kind, Opportunity, VoiceRequest


def make_policy(chapter=None, minimum_minor: int = 2500, unit: str = "hour") -> FeePolicy:
    chapter = chapter or ChapterFactory()
    policy, _created = FeePolicy.objects.update_or_create(
        chapter=chapter, defaults={"minimum_minor": minimum_minor, "unit": unit}
    )
    return policy


def make_request(*, chapter=None, token: str | None = None, **fields) -> VoiceRequest:
    """A submitted request (no policy check: build refusals through the service)."""
    chapter = chapter or ChapterFactory()
    starts = fields.pop("starts_at", timezone.now() + datetime.timedelta(days=30))
    values = {
        "organisation_name": "Harbour Trust",
        "contact_name": "Robin Contact",
        "contact_email": "robin@harbour.example",
        "kind": Kind.TALK,
        "topic": "Survivor-informed practice",
        "description": "A talk for our frontline staff.",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "time_zone": chapter.time_zone,
        "format": VoiceRequest.Format.ONLINE,
        "audience_size": 40,
        "hours": Decimal("3"),
        "places": 1,
        "currency": chapter.currency,
        "fee_offered_minor": 15000,
        "token_hash": new_token()[1] if token is None else token_hash(token),
    }
    values.update(fields)
    return VoiceRequest.objects.create(chapter=chapter, **values)


def make_opportunity(*, request: VoiceRequest | None = None, staff_contact=None, **fields) -> Opportunity:
    request = request or make_request()
    staff_contact = staff_contact or StaffFactory(groups=["Membership"])
    values = {"title": request.topic, "summary": "Share your expertise with frontline staff."}
    values.update(fields)
    opportunity = Opportunity.objects.create(request=request, staff_contact=staff_contact, **values)
    VoiceRequest.objects.filter(pk=request.pk).update(status=VoiceRequest.Status.PUBLISHED)
    return opportunity


def make_member(**profile_fields):
    return MemberProfileFactory(**profile_fields).user


def make_interest(opportunity: Opportunity, member=None, **fields) -> Interest:
    member = member or make_member(chapter=opportunity.request.chapter)
    return Interest.objects.create(opportunity=opportunity, member=member, **fields)


def make_engagement(opportunity: Opportunity, member=None, status=Engagement.Status.CONFIRMED, **fields) -> Engagement:
    interest = make_interest(opportunity, member, status=Interest.Status.CHOSEN)
    request = opportunity.request
    values = {
        "starts_at": request.starts_at,
        "currency": request.currency,
        "fee_minor": request.fee_offered_minor,
        "hours": request.hours,
        "status": status,
    }
    values.update(fields)
    return Engagement.objects.create(
        opportunity=opportunity,
        interest=interest,
        member_id=interest.member_id,
        staff_contact_id=opportunity.staff_contact_id,
        **values,
    )
