"""Issue 20's fundraising journey in real Chromium against the demo server, by clicking: a
visitor finds the demo team's page from the campaign's page; a supporter starts a page from
the campaign's "Fundraise for" link and joins the demo team; the public gets 404 until
Communications approves it, then finds it on the campaign's page, and the supporter is
emailed that it is live; two donors give through the real checkout on localstripe
(one anonymous with a message, one by name with Gift Aid); the page, its team and the campaign
each count the same £50.00; the message appears once approved; the fundraiser's two emails
name neither donor's address; Finance's Gift Aid schedule marks the sponsored gift "Yes".

Each new page is checked with axe and photographed at 390 px and 1280 px into tmp_path."""

import csv
import datetime
import re
import time

import pytest

from core.tests.walk import Walk
from payments.tests.test_checkout_browser import VISA, fill_card, pay_and_pass_3d_secure
from voices.tests.test_voices_browser import new_page, sign_in, small_png, wait_for_email

pytestmark = pytest.mark.browser

SUPPORTER = "journey.supporter@example.org"
TITLE = "Cycling London to Brighton for funded places"
ANONYMOUS_DONOR = "quiet.giver@example.net"
NAMED_DONOR = "grace.named@example.net"
GIFT_SUBJECT = "Someone gave through your fundraising page"
LIVE_SUBJECT = "Your fundraising page is live"


def raised(page) -> str:
    """The first amount in bold in the progress section ("£50.00")."""
    return page.locator(".campaign-progress strong").first.inner_text()


def pounds(text: str) -> int:
    return round(float(text.replace("£", "").replace(",", "")) * 100)


def give(chromium, base, walk, url, *, amount, email, display, name="", message="", gift_aid=False, shot=""):
    donor = new_page(chromium)
    donor.goto(url)
    donor.get_by_role("textbox", name="Other amount").fill(amount)
    donor.get_by_label("Email address").fill(email)
    donor.get_by_label(display, exact=True).check()
    if name:
        donor.get_by_label("Your name (unless you give anonymously)").fill(name)
    if message:
        donor.get_by_label("Message (optional)").fill(message)
    if gift_aid:
        donor.get_by_label("Yes, add Gift Aid to my donation").check()
        donor.get_by_role("textbox", name="First name").fill("Grace")
        donor.get_by_role("textbox", name="Last name").fill("Named")
        donor.get_by_label("House name or number").fill("12 Acacia House")
        donor.get_by_label("Postcode").fill("N1 9GU")
    if shot:
        walk.check(donor, shot)
    donor.get_by_role("button", name="Continue to payment").click()
    donor.wait_for_url("**/payments/checkout/**")
    fill_card(donor, VISA)
    pay_and_pass_3d_secure(donor)
    assert "/done/" in donor.url
    donor.context.close()


def test_a_supporter_page_in_a_team_is_approved_given_to_twice_and_counted_alike_everywhere(
    demo_server, chromium, axe, tmp_path
):
    demo_server.require_stripe()
    base, mail_dir = demo_server.url, demo_server.var_dir / "mail"
    password = demo_server.staff_login[1]
    walk = Walk(axe, tmp_path)
    started = time.time() - 1
    demo_server.shell(f"from accounts.demo import demo_user; demo_user({SUPPORTER!r}, {password!r})")
    photo = tmp_path / "me.png"
    small_png(photo)

    # What the demo campaign and team show before.
    visitor = new_page(chromium)
    visitor.goto(base + "/fund-a-place/")
    campaign_before = pounds(raised(visitor))
    walk.check(visitor, "campaign")
    supporters_pages = visitor.locator(".campaign-section--fundraising")
    supporters_pages.get_by_role("link", name="Thames Path 10k for funded places").click()
    visitor.get_by_role("link", name="See the team").click()
    team_url = visitor.url
    team_before = pounds(raised(visitor))

    # 1. The supporter makes a page from their account, joining the demo team.
    supporter = new_page(chromium)
    sign_in(supporter, base, SUPPORTER, password)
    supporter.goto(base + "/account/")
    supporter.get_by_role("link", name="Make a fundraising page").click()
    supporter.wait_for_url("**/fundraising/")
    walk.check(supporter, "start")
    # The campaign's own page offers the same start (CAMPAIGN_SECTIONS_HOOK).
    supporter.goto(base + "/fund-a-place/")
    supporter.locator(".campaign-section--fundraising").get_by_role(
        "link", name="Fundraise for Fund a survivor's place"
    ).click()
    supporter.wait_for_url("**/fundraising/new/**")
    walk.check(supporter, "page-form")
    supporter.get_by_label("Title").fill(TITLE)
    supporter.get_by_label("Name shown on the page").fill("Robin")
    supporter.get_by_label("Your story").fill("<script>alert(1)</script> I ride 54 miles in June.")
    supporter.get_by_role("textbox", name="Target").fill("300")
    ends = datetime.date.today() + datetime.timedelta(days=40)
    supporter.get_by_label("Ends on").fill(ends.isoformat())
    supporter.get_by_label("This is a sponsored challenge").check()
    supporter.get_by_label("Photo (optional)").set_input_files(str(photo))
    supporter.get_by_label("Join a team (optional)").select_option(label="Riverside Runners")
    supporter.get_by_role("button", name="Make my page").click()
    supporter.wait_for_load_state()
    assert "Waiting for approval." in supporter.content()
    assert "<script>alert(1)</script> I ride" in supporter.locator(".story").inner_text()
    walk.check(supporter, "preview")
    page_url = supporter.url

    # 2. The public gets 404 until it is approved (a page of its own: the 404 is on its console).
    stranger = new_page(chromium)
    assert stranger.goto(page_url).status == 404
    stranger.context.close()

    # 3. Communications approves it from the admin's menu.
    staff = new_page(chromium)
    sign_in(staff, base, "communications@thrive.example", password, start="/admin/")
    staff.get_by_role("button", name="Supporter fundraising").click()
    staff.locator(".sidebar-sub-menu-panel").get_by_role("link", name="Pages", exact=True).click()
    staff.wait_for_load_state()
    walk.check(staff, "admin-pages")
    staff.get_by_role("link", name=TITLE).click()
    walk.check(staff, "admin-page")
    staff.get_by_role("button", name="Approve: make the page public").click()
    staff.wait_for_load_state()
    visitor.goto(base + "/fund-a-place/")
    visitor.locator(".campaign-section--fundraising").get_by_role("link", name=TITLE).click()
    visitor.wait_for_url(page_url)
    walk.check(visitor, "public-page")
    live = wait_for_email(mail_dir, SUPPORTER, LIVE_SUBJECT, started)
    assert page_url.removeprefix(base) in live and TITLE in live
    assert "communications@thrive.example" not in live

    # 4. Two donors give through the real checkout.
    give(
        chromium,
        base,
        walk,
        page_url,
        amount="20",
        email=ANONYMOUS_DONOR,
        display="Anonymous",
        message="Good luck, Robin!",
        shot="gift-form",
    )
    give(
        chromium,
        base,
        walk,
        page_url,
        amount="30",
        email=NAMED_DONOR,
        display="My full name",
        name="Grace Named",
        gift_aid=True,
    )

    # 5. Page, team and campaign each count the same £50.00.
    visitor.goto(page_url)
    assert raised(visitor) == "£50.00"
    assert "from 2 gifts" in visitor.locator(".campaign-progress").inner_text()
    supporters = visitor.locator(".supporters").inner_text()
    assert "Anonymous" in supporters and "Grace Named" in supporters
    assert "Good luck" not in supporters  # waiting for moderation
    visitor.goto(team_url)
    assert pounds(raised(visitor)) - team_before == 5000
    assert TITLE in visitor.content()
    walk.check(visitor, "team")
    visitor.goto(base + "/fund-a-place/")
    assert pounds(raised(visitor)) - campaign_before == 5000

    # 6. The message appears once Communications shows it.
    staff.goto(base + "/admin/fundraising/messages/")
    walk.check(staff, "admin-messages")
    staff.get_by_role("button", name="Show the message from Anonymous", exact=True).click()
    staff.wait_for_load_state()
    visitor.goto(page_url)
    assert "Good luck, Robin!" in visitor.locator(".supporters").inner_text()

    staff.goto(base + "/admin/fundraising/teams/")
    walk.check(staff, "admin-teams")

    # 7. The fundraiser heard of both gifts; neither email names a donor's address.
    wait_for_email(mail_dir, SUPPORTER, GIFT_SUBJECT, started)
    deadline = time.monotonic() + 10
    from voices.tests.test_voices_browser import emails

    while len(told := [b for s, b in emails(mail_dir, SUPPORTER, started) if s == GIFT_SUBJECT]) < 2:
        assert time.monotonic() < deadline, told
        time.sleep(0.2)
    text = "\n".join(told)
    supporter.goto(base + "/fundraising/mine/")
    assert "£50.00 of £300.00" in supporter.content()
    for secret in (ANONYMOUS_DONOR, NAMED_DONOR):
        assert secret not in supporter.content()
    walk.check(supporter, "mine")
    assert "Anonymous gave £20.00" in text and "Grace Named gave £30.00" in text
    for secret in (ANONYMOUS_DONOR, NAMED_DONOR, "quiet.giver", "grace.named", "Acacia", "N1 9GU", "Good luck"):
        assert secret not in text, secret

    # 8. Finance's Gift Aid schedule marks the sponsored gift.
    finance = new_page(chromium)
    sign_in(finance, base, "finance@thrive.example", password, start="/admin/")
    today = datetime.date.today().isoformat()
    finance.goto(f"{base}/admin/finance/gift-aid/?from={today}&to={today}")
    finance.get_by_role("button", name="Make the claim").click()
    finance.wait_for_load_state()
    with finance.expect_download() as download:
        finance.get_by_role("link", name=re.compile(r"^Download claim \d+ \(CSV\)$")).first.click()
    rows = list(csv.reader(download.value.path().open(encoding="utf-8")))
    header = rows[0]
    named = [row for row in rows[1:] if row[header.index("Last name")] == "Named"]
    assert len(named) == 1
    assert named[0][header.index("Sponsored event")] == "Yes"
    assert named[0][header.index("Amount")] == "30.00"
    assert named[0][header.index("Aggregated donations")] == ""
    for browser_page in (visitor, supporter, staff, finance):
        assert browser_page.recorder.console_errors == []
