"""PDF rendering for every app (certificates, tickets, receipts). Each app keeps its own
template and stylesheet and calls `render_pdf(html, stylesheet=path)`; the drawing itself is in
`core.pdf_engine` (the only module that imports weasyprint), loaded the first time a PDF is drawn,
so importing this module costs nothing.
"""

import base64
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe

from core.qr import qr_svg


def render_pdf(html: str, *, stylesheet: Path | None = None) -> bytes:
    """`html` (our own template's output) as a PDF, with the packaged fonts and, if given, one
    stylesheet of ours (a path, parsed once per process). Nothing outside the packaged fonts
    and our own data: URLs is fetched."""
    from core import pdf_engine  # WeasyPrint and its system libraries load on the first PDF only

    return pdf_engine.render_pdf(html, stylesheet=stylesheet)


def refused_urls() -> list[str]:
    """URLs this process refused to fetch while drawing PDFs (for tests and logs)."""
    from core import pdf_engine  # as above

    return pdf_engine.refused_urls()


def qr_markup(text: str) -> SafeString:
    """A QR code of `text` as inline SVG markup, sized by the stylesheet (our own drawing)."""
    return mark_safe(qr_svg(text, sized_by_css=True))  # noqa: S308


def image_data_url(image, spec: str = "max-600x300") -> str:
    """A Wagtail image as a small inline PNG/JPEG data URL, or '' if it cannot be read."""
    if image is None:
        return ""
    try:
        rendition = image.get_rendition(spec)
        with rendition.file.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return ""
    mime = "image/png" if rendition.file.name.lower().endswith(".png") else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"
