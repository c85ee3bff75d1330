"""Double clicks and parallel staff actions, on PostgreSQL where row locks are real."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import MemberProfile, MembershipApplication, Referral
from accounts.services import application_approve, referral_create, referral_respond
from accounts.tests.factories import ApplicationFactory, PartnerContactFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(count: int, action) -> list:
    barrier = threading.Barrier(count)
    outcomes: list = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(action())
        except ValidationError as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_approving_one_application_twice_at_once_creates_one_member():
    application = ApplicationFactory(email="twice@example.org")
    officers = [UserFactory(groups=["Membership"]) for _ in range(2)]
    outcomes = run_together(
        2, lambda: application_approve(application=application, actor=officers[threading.get_ident() % 2])
    )
    assert sum(isinstance(o, MemberProfile) for o in outcomes) == 1
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    assert MemberProfile.objects.filter(user__email="twice@example.org").count() == 1
    assert MembershipApplication.objects.get(pk=application.pk).status == MembershipApplication.Status.APPROVED


def test_an_invitation_answered_twice_at_once_is_answered_once():
    referral = referral_create(contact=PartnerContactFactory(), email="race@example.org", note="")
    outcomes = run_together(4, lambda: referral_respond(referral=referral, accept=True))
    assert sum(isinstance(o, Referral) for o in outcomes) == 1
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.ACCEPTED
