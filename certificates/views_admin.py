"""Staff pages: template preview, and bulk issuing with a progress bar."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.roles import EDITORS, EVENT_STAFF, MEMBERSHIP, TRAINERS, has_role
from certificates.models import BulkIssueJob, Certificate, CertificateTemplate
from certificates.tasks import bulk_sources, certificate_bulk_issue, certificate_context

SAMPLE_CODE = "SAMP-LE00-0000-0000"


def _sample_certificate(template: CertificateTemplate) -> Certificate:
    return Certificate(
        title="Foundations of survivor leadership",
        awarded_on=date(2027, 3, 3),
        hours=Decimal("12"),
        template=template,
        name_printed="Sample Name",
        code=SAMPLE_CODE,
        kind=Certificate.Kind.COURSE,
    )


def template_preview(request, pk: int):
    if not has_role(request.user, EDITORS, MEMBERSHIP):
        raise PermissionDenied
    template = get_object_or_404(CertificateTemplate, pk=pk)
    return render(request, "certificates_admin/preview.html", {"template": template})


def template_preview_pdf(request, pk: int):
    if not has_role(request.user, EDITORS, MEMBERSHIP):
        raise PermissionDenied
    from certificates.rendering import render_certificate

    template = get_object_or_404(CertificateTemplate, pk=pk)
    pdf = render_certificate(certificate_context(_sample_certificate(template)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sample-{template.pk}.pdf"'
    return response


def _may_bulk_issue(user, source: dict | None) -> bool:
    """Membership may issue for any source (even one that no longer exists); others only
    for a source that names their role, or a cohort they train."""
    if has_role(user, MEMBERSHIP):
        return True
    if source and source.get("roles") and has_role(user, *source["roles"]):
        return True
    return bool(source and has_role(user, TRAINERS) and user.pk in source.get("trainer_ids", ()))


def bulk_start(request):
    if not has_role(request.user, MEMBERSHIP, TRAINERS, EVENT_STAFF):
        raise PermissionDenied
    sources = {key: s for key, s in bulk_sources().items() if _may_bulk_issue(request.user, s)}
    if request.method == "POST":
        key = request.POST.get("source", "")
        if key not in sources:
            raise PermissionDenied
        job = BulkIssueJob.objects.create(source_key=key, source_label=sources[key]["label"], created_by=request.user)
        certificate_bulk_issue.enqueue(job_id=job.pk)
        return redirect("certificates_admin:bulk_job", pk=job.pk)
    jobs = BulkIssueJob.objects.order_by("-created_at")[:20]
    return render(request, "certificates_admin/bulk_start.html", {"sources": sources, "jobs": jobs})


def _job_for(request, pk: int) -> BulkIssueJob:
    job = get_object_or_404(BulkIssueJob, pk=pk)
    if has_role(request.user, MEMBERSHIP):  # may see every job: no need to build the sources
        return job
    if not _may_bulk_issue(request.user, bulk_sources().get(job.source_key)):
        raise PermissionDenied
    return job


def bulk_job(request, pk: int):
    job = _job_for(request, pk)
    return render(
        request,
        "certificates_admin/bulk_job.html",
        {"job": job, "status_url": reverse("certificates_admin:bulk_status", args=[job.pk])},
    )


def bulk_status(request, pk: int):
    job = _job_for(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
        }
    )


@require_POST
def bulk_resume(request, pk: int):
    """Run the job again (after a crashed worker, say): nothing is issued twice."""
    job = _job_for(request, pk)
    certificate_bulk_issue.enqueue(job_id=job.pk)
    return redirect("certificates_admin:bulk_job", pk=job.pk)
