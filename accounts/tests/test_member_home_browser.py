"""Browser journeys of a member's own Thrive, in real Chromium against the demo server:
everything reached by following links from the account page (never by typing an address
after signing in), and a newly approved member's one-link first sign-in."""

import re
import time

import pytest

from accounts.tests.test_membership_browser import newest_link

pytestmark = pytest.mark.browser

DEMO_MEMBER = "member@thrive.example"


def sign_in_by_clicking(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def to_my_account(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My account").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "My account"


def test_a_member_reaches_learning_a_module_bookings_a_ticket_a_certificate_and_the_calendar_feed_by_clicking_only(
    demo_server, browser_page, axe, tmp_path
):
    page, base = browser_page, demo_server.url
    _staff, password = demo_server.staff_login
    sign_in_by_clicking(page, base, DEMO_MEMBER, password)
    assert page.url == base + "/account/"  # signing in lands on the member's home
    assert page.get_by_role("heading", level=1).inner_text() == "My account"
    assert axe(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "account-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(tmp_path / "account-1280.png"), full_page=True)

    # Learning, then a module of the course the member is on.
    page.get_by_role("link", name="My learning: progress, sessions and certificates").click()
    page.wait_for_url(base + "/learning/")
    page.get_by_role("link", name="Foundations of survivor leadership").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Welcome and ground rules").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome and ground rules"
    assert "for learners enrolled" not in page.content()

    # Bookings, then a ticket with its code.
    to_my_account(page)
    page.get_by_role("link", name="All my bookings and tickets").click()
    page.wait_for_url(base + "/events/my-bookings/")
    page.get_by_role("link", name="Survivor leadership gathering").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Your ticket: Survivor leadership gathering"
    assert page.get_by_text("Ticket code", exact=True).is_visible()

    # A certificate (event attendance): its verification page, and its PDF from My certificates.
    to_my_account(page)
    page.get_by_role("link", name="Verification page of the certificate for Spring conference").click()
    page.wait_for_load_state()
    assert "Valid." in page.content() and "Event attendance: Spring conference" in page.content()
    to_my_account(page)
    page.get_by_role("link", name="All my certificates").click()
    page.wait_for_url(base + "/learning/certificates/")
    assert axe(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the certificate for Spring conference (PDF)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")

    # The private calendar feeds: one page in the account makes their addresses (reached from
    # the account page, My learning and My bookings), then each is fetched by its own link.
    to_my_account(page)
    page.get_by_role("link", name="All my bookings and tickets").click()
    page.wait_for_url(base + "/events/my-bookings/")
    page.get_by_role("region", name="Your private calendar").get_by_role("link").click()
    page.wait_for_url(base + "/account/calendar/")
    page.get_by_role("link", name="Back to my account").click()
    page.get_by_role("region", name="My learning").get_by_role("link", name="Calendar feed of my sessions").click()
    page.wait_for_url(base + "/account/calendar/")
    page.get_by_role("button", name=re.compile("Make (my|new) calendar addresses")).click()
    page.wait_for_url(base + "/account/calendar/")
    assert axe(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the My learning calendar as it is now (.ics)").click()
    calendar = download.value.path().read_text()
    assert calendar.startswith("BEGIN:VCALENDAR") and "Week 1 circle" in calendar
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the My bookings calendar as it is now (.ics)").click()
    assert download.value.path().read_text().startswith("BEGIN:VCALENDAR")
    to_my_account(page)
    page.get_by_role("link", name="My learning: progress, sessions and certificates").click()
    page.wait_for_url(base + "/learning/")
    page.get_by_role("region", name="Your private calendar").get_by_role("link").click()
    page.wait_for_url(base + "/account/calendar/")
    assert page.recorder.console_errors == []


def test_a_newly_approved_member_sets_a_password_from_the_welcome_email_and_lands_signed_in(
    demo_server, browser_page, axe
):
    page, base = browser_page, demo_server.url
    started = time.time() - 1
    page.goto(base + "/membership/apply/")
    page.get_by_label("Name to use").fill("Welcome Journey")
    page.get_by_role("textbox", name="Email").fill("welcome.journey@example.org")
    page.get_by_label("Email to the address above").check()
    page.get_by_label("Chapter").select_option(label="United Kingdom")
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_url(base + "/membership/apply/thank-you/")  # post/redirect/get
    assert "Thank you" in page.content()

    demo_server.shell(
        "from accounts.models import MembershipApplication, User\n"
        "from accounts.services import application_approve\n"
        "application = MembershipApplication.objects.get(email='welcome.journey@example.org')\n"
        "application_approve(application=application, actor=User.objects.get(email='membership@thrive.example'))\n"
    )
    welcome_path = newest_link(demo_server.var_dir / "mail", "/membership/welcome/", started)
    mails = [p.read_text() for p in (demo_server.var_dir / "mail").glob("*.log") if p.stat().st_mtime >= started]
    assert not [text for text in mails if "welcome.journey" in text and "/confirm-email/" in text]

    page.goto(base + welcome_path)  # the one link of the welcome email
    assert axe(page) == []
    assert page.get_by_label("Your sign-in email address").input_value() == "welcome.journey@example.org"
    page.get_by_label("Choose a password").fill("quiet river at dawn")
    page.get_by_label("Type it again").fill("quiet river at dawn")
    page.get_by_role("button", name="Save my password and sign in").click()
    page.wait_for_url(base + "/account/")
    assert page.get_by_role("heading", level=1).inner_text() == "My account"
    assert "Welcome Journey" in page.content()

    assert page.recorder.console_errors == []

    # The link worked once (its page answers 410 Gone); signing in again needs only the
    # password (no address to confirm).
    page.get_by_role("button", name="Sign out").click()
    # Signed out when the home page has loaded (the sign-out's answer also clears the site's
    # storage and cache first: Clear-Site-Data), not before: a new address now would abort it.
    page.wait_for_url(base + "/")
    page.goto(base + welcome_path)
    assert "This link can no longer be used" in page.content()
    sign_in_by_clicking(page, base, "welcome.journey@example.org", "quiet river at dawn")
    assert page.url == base + "/account/"
