"""Certificates' slow work, each run by the task of the same name in `certificates.tasks`:
rendering and emailing a PDF, telling a holder of a revocation, bulk issuing. Also where staff
start a bulk run (queued after the commit)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from certificates.models import BulkIssueJob, Certificate
from certificates.rendering import certificate_context, render_certificate, verify_url
from certificates.selectors import bulk_sources
from certificates.services import certificates_issue_many
from core.email import email_send
from core.i18n import supported
from core.locking import for_update
from core.tasks import enqueue_on_commit, requeue_after

logger = logging.getLogger(__name__)


# A PDF the storage could not take (object storage unreachable) is rendered again this much later,
# this many times at most; the failed run itself is marked failed, with the storage's error logged.
RENDER_RETRY_DELAY = timedelta(minutes=2)
RENDER_RETRIES = 5


def _holder_language(certificate: Certificate) -> str:
    """The holder's preferred language, as core.i18n.language_of(holder) answers, read from
    the profile the certificate was loaded with (select_related): no query per certificate."""
    profile = getattr(certificate.recipient, "member_profile", None)
    return supported(getattr(profile, "preferred_language", None)) or settings.LANGUAGE_CODE


def _render_and_upload(certificate: Certificate, *, send_email: bool, attempt: int) -> bytes:
    """The PDF, rendered and written to the storage (`certificate.pdf` names it; the row is
    not changed here)."""
    with translation.override(_holder_language(certificate)):  # our words, the date and its month
        pdf = render_certificate(certificate_context(certificate))
    try:
        certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(pdf), save=False)
    except Exception:
        # Nothing was recorded: the row keeps no file name and is rendered again by the retry.
        retry = attempt < RENDER_RETRIES
        logger.exception(
            "certificate %s: storing the PDF failed (attempt %s of %s)%s",
            certificate.pk,
            attempt + 1,
            RENDER_RETRIES + 1,
            f"; trying again in {RENDER_RETRY_DELAY}" if retry else "; giving up: run certificate_render again",
        )
        if retry:
            from certificates.tasks import certificate_render  # certificates.tasks imports this module

            requeue_after(
                certificate_render,
                RENDER_RETRY_DELAY,
                certificate_id=certificate.pk,
                send_email=send_email,
                attempt=attempt + 1,
            )
        raise
    return pdf


def _email_claim(certificate: Certificate, now) -> bool:
    """Claim the holder's email (set `emailed_at`, only if nobody has): False when claimed already."""
    return bool(Certificate.objects.filter(pk=certificate.pk, emailed_at__isnull=True).update(emailed_at=now))


def certificate_render(*, certificate_id: int, send_email: bool = True, attempt: int = 0) -> str:
    """Render and store the PDF, then email it to the holder once (discreet mode is applied
    by the email helper). Idempotent, and safe to run again after a worker died anywhere in it:
    a rendered certificate is not rendered again, and the email is claimed by setting
    `emailed_at` in one UPDATE (a second run, or one at the same moment, claims nothing; the
    claim is given back if sending fails). The PDF is recorded and the email claimed in one
    transaction, so a run that died before that commit leaves both to the next run, and one
    that finds a recorded PDF with no claim (rendered earlier without its email) sends it. A
    PDF the storage refuses is tried again later (`attempt` counts the tries: see
    RENDER_RETRIES).

    Runs once per certificate of a bulk issue, so it reads what it needs in one query (the
    template, the holder and the certificate this one replaces, if any), commits once, and
    emails the PDF it has just made rather than reading it back from the storage."""
    certificate = (
        Certificate.objects.select_related("template", "recipient__member_profile", "replaces")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None:
        return "skipped"
    rendered = certificate.pdf_rendered_at is None
    sending = send_email and certificate.recipient.is_active
    now = timezone.now()
    if rendered:
        pdf = _render_and_upload(certificate, send_email=send_email, attempt=attempt)
        certificate.pdf_rendered_at = now
        # The PDF recorded and the email claimed in one commit (one flush to disk, not two). A
        # worker that dies before the commit leaves neither (its server session rolls back, even
        # for a statement still waiting on a lock), so the next run renders and sends.
        with transaction.atomic():
            Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name, pdf_rendered_at=now)
            claimed = sending and _email_claim(certificate, now)
    else:
        pdf = None
        claimed = sending and bool(certificate.pdf) and _email_claim(certificate, now)
    if not claimed:
        return "rendered" if rendered else "skipped"
    _email_claimed_send(certificate, pdf, now)
    return "rendered"


def _email_claimed_send(certificate: Certificate, pdf: bytes | None, claimed_at) -> None:
    """Email the holder their certificate, whose email this run claimed at `claimed_at`; the
    claim is given back if sending fails. `pdf` None: read from the storage (rendered by an
    earlier run)."""
    try:
        if pdf is None:
            with certificate.pdf.open("rb") as handle:
                pdf = handle.read()
        try:
            replaces = certificate.replaces
        except Certificate.DoesNotExist:
            replaces = None
        email_send(
            to=[certificate.recipient.email],
            subject=format_lazy(
                gettext_lazy("Your new certificate: {title}")
                if replaces
                else gettext_lazy("Your certificate: {title}"),
                title=certificate.title,
            ),
            template="certificate_issued",
            context={"certificate": certificate, "verify_url": verify_url(certificate), "replaces": replaces},
            attachments=[("certificate.pdf", pdf, "application/pdf")],
        )
    except Exception:
        Certificate.objects.filter(pk=certificate.pk, emailed_at=claimed_at).update(emailed_at=None)
        raise


# Certificates a bulk issue renders per task. Besides the PDF itself (about 20 ms of a worker),
# each render task costs its worker about 6 ms of Django and nine round trips to the database
# (claim, reads, commit, result), two thirds of which are the same for one certificate or ten:
# a third of the PDF's own cost, paid once per ten certificates here.
RENDER_BATCH = 10


def certificate_render_batch(*, certificate_ids: list[int]) -> dict[str, int]:
    """`certificate_render` for several certificates at once (a bulk issue queues its renders
    RENDER_BATCH to a task): read in one query, each PDF rendered and stored, all recorded and
    their emails claimed in one commit, then each emailed. Idempotent and safe to run again, as
    `certificate_render` is: a recorded PDF is not rendered again, a claimed email is not sent
    again, and a worker that dies before the commit leaves the whole batch to the next run. A
    PDF the storage refuses gets a `certificate_render` retry of its own (RENDER_RETRY_DELAY
    later); an email that fails gives its claim back. Either way the others go ahead, and the
    task then fails with the first error."""
    certificates = list(
        Certificate.objects.select_related("template", "recipient__member_profile", "replaces")
        .filter(pk__in=certificate_ids)
        .order_by("pk")
    )
    prefetch_related_objects([c.template for c in certificates if c.template is not None], "signatories")
    pdfs: dict[int, bytes] = {}
    errors: list[Exception] = []
    for certificate in certificates:
        if certificate.pdf_rendered_at is None:
            try:
                pdfs[certificate.pk] = _render_and_upload(certificate, send_email=True, attempt=0)
            except Exception as error:  # noqa: BLE001 (logged, and a retry of this one queued, by _render_and_upload)
                errors.append(error)
    now = timezone.now()
    recorded = [certificate for certificate in certificates if certificate.pk in pdfs]
    for certificate in recorded:
        certificate.pdf_rendered_at = now
    sending = [
        certificate.pk
        for certificate in certificates
        if certificate.recipient.is_active
        and (certificate.pk in pdfs or (certificate.pdf_rendered_at and certificate.pdf))
    ]
    with transaction.atomic():
        if recorded:
            Certificate.objects.bulk_update(recorded, ["pdf", "pdf_rendered_at"])
        claimed = set()
        if sending:
            # Locked, so that no other run claims one of them between this read and the UPDATE.
            unclaimed = for_update(Certificate.objects.filter(pk__in=sending, emailed_at__isnull=True))
            claimed = set(unclaimed.values_list("pk", flat=True))
            Certificate.objects.filter(pk__in=claimed).update(emailed_at=now)
    for certificate in certificates:
        if certificate.pk in claimed:
            try:
                _email_claimed_send(certificate, pdfs.get(certificate.pk), now)
            except Exception as error:  # noqa: BLE001 (the claim is given back; the task fails below)
                logger.warning("certificate %s: the email failed (%s)", certificate.pk, type(error).__name__)
                errors.append(error)
    if errors:
        raise errors[0]
    return {"rendered": len(recorded), "emailed": len(claimed)}


def certificate_revoked_send(*, certificate_id: int) -> str:
    """Tell the holder their certificate was revoked, and why (discreet mode is applied by
    the email helper). Sends nothing for a live certificate or an inactive account."""
    certificate = Certificate.objects.select_related("recipient").filter(pk=certificate_id).first()
    if certificate is None or certificate.revoked_at is None or not certificate.recipient.is_active:
        return "skipped"
    email_send(
        to=[certificate.recipient.email],
        subject=format_lazy(gettext_lazy("Your certificate was withdrawn: {title}"), title=certificate.title),
        template="certificate_revoked",
        context={"certificate": certificate, "verify_url": verify_url(certificate)},
    )
    return "sent"


@transaction.atomic
def certificate_bulk_start(*, source_key: str, source_label: str, actor) -> BulkIssueJob:
    """Record a bulk run for a source and queue it after the commit (the caller has checked
    the actor may issue for it). Issues nothing itself."""
    job = BulkIssueJob.objects.create(source_key=source_key, source_label=source_label, created_by=actor)
    _queue_bulk(job)
    return job


def certificate_bulk_resume(*, job: BulkIssueJob) -> None:
    """Queue a bulk run again (after a crashed worker, say): nothing is issued twice."""
    with transaction.atomic():
        _queue_bulk(job)


def _queue_bulk(job: BulkIssueJob) -> None:
    from certificates.tasks import certificate_bulk_issue  # certificates.tasks imports this module

    enqueue_on_commit(certificate_bulk_issue, job_id=job.pk)


# Certificates a bulk issue writes per transaction: one commit (a disk flush on PostgreSQL,
# about 2 ms) per certificate and another for the progress cost a 1,000-certificate issue about
# 4 s of one worker; per 30 they cost nothing to speak of, the progress bar still moves every
# few tenths of a second, and the workers start rendering after the first 30.
BULK_CHUNK = 30


def certificate_bulk_issue(*, job_id: int) -> int:
    """Issue to everyone who qualifies for the job's source, BULK_CHUNK certificates (and the
    progress) per transaction (`certificates_issue_many`: a few statements per chunk); the
    certificates it makes are rendered RENDER_BATCH to a task (`certificate_render_batch`,
    queued in the same transaction). Safe to run twice at once or after a crash: issuing is
    idempotent (a second run waits on the first's uncommitted certificates, then finds them
    and queues no render for them), and progress is recounted, not added."""
    from certificates.tasks import certificate_render_batch as render_batch  # certificates.tasks imports this module

    job = BulkIssueJob.objects.get(pk=job_id)
    source = bulk_sources().get(job.source_key)
    if source is None:
        logger.warning("bulk issue %s: unknown source", job_id)
        return 0
    qualifying = list(source["qualifying"]())
    BulkIssueJob.objects.filter(pk=job_id).update(status=BulkIssueJob.Status.RUNNING, total=len(qualifying))
    for start in range(0, len(qualifying), BULK_CHUNK):
        chunk = qualifying[start : start + BULK_CHUNK]
        with transaction.atomic():
            made = [certificate.pk for certificate in certificates_issue_many(chunk, actor=job.created_by)]
            for first in range(0, len(made), RENDER_BATCH):
                enqueue_on_commit(render_batch, certificate_ids=made[first : first + RENDER_BATCH])
            done = start + len(chunk)
            BulkIssueJob.objects.filter(pk=job_id, done__lt=done).update(done=done)
    BulkIssueJob.objects.filter(pk=job_id).update(status=BulkIssueJob.Status.DONE, finished_at=timezone.now())
    return len(qualifying)
