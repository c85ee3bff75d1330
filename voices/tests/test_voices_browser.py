"""Survivor voices end to end, in real Chromium against the demo server (issue #17's browser
journey): a partner contact asks for survivor expertise; Membership publishes the request to the
members who completed the leadership course; two of them (River and Kai, voices/demo.py) say
they are interested; staff choose the one with fewer recent engagements; she confirms and both
she and the organisation get a brief by email; she claims an expense with a receipt; Finance
approves, exports the payments file and records the payment; she sees her tax-year total.

Everyone signs in through the real form and then only follows links and presses buttons (staff
start at the admin's front door, /admin/, which sends them to sign in). Each new page is
checked with axe-core (no serious or critical violation) and photographed at 390 px and
1280 px wide into tmp_path."""

import csv
import datetime
import io
import quopri
import re
import time
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from core.tests.walk import DESKTOP, Walk

pytestmark = pytest.mark.browser

TOPIC = "Hearing from survivors: a session for our support workers"
TITLE = "Talk to a support team about what helps"
ASK_FOR = "Priya, the team's manager"
KAI_PSEUDONYM = "Rowan"


def exactly(label: str) -> re.Pattern:
    """A field's label, whole, with or without the colon Django's forms add."""
    return re.compile(rf"^{re.escape(label)}:?$")


def new_page(chromium):
    from conftest import PageRecorder

    page = chromium.new_context(viewport=DESKTOP).new_page()
    page.recorder = PageRecorder(page)
    return page


def sign_in(page, base: str, email: str, password: str, start: str = "/") -> None:
    """From `start` (before signing in), through the sign-in form, back where the site sends them."""
    page.goto(base + start)
    if "/accounts/login/" not in page.url:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def admin_menu(page, item: str) -> None:
    """Open the admin sidebar's "Survivor voices" submenu and click `item`."""
    page.get_by_role("button", name="Survivor voices").click()
    page.locator(".sidebar-sub-menu-panel").get_by_role("link", name=item, exact=True).click()
    page.wait_for_load_state()


def emails(mail_dir, to: str, after: float) -> list[tuple[str, str]]:
    """(subject, decoded body) of every email sent to `to` since `after`, oldest first."""
    found = []
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
        if path.stat().st_mtime < after:
            continue
        # The file backend writes messages one after another, each starting at its headers.
        for chunk in re.split(rb"\n-{79}\n", path.read_bytes()):
            if not chunk.strip():
                continue
            message = message_from_bytes(chunk.strip() + b"\n", policy=default_policy)
            if to not in str(message.get("To", "")):
                continue
            part = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
            body = part.get_content() if part is not None else quopri.decodestring(chunk).decode()
            found.append((str(message.get("Subject", "")), body))
    return found


def wait_for_email(mail_dir, to: str, subject: str, after: float) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for found_subject, body in emails(mail_dir, to, after):
            if found_subject == subject:
                return body
        time.sleep(0.2)
    raise AssertionError(f"no email {subject!r} to {to}: {emails(mail_dir, to, after)}")


def small_png(path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 24), (200, 220, 240)).save(path, format="PNG")


def test_a_request_becomes_a_paid_engagement_for_the_newer_voice_by_clicking_only(demo_server, chromium, axe, tmp_path):
    base, mail_dir = demo_server.url, demo_server.var_dir / "mail"
    password = demo_server.staff_login[1]
    walk = Walk(axe, tmp_path)
    started = time.time() - 1
    starts_on = datetime.date.today() + datetime.timedelta(days=21)

    # 1. The partner contact asks, from the header's link, for a talk three weeks ahead.
    partner = new_page(chromium)
    sign_in(partner, base, "partner@thrive.example", password)
    partner.get_by_role("navigation", name="Main").get_by_role("link", name="Requests for survivor expertise").click()
    partner.wait_for_url(base + "/voices/requests/")
    walk.check(partner, "partner-requests")
    partner.get_by_role("link", name="Ask for survivor expertise").click()
    partner.wait_for_url(base + "/voices/request/")
    walk.check(partner, "request-form")
    assert partner.get_by_label(exactly("Organisation")).input_value() == "Safe Harbour Trust"
    partner.get_by_label("Chapter").select_option(label="United Kingdom (GBP)")
    partner.get_by_label(exactly("Your name")).fill("Demo Partner")
    partner.get_by_label("What you are asking for").select_option(label="Talk")
    partner.get_by_label("Topic").fill(TOPIC)
    partner.get_by_label("Description").fill("An hour with our support workers on what helped and what did not.")
    partner.get_by_label("Starts on").fill(starts_on.isoformat())
    partner.get_by_label("Starts at").fill("14:00")
    partner.get_by_label("Ends at").fill("16:00")
    partner.get_by_role("radio", name="Online", exact=True).check()
    partner.get_by_label("Audience size").fill("20")
    partner.get_by_label("Hours of each survivor’s time").fill("2")
    partner.get_by_label("Fee offered to each survivor leader").fill("120.00")
    partner.get_by_role("button", name="Send our request").click()
    partner.wait_for_url(base + "/voices/request/sent/")  # post/redirect/get
    walk.check(partner, "request-sent")
    partner.get_by_role("link", name="See your organisation’s requests").click()
    partner.wait_for_url(base + "/voices/requests/")
    partner.get_by_role("link", name=TOPIC).click()
    partner.wait_for_load_state()
    walk.check(partner, "partner-request-submitted")
    assert "Submitted" in partner.content()
    received = wait_for_email(mail_dir, "partner@thrive.example", "We have received your request", started)
    assert "/voices/requests/" in received

    # 2. Membership publishes it to the members who completed the leadership course, any chapter
    # (River is in the US chapter, Kai in the UK's).
    officer = new_page(chromium)
    sign_in(officer, base, "membership@thrive.example", password, start="/admin/")
    officer.wait_for_url(base + "/admin/")
    admin_menu(officer, "Requests")
    walk.check(officer, "admin-requests")
    officer.get_by_role("link", name=TOPIC).click()
    officer.wait_for_load_state()
    walk.check(officer, "admin-request")
    assert "£120.00" in officer.content()
    officer.get_by_role("link", name="Publish to members").click()
    officer.wait_for_load_state()
    walk.check(officer, "admin-publish")
    officer.get_by_label("Title shown to members").fill(TITLE)
    officer.get_by_label("What members read").fill("Safe Harbour Trust would like a survivor leader to talk online.")
    officer.get_by_label(exactly("What will be asked")).fill("What helped you reach support.")
    officer.get_by_label("What will not be asked").fill("Nothing about your own story unless you offer it.")
    officer.get_by_label("Who to ask for on the day").fill(ASK_FOR)
    officer.get_by_label("Completed the course").select_option(label="Foundations of survivor leadership")
    officer.get_by_label("In the chapter").select_option(label="Any chapter")
    officer.get_by_role("button", name="Publish", exact=True).click()
    officer.wait_for_load_state()
    assert "Published to the eligible members." in officer.content()
    assert "No member has said they are interested yet." in officer.content()

    # 3. Two eligible members say they are interested, from their account page: River first
    # (under her pseudonym), then Kai (under a pseudonym too).
    for email, pseudonym, availability in (
        ("river@member.example", "Willow", "Any afternoon that week."),
        ("kai@member.example", KAI_PSEUDONYM, "Free all day."),
    ):
        member = new_page(chromium)
        sign_in(member, base, email, password)
        assert member.url == base + "/account/"
        member.get_by_role("link", name=TITLE).click()
        member.wait_for_load_state()
        if email.startswith("river"):
            walk.check(member, "member-opportunity")
        assert "partner@thrive.example" not in member.content()  # never the organisation's contact
        member.get_by_label("When are you available?").fill(availability)
        member.get_by_role("radio", name="A pseudonym").check()
        member.get_by_label(exactly("Pseudonym")).fill(pseudonym)
        member.get_by_role("button", name="Say I am interested").click()
        member.wait_for_load_state()
        assert "staff now know you are interested" in member.content()
        if email.startswith("river"):
            walk.check(member, "member-interested")
            member.context.close()
        else:
            kai = member

    # 4. Staff choose: fewest recent engagements first puts Kai (none) above River (one, four
    # months ago), although River said so first.
    admin_menu(officer, "Requests")
    officer.get_by_role("link", name=TOPIC).click()
    officer.get_by_role("link", name="Open the opportunity and the interested members").click()
    officer.wait_for_load_state()
    walk.check(officer, "admin-selection")
    rows = officer.locator("table.listing tbody tr")
    assert rows.count() == 2
    first, second = (
        [rows.nth(index).locator("td").nth(column).inner_text() for column in (0, 3, 4)] for index in (0, 1)
    )
    assert first == ["Kai", "0", "never"]  # member, recent engagements, last engagement
    assert second[:2] == ["River", "1"] and second[2] != "never"
    officer.get_by_label("Order").select_option(label="Date of interest")
    officer.get_by_role("button", name="Sort").click()
    officer.wait_for_load_state()
    assert officer.locator("table.listing tbody tr").nth(0).locator("td").nth(0).inner_text() == "River"
    officer.get_by_label("Order").select_option(label="Fewest recent engagements first")
    officer.get_by_role("button", name="Sort").click()
    officer.wait_for_load_state()
    officer.get_by_role("button", name="Choose Kai").click()
    officer.wait_for_load_state()
    assert "Chosen. The member has been emailed and must confirm." in officer.content()
    offered = wait_for_email(mail_dir, "kai@member.example", "You have been offered an opportunity", started)
    assert "/voices/engagements/" in offered

    # 5. Kai confirms from her account page; she and the organisation each get a brief.
    kai.get_by_role("navigation", name="Main").get_by_role("link", name="My account").click()
    kai.get_by_role("link", name=TITLE).click()
    kai.wait_for_load_state()
    walk.check(kai, "member-engagement-offered")
    kai.get_by_role("button", name="Confirm: I will take part").click()
    kai.wait_for_load_state()
    assert "Thank you for confirming." in kai.content()
    walk.check(kai, "member-engagement-confirmed")
    member_brief = wait_for_email(mail_dir, "kai@member.example", "Your brief", started)
    assert f"Who to ask for: {ASK_FOR}" in member_brief and "membership@thrive.example" in member_brief
    organisation_brief = wait_for_email(mail_dir, "partner@thrive.example", "A survivor leader has confirmed", started)
    assert f"How they wish to be known: {KAI_PSEUDONYM}" in organisation_brief
    for hidden in ("Kai", "kai@member.example", "River", "Willow"):
        assert hidden not in organisation_brief

    # The organisation's page shows the pseudonym she chose, and nobody else who was interested.
    partner.get_by_role("navigation", name="Main").get_by_role("link", name="Requests for survivor expertise").click()
    partner.get_by_role("link", name=TOPIC).click()
    partner.wait_for_load_state()
    walk.check(partner, "partner-request-confirmed")
    survivors = partner.get_by_role("region", name="Survivor leaders who confirmed").inner_text()
    assert KAI_PSEUDONYM in survivors
    for hidden in ("Kai", "kai@member.example", "River", "Willow", "Any afternoon", "Free all day"):
        assert hidden not in partner.content()

    # 6. Kai chooses to be paid, then claims her train fare with a photo of the receipt.
    kai.get_by_role("link", name="Change").click()
    kai.wait_for_load_state()
    walk.check(kai, "member-thanks")
    kai.get_by_role("radio", name="Payment to my bank account").check()
    kai.get_by_role("button", name="Save my choice").click()
    kai.wait_for_load_state()
    walk.check(kai, "member-opportunities")
    kai.get_by_role("region", name="My engagements").get_by_role("link", name=TITLE).click()
    kai.get_by_role("link", name="Claim an expense").click()
    kai.wait_for_load_state()
    walk.check(kai, "member-expense-form")
    receipt = tmp_path / "train-ticket.png"
    small_png(receipt)
    kai.get_by_label("What was it for?").fill("Train ticket")
    kai.get_by_label("Amount").fill("25.00")
    kai.get_by_label("Receipt").set_input_files(str(receipt))
    kai.get_by_role("button", name="Send the claim").click()
    kai.wait_for_load_state()
    assert "Your expense is sent to Finance." in kai.content()
    claims = kai.get_by_role("table", name="Your expense claims").inner_text()
    assert "Train ticket" in claims and "£25.00" in claims and "Submitted" in claims

    # Time passes: the talk takes place. A browser cannot wait three weeks, so the test moves
    # this one request's dates (and the engagement's copy of its start) to yesterday in the
    # demo server's database (DATABASE_URL of demo_server.env); nothing else is changed.
    demo_server.shell(
        "import datetime\n"
        "from voices.models import Engagement, VoiceRequest\n"
        f"request = VoiceRequest.objects.get(topic={TOPIC!r})\n"
        "shift = request.starts_at - (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1))\n"
        "VoiceRequest.objects.filter(pk=request.pk).update(\n"
        "    starts_at=request.starts_at - shift, ends_at=request.ends_at - shift)\n"
        "Engagement.objects.filter(opportunity__request=request).update(starts_at=request.starts_at - shift)\n"
    )

    # 7. Membership marks it done (Finance may approve only then).
    officer.reload()
    officer.get_by_role("link", name="Kai", exact=True).click()
    officer.wait_for_load_state()
    walk.check(officer, "admin-engagement")
    assert KAI_PSEUDONYM in officer.content()
    officer.get_by_role("button", name="Mark as done").click()
    officer.wait_for_load_state()
    assert "Marked as done. Finance can now approve the payment." in officer.content()

    # 8. Finance approves the fee and the expense, downloads the payments file, and records
    # the payment with the bank's reference.
    finance = new_page(chromium)
    sign_in(finance, base, "finance@thrive.example", password, start="/admin/")
    finance.wait_for_url(base + "/admin/")
    admin_menu(finance, "Paying survivors")
    walk.check(finance, "admin-payouts")
    finance.get_by_role("row", name=re.compile(TITLE)).get_by_role("link").click()
    finance.wait_for_load_state()
    walk.check(finance, "admin-payout")
    assert "Kai Mensah" in finance.content() and "Payment to my bank account" in finance.content()
    with finance.expect_download() as download:
        finance.get_by_role("link", name="Open the receipt Train ticket").click()
    assert download.value.path().read_bytes().startswith(b"\x89PNG")
    finance.get_by_role("button", name="Approve the fee").click()
    finance.wait_for_load_state()
    assert "Approved. It is in the next export." in finance.content()
    finance.get_by_role("button", name="Approve Train ticket").click()
    finance.wait_for_load_state()
    assert "Expense claim decided." in finance.content()
    finance.get_by_role("link", name="Back to payments").click()
    finance.wait_for_load_state()
    with finance.expect_download() as download:
        finance.get_by_role("link", name="Download the payments CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    kai_rows = sorted(
        (row["Kind"], row["Amount"], row["Currency"], row["Name for payment"])
        for row in rows
        if row["Email"] == "kai@member.example"
    )
    assert kai_rows == [("expense", "25.00", "GBP", "Kai Mensah"), ("fee", "120.00", "GBP", "Kai Mensah")]
    assert not [row for row in rows if row["Email"] == "river@member.example"]  # not chosen, already paid
    finance.get_by_role("row", name=re.compile(TITLE)).get_by_role("link").click()
    finance.wait_for_load_state()
    finance.get_by_label("Payment reference").fill("BANK-KAI-0001")
    finance.get_by_role("button", name="Mark the fee paid").click()
    finance.wait_for_load_state()
    assert "Recorded as paid." in finance.content()
    finance.get_by_role("button", name="Mark the approved expenses paid").click()
    finance.wait_for_load_state()
    assert "Expense claims recorded as paid: 1." in finance.content()

    # 9. Kai sees what she was paid in this tax year.
    kai.get_by_role("navigation", name="Main").get_by_role("link", name="My account").click()
    kai.get_by_role("link", name="All opportunities, my engagements and payments").click()
    kai.wait_for_url(base + "/voices/opportunities/")
    walk.check(kai, "member-tax-year")
    paid = kai.get_by_role("table", name="Paid to you in this tax year").inner_text()
    assert re.search(r"GBP\s+£120\.00\s+£25\.00", paid), paid

    for page in (partner, officer, kai, finance):
        assert page.recorder.console_errors == [], page.url
