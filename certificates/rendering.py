"""Certificate and ticket PDFs. The only module that imports weasyprint.

Renders our own autoescaped template. Everything WeasyPrint asks to fetch goes through
`PackagedAssetFetcher`, which serves only the packaged fonts (and inline data: URLs we
build ourselves) and refuses the rest: file://, http(s)://, anything redirecting. A warm
process reuses one fetcher, one font configuration and the parsed stylesheet (see
../shared/STACK.md: this is what makes a certificate cheaper than a default one-line PDF).
"""

import base64
import functools
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core.qr import qr_svg

ASSET_BASE = "https://assets.thrive.invalid/"
FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
STYLESHEET = Path(__file__).parent / "pdf" / "certificate.css"
TICKET_STYLESHEET = Path(__file__).parent / "pdf" / "ticket.css"
ALLOWED_ASSETS = {
    f"{ASSET_BASE}fonts/Lato-Regular.ttf": FONT_DIR / "Lato-Regular.ttf",
    f"{ASSET_BASE}fonts/Lato-Bold.ttf": FONT_DIR / "Lato-Bold.ttf",
}


class PackagedAssetFetcher(URLFetcher):
    """Serves the allow-listed assets from memory; refuses every other URL and records it.
    Never opens a file path or a network connection, so no redirect can be followed."""

    def __init__(self):
        super().__init__(allow_redirects=False)
        self._assets = {url: path.read_bytes() for url, path in ALLOWED_ASSETS.items()}
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url in self._assets:
            return URLFetcherResponse(url, self._assets[url], {"Content-Type": "font/ttf"})
        if url.startswith("data:image/") and len(url) < 2_000_000:
            header, _, payload = url.partition(",")
            mime = header[5:].split(";")[0]
            return URLFetcherResponse(url, base64.b64decode(payload), {"Content-Type": mime})
        self.refused.append(url)
        raise ValueError("refused: not a packaged asset")


@functools.cache
def _renderer():
    fetcher = PackagedAssetFetcher()
    fonts = FontConfiguration()
    css = CSS(string=STYLESHEET.read_text(), base_url=ASSET_BASE, url_fetcher=fetcher, font_config=fonts)
    return fetcher, fonts, css


@functools.cache
def _ticket_stylesheet():
    fetcher, fonts, _css = _renderer()
    return CSS(string=TICKET_STYLESHEET.read_text(), base_url=ASSET_BASE, url_fetcher=fetcher, font_config=fonts)


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


def certificate_html(context: dict) -> str:
    """Our template, autoescaped. `context` holds plain values; the QR code is ours."""
    return render_to_string(
        "certificates/certificate.html",
        context | {"qr_svg": mark_safe(qr_svg(context["verify_url"], sized_by_css=True))},  # noqa: S308
    )


def render_pdf(html: str, *, stylesheet=None) -> bytes:
    """`html` (our own template's output) as a PDF, with the certificate stylesheet unless
    another parsed one of ours is given."""
    fetcher, fonts, css = _renderer()
    document = HTML(string=html, base_url=ASSET_BASE, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet or css], font_config=fonts)


def refused_urls() -> list[str]:
    """URLs this process refused to fetch (for tests and logs)."""
    return list(_renderer()[0].refused)


def render_certificate(context: dict) -> bytes:
    return render_pdf(certificate_html(context))


def render_ticket(context: dict) -> bytes:
    """An event ticket: `context` holds plain values (title, dates, ticket type, name, code,
    and `qr_text`, what the QR code encodes: the ticket code). Callers leave out the venue of
    sensitive events; this template prints only what it is given."""
    html = render_to_string(
        "events/ticket_pdf.html",
        context | {"qr_svg": mark_safe(qr_svg(context["qr_text"], sized_by_css=True))},  # noqa: S308
    )
    return render_pdf(html, stylesheet=_ticket_stylesheet())


def render_receipt(context: dict) -> bytes:
    """A payment or donation receipt: `context` holds plain values (reference, date, lines
    of description and amount text, total text, Gift Aid and monthly notes). The template,
    `payments/receipt_pdf.html`, carries its own page style; fonts are the packaged ones."""
    return render_pdf(render_to_string("payments/receipt_pdf.html", context))
