"""The account page is the member's home: learning, bookings, every certificate (course and
event attendance), calendar feeds, profile, consents, data and erasure, each one link away;
the apps add their panels through the `thrive_account_panels` hook."""

import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.tests.factories import MemberProfileFactory, UserFactory, sign_in_with_second_factor
from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_revoke
from events.links import ticket_path
from events.models import Registration
from events.tests.factories import RegistrationFactory, make_event
from training.models import LiveSession
from training.tests.factories import enrol, make_cohort, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    user = MemberProfileFactory(display_name="Amani").user
    client.force_login(user)
    return user


def test_the_account_page_links_to_every_part_of_a_members_thrive(client, member):
    html = client.get("/account/").content.decode()
    for href in (
        "/learning/",
        "/events/my-bookings/",
        "/account/calendar/",  # the private calendar addresses of My learning and My bookings
        "/learning/certificates/",
        "/account/profile/",
        "/account/consents/",
        "/account/data/",
        "/account/data/export.json",
        "/account/erasure/",
    ):
        assert f'href="{href}"' in html, href
    assert "will appear here as those parts of Thrive are built" not in html


def test_the_header_says_my_account_when_signed_in_and_sign_in_when_not(client):
    assert ">Sign in</a>" in client.get("/membership/apply/").content.decode()
    client.force_login(UserFactory())
    html = client.get("/membership/apply/").content.decode()
    assert '<a href="/account/">My account</a>' in html


def test_a_members_course_booking_and_both_kinds_of_certificate_are_on_the_account_page(
    client, member, django_capture_on_commit_callbacks
):
    course = make_course(title="Foundations")
    cohort = make_cohort(course, time_zone="America/New_York")
    enrolment = enrol(member, cohort)
    soon = timezone.now() + timedelta(days=2)
    LiveSession.objects.create(cohort=cohort, title="Circle", starts_at=soon, ends_at=soon + timedelta(hours=1))
    event = make_event(title="Leadership gathering")
    registration = RegistrationFactory(event=event, user=member, email=member.email)
    past = make_event(
        title="Spring conference",
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30) + timedelta(hours=3),
    )
    attended = RegistrationFactory(event=past, user=member, status=Registration.Status.CHECKED_IN)
    with django_capture_on_commit_callbacks(execute=True):
        course_certificate = certificate_issue(
            recipient=member, source=enrolment, title="Foundations", awarded_on=timezone.localdate(), hours=Decimal(12)
        )
        event_certificate = certificate_issue(
            recipient=member,
            source=attended,
            title="Spring conference",
            awarded_on=timezone.localdate(),
            hours=Decimal(3),
            kind=Certificate.Kind.EVENT,
        )
    html = client.get("/account/").content.decode()
    assert f'href="{course.url}">Foundations</a>' in html
    local = soon.astimezone(ZoneInfo("America/New_York"))
    assert f"next session {local:%-d %B, %H:%M} (America/New_York)" in html  # in the run's own time zone
    # The ticket link is signed with the second it was made (a TimestampSigner): compare it up
    # to its timestamp, so a page made a second before this line still matches.
    signed = ticket_path(registration).rstrip("/").rsplit("/", 1)[1]
    value = signed.split(":", 1)[0]
    assert re.search(rf'href="/events/ticket/{re.escape(value)}:[^"/]+/">Leadership gathering</a>', html)
    for certificate in (course_certificate, event_certificate):
        assert f'href="/learning/certificates/{certificate.code}.pdf"' in html
        assert f'href="/verify/{certificate.code}/"' in html
    assert "Event attendance" in html and "Course completion" in html


def test_event_attendance_certificates_issued_in_bulk_appear_on_the_holders_certificates_page(
    client, django_capture_on_commit_callbacks
):
    start = timezone.now() - timedelta(days=2)
    event = make_event(title="Speaking up", starts_at=start, ends_at=start + timedelta(hours=3))
    holder = MemberProfileFactory().user
    RegistrationFactory(event=event, user=holder, status=Registration.Status.CHECKED_IN, checked_in_at=start)
    sign_in_with_second_factor(client, UserFactory(groups=["Event staff"]))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/admin/certificates/bulk/", {"source": f"events.event:{event.pk}"}).status_code == 302
    certificate = Certificate.objects.get(recipient=holder)
    client.logout()
    client.force_login(holder)

    page = client.get("/learning/certificates/").content.decode()
    assert "Speaking up" in page and "Event attendance" in page
    download = client.get(f"/learning/certificates/{certificate.code}.pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert client.get(f"/verify/{certificate.code}/").status_code == 200
    assert "Speaking up" in client.get("/account/").content.decode()


def test_nobody_sees_someone_elses_certificates_or_bookings(client, member):
    other = UserFactory()
    event = make_event(title="Their evening")
    RegistrationFactory(event=event, user=other)
    source = RegistrationFactory(event=make_event(title="Elsewhere"), user=other)
    certificate_issue(
        recipient=other, source=source, title="Their certificate", awarded_on=timezone.localdate(), hours=Decimal(1)
    )
    for path in ("/account/", "/learning/certificates/"):
        html = client.get(path).content.decode()
        assert "Their evening" not in html and "Their certificate" not in html


def test_a_revoked_certificate_is_listed_as_no_longer_valid_without_a_download(client, member):
    source = RegistrationFactory(event=make_event(), user=member)
    certificate = certificate_issue(
        recipient=member, source=source, title="Withdrawn award", awarded_on=timezone.localdate(), hours=Decimal(1)
    )
    certificate_revoke(certificate=certificate, actor=None, reason="Issued in error")
    page = client.get("/learning/certificates/").content.decode()
    assert "No longer valid" in page and "Issued in error" in page
    assert f"{certificate.code}.pdf" not in page
    assert "Withdrawn award" not in client.get("/account/").content.decode()


def test_the_demo_member_has_a_ticket_and_an_event_certificate_and_a_second_seed_adds_nothing(demo_site):
    from django.core.management import call_command

    member = UserFactory._meta.model.objects.get(email="member@thrive.example")

    def counts():
        return (
            Registration.objects.filter(user=member, status=Registration.Status.CONFIRMED).count(),
            Certificate.objects.filter(recipient=member, kind=Certificate.Kind.EVENT).count(),
        )

    assert counts() == (1, 1)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == (1, 1)


def _hrefs(html: str) -> list[str]:
    import re

    return re.findall(r'<a [^>]*href="([^"]+)"', html)


def test_a_partner_contact_reaches_the_referral_form_and_list_by_following_links_from_the_account_page(client):
    from accounts.tests.factories import PartnerContactFactory

    contact = PartnerContactFactory(organisation__name="Safe Harbour Trust")
    client.force_login(contact.user)
    home = client.get("/account/").content.decode()
    assert "Your organisation: Safe Harbour Trust" in home
    assert "You are not a member yet" not in home  # a partner is not told to apply
    assert "/partners/referrals/new/" in _hrefs(home) and "/partners/referrals/" in _hrefs(home)
    form = client.get("/partners/referrals/new/")
    assert form.status_code == 200 and "Send the invitation" in form.content.decode()
    # The header links to the referrals on every page, and the referrals page to the form.
    public = client.get("/membership/apply/").content.decode()
    assert '<a href="/partners/referrals/">Referrals</a>' in public
    listing = client.get("/partners/referrals/").content.decode()
    assert "/partners/referrals/new/" in _hrefs(listing)


def test_only_partner_contacts_see_the_referrals_link_and_anonymous_visitors_pay_no_query_for_it(client, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    html = client.get("/account/").content.decode()
    assert "/partners/referrals/" not in html and "Your organisation" not in html
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/membership/apply/").content.decode()
    assert ">Sign in</a>" in html and "/partners/referrals/" not in html
    assert not [query for query in queries.captured_queries if "partnercontact" in query["sql"]]
