"""Demo survivor voices for `manage.py seed_demo` (a `thrive_seed_demo` hook, run after accounts'
and training's). Idempotent: each row is looked up by a stable key and created only when missing.

- A minimum fee policy for each chapter: UK £25.00 per hour, US $40.00 per hour.
- A request from the demo partner organisation (Safe Harbour Trust, sent by its contact
  partner@thrive.example), a month ahead, offering more than the policy; published as an
  opportunity to members who completed "Foundations of survivor leadership", with the demo
  membership officer (membership@thrive.example) as staff contact.
- River (river@member.example, who completed the course) is interested, under a pseudonym.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.demo import DEMO_MEMBERSHIP_EMAIL, DEMO_PARTNER_EMAIL
from accounts.models import User
from accounts.tokens import new_token
from cms.models import Chapter, PartnerOrganisation
from training.models import CoursePage
from voices import selectors
from voices.models import Appearance, FeePolicy, FeeUnit, Interest, Kind, Opportunity, VoiceRequest
from voices.services.engagements import interest_express
from voices.services.requests import opportunity_publish

POLICIES = {"uk": 2500, "us": 4000}  # minor units of the chapter's currency, per hour
DEMO_PARTNER = "Safe Harbour Trust"
DEMO_TOPIC = "Listening to survivors: a talk for our caseworkers"
DEMO_COURSE_SLUG = "foundations-of-survivor-leadership"
DEMO_INTERESTED_EMAIL = "river@member.example"
DEMO_PSEUDONYM = "Willow"


def seed_voices(*, password: str) -> None:
    for slug, minimum_minor in POLICIES.items():
        chapter = Chapter.objects.get(slug=slug)
        FeePolicy.objects.get_or_create(
            chapter=chapter,
            defaults={
                "unit": FeeUnit.HOUR,
                "minimum_minor": minimum_minor,
                "note": "Covers preparation time as well as the engagement itself.",
            },
        )
    request = _demo_request()
    opportunity = _demo_opportunity(request)
    if opportunity is not None:
        _demo_interest(opportunity)


def _demo_request() -> VoiceRequest:
    partner = PartnerOrganisation.objects.get(name=DEMO_PARTNER)
    found = VoiceRequest.objects.filter(partner=partner, topic=DEMO_TOPIC).first()
    if found is not None:
        return found
    uk = Chapter.objects.get(slug="uk")
    day = timezone.localdate() + timedelta(days=30)
    starts = datetime.combine(day, time(14), tzinfo=ZoneInfo(uk.time_zone))
    return VoiceRequest.objects.create(
        chapter=uk,
        partner=partner,
        submitted_by=User.objects.filter(email=DEMO_PARTNER_EMAIL).first(),
        organisation_name=partner.name,
        contact_name="Demo Partner",
        contact_email=DEMO_PARTNER_EMAIL,
        kind=Kind.TALK,
        topic=DEMO_TOPIC,
        description=(
            "A one-hour talk and half an hour of questions for our casework team: what helped you, "
            "what did not, and what you wish caseworkers knew."
        ),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        time_zone=uk.time_zone,
        format=VoiceRequest.Format.ONLINE,
        audience_size=25,
        recorded=False,
        public=False,
        hours=Decimal("2"),
        places=1,
        currency=uk.currency,
        fee_offered_minor=12000,  # £120.00 for 2 hours: above the £50.00 minimum
        expenses_covered=True,
        token_hash=new_token()[1],
        language="en",
    )


def _demo_opportunity(request: VoiceRequest) -> Opportunity | None:
    found = Opportunity.objects.filter(request=request).first()
    if found is not None:
        return found
    officer = User.objects.filter(email=DEMO_MEMBERSHIP_EMAIL).first()
    course = CoursePage.objects.filter(slug=DEMO_COURSE_SLUG).first()
    if officer is None or course is None or request.status != VoiceRequest.Status.SUBMITTED:
        return None
    return opportunity_publish(
        request=request,
        actor=officer,
        staff_contact=officer,
        title="Talk to a casework team about what helps",
        summary=(
            "Safe Harbour Trust would like a survivor leader to talk to their caseworkers, online, "
            "for an hour, with half an hour of questions. You choose how you appear."
        ),
        will_be_asked="What helped you, what did not, and what caseworkers could do differently.",
        will_not_be_asked="Nothing about your own story unless you choose to share it.",
        ask_for="The casework manager",
        eligible_course=course,
    )


def _demo_interest(opportunity: Opportunity) -> None:
    member = User.objects.filter(email=DEMO_INTERESTED_EMAIL).first()
    if member is None or Interest.objects.filter(opportunity=opportunity, member=member).exists():
        return
    if not selectors.is_eligible(member, opportunity):
        return
    interest_express(
        member=member,
        opportunity=opportunity,
        availability="Weekday afternoons (UK time) suit me.",
        appearance=Appearance.PSEUDONYM,
        pseudonym=DEMO_PSEUDONYM,
        no_photos=True,
        no_recording=True,
    )
