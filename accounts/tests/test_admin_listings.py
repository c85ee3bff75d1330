"""The membership team's listings page through any number of people and find one by name or
address, in the same number of queries however many there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import MembershipApplication, Referral
from accounts.tests.factories import (
    ApplicationFactory,
    MemberProfileFactory,
    PartnerContactFactory,
    UserFactory,
    sign_in_with_second_factor,
)
from core.listing import PER_PAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = UserFactory(groups=["Membership"])
    sign_in_with_second_factor(client, user)
    return user


def test_the_members_list_shows_one_page_by_name_and_links_to_the_next(client, officer):
    MemberProfileFactory.create_batch(PER_PAGE + 2)
    first = client.get("/admin/membership/members/")
    names = [profile.display_name for profile in first.context["profiles"]]
    assert len(names) == PER_PAGE and names == sorted(names)
    assert 'rel="next"' in first.content.decode()
    second = client.get("/admin/membership/members/?p=2")
    assert len(second.context["profiles"]) == 2 and 'rel="next"' not in second.content.decode()


def test_the_members_list_finds_a_member_by_name_or_exact_address(client, officer):
    MemberProfileFactory.create_batch(3)
    amani = MemberProfileFactory(display_name="Amani K.", user__email="amani@example.org")
    for query in ("amani", "AMANI@example.org"):
        found = client.get("/admin/membership/members/", {"q": query}).context["profiles"]
        assert [profile.pk for profile in found] == [amani.pk]
    assert list(client.get("/admin/membership/members/", {"q": "amani@example"}).context["profiles"]) == []


def test_the_members_list_takes_the_same_queries_for_three_members_or_sixty(client, officer):
    MemberProfileFactory.create_batch(3)
    client.get("/admin/membership/members/")
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/membership/members/")
    MemberProfileFactory.create_batch(57)
    with CaptureQueriesContext(connection) as many:
        client.get("/admin/membership/members/")
    assert len(many) == len(few)


def test_applications_are_searched_within_the_tab_shown(client, officer):
    waiting = ApplicationFactory(display_name="Joy")
    ApplicationFactory(display_name="Joy", status=MembershipApplication.Status.DECLINED)
    found = client.get("/admin/membership/applications/", {"q": "joy"}).context["applications"]
    assert [application.pk for application in found] == [waiting.pk]
    decided = client.get("/admin/membership/applications/", {"show": "decided", "q": "joy"})
    assert len(decided.context["applications"]) == 1
    assert 'name="show" value="decided"' in decided.content.decode()  # the search keeps the tab


def test_applications_page_through_the_waiting_ones_oldest_first(client, officer):
    ApplicationFactory.create_batch(PER_PAGE + 1)
    first = list(client.get("/admin/membership/applications/").context["applications"])
    last = list(client.get("/admin/membership/applications/?p=2").context["applications"])
    assert len(first) == PER_PAGE and len(last) == 1
    assert first[0].submitted_at <= first[-1].submitted_at <= last[0].submitted_at


def test_referrals_page_through_and_search(client, officer):
    contact = PartnerContactFactory(organisation__name="Safe Harbour Trust")
    for n in range(PER_PAGE + 1):
        Referral.objects.create(
            organisation=contact.organisation,
            referred_by=contact,
            email=f"r{n}@example.org",
            token_hash=f"{n:064d}",
            expires_at="2030-01-01T00:00:00Z",
        )
    assert len(client.get("/admin/membership/referrals/").context["referrals"]) == PER_PAGE
    assert len(client.get("/admin/membership/referrals/", {"q": "r3@example.org"}).context["referrals"]) == 1


@pytest.mark.postgres
def test_member_name_search_has_a_trigram_index_on_the_expressions_it_compares():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'accounts_member_name_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition
    assert "upper((display_name)::text)" in definition and "upper((certificate_name)::text)" in definition
