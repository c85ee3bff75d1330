"""Every public page built on base.html carries a description and Open Graph (issue 19), found
by walking the demo site as a visitor (core/tests/crawl.py), in English and in one other language."""

import re
from html import unescape

import pytest
from django.conf import settings

from core.tests.crawl import crawl

pytestmark = pytest.mark.django_db

START = ["/", "/events/", "/courses/", "/news/", "/membership/apply/", "/search/?q=leader", "/verify/"]
META = re.compile(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"')


class RecordingClient:
    """The test client, keeping every HTML page it was given."""

    def __init__(self, client):
        self.client = client
        self.pages: dict[str, str] = {}

    def get(self, path, *args, **kwargs):
        response = self.client.get(path, *args, **kwargs)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            self.pages[path] = response.content.decode()
        return response


def head_meta(html: str) -> dict[str, str]:
    head = html.split("</head>", 1)[0]
    return {name: unescape(value) for name, value in META.findall(head)}


def missing_open_graph(pages: dict[str, str]) -> dict[str, list[str]]:
    site = settings.SITE_URL.rstrip("/")
    problems = {}
    for path, html in pages.items():
        meta = head_meta(html)
        wrong = [name for name in ("og:title", "og:description", "og:url", "description") if not meta.get(name)]
        if meta.get("og:url") and meta["og:url"] != site + path.split("?")[0]:
            wrong.append(f"og:url is {meta['og:url']}")
        if meta.get("og:image") and not meta["og:image"].startswith((site + settings.MEDIA_URL, "https://")):
            wrong.append(f"og:image from elsewhere: {meta['og:image']}")
        if wrong:
            problems[path] = wrong
    return problems


def test_every_public_page_has_open_graph_title_description_and_url(client, demo_site):
    recording = RecordingClient(client)
    crawl(recording, START, max_pages=80, skip=("/sq/", "/vi/", "/ar/"))
    assert len(recording.pages) >= 30, sorted(recording.pages)
    assert missing_open_graph(recording.pages) == {}


def test_pages_in_another_language_have_open_graph_in_that_language(client, demo_site):
    recording = RecordingClient(client)
    crawl(recording, [f"/vi{path}" for path in START], max_pages=25, skip=("/sq/", "/ar/", "/accounts/"))
    assert len(recording.pages) >= 10, sorted(recording.pages)
    assert missing_open_graph(recording.pages) == {}
    vietnamese = {path: html for path, html in recording.pages.items() if path.startswith("/vi/")}
    assert len(vietnamese) >= 5
    assert {path: head_meta(html)["og:locale"] for path, html in vietnamese.items()} == dict.fromkeys(vietnamese, "vi")


def test_the_title_is_the_pages_own_and_the_site_name_is_the_organisation(client, demo_site):
    meta = head_meta(client.get("/membership/apply/").content.decode())
    assert meta["og:title"] == "Apply to join"
    assert meta["og:site_name"] == "Thrive Survivor Network"
    assert meta["og:type"] == "website"
    event_index = head_meta(client.get("/events/").content.decode())
    assert event_index["og:title"] == "Events" and event_index["og:url"] == settings.SITE_URL.rstrip("/") + "/events/"
