"""The Cohorts screen pages through any number of cohorts, running and coming ones first,
and finds one by course or cohort name."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory, sign_in_with_second_factor
from core.listing import PER_PAGE
from training.models import Cohort
from training.tests.factories import make_cohort, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = UserFactory(groups=["Membership"])
    sign_in_with_second_factor(client, user)
    return user


def many_cohorts(course, count: int, *, starts_in_days: int = 10) -> None:
    template = make_cohort(course, starts_in_days=starts_in_days)
    Cohort.objects.bulk_create(
        Cohort(
            course=course,
            name=f"Run {n}",
            starts_on=template.starts_on,
            ends_on=template.ends_on,
            chapter=template.chapter,
        )
        for n in range(count - 1)
    )


def test_cohorts_are_listed_a_page_at_a_time_running_ones_before_finished_ones(client, officer):
    course = make_course(modules=0)
    finished = make_cohort(course, name="Long ago", starts_in_days=-400)
    Cohort.objects.filter(pk=finished.pk).update(ends_on=finished.starts_on)
    many_cohorts(course, PER_PAGE)
    first = client.get("/admin/training/cohorts/")
    assert len(first.context["cohorts"]) == PER_PAGE and finished not in list(first.context["cohorts"])
    assert list(client.get("/admin/training/cohorts/?p=2").context["cohorts"]) == [finished]


def test_cohorts_are_found_by_course_title_or_cohort_name(client, officer):
    speaking = make_course(modules=0, title="Public speaking")
    make_cohort(speaking, name="Spring evenings")
    make_cohort(make_course(modules=0, title="Policy advocacy"), name="Autumn weekends")
    for query in ("SPEAKING", "spring"):
        found = client.get("/admin/training/cohorts/", {"q": query}).context["cohorts"]
        assert [cohort.course.title for cohort in found] == ["Public speaking"], query


def test_the_cohorts_screen_takes_the_same_queries_for_one_cohort_or_sixty(client, officer):
    course = make_course(modules=0)
    make_cohort(course)
    client.get("/admin/training/cohorts/")
    with CaptureQueriesContext(connection) as one:
        client.get("/admin/training/cohorts/")
    many_cohorts(course, 59)
    with CaptureQueriesContext(connection) as sixty:
        client.get("/admin/training/cohorts/")
    assert len(sixty) == len(one)
