"""Browser journey: a partner refers, the survivor accepts and applies, Membership approves."""

import quopri
import re
import time

import pytest

pytestmark = pytest.mark.browser


def newest_link(mail_dir, prefix: str, after: float) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        files = sorted(
            (p for p in mail_dir.glob("*.log") if p.stat().st_mtime >= after), key=lambda p: p.stat().st_mtime
        )
        for path in reversed(files):
            text = quopri.decodestring(path.read_bytes()).decode()  # bodies may be quoted-printable
            match = re.search(rf"https?://\S+?({re.escape(prefix)}\S+)", text)
            if match:
                return match.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no email with {prefix} in {mail_dir}")


def test_partner_refers_survivor_applies_membership_approves(demo_server, chromium, axe, sign_in, tmp_path):
    base = demo_server.url
    _staff, password = demo_server.staff_login
    started = time.time() - 1

    partner = chromium.new_context().new_page()
    sign_in(partner, base, "partner@thrive.example", password)
    # Signing in lands on the account page, whose organisation card leads to the form (no typed address).
    assert partner.url == base + "/account/"
    assert axe(partner) == []
    for width, height in ((390, 844), (1280, 900)):
        partner.set_viewport_size({"width": width, "height": height})
        partner.screenshot(path=str(tmp_path / f"partner-account-{width}.png"), full_page=True)
    organisation = partner.get_by_role("region", name=re.compile("^Your organisation"))
    organisation.get_by_role("link", name="Refer a survivor").click()
    partner.wait_for_url(base + "/partners/referrals/new/")
    assert axe(partner) == []
    partner.get_by_label("The survivor's email address").fill("journey.survivor@example.org")
    partner.get_by_label("Note for our membership team (optional)").fill("Met at the weekly drop-in")
    partner.get_by_label("The survivor has agreed that I refer them").check()
    partner.get_by_role("button", name="Send the invitation").click()
    partner.wait_for_url(base + "/partners/referrals/")
    assert axe(partner) == []
    assert "journey.survivor" not in partner.content()
    # The header's Referrals link brings the partner back from any page.
    partner.goto(base + "/")
    partner.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    partner.wait_for_url(base + "/partners/referrals/")

    invitation_path = newest_link(demo_server.var_dir / "mail", "/membership/invitation/", started)
    survivor = chromium.new_context().new_page()
    survivor.goto(base + invitation_path)
    assert axe(survivor) == []
    survivor.get_by_role("button", name="Yes, I want to apply").click()
    survivor.wait_for_url(base + "/membership/apply/")
    assert survivor.get_by_role("textbox", name="Email").input_value() == "journey.survivor@example.org"
    assert axe(survivor) == []
    survivor.get_by_label("Name to use").fill("Journey")
    survivor.get_by_label("Email to the address above").check()
    survivor.get_by_label("Chapter").select_option(label="United Kingdom")
    survivor.get_by_role("button", name="Send my application").click()
    survivor.wait_for_url(base + "/membership/apply/thank-you/")  # post/redirect/get
    assert "Thank you" in survivor.content()
    assert axe(survivor) == []

    officer = chromium.new_context().new_page()
    sign_in(officer, base, "membership@thrive.example", password)
    officer.goto(base + "/admin/membership/applications/")
    officer.get_by_role("row", name=re.compile("Journey")).get_by_role("link").click()
    officer.wait_for_load_state()
    assert "Met at the weekly drop-in" in officer.content()
    assert axe(officer) == []
    officer.get_by_label("Approve").check()
    officer.get_by_role("button", name="Save decision").click()
    officer.wait_for_url(base + "/admin/membership/applications/")
    assert "Approved" in officer.content()

    partner.goto(base + "/partners/referrals/")
    assert "Accepted" in partner.content()
