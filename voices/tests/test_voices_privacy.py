"""Survivor voices' privacy acceptance (issue #17), across the whole site:

- an organisation (its partner contact, signed in, and whoever holds the request's private
  status link), a different member and an anonymous visitor walk every page they can reach
  (core/tests/crawl.py, GET only) and never meet an interested member's names or address;
- a consultation's results hold no individual answer unless its author allowed quoting;
- a member who chose not to be paid (nothing, or a voucher) is in no payments file.
"""

import csv
import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import MemberProfile, PartnerContact, User
from accounts.tests.factories import (
    MemberProfileFactory,
    PartnerContactFactory,
    UserFactory,
    sign_in_with_second_factor,
)
from accounts.tokens import token_hash
from cms.models import PartnerOrganisation
from core.tests.crawl import crawl
from training.models import Cohort, CoursePage, Enrolment
from voices.demo import DEMO_COURSE_SLUG, DEMO_TOPIC
from voices.models import (
    Appearance,
    ConsultationAnswer,
    ConsultationQuestion,
    Engagement,
    ExpenseClaim,
    Interest,
    Kind,
    ThanksChoice,
    ThanksPreference,
    VoiceRequest,
)
from voices.services.engagements import engagement_complete, engagement_confirm, engagement_offer, interest_express
from voices.services.payouts import engagement_payment_approve, expense_decide
from voices.tests.factories import make_engagement, make_member, make_opportunity, make_request

pytestmark = pytest.mark.django_db

# The test member: every name they have, and their address, each found nowhere else.
DISPLAY_NAME = "Thistledown Vantreece"
CERTIFICATE_NAME = "Orlaith Vantreece-Moor"
LEGAL_NAME = "Orlaith Quimby Vantreece"
PSEUDONYM = "Marigold Skellanby"
EMAIL = "thistledown.vantreece@example.org"
AVAILABILITY = "Wednesdays after the Skellanby clinic"
NEEDLES = (DISPLAY_NAME, CERTIFICATE_NAME, LEGAL_NAME, PSEUDONYM, EMAIL, "Vantreece", "Skellanby", "thistledown")
STATUS_TOKEN = "status-link-of-the-demo-request-0123456789"
SECOND_TOKEN = "status-link-of-the-second-request-0123456789"


class RecordingClient:
    """The test client, keeping every page it was given (for the crawl)."""

    def __init__(self, client):
        self.client = client
        self.seen: dict[str, str] = {}

    def get(self, path, *args, **kwargs):
        response = self.client.get(path, *args, **kwargs)
        if response.get("Content-Type", "").startswith(("text/", "application/json")) and not response.streaming:
            self.seen[path] = response.content.decode("utf-8", "replace")
        return response


def walk(client, start: list[str]) -> dict[str, str]:
    recording = RecordingClient(client)
    for path in start:  # the starting pages themselves, whatever they answer
        recording.get(path)
    crawl(recording, start, max_pages=150)
    return recording.seen


def pages_naming_the_member(seen: dict[str, str]) -> dict[str, list[str]]:
    return {
        path: found
        for path, html in seen.items()
        if (found := [needle for needle in NEEDLES if needle.lower() in html.lower()])
    }


@pytest.fixture
def interested_member(demo_site):
    """A member who completed the leadership course and said they are interested in the demo
    partner's published request (under a pseudonym), and who confirmed another request of the
    same organisation, anonymously, that they were chosen for."""
    course = CoursePage.objects.get(slug=DEMO_COURSE_SLUG)
    profile = MemberProfileFactory(
        display_name=DISPLAY_NAME,
        certificate_name=CERTIFICATE_NAME,
        legal_name=LEGAL_NAME,
        user=UserFactory(email=EMAIL, first_name="Orlaith", last_name="Vantreece"),
        chapter=course.chapter,
    )
    member = profile.user
    Enrolment.objects.create(
        user=member,
        cohort=Cohort.objects.filter(course=course).order_by("pk").first(),
        status=Enrolment.Status.COMPLETED,
        enrolled_at=timezone.now(),
    )
    demo_request = VoiceRequest.objects.get(topic=DEMO_TOPIC)
    VoiceRequest.objects.filter(pk=demo_request.pk).update(token_hash=token_hash(STATUS_TOKEN))
    interest_express(
        member=member,
        opportunity=demo_request.opportunity,
        availability=AVAILABILITY,
        appearance=Appearance.PSEUDONYM,
        pseudonym=PSEUDONYM,
    )
    # A second request of the same organisation: chosen, confirmed, anonymously.
    officer = User.objects.get(email="membership@thrive.example")
    second = make_request(
        chapter=demo_request.chapter,
        partner=demo_request.partner,
        token=SECOND_TOKEN,
        topic="Second request of the partner",
    )
    opportunity = make_opportunity(request=second, staff_contact=officer, eligible_course=course)
    interest = interest_express(
        member=member, opportunity=opportunity, availability=AVAILABILITY, appearance=Appearance.ANONYMOUS
    )
    engagement = engagement_offer(interest=interest, actor=officer)
    engagement_confirm(member=member, engagement=engagement)
    return member


def test_the_organisation_another_member_and_a_visitor_never_meet_an_interested_member_s_names(
    client, interested_member
):
    demo_request = VoiceRequest.objects.get(topic=DEMO_TOPIC)
    second = VoiceRequest.objects.get(topic="Second request of the partner")
    assert Interest.objects.filter(member=interested_member).count() == 2
    assert Engagement.objects.get(member=interested_member).status == Engagement.Status.CONFIRMED

    # The organisation, signed in as its partner contact.
    partner = User.objects.get(email="partner@thrive.example")
    assert PartnerContact.objects.get(user=partner).organisation_id == demo_request.partner_id
    client.force_login(partner)
    seen = walk(client, ["/voices/requests/", "/account/", "/"])
    assert {f"/voices/requests/mine/{demo_request.pk}/", f"/voices/requests/mine/{second.pk}/"} <= set(seen)
    assert "Anonymous" in seen[f"/voices/requests/mine/{second.pk}/"]  # what the member chose, shown
    assert pages_naming_the_member(seen) == {}

    # The organisation by its private status links, signed out (as in the emails).
    client.logout()
    seen = walk(client, [f"/voices/requests/{STATUS_TOKEN}/", f"/voices/requests/{SECOND_TOKEN}/"])
    assert "Anonymous" in seen[f"/voices/requests/{SECOND_TOKEN}/"]
    assert pages_naming_the_member(seen) == {}

    # A different member, eligible for the same opportunity and interested in it too (River).
    river = User.objects.get(email="river@member.example")
    client.force_login(river)
    engagement = Engagement.objects.get(member=interested_member)
    seen = walk(
        client,
        [
            "/voices/opportunities/",
            f"/voices/opportunities/{demo_request.opportunity.pk}/",
            f"/voices/engagements/{engagement.pk}/",  # the test member's: 404
            "/account/",
            "/",
        ],
    )
    assert f"/voices/opportunities/{demo_request.opportunity.pk}/" in seen
    assert client.get(f"/voices/engagements/{engagement.pk}/").status_code == 404
    assert pages_naming_the_member(seen) == {}

    # The member themselves does meet their names (so the search above can find them).
    client.force_login(interested_member)
    own = walk(client, [f"/voices/opportunities/{demo_request.opportunity.pk}/"])
    assert PSEUDONYM in own[f"/voices/opportunities/{demo_request.opportunity.pk}/"]

    # An anonymous visitor.
    client.logout()
    seen = walk(client, ["/", "/voices/request/", "/voices/opportunities/", "/membership/alumni/"])
    assert len(seen) > 20, sorted(seen)  # the crawl walked the public site
    assert pages_naming_the_member(seen) == {}


def test_consultation_results_show_totals_and_allowed_quotes_only_never_who_said_what(client):
    organisation = PartnerOrganisation.objects.create(name="Results Trust")
    contact = PartnerContactFactory(organisation=organisation)
    request = make_request(
        kind=Kind.CONSULTATION, topic="Safer casework", partner=organisation, token="results-link-0123456789"
    )
    opportunity = make_opportunity(request=request)
    text = ConsultationQuestion.objects.create(
        opportunity=opportunity, order=1, kind=ConsultationQuestion.QuestionKind.TEXT, text="What would help?"
    )
    scale = ConsultationQuestion.objects.create(
        opportunity=opportunity, order=2, kind=ConsultationQuestion.QuestionKind.SCALE, text="How useful was it?"
    )
    answers = [
        ("Ysolde Farraday", "A quiet room to wait in, please", True, "5"),
        ("Bram Oakhollow", "My caseworker at Fennick Street shouted at me", False, "1"),
        ("Cerys Pendlebrook", "Being believed the first time I spoke", True, "3"),
    ]
    for name, words, may_quote, point in answers:
        member = make_member(display_name=name, chapter=request.chapter)
        engagement = make_engagement(opportunity, member, status=Engagement.Status.COMPLETED, shown_as=name)
        ConsultationAnswer.objects.create(engagement=engagement, question=text, value=words, may_quote=may_quote)
        ConsultationAnswer.objects.create(engagement=engagement, question=scale, value=point)

    pages = [client.get("/voices/requests/results-link-0123456789/results/").content.decode()]
    client.force_login(contact.user)
    pages.append(client.get(f"/voices/requests/mine/{request.pk}/results/").content.decode())
    for html in pages:
        assert "3 people answered." in html and "Average: 3" in html
        assert "A quiet room to wait in, please" in html and "Being believed the first time I spoke" in html
        assert "Fennick Street" not in html  # not allowed to be quoted
        for name, *_rest in answers:
            assert name not in html and name.split()[1] not in html


def test_a_member_who_chose_not_to_be_paid_is_in_no_payments_file(client):
    finance = UserFactory(groups=["Finance"])
    opportunity = make_opportunity(request=make_request(places=3, expenses_covered=True))
    people = {}
    for choice, name in (
        (ThanksChoice.PAYMENT, "Paidwell Ashgrove"),
        (ThanksChoice.NOTHING, "Nopay Brackenridge"),
        (ThanksChoice.VOUCHER, "Voucher Calloway"),
    ):
        member = MemberProfileFactory(display_name=name, legal_name=name, chapter=opportunity.request.chapter).user
        ThanksPreference.objects.create(
            member=member, choice=choice, reason="Seeking asylum" if choice != "payment" else ""
        )
        engagement = make_engagement(opportunity, member, starts_at=timezone.now() - datetime.timedelta(days=2))
        engagement_complete(engagement=engagement, actor=finance)
        engagement_payment_approve(engagement=engagement, actor=finance)
        claim = ExpenseClaim.objects.create(
            engagement=engagement,
            description=f"Bus fare of {name}",
            amount_minor=450,
            currency=engagement.currency,
            receipt=ContentFile(b"%PDF-1.4\n", name="receipt.pdf"),
            receipt_type="application/pdf",
        )
        expense_decide(claim=claim, actor=finance, approve=True)
        people[choice] = member
    assert Engagement.objects.get(member=people[ThanksChoice.NOTHING]).payment == Engagement.Payment.NOT_PAID

    sign_in_with_second_factor(client, finance)
    response = client.get("/admin/voices/payouts/export.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {(row["Email"], row["Kind"], row["Amount"]) for row in rows} == {
        (people[ThanksChoice.PAYMENT].email, "fee", "150.00"),
        (people[ThanksChoice.PAYMENT].email, "expense", "4.50"),
    }
    for choice in (ThanksChoice.NOTHING, ThanksChoice.VOUCHER):
        member = people[choice]
        name = MemberProfile.objects.get(user=member).legal_name
        assert member.email not in body and name not in body and name.split()[1] not in body
        assert "Seeking asylum" not in body
