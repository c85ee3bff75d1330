"""Receipt PDFs for payments and donations, drawn by `core.pdf`."""

from django.template.loader import render_to_string

from core.pdf import render_pdf


def render_receipt(context: dict) -> bytes:
    """A payment or donation receipt: `context` holds plain values (reference, date, lines
    of description and amount text, total text, Gift Aid and monthly notes). The template,
    `payments/receipt_pdf.html`, carries its own page style; fonts are the packaged ones."""
    return render_pdf(render_to_string("payments/receipt_pdf.html", context))
