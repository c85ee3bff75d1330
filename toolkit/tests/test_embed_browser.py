"""The partner listing framed by a partner's site, in real Chromium (issue 19's acceptance).

Two tiny "partner sites" are served on other local ports (http.server in a thread), each a page
with one iframe of the demo partner's listing. The demo server registers the first one's origin
for Safe Harbour Trust. From it the listing loads inside the frame (read through page.frames);
from the second, whose origin is not registered, Chromium refuses to show it: the frame never
holds our page, and Chromium reports the `frame-ancestors` block on the console."""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = pytest.mark.browser

LISTING_HEADING = "Events and courses from"


@contextmanager
def partner_site(embed_url: str):
    """A page on a free local port whose only content is an iframe of `embed_url`."""
    body = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Partner site</title></head>"
        f"<body><h1>Our partners' events</h1><iframe id='listing' title='Events' src='{embed_url}' "
        "width='600' height='800'></iframe></body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def register_origin(demo_server, origin: str) -> str:
    """Register `origin` for the demo partner (as staff would in its snippet); its listing key."""
    return demo_server.shell(
        "from cms.models import PartnerOrganisation\n"
        "partner = PartnerOrganisation.objects.get(name='Safe Harbour Trust')\n"
        f"partner.embed_origins = {origin!r}\n"
        "partner.full_clean()\n"
        "partner.save()\n"
        "print(partner.embed_key)"
    ).splitlines()[-1]


def listing_frame(page, embed_url: str):
    return next((frame for frame in page.frames if frame.url.startswith(embed_url)), None)


def test_the_listing_loads_in_a_registered_partners_frame_and_is_refused_elsewhere(demo_server, browser_page):
    from playwright.sync_api import Error as PlaywrightError

    page = browser_page
    # The registered site's address is known only once it is serving, so the iframe's address
    # is fixed after: the key does not depend on the origin.
    key = register_origin(demo_server, "http://127.0.0.1:1")  # any origin: only to read the key
    embed_url = f"{demo_server.url}/embed/{key}/"
    with partner_site(embed_url) as registered, partner_site(embed_url) as unregistered:
        assert register_origin(demo_server, registered) == key

        response = page.goto(registered)
        assert response.ok
        page.wait_for_load_state("load")
        frame = listing_frame(page, embed_url)
        assert frame is not None, [f.url for f in page.frames]
        frame.wait_for_selector("h1")
        assert LISTING_HEADING in frame.inner_text("h1")
        assert frame.locator("a[target=_blank][rel=noopener]").count() > 0
        cookies = page.context.cookies()
        assert cookies == [], cookies

        page.recorder.console_errors.clear()
        response = page.goto(unregistered)
        assert response.ok
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)
        frame = listing_frame(page, embed_url)
        shown = ""
        if frame is not None:
            try:
                shown = frame.inner_text("body", timeout=1000)
            except PlaywrightError:  # Chromium's own error page in the frame: not our listing
                shown = ""
        assert LISTING_HEADING not in shown
        assert any("frame-ancestors" in message for message in page.recorder.console_errors), (
            page.recorder.console_errors
        )
        assert page.context.cookies() == []
