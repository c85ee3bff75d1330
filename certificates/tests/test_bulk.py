import threading

import pytest
from django.db import connection

from certificates.models import BulkIssueJob, Certificate
from certificates.selectors import bulk_sources
from certificates.tasks import certificate_bulk_issue
from training.models import Enrolment
from training.tests.factories import enrol, make_cohort, make_course, make_learner


def completed_cohort(learners: int):
    cohort = make_cohort(make_course(modules=0, hours=3))
    for _ in range(learners):
        enrol(make_learner(), cohort, status=Enrolment.Status.COMPLETED)
    return cohort


@pytest.mark.django_db
def test_bulk_issuing_covers_everyone_who_qualifies_and_running_again_issues_nothing(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    cohort = completed_cohort(5)
    enrol(make_learner(), cohort, status=Enrolment.Status.ENROLLED)  # not completed: not qualifying
    key = f"training.cohort:{cohort.pk}"
    assert key in bulk_sources()
    job = BulkIssueJob.objects.create(source_key=key, source_label="x")
    assert certificate_bulk_issue.call(job_id=job.pk) == 5
    assert certificate_bulk_issue.call(job_id=job.pk) == 5
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("done", 5, 5, 100)
    assert Certificate.objects.count() == 5


@pytest.mark.django_db
def test_the_progress_page_and_status_feed(client, settings):
    from accounts.tests.factories import UserFactory, sign_in_with_second_factor

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    cohort = completed_cohort(2)
    sign_in_with_second_factor(client, UserFactory(groups=["Membership"]))
    response = client.post("/admin/certificates/bulk/", {"source": f"training.cohort:{cohort.pk}"})
    job = BulkIssueJob.objects.get()
    assert response["Location"] == f"/admin/certificates/bulk/{job.pk}/"
    assert client.get(response["Location"]).status_code == 200
    assert client.get(f"/admin/certificates/bulk/{job.pk}/status.json").json()["status"] == "queued"
    certificate_bulk_issue.call(job_id=job.pk)
    assert client.get(f"/admin/certificates/bulk/{job.pk}/status.json").json() == {
        "status": "done",
        "label": "Done",
        "done": 2,
        "total": 2,
        "percent": 100,
    }


@pytest.mark.django_db
def test_trainers_may_bulk_issue_only_for_their_own_cohorts(client, settings):
    from accounts.tests.factories import UserFactory, sign_in_with_second_factor

    trainer = UserFactory(groups=["Trainers"])
    mine, other = completed_cohort(1), completed_cohort(1)
    mine.trainers.add(trainer)
    sign_in_with_second_factor(client, trainer)
    html = client.get("/admin/certificates/bulk/").content.decode()
    assert f"training.cohort:{mine.pk}" in html and f"training.cohort:{other.pk}" not in html
    response = client.post("/admin/certificates/bulk/", {"source": f"training.cohort:{other.pk}"})
    assert response.status_code in (302, 403) and not BulkIssueJob.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_bulk_task_run_twice_at_once_for_200_learners_leaves_200_certificates(settings, wagtail_tree):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    cohort = completed_cohort(200)
    job = BulkIssueJob.objects.create(source_key=f"training.cohort:{cohort.pk}", source_label="x")
    errors = []

    def run():
        try:
            certificate_bulk_issue.call(job_id=job.pk)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Certificate.objects.count() == 200
    assert Certificate.objects.values("recipient").distinct().count() == 200
