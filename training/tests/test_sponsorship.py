"""Sponsored places on a course: gifts earmarked for it (payments counts them) are kept by
training, shown on the course page and to the course's trainers, and a refund takes them back."""

import pytest

from payments.models import Payment
from payments.services import DonationChoice, order_create, order_pay, refund_create
from payments.tests.helpers import set_up_card
from training.models import CourseSponsoredPlaces
from training.services import course_sponsored_places_set
from training.tests.factories import enrol, make_cohort, make_course, make_learner, make_trainer

pytestmark = pytest.mark.django_db


def give(course, amount_minor: int, capture):
    order = order_create(
        email="giver@example.org",
        donation=DonationChoice(amount_minor=amount_minor, earmark="funded_places", sponsored_page_id=course.pk),
    )
    with capture(execute=True):
        assert order_pay(order=order, setup_intent_id=set_up_card(order)).status == "succeeded"
    return order


def test_gifts_for_a_course_become_its_sponsored_places_and_a_refund_takes_them_back(
    localstripe, client, django_capture_on_commit_callbacks
):
    course = make_course(title="Speaking up", modules=1, price_minor=4000)
    page = client.get(course.url).content.decode()
    assert "Price: £40.00" in page and "Supporters have funded" not in page
    order = give(course, 9000, django_capture_on_commit_callbacks)  # two places at 40.00, 10.00 over
    give(course, 3000, django_capture_on_commit_callbacks)  # with the 10.00 left over, a third place
    assert CourseSponsoredPlaces.objects.get(course=course).places == 3
    page = client.get(course.url).content.decode()
    assert "Supporters have funded 3 places on this course" in page
    assert "giver@example.org" not in page
    with django_capture_on_commit_callbacks(execute=True):
        refund_create(payment=Payment.objects.get(order=order), reason="Donor asked", actor=None, request_token="t1")
    assert CourseSponsoredPlaces.objects.get(course=course).places == 0
    assert "Supporters have funded" not in client.get(course.url).content.decode()


def test_setting_the_count_is_absolute_and_audited_once(django_capture_on_commit_callbacks):
    from core.models import AuditEvent

    course = make_course(modules=1)
    for _ in range(3):
        assert course_sponsored_places_set(course=course, places=2) == 2
    assert CourseSponsoredPlaces.objects.get(course=course).places == 2
    assert AuditEvent.objects.filter(action="course.sponsored_places").count() == 1
    course_sponsored_places_set(course=course, places=-4)
    assert CourseSponsoredPlaces.objects.get(course=course).places == 0


def test_the_course_trainers_see_the_sponsored_places_on_the_cohort_page(client):
    from accounts.tests.factories import sign_in_with_second_factor

    trainer = make_trainer()
    course = make_course(modules=1)
    cohort = make_cohort(course, trainers=[trainer])
    enrol(make_learner(), cohort)
    course_sponsored_places_set(course=course, places=4)
    sign_in_with_second_factor(client, trainer)
    page = client.get(f"/admin/training/cohorts/{cohort.pk}/").content.decode()
    assert "Donors have funded 4 places on this course" in page
