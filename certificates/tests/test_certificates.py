import re
import subprocess
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import zxingcpp
from django.core.exceptions import ValidationError
from PIL import Image

from accounts.models import Consent
from accounts.services import consent_set
from accounts.tests.factories import MemberProfileFactory, UserFactory
from certificates import rendering
from certificates.models import CODE_ALPHABET, Certificate, CertificateTemplate
from certificates.rendering import certificate_context
from certificates.services import certificate_issue, certificate_reissue, certificate_revoke
from certificates.tasks import certificate_render
from core import pdf as core_pdf
from core.codes import normalise_code
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

HOLDER = "Quillfeather Zanthorpe"


def issue(profile=None, **overrides):
    profile = profile or MemberProfileFactory(display_name="Q", certificate_name=HOLDER)
    source = AuditEvent.objects.create(action="test.achievement", object_type="test", object_id="1")
    kwargs = {
        "recipient": profile.user,
        "source": source,
        "title": "Foundations of survivor leadership",
        "awarded_on": date(2027, 3, 3),
        "hours": Decimal("12"),
    } | overrides
    return certificate_issue(**kwargs)


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_codes_are_long_random_and_unambiguous():
    codes = {Certificate().code for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
        assert not set(code.replace("-", "")) - set(CODE_ALPHABET)
    assert not {"I", "L", "O", "U"} & set(CODE_ALPHABET) and len(CODE_ALPHABET) ** 16 >= 2**80
    assert normalise_code("abcd efgh-jkmn pq0o") == "ABCD-EFGH-JKMN-PQ00"


def test_a_rendered_certificate_reads_back_and_its_qr_code_verifies(client, demo_site, settings, tmp_path):
    certificate = issue()
    certificate_render.call(certificate_id=certificate.pk, send_email=False)
    certificate.refresh_from_db()
    pdf = certificate.pdf.open("rb").read()
    text = pdf_text(pdf)
    assert HOLDER in text and "Foundations of survivor leadership" in text and "3 March 2027" in text
    (tmp_path / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", str(tmp_path / "certificate.pdf"), str(tmp_path / "page1")],
        check=True,
    )
    image = Image.open(tmp_path / "page1.png")
    assert image.size[0] > image.size[1]  # landscape
    decoded = [result.text for result in zxingcpp.read_barcodes(image)]
    assert decoded == [f"{settings.SITE_URL}/verify/{certificate.code}/"]
    page = client.get(decoded[0].removeprefix(settings.SITE_URL))
    assert page.status_code == 200 and "Valid." in page.content.decode()
    assert len(pdf) < 30_000


class CountingHandler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        CountingHandler.hits.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_untrusted_markup_fetches_nothing_outside_the_allow_list():
    server = HTTPServer(("127.0.0.1", 0), CountingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    CountingHandler.hits.clear()
    hostile = f"""<html><head><style>
      body {{ background: url(http://127.0.0.1:{port}/css-background.png); }}
      @import url(http://127.0.0.1:{port}/imported.css);
    </style></head><body>
      <p>Hello</p>
      <img src="file:///etc/passwd">
      <img src="http://127.0.0.1:{port}/redirect">
      <link rel="stylesheet" href="https://example.org/tracker.css">
      <iframe src="file:///etc/hostname"></iframe>
    </body></html>"""
    before = len(core_pdf.refused_urls())
    pdf = core_pdf.render_pdf(hostile)
    server.shutdown()
    assert CountingHandler.hits == []
    refused = core_pdf.refused_urls()[before:]
    assert any(url.startswith("file:///etc/passwd") for url in refused)
    assert any(f"127.0.0.1:{port}" in url for url in refused)
    text = pdf_text(pdf)
    assert "root:" not in text and "Hello" in text


def test_template_text_is_printed_as_text_never_as_markup():
    template = CertificateTemplate.objects.create(
        name="Hostile", body='<img src="file:///etc/passwd"> {name} completed {course}', is_default=True
    )
    certificate = issue()
    assert certificate.template == template
    before = len(core_pdf.refused_urls())
    text = pdf_text(rendering.render_certificate(certificate_context(certificate)))
    assert "root:" not in text
    assert '<img src="file:///etc/passwd">' in text  # shown literally
    assert core_pdf.refused_urls()[before:] == []


def test_issuing_is_idempotent_per_holder_and_source():
    certificate = issue()
    again = certificate_issue(
        recipient=certificate.recipient,
        source=AuditEvent.objects.get(action="test.achievement"),
        title="Another title",
        awarded_on=date(2027, 1, 1),
        hours=Decimal("1"),
    )
    assert again.pk == certificate.pk
    assert Certificate.objects.count() == 1


def test_without_consent_the_verification_page_holds_no_part_of_the_name(client, demo_site):
    certificate = issue()
    html = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Valid." in html
    for part in HOLDER.split():
        assert part not in html
    assert "<title>Certificate check |" in html


def test_with_consent_the_name_is_shown(client, demo_site):
    profile = MemberProfileFactory(certificate_name=HOLDER)
    consent_set(profile=profile, consent=Consent.SHOW_NAME_ON_VERIFICATION, given=True, actor=profile.user)
    certificate = issue(profile)
    html = client.get(f"/verify/{certificate.code}/").content.decode()
    assert HOLDER in html
    assert HOLDER not in html.split("</title>")[0]  # never in the page title


def test_name_check_answers_only_match_or_no_match(client, demo_site):
    certificate = issue()
    url = f"/verify/{certificate.code}/"
    wrong = client.post(url, {"name": "Quillfeather Smith"}).content.decode()
    assert "The name does not match." in wrong and "Zanthorpe" not in wrong
    right = client.post(url, {"name": "  quillfeather   ZANTHORPE "}).content.decode()
    assert "The name matches." in right


def test_twenty_rapid_wrong_codes_are_throttled(client, demo_site):
    statuses = [client.get(f"/verify/{'ABCD-EFGH-JKMN-' + f'{n:04d}'}/").status_code for n in range(20)]
    assert statuses[0] == 404
    assert statuses[-1] == 429
    certificate = issue()
    assert client.get(f"/verify/{certificate.code}/").status_code == 429  # throttled clients learn nothing


def test_a_revoked_certificate_says_revoked_with_its_date(client, demo_site):
    certificate = issue()
    staff = UserFactory(groups=["Membership"])
    certificate_revoke(certificate=certificate, actor=staff, reason="Issued by mistake")
    html = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Revoked" in html and "Valid." not in html
    with pytest.raises(ValidationError):
        certificate_revoke(certificate=certificate, actor=staff, reason="again")


def test_reissue_gives_a_new_code_and_the_old_one_reads_replaced(client, demo_site):
    profile = MemberProfileFactory(certificate_name="Old Name")
    old = issue(profile)
    profile.certificate_name = "New Name"
    profile.save()
    new = certificate_reissue(certificate=old, actor=None)
    old.refresh_from_db()
    assert new.code != old.code and new.name_printed == "New Name" and old.replaced_by == new
    assert "Replaced." in client.get(f"/verify/{old.code}/").content.decode()
    assert "Valid." in client.get(f"/verify/{new.code}/").content.decode()
    assert Certificate.objects.filter(recipient=profile.user, replaced_by=None, revoked_at=None).count() == 1


def test_erasure_can_keep_certificates_valid_without_a_name(client, demo_site):
    from accounts.services import erasure_confirm, erasure_request

    profile = MemberProfileFactory(certificate_name=HOLDER)
    certificate = issue(profile)
    certificate_render.call(certificate_id=certificate.pk, send_email=False)
    request = erasure_request(user=profile.user, revoke_certificates=False)
    erasure_confirm(request=request, actor=UserFactory(groups=["Membership"]))
    certificate.refresh_from_db()
    assert certificate.name_printed == "" and not certificate.pdf and certificate.state == "valid"


def test_the_holder_downloads_only_their_own_pdf(client, demo_site):
    certificate = issue()
    certificate_render.call(certificate_id=certificate.pk, send_email=False)
    client.force_login(UserFactory())
    assert client.get(f"/learning/certificates/{certificate.code}.pdf").status_code == 404
    client.force_login(certificate.recipient)
    response = client.get(f"/learning/certificates/{certificate.code}.pdf")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_certificate_email_is_discreet_for_discreet_members(django_capture_on_commit_callbacks):
    from django.core import mail

    profile = MemberProfileFactory(discreet_mode=True, certificate_name=HOLDER)
    with django_capture_on_commit_callbacks(execute=True):
        issue(profile)
    message = mail.outbox[-1]
    assert message.subject == "You have a new message" and "Foundations" not in message.body
    assert message.attachments[0][0] == "certificate.pdf"
