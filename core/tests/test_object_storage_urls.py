"""The addresses the site hands out for stored files (core/storage.py): private files only as signed
URLs that expire, public renditions plainly, and from a CDN's domain when AWS_S3_CUSTOM_DOMAIN is set.

moto's S3 server (5.2) does not enforce a presigned URL's expiry, and checks its signature only for
a key that does not exist, so "expires after 5 minutes" cannot be observed against it. What is
checked instead: the URL says X-Amz-Expires=300 from an X-Amz-Date of now, and its signature,
recomputed here with the secret key (AWS Signature Version 4, query-string form), covers that
expiry, so the URL cannot be stretched without the key. Real S3 refuses such a URL once
X-Amz-Date + X-Amz-Expires has passed ("Request has expired")."""

import hashlib
import hmac
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.core.files.storage import default_storage

from core.tests.test_object_storage import http_get

pytestmark = pytest.mark.django_db


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sigv4_query_signature(url: str, secret_key: str, region: str) -> str:
    """The signature AWS computes for a presigned GET URL (SigV4, query string, unsigned payload)."""
    parts = urlsplit(url)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)]
    unsigned = sorted((quote(n, safe="-_.~"), quote(v, safe="-_.~")) for n, v in query if n != "X-Amz-Signature")
    fields = dict(query)
    amz_date = fields["X-Amz-Date"]
    scope = f"{amz_date[:8]}/{region}/s3/aws4_request"
    canonical = "\n".join(
        [
            "GET",
            quote(parts.path, safe="/-_.~"),
            "&".join(f"{name}={value}" for name, value in unsigned),
            f"host:{parts.netloc}",
            "",
            fields["X-Amz-SignedHeaders"],
            "UNSIGNED-PAYLOAD",
        ]
    )
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(f"AWS4{secret_key}".encode(), amz_date[:8])
    for part in (region, "s3", "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def test_a_private_file_url_expires_after_five_minutes_and_the_expiry_is_signed(s3_storage):
    name = default_storage.save("certificates/probe.pdf", io.BytesIO(b"%PDF-1.7 probe"))
    url = default_storage.url(name)
    fields = dict(parse_qsl(urlsplit(url).query))
    assert fields["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256" and fields["X-Amz-SignedHeaders"] == "host"
    assert fields["X-Amz-Credential"].startswith(f"{s3_storage.access_key}/")
    issued = datetime.strptime(fields["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - issued).total_seconds()) < 60 and fields["X-Amz-Expires"] == "300"

    # The signature is the one AWS expects, computed over the expiry among the rest...
    assert fields["X-Amz-Signature"] == sigv4_query_signature(url, s3_storage.secret_key, s3_storage.region)
    # ...so an address stretched to a day no longer carries a valid signature.
    stretched = url.replace("X-Amz-Expires=300", "X-Amz-Expires=86400")
    assert sigv4_query_signature(stretched, s3_storage.secret_key, s3_storage.region) != fields["X-Amz-Signature"]
    assert http_get(url) == (200, b"%PDF-1.7 probe")


def test_with_a_cdn_domain_renditions_come_from_it_and_private_files_stay_signed_bucket_urls(s3_storage, settings):
    settings.AWS_S3_CUSTOM_DOMAIN = "media.thrive.example"
    settings.STORAGES = settings.STORAGES | {}  # storages are built again with the new setting
    assert (
        default_storage.url("images/river.fill-720x480.png")
        == "https://media.thrive.example/images/river.fill-720x480.png"
    )
    for private in ("original_images/river.png", "documents/minutes.pdf", "certificates/ABCD-EFGH.pdf"):
        url = default_storage.url(private)
        assert url.startswith(f"{s3_storage.url}/{s3_storage.bucket}/{private}?")
        assert dict(parse_qsl(urlsplit(url).query))["X-Amz-Expires"] == "300" and "X-Amz-Signature=" in url


def test_the_cdn_domain_is_read_from_the_environment_and_allowed_by_the_csp(s3_server):
    code = (
        "import json; from django.conf import settings as s;"
        "from django.core.files.storage import default_storage as d;"
        "print(json.dumps({'domain': s.AWS_S3_CUSTOM_DOMAIN, 'img_src': [str(x) for x in s.SECURE_CSP['img-src']],"
        " 'admin_img_src': [str(x) for x in s.ADMIN_CSP['img-src']], 'rendition': d.url('images/a.png'),"
        " 'original': d.url('original_images/a.png')}))"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "AWS_STORAGE_BUCKET_NAME": s3_server.bucket,
        "AWS_S3_ENDPOINT_URL": s3_server.url,
        "AWS_ACCESS_KEY_ID": s3_server.access_key,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret_key,
        "AWS_S3_REGION_NAME": s3_server.region,
        "AWS_S3_CUSTOM_DOMAIN": "media.thrive.example",
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
    assert made["domain"] == "media.thrive.example"
    assert made["rendition"] == "https://media.thrive.example/images/a.png"
    assert made["original"].startswith(f"{s3_server.url}/{s3_server.bucket}/original_images/a.png?")
    for img_src in (made["img_src"], made["admin_img_src"]):
        assert "https://media.thrive.example" in img_src and s3_server.url in img_src
