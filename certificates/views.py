"""Public verification, and the holder's own downloads.

The verification page says valid, revoked or replaced, with the title, date and issuer.
The holder's name appears only if the holder consented; otherwise the verifier can type
the name they were given and learns only "matches" or "does not match". Wrong codes and
name checks are rate-limited per visitor (a keyed hash, kept only in the cache).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from certificates.account import certificate_links, holder_certificates
from certificates.models import Certificate
from core.codes import normalise_code
from core.guard import paused_minutes
from core.ratelimit import attempts, client_key, rate_limit_exceeded


def _throttled(request, scope: str) -> bool:
    """Count one wrong code or name check (limits from settings, as core.guard's)."""
    return rate_limit_exceeded(
        request,
        scope=scope,
        limit=settings.CERTIFICATE_CHECK_RATE_LIMIT,
        window_seconds=settings.FORM_RATE_WINDOW_SECONDS,
    )


def _too_many(request):
    return render(request, "certificates/verify_throttled.html", {"minutes": paused_minutes()}, status=429)


def _blocked(request) -> bool:
    """Already over the limit for wrong codes (checked without counting)."""
    return attempts(client_key(request, "verify-code")) > settings.CERTIFICATE_CHECK_RATE_LIMIT


def same_name(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split()) and bool(a.strip())


@never_cache
def verify(request):
    code = request.GET.get("code", "").strip()
    if code:
        normalised = normalise_code(code)
        if normalised:
            return redirect("certificates:verify_code", code=normalised)
        return _no_code_typed(request, code)
    return render(request, "certificates/verify.html")


def _no_code_typed(request, typed: str):
    """Only dashes, spaces or signs were typed: there is no code to look up (it answered 500)."""
    return render(
        request,
        "certificates/verify.html",
        {
            "error": _("A certificate code has letters and numbers, like XXXX-XXXX-XXXX-XXXX. Please check it."),
            "typed": typed[:100],
        },
    )


@never_cache
def verify_code(request, code: str):
    if _blocked(request):
        return _too_many(request)
    normalised = normalise_code(code)
    if not normalised:
        return _no_code_typed(request, code)
    if normalised != code:
        return redirect("certificates:verify_code", code=normalised)
    certificate = (
        Certificate.objects.select_related("recipient__member_profile", "replaced_by").filter(code=code).first()
    )
    if certificate is None:
        if _throttled(request, "verify-code"):
            return _too_many(request)
        return render(request, "certificates/verify_unknown.html", {"code": code}, status=404)
    profile = getattr(certificate.recipient, "member_profile", None)
    show_name = bool(certificate.name_printed and profile is not None and profile.consent_show_name_on_verification)
    name_result = None
    if request.method == "POST" and not show_name:
        if _throttled(request, "verify-name"):
            return _too_many(request)
        name_result = same_name(request.POST.get("name", ""), certificate.name_printed)
    return render(
        request,
        "certificates/verify_result.html",
        {"certificate": certificate, "show_name": show_name, "name_result": name_result},
    )


@login_required
def mine(request):
    """The holder's own certificates, of every kind, with download and verification links."""
    certificates = holder_certificates(request.user)
    for certificate in certificates["live"]:
        certificate.links = certificate_links(certificate)
    return render(request, "certificates/mine.html", certificates)


@login_required
def download(request, code: str):
    certificate = get_object_or_404(Certificate, code=code, recipient=request.user)
    if not certificate.pdf:
        raise Http404("The PDF is still being prepared.")
    response = FileResponse(certificate.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
