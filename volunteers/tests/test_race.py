"""Thirty volunteers for the last three places of a shift at once, on PostgreSQL where the
shift's row lock is real: exactly three get one, every round."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from volunteers.models import SignUp
from volunteers.services import shift_sign_up
from volunteers.tests.factories import make_role, make_shift, make_volunteer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 20
VOLUNTEERS = 30
PLACES_LEFT = 3


def run_together(actions) -> list:
    barrier = threading.Barrier(len(actions))
    outcomes: list = []

    def worker(action):
        try:
            barrier.wait()
            outcomes.append(action())
        except ValidationError as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_thirty_volunteers_for_the_last_three_places_get_exactly_three_in_twenty_rounds():
    role = make_role()
    volunteers = [make_volunteer(roles=[role]) for _ in range(VOLUNTEERS + 2)]
    for _round in range(ROUNDS):
        shift = make_shift(role=role, places=PLACES_LEFT + 2)
        for early in volunteers[VOLUNTEERS:]:  # two places already taken
            SignUp.objects.create(shift=shift, volunteer=early)
        outcomes = run_together(
            [lambda v=v, s=shift: shift_sign_up(volunteer=v, shift=s) for v in volunteers[:VOLUNTEERS]]
        )
        assert sum(isinstance(o, SignUp) for o in outcomes) == PLACES_LEFT
        assert sum(isinstance(o, ValidationError) and o.code == "full" for o in outcomes) == VOLUNTEERS - PLACES_LEFT
        assert SignUp.objects.filter(shift=shift, status=SignUp.Status.SIGNED_UP).count() == PLACES_LEFT + 2
