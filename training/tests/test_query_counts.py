"""Pages use the same number of queries however much content there is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from training.tests.factories import course_index, enrol, make_cohort, make_course, make_learner

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    """Queries of a signed-in request (never page-cached), after one request that warms the
    caches every process keeps warm (menu, content types, site root paths)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_course_index_queries_do_not_grow_with_courses(client, demo_site):
    for _ in range(10):
        make_cohort(make_course(modules=0), starts_in_days=5)
    index = course_index()
    client.force_login(make_learner())
    at_10 = queries_for(client, index.url)
    for _ in range(90):
        make_course(modules=0)
    at_100 = queries_for(client, index.url)
    assert at_10 == at_100


def test_course_page_queries_do_not_grow_with_modules(client, demo_site):
    small, large = make_course(modules=3), make_course(modules=30)
    for course in (small, large):
        make_cohort(course, sessions=2)
    learner = make_learner()
    client.force_login(learner)
    assert queries_for(client, small.url) == queries_for(client, large.url)


def test_dashboard_queries_do_not_grow_with_enrolments(client, demo_site):
    one, ten = make_learner(), make_learner()
    courses = [make_course(modules=3) for _ in range(10)]
    for n, course in enumerate(courses):
        cohort = make_cohort(course, sessions=2)
        if n == 0:
            enrol(one, cohort)
        enrol(ten, cohort)
    client.force_login(one)
    at_1 = queries_for(client, "/learning/")
    client.force_login(ten)
    at_10 = queries_for(client, "/learning/")
    assert at_1 == at_10
    assert at_10 <= 10
