"""Staff pages: template preview, bulk issuing with a progress bar, and one certificate
found by its code, to revoke or reissue with a reason."""

from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks

from accounts.roles import EDITORS, EVENT_STAFF, MEMBERSHIP, TRAINERS, has_role
from certificates.delivery import certificate_bulk_resume, certificate_bulk_start
from certificates.models import BulkIssueJob, Certificate, CertificateTemplate
from certificates.rendering import certificate_context, render_certificate
from certificates.selectors import bulk_sources
from certificates.services import REASON_MAX_LENGTH, REASON_REQUIRED, certificate_reissue, certificate_revoke
from core.codes import normalise_code
from core.hooks import CERTIFICATE_MANAGERS_HOOK

SAMPLE_CODE = "SAMP-LE00-0000-0000"


def _sample_certificate(template: CertificateTemplate) -> Certificate:
    return Certificate(
        title=_("Foundations of survivor leadership"),
        awarded_on=date(2027, 3, 3),
        hours=Decimal("12"),
        template=template,
        name_printed=_("Sample Name"),
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
        job = certificate_bulk_start(source_key=key, source_label=sources[key]["label"], actor=request.user)
        return redirect("certificates_admin:bulk_job", pk=job.pk)
    jobs = BulkIssueJob.objects.order_by("-created_at")
    if not has_role(request.user, MEMBERSHIP):  # only runs this person may open
        jobs = jobs.filter(source_key__in=sources)
    jobs = jobs[:20]
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
    certificate_bulk_resume(job=job)
    return redirect("certificates_admin:bulk_job", pk=job.pk)


# One certificate: find, revoke, reissue ----------------------------------------------------


class CertificateFindForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Certificate code"),
        max_length=40,
        help_text=gettext_lazy(
            "As printed under the QR code, for example 7K3M-Q9RT-2XWD-H4NB. Spaces and case do not matter."
        ),
    )


class CertificateChangeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kept with the certificate and sent to the holder in the email that tells them."),
        error_messages={"required": REASON_REQUIRED},
    )


def _may_manage(user, certificate: Certificate) -> bool:
    """Membership (and superusers) manage every certificate; a trainer only those their
    own learners hold, as the app that issued it answers (`thrive_certificate_managers`)."""
    if has_role(user, MEMBERSHIP):
        return True
    if not has_role(user, TRAINERS):
        return False
    answers = hooks.get_hooks(CERTIFICATE_MANAGERS_HOOK)
    return any(user.pk in (answer(certificate.source_key) or ()) for answer in answers)


def _certificate_for(request, pk: int) -> Certificate:
    if not has_role(request.user, MEMBERSHIP, TRAINERS):
        raise PermissionDenied
    certificate = get_object_or_404(
        Certificate.objects.select_related("recipient__member_profile", "replaced_by", "revoked_by"), pk=pk
    )
    if not _may_manage(request.user, certificate):
        raise Http404("No such certificate for you.")
    return certificate


def certificate_find(request):
    """Find a certificate by its code. Says the same thing for an unknown code and for one
    this person may not manage, so it reveals nothing."""
    if not has_role(request.user, MEMBERSHIP, TRAINERS):
        raise PermissionDenied
    form = CertificateFindForm(request.GET or None)
    if form.is_valid():
        code = normalise_code(form.cleaned_data["code"])
        certificate = Certificate.objects.filter(code=code).first()
        if certificate is not None and _may_manage(request.user, certificate):
            return redirect("certificates_admin:certificate", pk=certificate.pk)
        form.add_error(
            "code", _("No certificate %(code)s that you can manage. Check the code and try again.") % {"code": code}
        )
    # Membership manages every certificate, so sees the latest; a trainer finds theirs by code.
    recent = Certificate.objects.all()[:20] if has_role(request.user, MEMBERSHIP) else []
    return render(request, "certificates_admin/certificate_find.html", {"form": form, "recent": recent})


def _detail(request, certificate: Certificate, *, status: int = 200, **forms_given):
    profile = getattr(certificate.recipient, "member_profile", None)
    return render(
        request,
        "certificates_admin/certificate_detail.html",
        {
            "certificate": certificate,
            "replaces": Certificate.objects.filter(replaced_by=certificate).first(),
            "holder": profile.display_name if profile is not None else "",
            "revoke_form": forms_given.get("revoke") or CertificateChangeForm(prefix="revoke"),
            "reissue_form": forms_given.get("reissue") or CertificateChangeForm(prefix="reissue"),
        },
        status=status,
    )


def certificate_detail(request, pk: int):
    return _detail(request, _certificate_for(request, pk))


def _change(request, pk: int, *, action: str):
    """Revoke or reissue with the reason typed; the form again, with the error, if refused.
    Revoking asks first: only a POST with confirm=yes revokes."""
    certificate = _certificate_for(request, pk)
    form = CertificateChangeForm(request.POST, prefix=action)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        if action == "revoke" and request.POST.get("confirm") != "yes":
            # Revoking cannot be undone: first a page that says what it does, with the reason to check.
            return render(request, "certificates_admin/revoke_confirm.html", {"certificate": certificate, "form": form})
        try:
            if action == "revoke":
                certificate_revoke(certificate=certificate, actor=request.user, reason=reason)
                messages.success(request, _("Certificate revoked. The holder is being told by email."))
                return redirect("certificates_admin:certificate", pk=certificate.pk)
            new = certificate_reissue(certificate=certificate, actor=request.user, reason=reason)
            messages.success(
                request, _("Reissued as %(code)s. The holder is being sent the new certificate.") % {"code": new.code}
            )
            return redirect("certificates_admin:certificate", pk=new.pk)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
    return _detail(request, certificate, status=400, **{action: form})


@require_POST
def certificate_revoke_view(request, pk: int):
    return _change(request, pk, action="revoke")


@require_POST
def certificate_reissue_view(request, pk: int):
    return _change(request, pk, action="reissue")
