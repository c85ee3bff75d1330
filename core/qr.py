"""QR codes: the one way Thrive draws them (tickets, their PDFs, certificates).

Always a regular QR code, never Micro QR: `segno.make` picks Micro QR for short data such as
a ticket code, and neither the door page's own decoder (jsQR) nor most phone scanners can
read Micro QR. Error correction "M" (about 15% of the code may be damaged or folded).
"""

import segno

DARK = "#1d1d1f"


def qr_svg(data: str, *, scale: int = 4, title: str | None = None, sized_by_css: bool = False) -> str:
    """`data` as an inline SVG regular QR code (no fetch needed), `scale` pixels per module,
    with the four-module quiet zone the standard asks for. `title` becomes the SVG's accessible
    name. `sized_by_css`: no width or height, only a viewBox, so the stylesheet's size applies
    (the PDFs give the code its size in millimetres)."""
    code = segno.make_qr(data, error="m")
    if sized_by_css:
        return code.svg_inline(scale=1, border=4, dark=DARK, title=title, omitsize=True)
    return code.svg_inline(scale=scale, border=4, dark=DARK, title=title)
