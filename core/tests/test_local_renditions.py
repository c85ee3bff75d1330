"""Without a bucket (`make run`, one host), the site serves the public image renditions from
MEDIA_ROOT/images/ itself, and nothing else of MEDIA_ROOT: originals and certificates stay
behind the views that check who asks."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = settings.STORAGES | {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    assert default_storage.path("x") == str(tmp_path / "x")
    return tmp_path


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_rendition_is_served_and_originals_and_private_files_are_not(client, local_media):
    image = get_image_model().objects.create(title="Red", file=SimpleUploadedFile("red.png", _png()))
    rendition = image.get_rendition("width-32")
    assert rendition.url.startswith("/media/images/")
    assert (local_media / rendition.file.name).exists()
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] in (b"\x89PNG", b"RIFF")

    original = "/media/" + image.file.name
    assert (local_media / image.file.name).exists()
    assert client.get(original).status_code == 404

    (local_media / "certificates").mkdir()
    (local_media / "certificates" / "x.pdf").write_bytes(b"%PDF-1.7")
    assert client.get("/media/certificates/x.pdf").status_code == 404
    assert client.get("/media/images/../certificates/x.pdf").status_code in (400, 404)  # refused
