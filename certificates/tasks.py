"""Background work for certificates: rendering and emailing PDFs, bulk issuing."""

import logging
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from wagtail import hooks

from certificates.models import BulkIssueJob, Certificate
from certificates.placeholders import fill_placeholders
from core.email import email_send
from core.hooks import CERTIFICATE_SOURCES_HOOK
from core.links import absolute_url

logger = logging.getLogger(__name__)


def verify_url(certificate: Certificate) -> str:
    return absolute_url("certificates:verify_code", certificate.code)


def certificate_context(certificate: Certificate) -> dict:
    """Plain values for the certificate template, read from the row (copied at issue time)."""
    from cms.models import organisation_name
    from core.pdf import image_data_url

    template = certificate.template
    organisation = organisation_name()
    name = certificate.name_printed
    awarded = f"{certificate.awarded_on:%-d %B %Y}"
    hours = f"{Decimal(certificate.hours).normalize():f}"
    body_text = (
        template.body if template else "This is to certify that {name} completed {course} on {date} ({hours} hours)."
    )
    return {
        "language": template.language if template else "en-GB",
        "title": template.title if template else "Certificate of completion",
        "orientation": template.orientation if template else "landscape",
        "accent": template.accent_colour if template else "#5b2a86",
        "logo": image_data_url(template.logo) if template else "",
        "organisation": organisation,
        "name": name,
        "body": fill_placeholders(
            body_text, {"name": name or "the holder", "course": certificate.title, "date": awarded, "hours": hours}
        ),
        "signatories": [
            {"name": s.name, "role": s.role, "image": image_data_url(s.signature, "max-400x120")}
            for s in (template.signatories.all() if template else [])
        ],
        "verify_url": verify_url(certificate),
        "verify_host": settings.SITE_URL.split("://", 1)[-1].rstrip("/") + "/verify",
        "code": certificate.code,
    }


def render_and_store(certificate: Certificate) -> None:
    from certificates.rendering import render_certificate

    pdf = render_certificate(certificate_context(certificate))
    certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(pdf), save=False)
    certificate.pdf_rendered_at = timezone.now()
    Certificate.objects.filter(pk=certificate.pk).update(
        pdf=certificate.pdf.name, pdf_rendered_at=certificate.pdf_rendered_at
    )


@task
def certificate_render(*, certificate_id: int, send_email: bool = True) -> str:
    """Render and store the PDF, then email it to the holder once (discreet mode is applied
    by the email helper). Idempotent, and safe to run again after a worker died anywhere in it:
    a rendered certificate is not rendered again, and the email is claimed by setting
    `emailed_at` in one UPDATE (a second run, or one at the same moment, claims nothing; the
    claim is given back if sending fails), so a run that stored the PDF but died before the
    email is finished by the next."""
    certificate = Certificate.objects.select_related("template", "recipient").filter(pk=certificate_id).first()
    if certificate is None:
        return "skipped"
    rendered = certificate.pdf_rendered_at is None
    if rendered:
        render_and_store(certificate)
    if not (send_email and certificate.recipient.is_active and certificate.pdf):
        return "rendered" if rendered else "skipped"
    now = timezone.now()
    if not Certificate.objects.filter(pk=certificate.pk, emailed_at__isnull=True).update(emailed_at=now):
        return "rendered" if rendered else "skipped"
    try:
        with certificate.pdf.open("rb") as handle:
            pdf = handle.read()
        replaces = Certificate.objects.filter(replaced_by=certificate).first()
        email_send(
            to=[certificate.recipient.email],
            subject=f"Your {'new ' if replaces else ''}certificate: {certificate.title}",
            template="certificate_issued",
            context={"certificate": certificate, "verify_url": verify_url(certificate), "replaces": replaces},
            attachments=[("certificate.pdf", pdf, "application/pdf")],
        )
    except Exception:
        Certificate.objects.filter(pk=certificate.pk, emailed_at=now).update(emailed_at=None)
        raise
    return "rendered"


@task
def certificate_revoked_email(*, certificate_id: int) -> str:
    """Tell the holder their certificate was revoked, and why (discreet mode is applied by
    the email helper). Sends nothing for a live certificate or an inactive account."""
    certificate = Certificate.objects.select_related("recipient").filter(pk=certificate_id).first()
    if certificate is None or certificate.revoked_at is None or not certificate.recipient.is_active:
        return "skipped"
    email_send(
        to=[certificate.recipient.email],
        subject=f"Your certificate was withdrawn: {certificate.title}",
        template="certificate_revoked",
        context={"certificate": certificate, "verify_url": verify_url(certificate)},
    )
    return "sent"


def bulk_sources() -> dict[str, dict]:
    """What staff can bulk-issue for, from the apps that hold achievements (training,
    events): {key: {"label", "qualifying": callable returning issue kwargs}}."""
    sources: dict[str, dict] = {}
    for provider in hooks.get_hooks(CERTIFICATE_SOURCES_HOOK):
        sources.update(provider())
    return sources


@task
def certificate_bulk_issue(*, job_id: int) -> int:
    """Issue to everyone who qualifies for the job's source. Safe to run twice at once or
    after a crash: `certificate_issue` is idempotent, and progress is recounted, not added."""
    from certificates.services import certificate_issue

    job = BulkIssueJob.objects.get(pk=job_id)
    source = bulk_sources().get(job.source_key)
    if source is None:
        logger.warning("bulk issue %s: unknown source", job_id)
        return 0
    qualifying = list(source["qualifying"]())
    BulkIssueJob.objects.filter(pk=job_id).update(status=BulkIssueJob.Status.RUNNING, total=len(qualifying))
    for number, issue_kwargs in enumerate(qualifying, start=1):
        with transaction.atomic():
            certificate_issue(actor=job.created_by, **issue_kwargs)
        BulkIssueJob.objects.filter(pk=job_id, done__lt=number).update(done=number)
    BulkIssueJob.objects.filter(pk=job_id).update(status=BulkIssueJob.Status.DONE, finished_at=timezone.now())
    return len(qualifying)
