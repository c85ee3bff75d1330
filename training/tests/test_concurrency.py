"""Simultaneous enrolments on PostgreSQL, where the cohort row lock is real."""

import threading

import pytest
from django.db import connection

from training.models import Enrolment
from training.services import enrolment_create
from training.tests.factories import make_cohort, make_course, make_learner

pytestmark = [pytest.mark.postgres, pytest.mark.many_connections, pytest.mark.django_db(transaction=True)]

ROUNDS, LEARNERS, PLACES = 10, 40, 10


def test_forty_simultaneous_enrolments_fill_ten_places_exactly_in_every_round(wagtail_tree):
    course = make_course(modules=0)
    for round_number in range(ROUNDS):
        cohort = make_cohort(course, capacity=PLACES, name=f"Round {round_number}")
        learners = [make_learner() for _ in range(LEARNERS)]
        barrier = threading.Barrier(LEARNERS)
        errors: list[BaseException] = []

        def enrol(user, barrier=barrier, cohort=cohort, errors=errors):
            try:
                barrier.wait()
                enrolment_create(user=user, cohort=cohort, join_waitlist=True)
            except BaseException as error:  # noqa: BLE001 - every failure is counted
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=enrol, args=(user,)) for user in learners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = list(Enrolment.objects.filter(cohort=cohort).values_list("status", flat=True))
        assert errors == [], f"round {round_number}: {errors[:3]}"
        assert statuses.count(Enrolment.Status.ENROLLED) == PLACES, f"round {round_number}"
        assert statuses.count(Enrolment.Status.WAITLISTED) == LEARNERS - PLACES, f"round {round_number}"
