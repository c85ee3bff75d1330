"""Files in S3-compatible object storage (issue 15), against a real S3 API server: moto's server
mode, started by conftest's `s3_server`. Each test's default storage is that bucket
(`s3_storage`), configured as `config/settings/base.py` configures it from AWS_STORAGE_BUCKET_NAME."""

import io
import json
import logging
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model

from accounts.tests.factories import MemberProfileFactory
from certificates.models import Certificate
from certificates.services import certificate_issue
from certificates.tasks import certificate_render
from conftest import _free_port
from core.models import AuditEvent
from core.storage import MediaStorage

pytestmark = pytest.mark.django_db

HOLDER = "Quillfeather Zanthorpe"


def issue_and_render(captured_on_commit, profile=None) -> Certificate:
    """Issue a certificate the way the site does; the render task it queues after the commit runs
    (the immediate task backend of the test settings)."""
    profile = profile or MemberProfileFactory(display_name="Q", certificate_name=HOLDER)
    source = AuditEvent.objects.create(action="test.achievement", object_type="test", object_id="1")
    with captured_on_commit(execute=True):
        certificate = certificate_issue(
            recipient=profile.user,
            source=source,
            title="Foundations of survivor leadership",
            awarded_on=date(2027, 3, 3),
            hours=Decimal("12"),
        )
    certificate.refresh_from_db()
    return certificate


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def http_get(url: str) -> tuple[int, bytes]:
    """A plain GET, as a browser with no credentials would make it."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (moto on loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def read_object(s3_server, key: str) -> bytes:
    return s3_server.client().get_object(Bucket=s3_server.bucket, Key=key)["Body"].read()


def test_the_default_storage_is_the_bucket(s3_storage):
    name = default_storage.save("probe/hello.txt", io.BytesIO(b"hello"))
    assert read_object(s3_storage, name) == b"hello"
    assert isinstance(default_storage._wrapped, MediaStorage)
    # AWS_S3_FILE_OVERWRITE=False: a second file of the same name gets a name of its own.
    assert default_storage.save("probe/hello.txt", io.BytesIO(b"again")) != name


def test_the_settings_made_from_the_environment_match_the_fixture_and_the_policy_allows_the_images(s3_server):
    """config/settings/base.py with AWS_STORAGE_BUCKET_NAME set (run as a separate process, as the site
    starts): the storage the tests use, and a Content Security Policy that lets the rendition URLs in."""
    code = (
        "import json; from django.conf import settings as s;"
        "from django.core.files.storage import default_storage as d;"
        "names = [n for n in dir(s) if n.startswith('AWS_') and n != 'AWS_S3_CLIENT_CONFIG'];"
        "print(json.dumps({'settings': {n: getattr(s, n) for n in names}, 'backend': s.STORAGES['default']['BACKEND'],"
        " 'retries': s.AWS_S3_CLIENT_CONFIG.retries, 'timeouts': [s.AWS_S3_CLIENT_CONFIG.connect_timeout,"
        " s.AWS_S3_CLIENT_CONFIG.read_timeout], 'img_src': [str(x) for x in s.SECURE_CSP['img-src']],"
        " 'admin_img_src': [str(x) for x in s.ADMIN_CSP['img-src']], 'rendition_url': d.url('images/a.png')}))"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "AWS_STORAGE_BUCKET_NAME": s3_server.bucket,
        "AWS_S3_ENDPOINT_URL": s3_server.url,
        "AWS_ACCESS_KEY_ID": s3_server.access_key,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret_key,
        "AWS_S3_REGION_NAME": s3_server.region,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    made = json.loads(result.stdout.strip().splitlines()[-1])
    expected = s3_server.storage_settings()
    client_config = expected.pop("AWS_S3_CLIENT_CONFIG")
    assert made["settings"] == expected
    assert made["backend"] == "core.storage.MediaStorage"
    assert made["retries"] == client_config.retries
    assert made["timeouts"] == [client_config.connect_timeout, client_config.read_timeout]
    origin = urlunsplit(urlsplit(made["rendition_url"])._replace(path="", query=""))
    assert origin == s3_server.url and origin in made["img_src"] and origin in made["admin_img_src"]


def test_a_certificate_rendered_by_its_task_lands_in_the_bucket(s3_storage, django_capture_on_commit_callbacks):
    certificate = issue_and_render(django_capture_on_commit_callbacks)
    assert certificate.pdf.name.startswith("certificates/") and certificate.pdf_rendered_at is not None
    stored = read_object(s3_storage, certificate.pdf.name)
    assert stored.startswith(b"%PDF")
    assert HOLDER in pdf_text(stored)


def test_only_the_holder_downloads_the_certificate_through_the_site(
    s3_storage, client, django_capture_on_commit_callbacks
):
    certificate = issue_and_render(django_capture_on_commit_callbacks)
    url = reverse("certificates:download", args=[certificate.code])

    client.force_login(certificate.recipient)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content)
    assert body == read_object(s3_storage, certificate.pdf.name) and HOLDER in pdf_text(body)

    client.force_login(MemberProfileFactory().user)
    assert client.get(url).status_code == 404

    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_certificate_is_not_readable_from_the_bucket_without_a_signature(
    s3_storage, django_capture_on_commit_callbacks
):
    certificate = issue_and_render(django_capture_on_commit_callbacks)
    status, body = http_get(f"{s3_storage.url}/{s3_storage.bucket}/{certificate.pdf.name}")
    assert status == 403 and b"%PDF" not in body
    # Any URL the storage hands out is signed and lives five minutes. moto 5.2 refuses the unsigned
    # GET above (the object's private ACL) but checks neither the signature nor the expiry of a
    # presigned URL to an existing object, so those are asserted on the URL itself.
    signed = certificate.pdf.url
    query = parse_qs(urlsplit(signed).query)
    assert query["X-Amz-Expires"] == ["300"] and query["X-Amz-Signature"] and query["X-Amz-Credential"]
    status, body = http_get(signed)
    assert status == 200 and body.startswith(b"%PDF")


def test_erasing_the_holder_deletes_the_pdf_from_the_bucket_once_the_erasure_commits(
    s3_storage, django_capture_on_commit_callbacks
):
    from botocore.exceptions import ClientError

    from accounts.erasure import erase_member

    certificate = issue_and_render(django_capture_on_commit_callbacks)
    key = certificate.pdf.name
    with pytest.raises(RuntimeError), transaction.atomic():  # an erasure that fails after the signal
        erase_member(user=certificate.recipient, old_email=certificate.recipient.email, revoke_certificates=False)
        raise RuntimeError
    assert read_object(s3_storage, key).startswith(b"%PDF")  # the row still names it: still there
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        erase_member(user=certificate.recipient, old_email=certificate.recipient.email, revoke_certificates=False)
    certificate.refresh_from_db()
    assert certificate.pdf.name == "" and certificate.name_printed == ""
    with pytest.raises(ClientError, match="404|NoSuchKey|Not Found"):
        s3_storage.client().head_object(Bucket=s3_storage.bucket, Key=key)


def png(width=240, height=160) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (200, 30, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_wagtail_image_is_stored_privately_and_its_rendition_is_served_publicly(s3_storage):
    image = get_image_model().objects.create(
        title="Gathering", file=SimpleUploadedFile("gathering.png", png(), content_type="image/png")
    )
    assert image.file.name.startswith("original_images/")
    assert read_object(s3_storage, image.file.name) == png()
    # The original (which may carry where a photo was taken) is private: signed URLs only.
    assert http_get(f"{s3_storage.url}/{s3_storage.bucket}/{image.file.name}")[0] == 403
    assert parse_qs(urlsplit(image.file.url).query)["X-Amz-Expires"] == ["300"]

    # The rendition public pages show has a plain URL (it outlives the page cache) that serves.
    rendition = image.get_rendition("fill-120x80")
    assert rendition.file.name.startswith("images/")
    assert rendition.url == f"{s3_storage.url}/{s3_storage.bucket}/{rendition.file.name}"
    status, body = http_get(rendition.url)
    assert status == 200
    assert PILImage.open(io.BytesIO(body)).size == (120, 80)


def test_a_wagtail_document_is_handed_out_as_a_short_lived_signed_url(s3_storage, client):
    from wagtail.documents import get_document_model

    document = get_document_model().objects.create(
        title="Annual report", file=SimpleUploadedFile("annual-report.txt", b"Our year, in numbers.")
    )
    assert read_object(s3_storage, document.file.name) == b"Our year, in numbers."
    assert http_get(f"{s3_storage.url}/{s3_storage.bucket}/{document.file.name}")[0] == 403
    # Wagtail's serve view (which applies collection privacy) redirects to a signed URL.
    response = client.get(document.url)
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["X-Amz-Expires"] == ["300"]
    assert http_get(response["Location"]) == (200, b"Our year, in numbers.")


def test_storage_unreachable_fails_the_render_clearly_and_it_is_tried_again(
    s3_storage, settings, caplog, django_capture_on_commit_callbacks
):
    """The S3 server gone (nothing listens at the endpoint, as after moto is stopped): the render
    fails with the storage's error in the log, the certificate keeps no PDF name (nothing points at
    a missing file), a retry is queued for later, and that retry renders once the storage is back."""
    from botocore.config import Config

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}  # queued, not run
    certificate = issue_and_render(django_capture_on_commit_callbacks)
    assert [result.kwargs for result in certificate_render.get_backend().results] == [
        {"certificate_id": certificate.pk}
    ]
    certificate_render.get_backend().clear()

    settings.AWS_S3_ENDPOINT_URL = f"http://127.0.0.1:{_free_port()}"
    settings.AWS_S3_CLIENT_CONFIG = Config(connect_timeout=1, retries={"max_attempts": 1, "mode": "standard"})
    settings.STORAGES = settings.STORAGES | {}  # forget the storage built with the old endpoint
    with caplog.at_level(logging.ERROR), pytest.raises(Exception, match="Could not connect to the endpoint URL"):
        certificate_render.call(certificate_id=certificate.pk)  # what the worker runs
    certificate.refresh_from_db()
    assert certificate.pdf.name == "" and certificate.pdf_rendered_at is None and certificate.emailed_at is None
    logged = [record.getMessage() for record in caplog.records if record.name == "certificates.delivery"]
    assert logged == [f"certificate {certificate.pk}: storing the PDF failed (attempt 1 of 6); trying again in 0:02:00"]
    (retry,) = certificate_render.get_backend().results
    assert retry.kwargs == {"certificate_id": certificate.pk, "send_email": True, "attempt": 1}
    assert retry.task.run_after is not None

    settings.AWS_S3_ENDPOINT_URL = s3_storage.url
    settings.STORAGES = settings.STORAGES | {}
    assert certificate_render.call(**retry.kwargs) == "rendered"
    certificate.refresh_from_db()
    assert read_object(s3_storage, certificate.pdf.name).startswith(b"%PDF")
    assert certificate.emailed_at is not None
