"""Event attendance certificates: Event staff issue them in bulk to the people checked in."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory, sign_in_with_second_factor
from certificates.models import BulkIssueJob, Certificate
from events.models import EventDate, Registration
from events.tests.factories import RegistrationFactory, make_event

pytestmark = pytest.mark.django_db
Status = Registration.Status


def test_everyone_checked_in_with_an_account_gets_an_attendance_certificate_once(
    client, settings, django_capture_on_commit_callbacks
):
    start = timezone.now() - timedelta(days=2)
    event = make_event(title="Speaking up", starts_at=start, ends_at=start + timedelta(hours=3))
    EventDate.objects.create(
        event=event, starts_at=start + timedelta(days=1), ends_at=start + timedelta(days=1, hours=3)
    )
    attended = [UserFactory() for _ in range(2)]
    for user in attended:
        RegistrationFactory(event=event, user=user, status=Status.CHECKED_IN, checked_in_at=start)
    RegistrationFactory(event=event, user=UserFactory(), status=Status.CONFIRMED)  # booked, never came
    RegistrationFactory(event=event, user=None, status=Status.CHECKED_IN)  # a guest without an account
    staff = UserFactory(groups=["Event staff"])
    sign_in_with_second_factor(client, staff)
    key = f"events.event:{event.pk}"

    for _ in range(2):  # running it again issues nothing twice
        with django_capture_on_commit_callbacks(execute=True):  # bulk issuing is queued on commit
            response = client.post("/admin/certificates/bulk/", {"source": key})
        assert response.status_code == 302
    certificates = Certificate.objects.filter(kind=Certificate.Kind.EVENT)
    assert sorted(c.recipient_id for c in certificates) == sorted(u.pk for u in attended)
    assert {(c.title, c.hours) for c in certificates} == {("Speaking up", Decimal(6))}
    assert BulkIssueJob.objects.filter(source_key=key, status=BulkIssueJob.Status.DONE).count() == 2


def test_trainers_cannot_issue_event_attendance_certificates(client):
    start = timezone.now() - timedelta(days=1)
    event = make_event(starts_at=start, ends_at=start + timedelta(hours=2))
    RegistrationFactory(event=event, user=UserFactory(), status=Status.CHECKED_IN, checked_in_at=start)
    trainer = UserFactory(groups=["Trainers"])
    sign_in_with_second_factor(client, trainer)
    response = client.post("/admin/certificates/bulk/", {"source": f"events.event:{event.pk}"})
    # Wagtail answers a refused admin request by sending the user back to the dashboard.
    assert (response.status_code, response.url) == (302, "/admin/")
    assert not BulkIssueJob.objects.exists()
    assert not Certificate.objects.exists()
