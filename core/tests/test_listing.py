"""core.listing: one page of a staff listing, searched, without counting the table."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from core.listing import LAST_PAGE, listing_page, search

User = get_user_model()


@pytest.fixture
def people(db):
    return User.objects.bulk_create(User(email=f"person{n:03d}@example.org") for n in range(7))


def get(path: str):
    return RequestFactory().get(path)


def test_a_page_holds_its_rows_and_links_to_the_next_keeping_the_filters(people):
    page = listing_page(get("/?show=open&p=2"), User.objects.order_by("email"), per_page=3)
    assert [u.email for u in page] == ["person003@example.org", "person004@example.org", "person005@example.org"]
    assert page.number == 2 and page.has_previous and page.has_next
    assert page.previous_url == "?show=open&p=1" and page.next_url == "?show=open&p=3"
    assert page.kept == [("show", "open")]


def test_the_last_page_has_no_next_link(people):
    page = listing_page(get("/?p=3"), User.objects.order_by("email"), per_page=3)
    assert len(page) == 1 and not page.has_next and page.next_url == ""


def test_a_page_costs_one_query_and_never_counts_the_table(people):
    with CaptureQueriesContext(connection) as queries:
        listing_page(get("/?p=2"), User.objects.order_by("email"), per_page=3)
    assert len(queries) == 1
    assert "COUNT(" not in queries[0]["sql"].upper()


@pytest.mark.parametrize("value", ["0", "-4", "two", "", "9" * 30])
def test_a_page_number_that_makes_no_sense_gives_a_page_in_range(people, value):
    page = listing_page(get(f"/?p={value}"), User.objects.order_by("email"), per_page=3)
    assert 1 <= page.number <= LAST_PAGE


def test_search_narrows_to_rows_any_lookup_matches_and_an_empty_box_keeps_all(people):
    queryset = User.objects.order_by("email")
    found = search(queryset, get("/?q=PERSON002"), ["email__icontains"])
    assert [u.email for u in found] == ["person002@example.org"]
    either = search(queryset, get("/?q=person001@example.org"), ["first_name__icontains", "email__iexact"])
    assert either.count() == 1
    assert search(queryset, get("/?q=+"), ["email__icontains"]).count() == len(people)
