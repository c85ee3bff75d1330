"""Staff screens of survivor voices: who may open each, publishing to eligible members, the
selection screen (fewest recent engagements first, places), safeguarding (feedback, flags),
the minimum fee policy."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import (
    ChapterFactory,
    PartnerContactFactory,
    StaffFactory,
    UserFactory,
    sign_in_with_second_factor,
)
from core.models import AuditEvent
from training.models import Enrolment
from training.tests.factories import enrol, make_cohort, make_course
from voices import selectors
from voices.models import Engagement, FeePolicy, FlaggedOrganisation, Interest, Opportunity, VoiceRequest
from voices.services.engagements import engagement_offer
from voices.services.requests import voice_request_check
from voices.tests.factories import make_engagement, make_interest, make_member, make_opportunity, make_request

pytestmark = pytest.mark.django_db

GROUPS = {"membership": ["Membership"], "finance": ["Finance"], "editor": ["Editors"], "trainer": ["Trainers"]}


def staff(role: str):
    if role == "superuser":
        return UserFactory(is_staff=True, is_superuser=True)
    return StaffFactory(groups=GROUPS[role])


def signed_in(client, role: str):
    user = staff(role)
    sign_in_with_second_factor(client, user)
    return user


@pytest.fixture
def membership(client):
    signed_in(client, "membership")
    return client


def past_engagement_for(member, days_ago: int, status=Engagement.Status.COMPLETED) -> Engagement:
    """An engagement `member` did `days_ago` days ago, on another request."""
    starts = timezone.now() - datetime.timedelta(days=days_ago)
    other = make_opportunity(request=make_request(starts_at=starts))
    return make_engagement(other, member=member, status=status, starts_at=starts)


# Who may open each screen ------------------------------------------------------------------

OK, REFUSED = "ok", "refused"


def outcome(response) -> str:
    """200 is shown; 403, or Wagtail's redirect to the admin home ("you do not have
    permission"), is refused."""
    if response.status_code == 200:
        return OK
    if response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/"):
        return REFUSED
    return f"unexpected {response.status_code}"


M_ONLY = {"membership": OK, "finance": REFUSED, "editor": REFUSED, "trainer": REFUSED, "superuser": OK}
M_AND_F = {"membership": OK, "finance": OK, "editor": REFUSED, "trainer": REFUSED, "superuser": OK}
F_ONLY = {"membership": REFUSED, "finance": OK, "editor": REFUSED, "trainer": REFUSED, "superuser": OK}
SCREENS = [
    ("requests", M_ONLY),
    ("request", M_AND_F),
    ("request_publish", M_ONLY),
    ("opportunity", M_ONLY),
    ("engagement", M_AND_F),
    ("fee_policies", M_AND_F),
    ("fee_policy_edit", M_AND_F),
    ("flagged", M_ONLY),
    ("payouts", F_ONLY),
    ("payout", F_ONLY),
    ("payouts_export", F_ONLY),
]


@pytest.mark.parametrize("role", ["membership", "finance", "editor", "trainer", "superuser"])
def test_each_voices_screen_opens_for_its_roles_and_refuses_every_other_staff_role(client, role):
    opportunity = make_opportunity()
    engagement = make_engagement(opportunity)
    args = {
        "request": [opportunity.request_id],
        "request_publish": [make_request().pk],
        "opportunity": [opportunity.pk],
        "engagement": [engagement.pk],
        "fee_policy_edit": [opportunity.request.chapter_id],
        "payout": [engagement.pk],
    }
    signed_in(client, role)
    outcomes = {
        name: outcome(client.get(reverse(f"voices_admin:{name}", args=args.get(name, [])))) for name, _ in SCREENS
    }
    assert outcomes == {name: expected[role] for name, expected in SCREENS}


def test_members_partners_and_visitors_are_kept_out_of_every_voices_screen(client):
    opportunity = make_opportunity()
    urls = [reverse("voices_admin:requests"), reverse("voices_admin:opportunity", args=[opportunity.pk])]
    urls.append(reverse("voices_admin:payouts_export"))
    for person in (None, make_member(), PartnerContactFactory().user):
        client.logout()
        if person:
            client.force_login(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302 and "/login" in response["Location"], (person, url)


def test_finance_may_not_decline_flag_complete_or_cancel_and_membership_may_not_record_an_invoice(client):
    opportunity = make_opportunity()
    engagement = make_engagement(opportunity)
    request_url = reverse("voices_admin:request", args=[opportunity.request_id])
    signed_in(client, "finance")
    engagement_url = reverse("voices_admin:engagement", args=[engagement.pk])
    assert outcome(client.post(request_url, {"action": "flag", "reason": "x"})) == REFUSED
    assert outcome(client.post(request_url, {"action": "decline"})) == REFUSED
    assert outcome(client.post(engagement_url, {"action": "cancel"})) == REFUSED
    assert not FlaggedOrganisation.objects.exists()
    assert Engagement.objects.get(pk=engagement.pk).status == Engagement.Status.CONFIRMED
    assert VoiceRequest.objects.get(pk=opportunity.request_id).status == VoiceRequest.Status.PUBLISHED
    signed_in(client, "membership")
    assert outcome(client.post(request_url, {"action": "invoiced"})) == REFUSED
    assert VoiceRequest.objects.get(pk=opportunity.request_id).organisation_payment == "due"


# Requests and publishing -----------------------------------------------------------------


def test_the_request_list_filters_by_status_and_chapter(membership):
    us = ChapterFactory(name="United States", slug="us", country="US", time_zone="America/New_York", currency="USD")
    uk_request = make_request(topic="Topic in the UK")
    make_request(chapter=us, topic="Topic in the US")
    make_request(topic="Declined topic", status=VoiceRequest.Status.DECLINED)
    url = reverse("voices_admin:requests")
    shown = lambda **params: [r.topic for r in membership.get(url, params).context["page"]]  # noqa: E731
    assert set(shown(status="submitted")) == {"Topic in the UK", "Topic in the US"}
    assert shown(status="submitted", chapter=us.pk) == ["Topic in the US"]
    assert shown(chapter=uk_request.chapter_id, status="declined") == ["Declined topic"]


def test_staff_decline_a_request_from_its_page(membership):
    voice_request = make_request()
    url = reverse("voices_admin:request", args=[voice_request.pk])
    page = membership.get(url)
    assert voice_request.contact_email in page.content.decode()
    assert membership.post(url, {"action": "decline"}).status_code == 302
    assert VoiceRequest.objects.get(pk=voice_request.pk).status == VoiceRequest.Status.DECLINED


def test_finance_records_that_the_organisation_is_invoiced(client):
    voice_request = make_request(status=VoiceRequest.Status.FILLED)
    finance = signed_in(client, "finance")
    client.post(reverse("voices_admin:request", args=[voice_request.pk]), {"action": "invoiced"})
    assert VoiceRequest.objects.get(pk=voice_request.pk).organisation_payment == "invoiced"
    assert AuditEvent.objects.filter(action="voices.organisation_invoiced", actor=finance).exists()


def test_publishing_with_a_completed_course_shows_the_opportunity_only_to_those_who_completed_it(client):
    officer = signed_in(client, "membership")
    voice_request = make_request()
    course = make_course(title="Leadership")
    cohort = make_cohort(course)
    completed, enrolled_only, never = make_member(), make_member(), make_member()
    enrol(completed, cohort, status=Enrolment.Status.COMPLETED)
    enrol(enrolled_only, cohort)
    url = reverse("voices_admin:request_publish", args=[voice_request.pk])
    form = client.get(url).context["form"]
    assert form.initial["staff_contact"] == officer.pk  # the current user by default
    closes = (voice_request.starts_at - datetime.timedelta(days=2)).astimezone(datetime.timezone(datetime.timedelta(0)))
    response = client.post(
        url,
        {
            "title": "Talk to frontline staff",
            "summary": "One hour on survivor-informed practice.",
            "will_be_asked": "What helped",
            "will_not_be_asked": "Nothing about your own story",
            "ask_for": "Sam at reception",
            "staff_contact": officer.pk,
            "eligible_course": course.pk,
            "eligible_certificate_template": "",
            "eligible_chapter": "",
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    opportunity = Opportunity.objects.get(request=voice_request)
    assert response.status_code == 302 and response["Location"].endswith(f"/opportunities/{opportunity.pk}/")
    assert opportunity.eligible_course_id == course.pk and opportunity.staff_contact == officer
    assert opportunity.closes_at is not None and opportunity.ask_for == "Sam at reception"
    assert VoiceRequest.objects.get(pk=voice_request.pk).status == VoiceRequest.Status.PUBLISHED
    assert selectors.is_eligible(completed, opportunity)
    assert not selectors.is_eligible(enrolled_only, opportunity)
    assert not selectors.is_eligible(never, opportunity)


def test_publishing_refuses_interest_closing_in_the_past_or_after_the_engagement_starts(client):
    officer = signed_in(client, "membership")
    voice_request = make_request()
    url = reverse("voices_admin:request_publish", args=[voice_request.pk])
    for closes in (voice_request.starts_at + datetime.timedelta(days=1), timezone.now() - datetime.timedelta(days=1)):
        response = client.post(
            url,
            {"title": "T", "summary": "S", "staff_contact": officer.pk, "closes_at": closes.strftime("%Y-%m-%dT%H:%M")},
        )
        assert response.status_code == 200 and "closes_at" in response.context["form"].errors
    assert not Opportunity.objects.exists()


def test_publishing_names_only_staff_as_the_contact(client):
    signed_in(client, "membership")
    voice_request = make_request()
    member = make_member()
    response = client.post(
        reverse("voices_admin:request_publish", args=[voice_request.pk]),
        {"title": "T", "summary": "S", "staff_contact": member.pk},
    )
    assert response.status_code == 200 and "staff_contact" in response.context["form"].errors
    assert not Opportunity.objects.exists()


# The selection screen ------------------------------------------------------------------------


def test_the_selection_screen_puts_the_member_with_fewest_recent_engagements_first(membership):
    opportunity = make_opportunity()
    busy, new, once = (
        make_member(display_name="Busy"),
        make_member(display_name="New"),
        make_member(display_name="Once"),
    )
    for member in (busy, new, once):
        make_interest(opportunity, member, availability="Weekday mornings")
    past_engagement_for(busy, 20)
    past_engagement_for(busy, 100)
    past_engagement_for(busy, 500)  # more than a year ago: not counted as recent
    past_engagement_for(once, 40)
    past_engagement_for(new, 60, status=Engagement.Status.WITHDRAWN)  # withdrawn: not counted

    url = reverse("voices_admin:opportunity", args=[opportunity.pk])
    page = membership.get(url)
    rows = [(c.interest.member.member_profile.display_name, c.recent_count) for c in page.context["candidates"]]
    assert rows == [("New", 0), ("Once", 1), ("Busy", 2)]
    html = page.content.decode()
    assert html.index("New") < html.index("Once") < html.index("Busy") and "Weekday mornings" in html
    by_interest = membership.get(url, {"order": "interest"}).context["candidates"]
    assert [c.interest.member_id for c in by_interest] == [busy.pk, new.pk, once.pk]


def test_choosing_respects_the_places_the_organisation_asked_for(membership):
    opportunity = make_opportunity(request=make_request(places=1))
    first, second = make_interest(opportunity), make_interest(opportunity)
    url = reverse("voices_admin:opportunity", args=[opportunity.pk])
    membership.post(url, {"action": "choose", "interest": first.pk})
    page = membership.post(url, {"action": "choose", "interest": second.pk}, follow=True)
    assert Engagement.objects.filter(opportunity=opportunity).count() == 1
    assert Interest.objects.get(pk=second.pk).status == Interest.Status.INTERESTED
    assert "places are taken" in page.content.decode()
    assert page.context["taken"] == 1 and page.context["left"] == 0


def test_closing_an_opportunity_tells_waiting_members_they_were_not_chosen(membership):
    opportunity = make_opportunity()
    waiting = make_interest(opportunity)
    membership.post(reverse("voices_admin:opportunity", args=[opportunity.pk]), {"action": "close"})
    assert Opportunity.objects.get(pk=opportunity.pk).status == Opportunity.Status.CLOSED
    assert Interest.objects.get(pk=waiting.pk).status == Interest.Status.NOT_CHOSEN


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_choosing_the_last_place_at_once_make_one_engagement():
    opportunity = make_opportunity(request=make_request(places=1))
    interests = [make_interest(opportunity), make_interest(opportunity)]
    officers = [StaffFactory(groups=["Membership"]) for _ in interests]
    barrier = threading.Barrier(2)
    outcomes: list = []

    def choose(index: int):
        try:
            barrier.wait()
            outcomes.append(engagement_offer(interest=interests[index], actor=officers[index]))
        except ValidationError as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=choose, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(o, Engagement) for o in outcomes) == 1
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    assert Engagement.objects.filter(opportunity=opportunity).count() == 1


# The engagement and safeguarding -------------------------------------------------------------


def test_the_members_feedback_is_shown_to_membership_and_not_to_finance(client):
    starts = timezone.now() - datetime.timedelta(days=2)
    opportunity = make_opportunity(request=make_request(starts_at=starts))
    engagement = make_engagement(
        opportunity, starts_at=starts, feedback="The host asked about my past", feedback_at=timezone.now()
    )
    url = reverse("voices_admin:engagement", args=[engagement.pk])
    signed_in(client, "membership")
    assert "The host asked about my past" in client.get(url).content.decode()
    signed_in(client, "finance")
    page = client.get(url)
    assert page.status_code == 200 and "The host asked about my past" not in page.content.decode()


def test_membership_marks_an_engagement_done_and_cancels_another(membership):
    starts = timezone.now() - datetime.timedelta(hours=3)
    opportunity = make_opportunity(request=make_request(starts_at=starts, places=2))
    done = make_engagement(opportunity, starts_at=starts)
    cancelled = make_engagement(opportunity, starts_at=starts, status=Engagement.Status.OFFERED)
    membership.post(reverse("voices_admin:engagement", args=[done.pk]), {"action": "complete"})
    membership.post(reverse("voices_admin:engagement", args=[cancelled.pk]), {"action": "cancel"})
    assert Engagement.objects.get(pk=done.pk).status == Engagement.Status.COMPLETED
    assert Engagement.objects.get(pk=cancelled.pk).status == Engagement.Status.CANCELLED
    assert AuditEvent.objects.filter(action="voices.engagement_cancelled", object_id=str(cancelled.pk)).exists()


def test_a_flagged_organisation_is_refused_on_its_next_request_until_unflagged(membership):
    voice_request = make_request(contact_email="Robin@Harbour.example")
    membership.post(
        reverse("voices_admin:request", args=[voice_request.pk]), {"action": "flag", "reason": "Pressed a survivor"}
    )
    flag = FlaggedOrganisation.objects.get()
    assert flag.reason == "Pressed a survivor" and flag.email == "robin@harbour.example"
    assert not AuditEvent.objects.filter(details__icontains="Pressed").exists()  # the reason stays out of the log
    starts = timezone.now() + datetime.timedelta(days=9)
    attempt = {
        "chapter": voice_request.chapter,
        "kind": "talk",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=1),
        "recorded": False,
        "anonymity": "",
        "format": "online",
        "venue": "",
        "hours": Decimal("1"),
        "fee_offered_minor": 10000,
        "email": "robin@harbour.example",
    }
    with pytest.raises(ValidationError) as refusal:
        voice_request_check(**attempt)
    assert refusal.value.code == "flagged"
    listing = membership.get(reverse("voices_admin:flagged"))
    assert "Pressed a survivor" in listing.content.decode()
    membership.post(reverse("voices_admin:flagged"), {"flag": flag.pk})
    assert not FlaggedOrganisation.objects.exists()
    voice_request_check(**attempt)  # accepted again


# The minimum fee -------------------------------------------------------------------------------


def test_a_fee_policy_typed_as_25_50_is_stored_in_minor_units_of_the_chapters_currency(client):
    us = ChapterFactory(name="United States", slug="us", country="US", time_zone="America/New_York", currency="USD")
    signed_in(client, "finance")
    url = reverse("voices_admin:fee_policy_edit", args=[us.pk])
    assert "USD" in client.get(url).content.decode()
    response = client.post(url, {"unit": "half_day", "minimum_minor": "25.50", "note": "Covers preparation"})
    assert response.status_code == 302
    policy = FeePolicy.objects.get(chapter=us)
    assert (policy.minimum_minor, policy.unit) == (2550, "half_day")
    assert "$25.50" in client.get(reverse("voices_admin:fee_policies")).content.decode()
    refused = client.post(url, {"unit": "hour", "minimum_minor": "25.505"})
    assert refused.status_code == 200 and "minimum_minor" in refused.context["form"].errors
    assert FeePolicy.objects.get(chapter=us).minimum_minor == 2550


@pytest.mark.parametrize(
    ("role", "start"), [("membership", "voices_admin:requests"), ("finance", "voices_admin:payouts")]
)
def test_every_voices_link_a_role_is_shown_opens_for_that_role(client, role, start):
    """A small crawl of /admin/voices/ from the role's menu entry: no link leads to a refusal."""
    import re  # noqa: PLC0415

    starts = timezone.now() - datetime.timedelta(days=3)
    voice_request = make_request(starts_at=starts, status=VoiceRequest.Status.FILLED, kind="consultation")
    opportunity = make_opportunity(request=voice_request)
    VoiceRequest.objects.filter(pk=voice_request.pk).update(status=VoiceRequest.Status.FILLED)
    make_interest(opportunity)
    make_engagement(opportunity, starts_at=starts, status=Engagement.Status.COMPLETED)
    FlaggedOrganisation.objects.create(email="flagged@example.org", reason="Unsafe questions")
    signed_in(client, role)
    seen, queue = set(), [reverse(start)]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert outcome(response) == OK, url
        if response["Content-Type"].startswith("text/html"):
            queue += [link for link in re.findall(r'href="(/admin/voices/[^"?#]*)"', response.content.decode())]
    assert len(seen) >= 4
