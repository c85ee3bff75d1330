"""A bulk issue renders its certificates ten to a task (`certificate_render_batch`): each is
rendered, stored and emailed exactly as one `certificate_render` would, the reads and the commit
are shared by the batch, and a batch run again does nothing twice."""

import socket

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.delivery import BULK_CHUNK, RENDER_BATCH
from certificates.models import BulkIssueJob, Certificate
from certificates.rendering import certificate_context
from certificates.tasks import certificate_bulk_issue, certificate_render, certificate_render_batch
from training.models import Enrolment
from training.tests.factories import enrol, make_cohort, make_course, make_learner

pytestmark = pytest.mark.django_db

QUEUED = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def bulk_issued(django_capture_on_commit_callbacks):
    """Issue to a new cohort of `learners`, the renders queued (after each commit), not run."""

    def issue(learners: int) -> BulkIssueJob:
        cohort = make_cohort(make_course(modules=0, hours=3))
        for _ in range(learners):
            enrol(make_learner(), cohort, status=Enrolment.Status.COMPLETED)
        job = BulkIssueJob.objects.create(source_key=f"training.cohort:{cohort.pk}", source_label="x")
        with django_capture_on_commit_callbacks(execute=True):
            certificate_bulk_issue.call(job_id=job.pk)
        return job

    return issue


def _queued_batches() -> list[list[int]]:
    backend = certificate_render_batch.get_backend()
    return [
        result.kwargs["certificate_ids"] for result in backend.results if result.task.name == "certificate_render_batch"
    ]


def test_a_bulk_issue_queues_its_renders_ten_to_a_task_and_each_certificate_is_rendered_and_emailed_once(
    settings, bulk_issued
):
    settings.TASKS = QUEUED
    bulk_issued(BULK_CHUNK + 3)
    batches = _queued_batches()
    assert sorted(len(batch) for batch in batches) == sorted([RENDER_BATCH] * 3 + [3])
    assert sorted(pk for batch in batches for pk in batch) == sorted(Certificate.objects.values_list("pk", flat=True))
    # No single render was queued besides: a certificate is rendered by one task only.
    assert [
        result for result in certificate_render.get_backend().results if result.task.name == "certificate_render"
    ] == []

    mail.outbox.clear()
    for batch in batches:
        assert certificate_render_batch.call(certificate_ids=batch) == {"rendered": len(batch), "emailed": len(batch)}
    certificates = Certificate.objects.select_related("recipient")
    assert not certificates.filter(pdf_rendered_at__isnull=True).exists()
    assert not certificates.filter(emailed_at__isnull=True).exists()
    assert all(certificate.pdf.open("rb").read().startswith(b"%PDF") for certificate in certificates)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(c.recipient.email for c in certificates)
    assert all(message.attachments[0][0] == "certificate.pdf" for message in mail.outbox)

    # Run again (a worker lost after its commit): nothing is rendered or sent twice.
    mail.outbox.clear()
    assert certificate_render_batch.call(certificate_ids=batches[0]) == {"rendered": 0, "emailed": 0}
    assert mail.outbox == []


def test_running_the_bulk_issue_again_queues_no_render_for_the_certificates_it_finds(
    settings, bulk_issued, django_capture_on_commit_callbacks
):
    settings.TASKS = QUEUED
    job = bulk_issued(4)
    certificate_render_batch.get_backend().clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert certificate_bulk_issue.call(job_id=job.pk) == 4
    assert _queued_batches() == []
    assert Certificate.objects.count() == 4


def test_a_batch_reads_once_for_all_its_certificates(settings, bulk_issued):
    """The queries a batch makes grow with its size only by what each email needs (the
    discreet-mode check); reads, the record and the claims are one set of statements."""
    settings.TASKS = QUEUED
    bulk_issued(RENDER_BATCH + 2)
    big, small = sorted(_queued_batches(), key=len, reverse=True)
    certificate_context(Certificate.objects.first())  # the organisation's name, cached until settings change
    counts = {}
    for batch in (small, big):
        with CaptureQueriesContext(connection) as queries:
            certificate_render_batch.call(certificate_ids=batch)
        counts[len(batch)] = len(queries)
    per_certificate = (counts[len(big)] - counts[len(small)]) / (len(big) - len(small))
    assert per_certificate == 1, counts


def test_an_inactive_holder_gets_the_pdf_stored_and_no_email(settings, bulk_issued):
    settings.TASKS = QUEUED
    bulk_issued(2)
    (batch,) = _queued_batches()
    gone = Certificate.objects.get(pk=batch[0]).recipient
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    mail.outbox.clear()
    assert certificate_render_batch.call(certificate_ids=batch) == {"rendered": 2, "emailed": 1}
    assert Certificate.objects.get(pk=batch[0]).emailed_at is None
    assert [message.to for message in mail.outbox] == [[Certificate.objects.get(pk=batch[1]).recipient.email]]


def test_emails_that_cannot_be_sent_give_their_claims_back_and_the_pdfs_stay_recorded(settings, bulk_issued):
    """The mail server refuses connections (nothing listens on its port): every email fails,
    each claim is given back (a later run sends them), the PDFs are recorded, the task fails."""
    settings.TASKS = QUEUED
    bulk_issued(3)
    (batch,) = _queued_batches()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    with pytest.raises(ConnectionRefusedError):
        certificate_render_batch.call(certificate_ids=batch)
    certificates = Certificate.objects.filter(pk__in=batch)
    assert not certificates.filter(pdf_rendered_at__isnull=True).exists()
    assert not certificates.filter(emailed_at__isnull=False).exists()

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox.clear()
    assert certificate_render_batch.call(certificate_ids=batch) == {"rendered": 0, "emailed": 3}
    assert len(mail.outbox) == 3
