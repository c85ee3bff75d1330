"""Verification pages and the admin preview in Chromium, checked with axe-core."""

import pytest

pytestmark = pytest.mark.browser


def river_code(demo_server) -> str:
    return demo_server.shell(
        "from certificates.models import Certificate;"
        "print(Certificate.objects.get(recipient__email='river@member.example').code)"
    )


def test_verification_pages_pass_axe_and_say_valid_without_the_name(demo_server, browser_page, axe):
    base = demo_server.url
    code = river_code(demo_server)
    browser_page.goto(base + "/verify/")
    assert axe(browser_page) == []
    browser_page.get_by_label("Certificate code").fill(code.lower().replace("-", " "))
    browser_page.get_by_role("button", name="Check").click()
    browser_page.wait_for_url(f"{base}/verify/{code}/")
    assert "Valid." in browser_page.content() and "River" not in browser_page.content()
    assert axe(browser_page) == []
    browser_page.get_by_label("Name you were given").fill("River")
    browser_page.get_by_role("button", name="Check the name").click()
    browser_page.wait_for_load_state()
    assert "The name matches." in browser_page.content()
    assert axe(browser_page) == []
    browser_page.goto(base + "/verify/0000-0000-0000-0000/")
    assert "We have no certificate with that code" in browser_page.content()
    assert axe(browser_page) == []
    assert browser_page.recorder.console_errors == [] or all("404" in e for e in browser_page.recorder.console_errors)


def test_admin_preview_page_passes_axe_and_its_pdf_renders(demo_server, browser_page, axe, sign_in):
    base = demo_server.url
    sign_in(browser_page, base, *demo_server.staff_login)
    template_id = demo_server.shell(
        "from certificates.models import CertificateTemplate; print(CertificateTemplate.objects.get().pk)"
    )
    browser_page.goto(f"{base}/admin/certificates/templates/{template_id}/preview/")
    assert "Certificate preview" in browser_page.content()
    assert axe(browser_page) == []
    response = browser_page.request.get(f"{base}/admin/certificates/templates/{template_id}/preview.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
