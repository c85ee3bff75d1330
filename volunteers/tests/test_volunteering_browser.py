"""Volunteering end to end, in real Chromium against the demo server (issue #20's journey): a
member of the public makes an account from the "Volunteer with us" page and applies; Membership
approves them as an event steward; they sign up for the steward shift with 2 places left; the
confirmation and the day-before reminder arrive with the shift's .ics; Event staff mark them
attended after the shift; they make and download a certificate showing the hours.

People sign in through the real forms and then follow links and press buttons. Two steps stand
in for the clock, through the server's own Django (`demo_server.shell`): the reminder task is run
as it would run the day before, and the shift is moved to have happened. Each new page is
checked with axe-core and photographed at 390 px and 1280 px into tmp_path (and, when
THRIVE_WALK_DIR is set, there)."""

import os
import re
import subprocess
import time
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest

from core.tests.walk import DESKTOP, Walk

pytestmark = pytest.mark.browser

EMAIL = "robin.newcomer@example.net"
NAME = "Robin Newcomer"
PASSWORD = "Quiet-Harbour-Lantern-47"  # noqa: S105 (a test value)
SHIFT = "Welcome desk"


def new_page(chromium):
    from conftest import PageRecorder

    page = chromium.new_context(viewport=DESKTOP, accept_downloads=True).new_page()
    page.recorder = PageRecorder(page)
    return page


def messages_to(mail_dir: Path, to: str, after: float) -> list:
    found = []
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
        if path.stat().st_mtime < after:
            continue
        for chunk in re.split(rb"\n-{79}\n", path.read_bytes()):
            if chunk.strip():
                message = message_from_bytes(chunk.strip() + b"\n", policy=default_policy)
                if to in str(message.get("To", "")):
                    found.append(message)
    return found


def wait_for_message(mail_dir: Path, to: str, subject: str, after: float):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for message in messages_to(mail_dir, to, after):
            if str(message["Subject"]) == subject:
                return message
        time.sleep(0.2)
    raise AssertionError(
        f"no email {subject!r} to {to}: {[str(m['Subject']) for m in messages_to(mail_dir, to, after)]}"
    )


def body_of(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()


def calendar_of(message) -> str:
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            content = part.get_content()
            return content.decode() if isinstance(content, bytes) else content
    raise AssertionError("no .ics attached")


def sign_in(page, base: str, email: str, password: str, start: str = "/") -> None:
    page.goto(base + start)
    if "/accounts/login/" not in page.url:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def admin_menu(page, item: str) -> None:
    page.get_by_role("button", name="Volunteering").click()
    page.locator(".sidebar-sub-menu-panel").get_by_role("link", name=item, exact=True).click()
    page.wait_for_load_state()


def test_a_stranger_applies_is_approved_signs_up_is_reminded_attends_and_downloads_the_hours(
    demo_server, chromium, axe, tmp_path
):
    base, mail_dir = demo_server.url, demo_server.var_dir / "mail"
    staff_password = demo_server.staff_login[1]
    folder = Path(os.environ.get("THRIVE_WALK_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    walk = Walk(axe, folder)
    started = time.time() - 1

    # 1. From the home page's "Volunteer with us", a stranger reads the roles and makes an account.
    public = new_page(chromium)
    public.goto(base + "/")
    public.get_by_role("link", name="Event steward").first.click()
    public.wait_for_url(re.compile(r".*/volunteering/#role-\d+$"))
    walk.check(public, "roles")
    assert "Peer mentor" in public.content() and "DBS enhanced check" in public.content()
    public.get_by_role("link", name="Create one").click()
    public.wait_for_load_state()
    public.get_by_role("textbox", name="Email").fill(EMAIL)
    public.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    public.get_by_label(re.compile(r"^Password \(again\)")).fill(PASSWORD)
    public.get_by_role("button", name="Sign Up").click()
    public.wait_for_load_state()
    confirm = wait_for_message(mail_dir, EMAIL, "Confirm your email address", started)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", body_of(confirm)).group(0)
    public.goto(base + re.sub(r"^https?://[^/]+", "", link))
    public.get_by_role("button", name="Confirm").click()
    public.wait_for_load_state()

    # 2. Confirming signs them in and brings them back to the form they set out for (the
    # "Create one" link carried it), signed in now; they choose not to be named to other volunteers.
    public.wait_for_url(base + "/volunteering/apply/")
    walk.check(public, "apply")
    public.get_by_role("checkbox", name="Event steward").check()
    public.get_by_label("Your name").fill(NAME)
    assert public.get_by_role("radio", name=re.compile("^Not shown")).is_checked()
    public.get_by_label("Why would you like to volunteer? (optional)").fill("I like meeting people.")
    public.get_by_role("button", name="Send my application").click()
    public.wait_for_url(base + "/volunteering/mine/")
    walk.check(public, "applied")
    assert "Waiting for a decision" in public.content()
    wait_for_message(mail_dir, EMAIL, "We have your application to volunteer", started)

    # 3. Membership approves them as an event steward.
    officer = new_page(chromium)
    sign_in(officer, base, "membership@thrive.example", staff_password, start="/admin/")
    admin_menu(officer, "Volunteers and applications")
    walk.check(officer, "admin-volunteers")
    officer.get_by_role("link", name=NAME).click()
    officer.wait_for_load_state()
    walk.check(officer, "admin-volunteer")
    assert "I like meeting people." in officer.content()
    officer.get_by_role("checkbox", name="Event steward").check()
    officer.get_by_role("button", name="Save the decision").click()
    officer.wait_for_load_state()
    assert "Decision saved" in officer.content()
    approved = wait_for_message(mail_dir, EMAIL, "You are approved to volunteer", started)
    assert "Event steward" in body_of(approved)

    # 4. They sign up for the steward shift with 2 places left.
    public.reload()
    assert "Approved" in public.content()
    card = public.locator(".card", has_text=SHIFT)
    assert "2 places left" in card.inner_text()
    card.get_by_role("link", name=SHIFT).click()
    public.wait_for_load_state()
    walk.check(public, "shift")
    public.get_by_role("button", name="Sign up for this shift").click()
    public.wait_for_load_state()
    walk.check(public, "signed-up")
    assert "You are on this shift." in public.content()
    shift_id = int(re.search(r"/volunteering/shifts/(\d+)/", public.url).group(1))
    confirmed = wait_for_message(mail_dir, EMAIL, "You are on the rota", started)
    assert f"UID:shift-{shift_id}@thrive" in calendar_of(confirmed)

    # 5. The day before, the reminder arrives with the same calendar entry.
    demo_server.shell(
        "from datetime import timedelta\n"
        "from volunteers.models import Shift\n"
        "from volunteers.emails import shift_reminders_send\n"
        f"shift = Shift.objects.get(pk={shift_id})\n"
        "print(shift_reminders_send(now=shift.starts_at - timedelta(hours=12)))"
    )
    reminder = wait_for_message(mail_dir, EMAIL, "Tomorrow: your volunteering shift", started)
    calendar = calendar_of(reminder)
    assert "BEGIN:VCALENDAR" in calendar and f"UID:shift-{shift_id}@thrive" in calendar
    assert "SUMMARY:Volunteering: Welcome desk" in calendar
    assert "Welcome desk" in body_of(reminder)

    # 6. The shift happens; Event staff mark them attended (3 hours, the shift's length).
    demo_server.shell(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from volunteers.models import Shift\n"
        "now = timezone.now()\n"
        f"Shift.objects.filter(pk={shift_id})"
        ".update(starts_at=now - timedelta(hours=4), ends_at=now - timedelta(hours=1))"
    )
    door = new_page(chromium)
    sign_in(door, base, "events@thrive.example", staff_password, start="/admin/")
    admin_menu(door, "Shifts")
    door.get_by_role("link", name="Past shifts (attendance)").click()
    door.wait_for_load_state()
    door.get_by_role("link", name=SHIFT).click()
    door.wait_for_load_state()
    walk.check(door, "admin-shift")
    assert NAME in door.content()
    door.get_by_label(f"Attended: {NAME}").check()
    assert door.get_by_label(f"Hours: {NAME}").input_value() == "3.0"
    door.get_by_role("button", name="Save attendance").click()
    door.wait_for_load_state()
    assert "Attendance saved: 1 attended." in door.content()

    # 7. They make their certificate and download it; the PDF says the hours.
    public.goto(base + "/account/")
    public.get_by_role("link", name="My volunteering: shifts, hours and certificate").click()
    public.wait_for_url(base + "/volunteering/mine/")
    assert "You have given 3 hours" in " ".join(public.locator(".hours-total").inner_text().split())
    public.get_by_role("button", name="Make my certificate of hours").click()
    public.wait_for_load_state()
    walk.check(public, "hours")
    with public.expect_download() as download_info:
        public.get_by_role("link", name="Download your certificate of volunteering hours (PDF)").click()
    pdf = Path(download_info.value.path()).read_bytes()
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode().split()
    )
    assert f"{NAME} has given 3 hours as a volunteer" in text
    assert public.recorder.console_errors == []
