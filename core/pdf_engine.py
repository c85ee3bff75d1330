"""The WeasyPrint side of `core.pdf`: the only module that imports weasyprint. Loaded the first
time a PDF is drawn (web processes that never draw one never load WeasyPrint's system libraries).

Everything WeasyPrint asks to fetch goes through `PackagedAssetFetcher`, which serves only the
packaged fonts (and inline data: URLs we build ourselves) and refuses the rest: file://,
http(s)://, anything redirecting. A warm process reuses one fetcher, one font configuration
and each parsed stylesheet (see ../shared/STACK.md: this is what makes a certificate cheaper
than a default one-line PDF).
"""

import base64
import functools
from pathlib import Path

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSET_BASE = "https://assets.thrive.invalid/"
FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
FONTS_STYLESHEET = Path(__file__).parent / "pdf_styles" / "fonts.css"
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
    return fetcher, fonts, _parse(FONTS_STYLESHEET, fetcher, fonts)


def _parse(path: Path, fetcher, fonts) -> CSS:
    return CSS(string=path.read_text(), base_url=ASSET_BASE, url_fetcher=fetcher, font_config=fonts)


@functools.cache
def _stylesheet(path: Path) -> CSS:
    fetcher, fonts, _base = _renderer()
    return _parse(path, fetcher, fonts)


def render_pdf(html: str, *, stylesheet: Path | None = None) -> bytes:
    """`html` (our own template's output) as a PDF, with the packaged fonts and, if given, one
    stylesheet of ours (a path, parsed once per process)."""
    fetcher, fonts, base = _renderer()
    sheets = [base] + ([_stylesheet(Path(stylesheet))] if stylesheet else [])
    document = HTML(string=html, base_url=ASSET_BASE, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=sheets, font_config=fonts)


def refused_urls() -> list[str]:
    return list(_renderer()[0].refused)
