"""Certificate PDFs: the plain values a certificate prints (`certificate_context`, read from
its row), our own template and stylesheet, drawn by `core.pdf` (WeasyPrint loads on the
first PDF drawn). Takes objects or values and returns values; writes nothing."""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from certificates.models import Certificate
from certificates.placeholders import fill_placeholders
from cms.models import organisation_name
from core.links import absolute_url
from core.page_cache import cached_until_published
from core.pdf import image_data_url, qr_markup, render_pdf
from core.templatetags.i18n_tags import html_lang

STYLESHEET = Path(__file__).parent / "pdf" / "certificate.css"


def certificate_html(context: dict) -> str:
    """Our template, autoescaped. `context` holds plain values; the QR code is ours."""
    return render_to_string("certificates/certificate.html", context | {"qr_svg": qr_markup(context["verify_url"])})


def render_certificate(context: dict) -> bytes:
    return render_pdf(certificate_html(context), stylesheet=STYLESHEET)


def verify_url(certificate: Certificate) -> str:
    return absolute_url("certificates:verify_code", certificate.code)


def certificate_context(certificate: Certificate) -> dict:
    """Plain values for the certificate template, read from the row (copied at issue time), in
    the language active (certificates.delivery renders it in the holder's: core.i18n.language_of)."""
    template = certificate.template
    # From the cache until staff next save the site settings (a bulk issue reads it 1,000 times).
    organisation = cached_until_published("certificates:organisation_name", organisation_name)
    name = certificate.name_printed
    awarded = formats.date_format(certificate.awarded_on, "j F Y")
    hours = f"{Decimal(certificate.hours).normalize():f}"
    body_text = (
        template.body
        if template
        # Translators: keep {name}, {course}, {date} and {hours} exactly as they are.
        else _("This is to certify that {name} completed {course} on {date} ({hours} hours).")
    )
    title = template.title if template else _("Certificate of completion")
    if certificate.kind == certificate.Kind.VOLUNTEERING:
        # A course template's words ("completed ...") do not fit hours given over many shifts.
        # Translators: keep {name}, {course}, {date} and {hours} exactly as they are.
        body_text = _("This is to certify that {name} has given {hours} hours as a volunteer ({course}), up to {date}.")
        title = _("Certificate of volunteering")
    return {
        "language": template.language if template else html_lang(translation.get_language()),
        "title": title,
        "orientation": template.orientation if template else "landscape",
        "accent": template.accent_colour if template else "#5b2a86",
        "logo": image_data_url(template.logo) if template else "",
        "organisation": organisation,
        "name": name,
        "body": fill_placeholders(
            body_text, {"name": name or _("the holder"), "course": certificate.title, "date": awarded, "hours": hours}
        ),
        "signatories": [
            {"name": s.name, "role": s.role, "image": image_data_url(s.signature, "max-400x120")}
            for s in (template.signatories.all() if template else [])
        ],
        "verify_url": verify_url(certificate),
        "verify_host": settings.SITE_URL.split("://", 1)[-1].rstrip("/") + "/verify",
        "code": certificate.code,
    }
