"""The double opt-in journey of issue 18 in real Chromium, with real email: a Thrive server
(gunicorn) and a task worker of its own send through Django's SMTP backend to the aiosmtpd
server of this test session (conftest's `smtp_server`), and the test reads what it received.

A visitor signs up from the footer's link, confirms from the link in the email the SMTP server
received, and is sent a newsletter that Communications schedules in the admin; the copy
carries List-Unsubscribe and List-Unsubscribe-Post; one POST of "List-Unsubscribe=One-Click"
to that address, with no cookie, unsubscribes them; a second mailing to the list reaches the
other subscriber and skips them. Each public page is checked with axe-core (no serious or
critical violation) and photographed at 390 px and 1280 px wide into tmp_path.

The demo server (conftest's `demo_server`) writes its email to files, which other browser
tests read, so this module starts its own server: the demo content on a PostgreSQL database of
its own, served with newsletters/tests/worker_settings.py (tasks on the database queue, email
to the SMTP server whose port is in THRIVE_TEST_SMTP_PORT)."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, PageRecorder, fresh_postgres_database_url, process_stop, wait_until_healthy
from core.tests.walk import DESKTOP, Walk

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

VISITOR = "new.reader@example.org"
OTHER_READER = "still.reading@example.org"  # subscribed before, stays subscribed: the second mailing's control
FIRST_ISSUE = "Spring news: a new chapter opens"
SECOND_ISSUE = "Summer news: leaders on the road"
LIST_NAME = "Supporters’ news"


@dataclass
class SmtpSite:
    url: str
    var_dir: Path
    env: dict

    def shell(self, code: str) -> str:
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return result.stdout.strip()

    @property
    def staff_password(self) -> str:
        return (self.var_dir / "demo_staff_password").read_text().strip()


@pytest.fixture(scope="module")
def smtp_site(smtp_server, tmp_path_factory):
    """The demo site under gunicorn and one `manage.py task_worker`, both sending email through
    Django's SMTP backend to `smtp_server`; migrated and seeded with e2e's settings first."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL (the task worker's queue): set DATABASE_URL=postgres://...")
    tmp = tmp_path_factory.mktemp("newsletters-site")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.e2e",
        "DATABASE_URL": fresh_postgres_database_url(url, "_newsletters_site"),
        "THRIVE_VAR_DIR": str(tmp),
        "MEDIA_ROOT": str(tmp / "media"),
        "SECRET_KEY": "newsletters-browser-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": base,  # the links in the emails lead to this server
        "THRIVE_TEST_SMTP_PORT": str(smtp_server.port),
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    env["DJANGO_SETTINGS_MODULE"] = "newsletters.tests.worker_settings"
    server_log, worker_log = tmp / "server.log", tmp / "worker.log"
    with server_log.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "1", "--threads", "8"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    with worker_log.open("w") as log:
        worker = subprocess.Popen(
            manage
            + ["task_worker", "--queue-name", "default", "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.2", "--heartbeat", "1", "--lease", "30"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(base, server, server_log)
        yield SmtpSite(base, tmp, env)
    finally:
        process_stop(worker)
        process_stop(server)


def new_page(chromium):
    page = chromium.new_context(viewport=DESKTOP).new_page()
    page.recorder = PageRecorder(page)
    return page


def wait_until(check, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout} s for {what}")


def received_by(smtp_server, address: str, subject: str | None = None) -> list:
    return [
        received.message
        for received in smtp_server.messages()
        if address in received.rcpt_tos and (subject is None or received.message["Subject"] == subject)
    ]


def plain_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def issues_and_a_reader(site: SmtpSite) -> None:
    """Two published issues for the demo's English supporters' list (written by an editor: not
    this journey), and a reader who subscribed before the visitor."""
    body = json.dumps(
        [{"type": "paragraph", "value": '<p>Read <a href="https://example.org/report">the report</a>.</p>'}]
    )
    site.shell(
        "from django.conf import settings\n"
        "from django.utils import timezone\n"
        "from newsletters.consent import SIGN_UP_VERSION\n"
        "from newsletters.models import MailingList, NewsletterIndexPage, NewsletterPage, Subscription\n"
        "supporters = MailingList.objects.get(slug='supporters-en')\n"
        "archive = NewsletterIndexPage.objects.get(slug='news', locale__language_code=settings.LANGUAGE_CODE)\n"
        f"for title, slug in (({FIRST_ISSUE!r}, 'spring-news'), ({SECOND_ISSUE!r}, 'summer-news')):\n"
        "    page = NewsletterPage(title=title, slug=slug, intro='What survivor leaders did.',\n"
        f"                          mailing_list=supporters, body={body!r})\n"
        "    archive.add_child(instance=page)\n"
        "    page.save_revision().publish()\n"
        f"Subscription.objects.create(mailing_list=supporters, email={OTHER_READER!r}, status='confirmed',\n"
        "    method='form', consent_wording='Send me the newsletters I have ticked.',\n"
        "    consent_version=SIGN_UP_VERSION, confirmed_at=timezone.now())\n"
    )


def schedule_now(page, base: str, issue: str) -> None:
    """From the admin's menu: Mailings, "Schedule a mailing", the issue to the supporters' list, now."""
    page.goto(base + "/admin/")
    page.get_by_role("link", name="Mailings", exact=True).click()
    page.wait_for_url(base + "/admin/newsletters/mailings/")
    page.get_by_role("link", name="Schedule a mailing").click()
    page.wait_for_url(base + "/admin/newsletters/mailings/new/")
    page.get_by_role("combobox", name=re.compile(r"^Newsletter")).select_option(label=issue)
    page.get_by_role("combobox", name=re.compile(r"^List")).select_option(label=LIST_NAME)
    page.get_by_role("button", name="Schedule").click()
    page.wait_for_url(lambda url: urlsplit(url).path.startswith("/admin/newsletters/mailings/"))
    assert "Mailing scheduled." in page.content()


def wait_until_sent(page) -> None:
    """Reload the mailing's page until it says Sent (the admin's own progress screen)."""

    def sent() -> bool:
        page.reload()
        return page.locator("#bulk-label").inner_text().startswith("Sent:")

    wait_until(sent, "the mailing to be sent")


def test_a_visitor_signs_up_confirms_from_the_email_receives_a_newsletter_and_one_post_unsubscribes_them(
    smtp_site, smtp_server, chromium, axe, tmp_path
):
    base = smtp_site.url
    smtp_server.reset()
    issues_and_a_reader(smtp_site)
    walk = Walk(axe, tmp_path)

    # The visitor signs up from the footer's link.
    visitor = new_page(chromium)
    visitor.goto(base + "/")
    visitor.get_by_role("contentinfo").get_by_role("link", name="Sign up for our newsletter").click()
    visitor.wait_for_url(base + "/newsletters/subscribe/")
    walk.check(visitor, "sign-up")
    visitor.get_by_role("textbox", name="Email address").fill(VISITOR)
    visitor.get_by_role("checkbox", name=LIST_NAME).check()
    visitor.get_by_role("button", name="Sign up").click()
    visitor.wait_for_url(base + "/newsletters/subscribe/check-your-email/")
    walk.check(visitor, "check-your-email")

    # The confirmation email, as the SMTP server received it; its link, then the button.
    confirmation = wait_until(
        lambda: received_by(smtp_server, VISITOR, "Please confirm your subscription"), "the confirmation email"
    )
    assert len(confirmation) == 1
    links = [word for word in plain_text(confirmation[0]).split() if word.startswith(base + "/newsletters/confirm/")]
    assert len(links) == 1, plain_text(confirmation[0])
    visitor.goto(links[0])
    walk.check(visitor, "confirm")
    assert LIST_NAME in visitor.get_by_role("main").inner_text()
    visitor.get_by_role("button", name="Yes, subscribe me").click()
    visitor.wait_for_load_state()
    assert visitor.get_by_role("heading", level=1).inner_text() == "You are subscribed"
    walk.check(visitor, "subscribed")

    # Communications schedules the first issue to the list, in the admin; it is delivered.
    staff = new_page(chromium)
    staff.goto(base + "/admin/")
    staff.get_by_role("textbox", name="Email").fill("communications@thrive.example")
    staff.get_by_label("Password").fill(smtp_site.staff_password)
    staff.get_by_role("button", name="Sign In").click()
    staff.wait_for_url(base + "/admin/")
    schedule_now(staff, base, FIRST_ISSUE)
    wait_until_sent(staff)
    assert staff.get_by_role("row", name=re.compile(r"^Sent \d+$")).get_by_role("cell").inner_text() == "2"

    (newsletter,) = received_by(smtp_server, VISITOR, FIRST_ISSUE)
    assert len(received_by(smtp_server, OTHER_READER, FIRST_ISSUE)) == 1
    unsubscribe_url = newsletter["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")
    assert unsubscribe_url.startswith(base + "/newsletters/unsubscribe/")
    assert newsletter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = newsletter.get_body(preferencelist=("html",)).get_content()
    assert unsubscribe_url in plain_text(newsletter) and f'href="{unsubscribe_url}"' in html.replace("&amp;", "&")

    # The copy's "read in your browser" link: the issue on the public archive, then the archive.
    (in_browser,) = re.findall(r'<a href="([^"]+)"[^>]*>Read this newsletter in your browser</a>', html)
    assert in_browser == base + "/news/spring-news/"
    visitor.goto(in_browser)
    assert visitor.get_by_role("heading", level=1).inner_text() == FIRST_ISSUE
    walk.check(visitor, "issue-on-the-web")
    visitor.get_by_role("link", name="All newsletters").click()
    visitor.wait_for_url(base + "/news/")
    assert visitor.get_by_role("link", name=FIRST_ISSUE).is_visible()
    walk.check(visitor, "archive")

    # A changed link says so (400), in words.
    response = visitor.goto(unsubscribe_url.rstrip("/") + "x/")
    assert response.status == 400
    walk.check(visitor, "changed-link")

    # The unsubscribe link opened in a browser asks first (a GET changes nothing)...
    visitor.goto(unsubscribe_url)
    walk.check(visitor, "unsubscribe")
    assert visitor.get_by_role("button", name="Unsubscribe me").is_visible()

    # ...and one POST of the one-click body, as a mailbox provider sends it (no cookie, no
    # token), unsubscribes at once.
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        unsubscribe_url,
        data=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the test's own server)
        assert response.status == 200
        assert "You are unsubscribed" in response.read().decode()
    visitor.reload()
    assert visitor.get_by_role("heading", level=1).inner_text() == "You are unsubscribed"
    walk.check(visitor, "unsubscribed")

    # A second mailing to the list reaches the other reader and skips the visitor.
    schedule_now(staff, base, SECOND_ISSUE)
    wait_until_sent(staff)
    assert staff.get_by_role("row", name=re.compile(r"^Sent \d+$")).get_by_role("cell").inner_text() == "1"
    assert len(received_by(smtp_server, OTHER_READER, SECOND_ISSUE)) == 1
    assert received_by(smtp_server, VISITOR, SECOND_ISSUE) == []
    assert smtp_server.copies_per_recipient()[VISITOR] == 2  # the confirmation and the first issue
    assert smtp_server.copies_per_recipient()[OTHER_READER] == 2  # both issues

    # Chromium reports the changed link's 400 answer; nothing else.
    assert [error for error in visitor.recorder.console_errors if "status of 400" not in error] == []
