"""A walk through what issue 19 added, in real Chromium against the demo server, as people
would use it: clicking links where a link exists. Each page is checked with axe-core (no
serious or critical violation) and photographed at 390 px and 1280 px into
THRIVE_WALK_DIR (default: the test's tmp_path) for a person to look at.

1. A visitor: an event and a course co-hosted by partners ("Hosted with"), the US chapter's
   partner representative, "Join" -> apply -> "refer them" -> the public referral form (empty:
   clear errors; then filled: thank-you), and the same pages in Arabic and Vietnamese.
2. The demo partner contact: My account -> partner home (counts, courses, access codes,
   posters), a poster PDF read back with pdftotext; no member's name or email anywhere.
3. Staff: posters in the admin, the partner snippet's embed origins (a bad one refused with
   its message), access codes allocated for an event and their CSV.
4. The partner's embed and the events feed."""

import csv
import datetime
import io
import os
import re
import subprocess
from pathlib import Path

import pytest

from core.tests.walk import DESKTOP, Walk

pytestmark = pytest.mark.browser

PARTNER = "partner@thrive.example"
CO_HOSTED_EVENT = "Survivor leadership gathering"
CO_HOSTED_COURSE = "Telling your story safely"
# Names and emails of demo members and bookers that no partner-facing page may show.
PRIVATE = ("member@thrive.example", "river@member.example", "kai@member.example", "Amani")


def walk_for(axe, tmp_path, name: str) -> Walk:
    folder = Path(os.environ.get("THRIVE_WALK_DIR", tmp_path)) / name
    folder.mkdir(parents=True, exist_ok=True)
    return Walk(axe, folder)


def new_page(chromium):
    from conftest import PageRecorder

    page = chromium.new_context(viewport=DESKTOP).new_page()
    page.recorder = PageRecorder(page)
    return page


def nav(page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def h1(page) -> str:
    return page.get_by_role("heading", level=1).first.inner_text().strip()


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/")
    nav(page, "Sign in")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def assert_no_private(page) -> None:
    html = page.content()
    for private in PRIVATE:
        assert private not in html, f"{private} shown on {page.url}"


def test_a_visitor_sees_co_hosts_the_partner_representative_and_refers_someone(demo_server, chromium, axe, tmp_path):
    base = demo_server.url
    walk = walk_for(axe, tmp_path, "visitor")
    page = new_page(chromium)
    page.goto(base + "/")
    walk.check(page, "home")

    nav(page, "Events")
    walk.check(page, "events")
    # Other browser tests add events to the demo site: page on, as a visitor would, until it shows.
    while not page.get_by_role("link", name=CO_HOSTED_EVENT).count():
        page.get_by_role("link", name="Next").click()
        page.wait_for_load_state()
    page.get_by_role("link", name=CO_HOSTED_EVENT).first.click()
    page.wait_for_load_state()
    assert h1(page) == CO_HOSTED_EVENT
    hosted = page.get_by_role("region", name="Hosted with")
    assert hosted.get_by_text("Safe Harbour Trust").first.is_visible()
    assert hosted.get_by_text("Freedom Routes").first.is_visible()
    walk.check(page, "event-co-hosted")
    event_url = page.url

    page.goto(base + "/")
    nav(page, "Courses")
    page.get_by_role("link", name=CO_HOSTED_COURSE).first.click()
    page.wait_for_load_state()
    assert h1(page) == CO_HOSTED_COURSE
    assert page.get_by_role("region", name="Hosted with").get_by_text("Safe Harbour Trust").first.is_visible()
    walk.check(page, "course-co-hosted")
    course_url = page.url

    nav(page, "US chapter")
    representatives = page.get_by_role("region", name="Local partners and regional representatives")
    assert representatives.get_by_text("Bridges Legal Clinic").first.is_visible()
    assert representatives.get_by_text("New York").first.is_visible()
    walk.check(page, "us-chapter")
    chapter_url = page.url

    nav(page, "Join the network")
    page.get_by_role("link", name="apply online").click()
    page.wait_for_load_state()
    walk.check(page, "apply")
    page.get_by_role("link", name="refer them").click()
    page.wait_for_load_state()
    assert h1(page) == "Refer a survivor"
    walk.check(page, "refer")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    assert "Refer someone only with their agreement." in page.content()
    assert "Enter the email address to send the invitation to." in page.content()
    assert page.get_by_label("Their email address").get_attribute("aria-invalid") == "true"
    walk.check(page, "refer-empty")
    page.get_by_label("Their email address").fill("someone.referred@example.org")
    page.get_by_label("How do you know them? (optional)").fill("support worker")
    page.get_by_label("They have agreed that I refer them").check()
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_load_state()
    assert page.url.endswith("/membership/refer/thank-you/")
    assert "someone.referred@example.org" not in page.content()
    walk.check(page, "refer-thanks")

    # The same pages in Arabic (right to left) and Vietnamese, by the language switcher's prefix.
    path = lambda url: url.removeprefix(base)  # noqa: E731
    for language in ("ar", "vi"):
        for name, url in (
            ("event", event_url),
            ("course", course_url),
            ("chapter", chapter_url),
            ("refer", base + "/membership/refer/"),
        ):
            response = page.goto(f"{base}/{language}{path(url)}")
            assert response.status == 200, url
            assert page.locator("html").get_attribute("lang") == language
            if language == "ar":
                assert page.locator("html").get_attribute("dir") == "rtl"
            walk.check(page, f"{language}-{name}")
    assert page.recorder.console_errors == []


def test_the_partner_contact_finds_the_partner_home_from_my_account_and_downloads_a_poster(
    demo_server, chromium, axe, tmp_path
):
    base = demo_server.url
    walk = walk_for(axe, tmp_path, "partner")
    page = new_page(chromium)
    sign_in(page, base, PARTNER, demo_server.staff_login[1])
    if h1(page) != "My account":
        nav(page, "My account")
    walk.check(page, "my-account")
    page.get_by_role("main").get_by_role("link", name=re.compile("Partner home")).first.click()
    page.wait_for_load_state()
    assert h1(page) == "Safe Harbour Trust: partner home"
    events = page.get_by_role("region", name="Events you co-host")
    assert events.get_by_role("link", name=CO_HOSTED_EVENT, exact=True).is_visible()
    row = events.get_by_role("row").filter(has_text=CO_HOSTED_EVENT).first
    assert re.search(r"\d", row.inner_text())  # counts
    courses = page.get_by_role("region", name="Courses you co-host")
    assert courses.get_by_role("link", name=CO_HOSTED_COURSE, exact=True).is_visible()
    codes = page.get_by_role("region", name="Access codes")
    assert re.search(r"\d+ of 10 used", codes.inner_text())
    assert page.get_by_role("link", name=re.compile("referrals", re.I)).first.is_visible()
    assert_no_private(page)
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone the tables scroll in their boxes
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size(DESKTOP)
    walk.check(page, "partner-home")

    with page.expect_download() as download:
        events.get_by_role("link", name=re.compile(rf"^Poster \(A4\)\W+{CO_HOSTED_EVENT}$")).click()
    pdf = download.value.path()
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert CO_HOSTED_EVENT in " ".join(text.split())
    assert re.search(r"/s/[a-z0-9]+", text)

    page.get_by_role("link", name=re.compile("referrals", re.I)).first.click()
    page.wait_for_load_state()
    walk.check(page, "partner-referrals")
    assert page.recorder.console_errors == []


def test_staff_download_posters_edit_a_partners_origins_and_allocate_codes(demo_server, chromium, axe, tmp_path):
    base = demo_server.url
    walk = walk_for(axe, tmp_path, "staff")
    email, password = demo_server.staff_login
    page = new_page(chromium)
    page.goto(base + "/admin/")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()

    page.get_by_role("link", name="Posters and leaflets").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Posters and leaflets").first.is_visible()
    walk.check(page, "admin-posters")
    table = page.get_by_role("table").filter(has_text=CO_HOSTED_EVENT).first
    with page.expect_download() as download:
        table.get_by_role("row").filter(has_text=CO_HOSTED_EVENT).get_by_role("link").first.click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    courses = page.get_by_role("table").filter(has_text=CO_HOSTED_COURSE).first
    with page.expect_download() as download:
        courses.get_by_role("row").filter(has_text=CO_HOSTED_COURSE).get_by_role("link").first.click()
    assert download.value.path().read_bytes().startswith(b"%PDF")

    # The partner's snippet: a bad origin is refused with its message; nothing else lost.
    page.goto(base + "/admin/snippets/")
    page.get_by_role("link", name=re.compile("Partner organisations", re.I)).first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Safe Harbour Trust").first.click()
    page.wait_for_load_state()
    walk.check(page, "admin-partner-edit")
    origins = page.get_by_label(re.compile("sites that may show our events listing", re.I))
    before = origins.input_value()
    origins.fill("https://example.org/events\n")
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_load_state()
    assert "/edit/" in page.url
    assert page.get_by_text("give the site's address without a page path").first.is_visible()
    # Wagtail's error message fades in (opacity): axe would measure it half-faded.
    page.locator(".messages li.error").first.wait_for()
    page.wait_for_timeout(1000)
    walk.check(page, "admin-partner-bad-origin")
    origins = page.get_by_label(re.compile("sites that may show our events listing", re.I))
    assert origins.input_value().strip() == "https://example.org/events"
    origins.fill(before)

    # Access codes for an event, from the events dashboard.
    event = demo_server.shell(
        "from events.models import EventPage\n"
        "from django.utils import timezone\n"
        f"e = EventPage.objects.get(title={CO_HOSTED_EVENT!r})\n"
        "print(e.pk, timezone.localtime(e.starts_at, e.zone if hasattr(e, 'zone') else None).date())"
    ).split()
    page.goto(f"{base}/admin/events/{event[0]}/")
    walk.check(page, "admin-event-dashboard")
    page.get_by_role("link", name="Access codes").click()
    page.wait_for_load_state()
    assert re.fullmatch(rf"Access codes\s+{CO_HOSTED_EVENT}", h1(page))  # its header names the event
    walk.check(page, "admin-access-codes")
    page.get_by_label("Partner organisation").select_option(label="Safe Harbour Trust")
    page.get_by_label("Ticket type").select_option(label="Free place")
    page.get_by_label("Places (one code each)").fill("3")
    expiry = datetime.date.fromisoformat(event[1]) - datetime.timedelta(days=1)
    page.get_by_label("Codes expire at").fill(f"{expiry.isoformat()}T12:00")
    page.get_by_role("button", name="Allocate codes").click()
    page.wait_for_load_state()
    assert "0 of 3 used" in page.content(), page.locator("form").last.inner_text()
    walk.check(page, "admin-access-codes-allocated")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download codes (CSV)").first.click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert len(rows) == 4 and "/book/?code=" in rows[1][1]
    assert page.recorder.console_errors == []


def test_the_partners_embed_and_the_events_feed(demo_server, chromium, axe, tmp_path):
    base = demo_server.url
    walk = walk_for(axe, tmp_path, "embed")
    key = demo_server.shell(
        "from cms.models import PartnerOrganisation\n"
        "print(PartnerOrganisation.objects.get(name='Safe Harbour Trust').embed_key)"
    ).splitlines()[-1]
    page = new_page(chromium)
    response = page.goto(f"{base}/embed/{key}/")
    assert response.status == 200
    assert "frame-ancestors" in response.headers.get("content-security-policy", "")
    assert page.context.cookies() == []
    assert page.get_by_text(CO_HOSTED_EVENT).first.is_visible()
    assert_no_private(page)
    walk.check(page, "embed")
    response = page.goto(f"{base}/vi/embed/{key}/")
    assert response.status == 200
    walk.check(page, "embed-vi")
    response = page.goto(f"{base}/feeds/events.atom")
    assert response.status == 200
    body = response.text()
    assert body.startswith("<?xml") and CO_HOSTED_EVENT in body
    for private in PRIVATE:
        assert private not in body
    page.screenshot(path=str(walk.folder / "feed-atom-1280.png"), full_page=True)
