"""The member's side of survivor voices: who sees an opportunity, saying you are interested and
how you want to appear, confirming (briefs), withdrawing at any time, telling staff how it
went, how you are thanked, your tax-year total, and the account panel."""

import datetime

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import ChapterFactory, PartnerContactFactory, StaffFactory
from certificates.models import Certificate, CertificateTemplate
from training.models import Enrolment
from training.tests.factories import enrol, make_cohort, make_course
from voices.account import account_panel
from voices.models import Appearance, Engagement, Interest, ThanksChoice, ThanksPreference
from voices.tests.factories import make_engagement, make_interest, make_member, make_opportunity, make_request

pytestmark = pytest.mark.django_db


def opportunity_url(opportunity):
    return reverse("voices:opportunity", args=[opportunity.pk])


def engagement_url(engagement):
    return reverse("voices:engagement", args=[engagement.pk])


# Eligibility and access


def test_a_member_who_completed_the_named_course_sees_the_opportunity_and_others_get_404_by_id(client):
    course = make_course(modules=1)
    cohort = make_cohort(course)
    graduate, learner = make_member(), make_member()
    enrol(graduate, cohort, status=Enrolment.Status.COMPLETED)
    enrol(learner, cohort, status=Enrolment.Status.ENROLLED)
    opportunity = make_opportunity(eligible_course=course, title="Panel on safe recruitment")

    client.force_login(graduate)
    assert "Panel on safe recruitment" in client.get(reverse("voices:opportunities")).content.decode()
    assert client.get(opportunity_url(opportunity)).status_code == 200

    client.force_login(learner)
    assert "Panel on safe recruitment" not in client.get(reverse("voices:opportunities")).content.decode()
    assert client.get(opportunity_url(opportunity)).status_code == 404


def test_only_a_holder_of_a_live_certificate_of_the_template_sees_the_opportunity(client):
    template = CertificateTemplate.objects.create(name="Leadership", body="{name} completed {course}")
    holder, revoked = make_member(), make_member()
    for person, revoked_at in ((holder, None), (revoked, timezone.now())):
        Certificate.objects.create(
            recipient=person,
            source_key=f"test:{person.pk}",
            kind=Certificate.Kind.COURSE,
            title="Leadership",
            awarded_on=timezone.localdate(),
            template=template,
            name_printed="A Name",
            revoked_at=revoked_at,
        )
    opportunity = make_opportunity(eligible_certificate_template=template)
    client.force_login(holder)
    assert client.get(opportunity_url(opportunity)).status_code == 200
    client.force_login(revoked)
    assert client.get(opportunity_url(opportunity)).status_code == 404


def test_a_member_of_another_chapter_gets_404_for_a_chapter_opportunity(client):
    uk = ChapterFactory()
    us = ChapterFactory(name="United States", slug="us", country="US", time_zone="America/New_York", currency="USD")
    opportunity = make_opportunity(eligible_chapter=uk)
    client.force_login(make_member(chapter=uk))
    assert client.get(opportunity_url(opportunity)).status_code == 200
    client.force_login(make_member(chapter=us))
    assert client.get(opportunity_url(opportunity)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_member_page(client):
    opportunity = make_opportunity()
    engagement = make_engagement(opportunity)
    for url in (
        reverse("voices:opportunities"),
        opportunity_url(opportunity),
        engagement_url(engagement),
        reverse("voices:expense_new", args=[engagement.pk]),
        reverse("voices:thanks"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_a_partner_contact_or_another_member_gets_404_for_member_pages(client):
    opportunity = make_opportunity()
    engagement = make_engagement(opportunity)
    client.force_login(PartnerContactFactory().user)
    for url in (reverse("voices:opportunities"), opportunity_url(opportunity), reverse("voices:thanks")):
        assert client.get(url).status_code == 404, url
    assert client.get(engagement_url(engagement)).status_code == 404
    client.force_login(make_member())
    assert client.get(engagement_url(engagement)).status_code == 404
    assert client.post(engagement_url(engagement), {"action": "withdraw"}).status_code == 404
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.CONFIRMED


def test_the_opportunity_page_shows_the_details_but_never_the_organisations_contact(client):
    request = make_request(
        format="in_person",
        venue="Harbour House, 1 Quay Street",
        recorded=True,
        anonymity="Voice altered, no faces.",
        contact_name="Robin Contact",
        contact_email="robin@harbour.example",
        starts_at=datetime.datetime(2030, 7, 5, 13, 0, tzinfo=datetime.UTC),
    )
    opportunity = make_opportunity(request=request, will_not_be_asked="Nothing about your own story.")
    client.force_login(make_member())
    page = client.get(opportunity_url(opportunity)).content.decode()
    assert "Harbour House" in page and "Harbour Trust" in page
    assert "£150.00" in page and "Nothing about your own story." in page
    assert "14:00" in page and "Europe/London" in page  # 13:00 UTC is 14:00 in London in summer
    assert "robin@harbour.example" not in page and "Robin Contact" not in page


# Interest


@pytest.mark.parametrize(
    ("appearance", "pseudonym", "stored"),
    [
        (Appearance.DISPLAY_NAME, "ignored", ""),
        (Appearance.PSEUDONYM, "River", "River"),
        (Appearance.ANONYMOUS, "", ""),
    ],
)
def test_a_member_says_they_are_interested_with_each_way_of_appearing(client, appearance, pseudonym, stored):
    opportunity = make_opportunity()
    member = make_member()
    client.force_login(member)
    response = client.post(
        opportunity_url(opportunity),
        {
            "action": "interest",
            "availability": "Any time that day",
            "appearance": appearance,
            "pseudonym": pseudonym,
            "no_photos": "on",
        },
    )
    assert response.status_code == 302
    interest = Interest.objects.get(opportunity=opportunity, member=member)
    assert (interest.appearance, interest.pseudonym, interest.availability) == (appearance, stored, "Any time that day")
    assert interest.no_photos and not interest.no_recording
    assert interest.status == Interest.Status.INTERESTED


def test_a_pseudonym_choice_without_a_pseudonym_is_refused_and_nothing_is_stored(client):
    opportunity = make_opportunity()
    client.force_login(make_member())
    response = client.post(opportunity_url(opportunity), {"action": "interest", "appearance": Appearance.PSEUDONYM})
    assert response.status_code == 200
    assert "Type the pseudonym you want to be known by." in response.content.decode()
    assert not Interest.objects.exists()


def test_a_member_takes_back_their_interest(client):
    opportunity = make_opportunity()
    interest = make_interest(opportunity)
    client.force_login(interest.member)
    client.post(opportunity_url(opportunity), {"action": "withdraw"})
    interest.refresh_from_db()
    assert interest.status == Interest.Status.WITHDRAWN


def test_a_member_who_answered_a_closed_opportunity_still_reaches_it_but_cannot_answer_again(client):
    opportunity = make_opportunity(status="closed")
    interest = make_interest(opportunity, appearance=Appearance.ANONYMOUS)
    client.force_login(interest.member)
    page = client.get(opportunity_url(opportunity))
    assert page.status_code == 200 and "no longer taking interest" in page.content.decode()
    client.post(opportunity_url(opportunity), {"action": "interest", "appearance": Appearance.DISPLAY_NAME})
    interest.refresh_from_db()
    assert interest.appearance == Appearance.ANONYMOUS


# Confirming, withdrawing, feedback


@pytest.mark.parametrize(
    ("appearance", "pseudonym", "expected"),
    [
        (Appearance.DISPLAY_NAME, "", "Ash Display"),
        (Appearance.PSEUDONYM, "River", "River"),
        (Appearance.ANONYMOUS, "", ""),
    ],
)
def test_confirming_shows_what_the_member_chose_and_sends_both_briefs(
    client, django_capture_on_commit_callbacks, appearance, pseudonym, expected
):
    opportunity = make_opportunity(ask_for="Sam at reception")
    member = make_member(display_name="Ash Display")
    engagement = make_engagement(opportunity, member, status=Engagement.Status.OFFERED)
    engagement.interest.appearance, engagement.interest.pseudonym = appearance, pseudonym
    engagement.interest.save()
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(engagement_url(engagement), {"action": "confirm"})
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.CONFIRMED and engagement.shown_as == expected
    to_member = [message for message in mail.outbox if message.to == [member.email]]
    to_organisation = [message for message in mail.outbox if message.to == ["robin@harbour.example"]]
    assert len(to_member) == 1 and len(to_organisation) == 1
    organisation_text = to_organisation[0].body
    assert (expected or "Anonymous") in organisation_text
    assert member.email not in organisation_text
    if appearance != Appearance.DISPLAY_NAME:
        assert "Ash Display" not in organisation_text
    page = client.get(engagement_url(engagement)).content.decode()
    assert "Your brief" in page and "Sam at reception" in page


def test_a_member_withdraws_after_confirming_and_the_organisation_is_told_neutrally(
    client, django_capture_on_commit_callbacks
):
    opportunity = make_opportunity()
    member = make_member(display_name="Ash Display")
    engagement = make_engagement(opportunity, member, shown_as="Ash Display")
    client.force_login(member)
    step = client.get(engagement_url(engagement) + "?step=withdraw").content.decode()
    assert "You do not need to give a reason" in step
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.CONFIRMED  # the confirmation step changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(engagement_url(engagement), {"action": "withdraw"})
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.WITHDRAWN
    to_organisation = [message for message in mail.outbox if message.to == ["robin@harbour.example"]]
    assert len(to_organisation) == 1
    assert "Ash Display" not in to_organisation[0].body and member.email not in to_organisation[0].body
    assert any(message.to == [opportunity.staff_contact.email] for message in mail.outbox)


def test_declining_an_offer_tells_the_organisation_nothing(client, django_capture_on_commit_callbacks):
    opportunity = make_opportunity()
    engagement = make_engagement(opportunity, status=Engagement.Status.OFFERED)
    client.force_login(engagement.member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(engagement_url(engagement), {"action": "withdraw"})
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.WITHDRAWN
    assert not [message for message in mail.outbox if "robin@harbour.example" in message.to]


def test_feedback_is_taken_only_after_the_engagement_and_reaches_staff_only(client, django_capture_on_commit_callbacks):
    opportunity = make_opportunity()
    upcoming = make_engagement(opportunity)
    client.force_login(upcoming.member)
    assert "How did it go?" not in client.get(engagement_url(upcoming)).content.decode()
    client.post(engagement_url(upcoming), {"action": "feedback", "text": "Too early"})
    upcoming.refresh_from_db()
    assert upcoming.feedback == ""

    past = make_engagement(make_opportunity(), upcoming.member, starts_at=timezone.now() - datetime.timedelta(days=1))
    page = client.get(engagement_url(past)).content.decode()
    assert "How did it go?" in page and "seen by staff only" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(engagement_url(past), {"action": "feedback", "text": "They asked about my story."})
    past.refresh_from_db()
    assert past.feedback == "They asked about my story." and past.feedback_at is not None
    assert [message.to for message in mail.outbox] == [[past.opportunity.staff_contact.email]]
    assert "They asked about my story." not in mail.outbox[0].body


def test_a_consultation_engagement_links_to_its_questionnaire(client):
    opportunity = make_opportunity(request=make_request(kind="consultation"))
    engagement = make_engagement(opportunity)
    client.force_login(engagement.member)
    page = client.get(engagement_url(engagement)).content.decode()
    assert reverse("voices:questionnaire", args=[engagement.pk]) in page


# Thanks, totals, the account panel


def test_a_member_chooses_to_be_thanked_with_nothing_and_the_reason_is_kept_for_finance(client):
    member = make_member()
    engagement = make_engagement(make_opportunity(), member)
    client.force_login(member)
    page = client.get(reverse("voices:thanks")).content.decode()
    assert "seeking asylum" in page and "Finance only" in page
    response = client.post(reverse("voices:thanks"), {"choice": ThanksChoice.NOTHING, "reason": "My asylum claim"})
    assert response.status_code == 302
    preference = ThanksPreference.objects.get(member=member)
    assert (preference.choice, preference.reason) == (ThanksChoice.NOTHING, "My asylum claim")
    engagement.refresh_from_db()
    assert engagement.thanks == ThanksChoice.NOTHING


def test_choosing_no_way_of_being_thanked_is_refused(client):
    member = make_member()
    client.force_login(member)
    response = client.post(reverse("voices:thanks"), {"reason": "x"})
    assert response.status_code == 200 and "Choose how you would like to be thanked." in response.content.decode()
    assert not ThanksPreference.objects.exists()


def test_the_member_sees_their_own_total_for_the_uk_tax_year(client):
    member = make_member()
    now = timezone.now()
    make_engagement(make_opportunity(), member, status="completed", payment="paid", paid_at=now, fee_minor=15000)
    make_engagement(make_opportunity(), member, status="completed", payment="paid", paid_at=now, fee_minor=2550)
    make_engagement(
        make_opportunity(),
        member,
        status="completed",
        payment="paid",
        paid_at=now - datetime.timedelta(days=400),
        fee_minor=99900,
    )
    make_engagement(make_opportunity(), make_member(), status="completed", payment="paid", paid_at=now, fee_minor=7)
    client.force_login(member)
    page = client.get(reverse("voices:opportunities")).content.decode()
    assert "£175.50" in page and "£999.00" not in page and "£175.57" not in page
    assert "6 April" in page and "5 April" in page


def test_the_account_panel_lists_offers_recent_feedback_to_give_and_open_opportunities_for_members_only():
    opportunity = make_opportunity(title="Open talk")
    member = make_member()
    offered = make_engagement(make_opportunity(title="Offered panel"), member, status=Engagement.Status.OFFERED)
    now = timezone.now()
    make_engagement(make_opportunity(title="Last week's talk"), member, starts_at=now - datetime.timedelta(days=7))
    make_engagement(make_opportunity(title="Old talk"), member, starts_at=now - datetime.timedelta(days=60))
    request = RequestFactory().get("/account/")
    request.user = member
    panel = account_panel(request)
    titles = [item["title"] for item in panel["items"]]
    assert titles == ["Last week's talk", "Offered panel", "Open talk"]
    assert panel["items"][0]["detail"] == "Tell staff privately how it went"
    assert panel["items"][1]["url"] == engagement_url(offered)
    assert panel["items"][2]["url"] == opportunity_url(opportunity)
    request.user = StaffFactory()
    assert account_panel(request) is None


def test_the_account_page_shows_the_panel(client):
    make_opportunity(title="Open talk")
    client.force_login(make_member())
    page = client.get(reverse("accounts:home")).content.decode()
    assert "Opportunities to share your expertise" in page and "Open talk" in page
