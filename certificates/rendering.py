"""Certificate PDFs: our own template and stylesheet, drawn by `core.pdf` (the only module
that imports weasyprint)."""

from pathlib import Path

from django.template.loader import render_to_string

from core.pdf import qr_markup, render_pdf

STYLESHEET = Path(__file__).parent / "pdf" / "certificate.css"


def certificate_html(context: dict) -> str:
    """Our template, autoescaped. `context` holds plain values; the QR code is ours."""
    return render_to_string("certificates/certificate.html", context | {"qr_svg": qr_markup(context["verify_url"])})


def render_certificate(context: dict) -> bytes:
    return render_pdf(certificate_html(context), stylesheet=STYLESHEET)
