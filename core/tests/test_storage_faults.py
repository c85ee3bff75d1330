"""The S3 server stopped, before or in the middle of an upload (issue 15, "Bad input and faults"):
the person sees a clear message, not a 500 page; no row points at a missing file; and once the
server is back, the same upload works with no restart of the site.

Each test has a moto S3 server of its own (started by conftest's helper, so the session's server
that other tests use is never killed), reached through a small TCP relay: the storage's endpoint
is the relay, so moto can be killed (SIGKILL, really gone) while a file is half way through it,
and a new moto put behind the same address afterwards."""

import io
import logging
import os
import re
import socket
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, UploadedFile

from accounts.tests.factories import MemberProfileFactory, UserFactory, sign_in_with_second_factor
from conftest import S3Server, _missing_service, _moto_executable, _start_moto
from core.storage_faults import UPLOAD_FAILED_MESSAGE
from core.tests.test_object_storage import issue_and_render

# Transactional: requests run outside any transaction, as on the site. (Inside the usual test
# transaction, Model.save's mark_for_rollback_on_error would mark it broken when the upload fails.)
pytestmark = pytest.mark.django_db(transaction=True)

KILL_AFTER_BYTES = 256 * 1024


class Relay:
    """Forwards TCP connections from its own port to moto's. When `kill_after` is set, the first
    connection that has carried that many bytes towards moto kills moto there and then (the
    request it was carrying is cut off), and keeps those bytes for the test to read."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.kill_after: int | None = None
        self.on_kill = None
        self.cut_request = b""
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
        except OSError:
            client.close()  # nothing behind the relay: the connection closes unanswered
            return
        threading.Thread(target=self._pipe, args=(upstream, client, None), daemon=True).start()
        self._pipe(client, upstream, bytearray())

    def _pipe(self, source, target, seen: bytearray | None):
        try:
            while block := source.recv(65536):
                if seen is not None and self.kill_after is not None:
                    seen += block
                    if len(seen) >= self.kill_after:
                        self.kill_after = None
                        self.cut_request = bytes(seen)
                        self.on_kill()
                        break
                target.sendall(block)
        except OSError:
            pass
        for end in (source, target):
            end.close()

    def close(self):
        self.listener.close()


class DyingStorage:
    """A moto server behind a relay, as this test's default storage."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.process, url = self._start()
        self.relay = Relay(int(url.rsplit(":", 1)[1]))
        self.relay.on_kill = self.kill
        self.server = S3Server(self.relay.url, self.process)
        self._create_bucket()

    def _start(self):
        started = _start_moto(self.log_dir / f"moto-{os.urandom(3).hex()}.log")
        if started is None:
            _missing_service(f"needs moto's S3 server: moto_server did not start (see {self.log_dir})")
        return started

    def _create_bucket(self):
        self.server.client().create_bucket(
            Bucket=self.server.bucket, CreateBucketConfiguration={"LocationConstraint": self.server.region}
        )

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)

    def restart(self):
        """A new moto behind the same address (moto keeps nothing: the bucket is made again)."""
        self.process, url = self._start()
        self.relay.upstream_port = int(url.rsplit(":", 1)[1])
        self._create_bucket()

    def keys(self) -> list[str]:
        answer = self.server.client().list_objects_v2(Bucket=self.server.bucket)
        return [item["Key"] for item in answer.get("Contents", [])]

    def stop(self):
        if self.process.poll() is None:
            self.kill()
        self.relay.close()


@pytest.fixture
def dying_storage(settings, tmp_path):
    if _moto_executable() is None:
        _missing_service("needs moto's S3 server (moto_server): pip install -r requirements-dev.txt")
    storage = DyingStorage(tmp_path)
    for name, value in storage.server.storage_settings().items():
        setattr(settings, name, value)
    settings.STORAGES = settings.STORAGES | {"default": {"BACKEND": "core.storage.MediaStorage"}}
    yield storage
    storage.stop()


@pytest.fixture
def staff_client(client):
    if Collection.get_first_root_node() is None:  # an earlier transactional test's flush removed it
        Collection.add_root(name="Root")
    sign_in_with_second_factor(client, UserFactory(is_superuser=True, is_staff=True))
    return client


def noisy_png(width=1024, height=700) -> bytes:
    """About 2 MB that does not compress: the upload takes many packets."""
    buffer = io.BytesIO()
    PILImage.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def upload_images(client, data: bytes):
    """What the admin's "Add images" page sends for one file."""
    return client.post(
        reverse("wagtailimages:add_multiple"),
        {"files[]": SimpleUploadedFile("river-walk.png", data, content_type="image/png")},
        headers={"x-requested-with": "XMLHttpRequest"},
    )


def test_storage_dying_in_the_middle_of_an_image_upload_says_so_and_keeps_no_image(dying_storage, staff_client, caplog):
    data = noisy_png()
    assert len(data) > 4 * KILL_AFTER_BYTES
    dying_storage.relay.kill_after = KILL_AFTER_BYTES
    with caplog.at_level(logging.ERROR, logger="core.storage_faults"):
        response = upload_images(staff_client, data)

    # moto was killed while the picture itself was on its way (a PUT of the original, cut short).
    assert dying_storage.process.poll() is not None
    cut = dying_storage.relay.cut_request
    put = cut.find(b"PUT /thrive-test-media/original_images/river-walk")
    headers_end = cut.find(b"\r\n\r\n", put)
    length = int(re.search(rb"content-length: *(\d+)", cut[put:headers_end], re.IGNORECASE).group(1))
    assert put >= 0 and headers_end > put and 0 < len(cut) - headers_end - 4 < length
    # The admin's upload script shows this message beside the file.
    assert response.status_code == 200
    assert response.json() == {"success": False, "error_message": UPLOAD_FAILED_MESSAGE}
    assert get_image_model().objects.count() == 0 and UploadedFile.objects.count() == 0
    (logged,) = [record.getMessage() for record in caplog.records if record.name == "core.storage_faults"]
    assert logged.startswith("file storage failed during POST /admin/images/multiple/add/: StorageUnavailable <- ")
    assert "river-walk" not in logged  # a file's name may name a person

    dying_storage.restart()
    response = upload_images(staff_client, data)
    assert response.status_code == 200 and response.json()["success"] is True
    image = get_image_model().objects.get()
    assert (
        dying_storage.server.client().get_object(Bucket=dying_storage.server.bucket, Key=image.file.name)["Body"].read()
        == data
    )


def test_an_image_added_with_the_one_file_form_while_the_storage_is_stopped_returns_to_the_form_with_a_message(
    dying_storage, staff_client
):
    dying_storage.kill()
    url = reverse("wagtailimages:add")
    fields = {"title": "River walk", "file": SimpleUploadedFile("river-walk.png", noisy_png(320, 200))}
    response = staff_client.post(url, fields)
    assert response.status_code == 302 and response["Location"] == url
    page = staff_client.get(url)
    assert page.status_code == 200 and UPLOAD_FAILED_MESSAGE in page.content.decode()
    assert get_image_model().objects.count() == 0

    dying_storage.restart()
    fields["file"] = SimpleUploadedFile("river-walk.png", noisy_png(320, 200))
    response = staff_client.post(url, fields)
    assert response.status_code == 302 and response["Location"] == reverse("wagtailimages:index")
    image = get_image_model().objects.get()
    assert dying_storage.keys() == [image.file.name]


def test_a_document_uploaded_while_the_storage_is_stopped_is_refused_clearly_and_not_recorded(
    dying_storage, staff_client
):
    dying_storage.kill()
    response = staff_client.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile("minutes.txt", b"Minutes of the gathering.")},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.json() == {"success": False, "error_message": UPLOAD_FAILED_MESSAGE}
    assert get_document_model().objects.count() == 0 and UploadedFile.objects.count() == 0

    dying_storage.restart()
    response = staff_client.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile("minutes.txt", b"Minutes of the gathering.")},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.json()["success"] is True
    assert dying_storage.keys() == [get_document_model().objects.get().file.name]


def test_an_image_uploaded_from_the_page_editors_chooser_while_the_storage_is_stopped_is_refused_and_not_recorded(
    dying_storage, staff_client
):
    dying_storage.kill()
    response = staff_client.post(
        reverse("wagtailimages_chooser:create"),
        {
            "image-chooser-upload-title": "River walk",
            "image-chooser-upload-file": SimpleUploadedFile("river-walk.png", noisy_png(320, 200)),
        },
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert response.json() == {"success": False, "error_message": UPLOAD_FAILED_MESSAGE}
    assert get_image_model().objects.count() == 0


def test_a_certificate_download_while_the_storage_is_stopped_answers_try_again_shortly(
    dying_storage, client, django_capture_on_commit_callbacks
):
    certificate = issue_and_render(django_capture_on_commit_callbacks, MemberProfileFactory())
    client.force_login(certificate.recipient)
    url = reverse("certificates:download", args=[certificate.code])
    dying_storage.kill()
    response = client.get(url)
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "cannot reach its files" in response.content.decode()
