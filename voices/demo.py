"""Demo survivor voices for `manage.py seed_demo` (a `thrive_seed_demo` hook, run after accounts'
and training's). Idempotent: each row is looked up by a stable key and created only when missing.

- A minimum fee policy for each chapter: UK £25.00 per hour, US $40.00 per hour.
- A request from the demo partner organisation (Safe Harbour Trust, sent by its contact
  partner@thrive.example), a month ahead, offering more than the policy; published as an
  opportunity to members who completed "Foundations of survivor leadership", with the demo
  membership officer (membership@thrive.example) as staff contact.
- River (river@member.example, who completed the course) is interested, under a pseudonym.
- River already spoke once, about four months ago (a closed request of the US chapter from an
  organisation that used the public form, her engagement completed and paid), so the selection
  screen's "fewest recent first" has something to put after a newer voice.
- Kai (kai@member.example, UK), a newer voice: completed the same course in its running UK
  cohort, the way River did, and has no engagement yet. With River, two members are eligible
  for an opportunity published to those who completed the course (the browser journey).
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.demo import DEMO_MEMBERSHIP_EMAIL, DEMO_PARTNER_EMAIL, demo_user
from accounts.models import MemberProfile, User
from accounts.tokens import new_token
from cms.models import Chapter, PartnerOrganisation
from training.models import Cohort, CoursePage, Enrolment, ModulePage, ModuleProgress
from training.models import SessionAttendance as Attendance
from training.services import completion_check
from voices import selectors
from voices.models import (
    Appearance,
    Engagement,
    FeePolicy,
    FeeUnit,
    Interest,
    Kind,
    Opportunity,
    ThanksChoice,
    ThanksPreference,
    VoiceRequest,
)
from voices.services.engagements import interest_express
from voices.services.requests import opportunity_publish

POLICIES = {"uk": 2500, "us": 4000}  # minor units of the chapter's currency, per hour
DEMO_PARTNER = "Safe Harbour Trust"
DEMO_TOPIC = "Listening to survivors: a talk for our caseworkers"
DEMO_COURSE_SLUG = "foundations-of-survivor-leadership"
DEMO_INTERESTED_EMAIL = "river@member.example"
DEMO_PSEUDONYM = "Willow"
DEMO_NEW_VOICE_EMAIL = "kai@member.example"
DEMO_NEW_VOICE_NAME = "Kai"
DEMO_PAST_TOPIC = "What tenants who are survivors need from a housing team"
DEMO_PAST_DAYS_AGO = 120


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
    _demo_past_engagement()
    _demo_new_voice(password)


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


def _demo_past_engagement() -> None:
    """River's engagement of about four months ago: written as the record it left (the
    services refuse dates in the past, rightly, for anything new)."""
    river = User.objects.filter(email=DEMO_INTERESTED_EMAIL).first()
    officer = User.objects.filter(email=DEMO_MEMBERSHIP_EMAIL).first()
    course = CoursePage.objects.filter(slug=DEMO_COURSE_SLUG).first()
    if river is None or officer is None or VoiceRequest.objects.filter(topic=DEMO_PAST_TOPIC).exists():
        return
    us = Chapter.objects.get(slug="us")
    now = timezone.now()
    day = timezone.localdate() - timedelta(days=DEMO_PAST_DAYS_AGO)
    starts = datetime.combine(day, time(10), tzinfo=ZoneInfo(us.time_zone))
    request = VoiceRequest.objects.create(
        chapter=us,
        organisation_name="Northside Housing Association",
        contact_name="Demo Housing",
        contact_email="housing@northside.example",
        kind=Kind.PANEL,
        topic=DEMO_PAST_TOPIC,
        description="A panel for our housing officers on what helps survivors keep a home.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        time_zone=us.time_zone,
        format=VoiceRequest.Format.ONLINE,
        audience_size=30,
        hours=Decimal("2"),
        places=1,
        currency=us.currency,
        fee_offered_minor=10000,  # $100.00 for 2 hours: above the $80.00 minimum
        expenses_covered=False,
        status=VoiceRequest.Status.FILLED,
        organisation_payment=VoiceRequest.OrganisationPayment.INVOICED,
        token_hash=new_token()[1],
        language="en",
    )
    opportunity = Opportunity.objects.create(
        request=request,
        title="Join a panel for housing officers",
        summary="An online panel of an hour and a half for housing officers.",
        staff_contact=officer,
        eligible_course=course,
        status=Opportunity.Status.CLOSED,
        published_by=officer,
    )
    interest = Interest.objects.create(
        opportunity=opportunity,
        member=river,
        appearance=Appearance.PSEUDONYM,
        pseudonym=DEMO_PSEUDONYM,
        status=Interest.Status.CHOSEN,
    )
    ThanksPreference.objects.get_or_create(member=river, defaults={"choice": ThanksChoice.PAYMENT})
    Engagement.objects.create(
        opportunity=opportunity,
        interest=interest,
        member=river,
        staff_contact=officer,
        status=Engagement.Status.COMPLETED,
        shown_as=DEMO_PSEUDONYM,
        starts_at=starts,
        currency=request.currency,
        fee_minor=request.fee_offered_minor,
        hours=request.hours,
        thanks=ThanksChoice.PAYMENT,
        payment=Engagement.Payment.PAID,
        payment_reference="DEMO-VF-0001",
        approved_by=User.objects.filter(email="finance@thrive.example").first(),
        approved_at=now - timedelta(days=DEMO_PAST_DAYS_AGO - 7),
        paid_at=now - timedelta(days=DEMO_PAST_DAYS_AGO - 10),
        confirmed_at=starts - timedelta(days=14),
        completed_at=starts + timedelta(days=1),
    )


def _demo_new_voice(password: str) -> None:
    """Kai, a member of the UK chapter who has just completed the leadership course in its
    running cohort (all modules done, at the sessions so far, excused from the rest: as River),
    so the certificate is issued by the same rule."""
    course = CoursePage.objects.filter(slug=DEMO_COURSE_SLUG).first()
    uk = Chapter.objects.get(slug="uk")
    cohort = Cohort.objects.filter(course=course, chapter=uk).order_by("pk").first() if course else None
    if cohort is None:
        return
    user = demo_user(DEMO_NEW_VOICE_EMAIL, password)
    if not MemberProfile.objects.filter(user=user).exists():
        MemberProfile.objects.create(
            user=user, display_name=DEMO_NEW_VOICE_NAME, certificate_name="Kai Mensah", chapter=uk
        )
    if Enrolment.objects.filter(user=user, cohort=cohort).exists():
        return
    enrolment = Enrolment.objects.create(
        user=user, cohort=cohort, status=Enrolment.Status.ENROLLED, enrolled_at=timezone.now()
    )
    for module in ModulePage.objects.child_of(course):
        ModuleProgress.objects.create(enrolment=enrolment, module=module)
    now = timezone.now()
    for session in cohort.sessions.all():
        status = Attendance.Status.PRESENT if session.starts_at <= now else Attendance.Status.EXCUSED
        Attendance.objects.create(session=session, enrolment=enrolment, status=status)
    completion_check(enrolment=enrolment)  # completes and issues the certificate
