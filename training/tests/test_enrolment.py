from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from training.models import Enrolment, EnrolmentMode
from training.services import enrolment_apply, enrolment_approve, enrolment_create, enrolment_withdraw
from training.tests.factories import enrol, make_cohort, make_course, make_learner

pytestmark = pytest.mark.django_db


def assert_refused(message: str, action) -> None:
    before = list(Enrolment.objects.values_list("pk", "status"))
    with pytest.raises(ValidationError) as error:
        action()
    assert message in error.value.messages[0]
    assert list(Enrolment.objects.values_list("pk", "status")) == before


def test_a_member_enrols_and_is_emailed(django_capture_on_commit_callbacks):
    cohort = make_cohort(make_course())
    learner = make_learner()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrolment_create(user=learner, cohort=cohort)
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert mail.outbox[-1].to == [learner.email]


def test_the_enrolment_email_is_a_queued_task_not_sent_in_the_request(django_capture_on_commit_callbacks, settings):
    """A slow or failing mail server never fails the learner's enrolment: the worker sends it."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    cohort = make_cohort(make_course())
    learner = make_learner()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrolment_create(user=learner, cohort=cohort)
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.ENROLLED
    assert mail.outbox == []
    queued = DBTaskResult.objects.get(task_path="training.tasks.enrolment_email_send")
    assert queued.args_kwargs["kwargs"] == {"enrolment_id": enrolment.pk, "kind": "enrolled"}


def test_enrolling_twice_is_refused_clearly():
    cohort = make_cohort(make_course())
    learner = make_learner()
    enrolment_create(user=learner, cohort=cohort)
    assert_refused("already enrolled", lambda: enrolment_create(user=learner, cohort=cohort))


def test_enrolling_after_enrolment_closed_is_refused():
    cohort = make_cohort(make_course(), enrolment_closes_at=timezone.now() - timedelta(minutes=1))
    assert_refused("has closed", lambda: enrolment_create(user=make_learner(), cohort=cohort))


def test_enrolling_without_the_prerequisite_is_refused():
    first = make_course(title="Foundations")
    second = make_course(title="Advanced")
    second.prerequisites.add(first)
    second.save()
    cohort = make_cohort(second)
    learner = make_learner()
    assert_refused("Complete Foundations first", lambda: enrolment_create(user=learner, cohort=cohort))
    enrol(learner, make_cohort(first), status=Enrolment.Status.COMPLETED)
    assert enrolment_create(user=learner, cohort=cohort).status == Enrolment.Status.ENROLLED


def test_a_full_cohort_refuses_enrolment_but_offers_the_waiting_list():
    cohort = make_cohort(make_course(), capacity=1)
    enrolment_create(user=make_learner(), cohort=cohort)
    late = make_learner()
    assert_refused("is full", lambda: enrolment_create(user=late, cohort=cohort))
    assert enrolment_create(user=late, cohort=cohort, join_waitlist=True).status == Enrolment.Status.WAITLISTED


def test_non_members_cannot_enrol():
    from accounts.tests.factories import UserFactory

    assert_refused(
        "Apply to join first", lambda: enrolment_create(user=UserFactory(), cohort=make_cohort(make_course()))
    )


def test_withdrawing_gives_the_place_to_the_next_person_waiting(django_capture_on_commit_callbacks):
    cohort = make_cohort(make_course(), capacity=1)
    first = enrolment_create(user=make_learner(), cohort=cohort)
    waiting = [enrolment_create(user=make_learner(), cohort=cohort, join_waitlist=True) for _ in range(2)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_withdraw(enrolment=first, actor=first.user)
    statuses = [Enrolment.objects.get(pk=e.pk).status for e in waiting]
    assert statuses == [Enrolment.Status.ENROLLED, Enrolment.Status.WAITLISTED]
    assert mail.outbox[-1].to == [waiting[0].user.email]
    assert "A place" in mail.outbox[-1].subject


def test_courses_by_application_wait_for_staff():
    cohort = make_cohort(make_course(enrolment_mode=EnrolmentMode.APPLICATION), capacity=1)
    learner = make_learner()
    assert_refused("takes applications", lambda: enrolment_create(user=learner, cohort=cohort))
    application = enrolment_apply(user=learner, cohort=cohort)
    assert application.status == Enrolment.Status.APPLIED
    assert enrolment_approve(enrolment=application, actor=None).status == Enrolment.Status.ENROLLED


def test_enrol_view_shows_the_reason_and_keeps_the_learner_on_the_course_page(client):
    cohort = make_cohort(make_course(), capacity=0)
    learner = make_learner()
    client.force_login(learner)
    response = client.post(f"/training/cohorts/{cohort.pk}/enrol/", {"action": "enrol"}, follow=True)
    assert "This course run is full" in response.content.decode()
    assert Enrolment.objects.count() == 0
    response = client.post(f"/training/cohorts/{cohort.pk}/enrol/", {"action": "waitlist"}, follow=True)
    assert "You are on the waiting list" in response.content.decode()
