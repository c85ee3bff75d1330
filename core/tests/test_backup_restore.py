"""`manage.py backup` and `manage.py restore` (`make backup`, `make restore`; issue 15 item 5) on real
parts: PostgreSQL databases of their own, buckets of their own on moto's S3 server (conftest's
`s3_server`), and Thrive processes started the way an operator starts them, with the environment
of each site. The restored site is probed after the source site's bucket is emptied and its
database dropped, so everything it shows comes from the backup."""

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from conftest import ROOT

pytestmark = pytest.mark.postgres


def _suffix() -> str:
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{secrets.token_hex(3)}"


@pytest.fixture
def empty_databases():
    """Two new, empty PostgreSQL databases beside the test one (source, target); dropped after."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    names = [f"thrive_backup_{role}_{_suffix()}" for role in ("source", "target")]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    yield [urlunsplit(parts._replace(path=f"/{name}")) for name in names]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _public_images_policy(bucket: str) -> str:
    statement = {
        "Sid": "PublicImageRenditions",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/images/*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def empty_buckets(s3_server):
    """Two new, empty buckets (source, target) with README's public-renditions policy."""
    client = s3_server.client()
    names = [f"thrive-backup-{role}-{_suffix().replace('_', '-')}" for role in ("source", "target")]
    for name in names:
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": s3_server.region})
        client.put_bucket_policy(Bucket=name, Policy=_public_images_policy(name))
    yield names
    for name in names:
        _empty_bucket(client, name)
        client.delete_bucket(Bucket=name)


def _empty_bucket(client, bucket: str) -> None:
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])


def _site_env(tmp_path, name: str, database_url: str, bucket: str, s3_server) -> dict:
    """The environment of one Thrive site (core/tests/s3_site_settings.py: `make run`'s settings,
    static files from the source folders) with its own database, bucket and var folder (page cache)."""
    var_dir = tmp_path / name
    var_dir.mkdir()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "core.tests.s3_site_settings",
        "DATABASE_URL": database_url,
        "THRIVE_VAR_DIR": str(var_dir),
        "SECRET_KEY": "backup-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_server.url,
        "AWS_ACCESS_KEY_ID": s3_server.access_key,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret_key,
        "AWS_S3_REGION_NAME": s3_server.region,
    }
    for name_ in ("REDIS_URL", "DEBUG", "AWS_S3_CUSTOM_DOMAIN"):
        env.pop(name_, None)
    return env


def _manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def _probe(env: dict) -> dict:
    out = _manage(env, "shell", "--no-imports", "-c", "from core.tests.backup_site import probe; probe()").stdout
    return json.loads(out.strip().splitlines()[-1])


def test_a_backup_restores_into_an_empty_database_and_bucket_as_the_same_site(
    s3_server, empty_databases, empty_buckets, tmp_path
):
    source_url, target_url = empty_databases
    source_bucket, target_bucket = empty_buckets
    source = _site_env(tmp_path, "source", source_url, source_bucket, s3_server)
    target = _site_env(tmp_path, "target", target_url, target_bucket, s3_server)
    client = s3_server.client()

    _manage(source, "migrate", "--noinput", "-v", "0")
    _manage(source, "seed_demo")
    _manage(source, "shell", "--no-imports", "-c", "from core.tests.backup_site import seed; seed()")

    folder = tmp_path / "backups" / "nightly"
    assert str(folder) in _manage(source, "backup", "--output", str(folder)).stdout
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (folder / "db.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert oct((folder).stat().st_mode & 0o777) == oct(0o700)  # personal data: the owner only
    assert manifest["database"]["engine"] == "postgresql"
    assert manifest["database"]["tables"]["payments_order"] == 6  # backup_site.ORDERS and the demo's two gifts
    # Every object of the bucket, byte for byte: the certificate, the picture and its renditions, the document.
    in_bucket = {
        item["Key"]: hashlib.sha256(client.get_object(Bucket=source_bucket, Key=item["Key"])["Body"].read()).hexdigest()
        for item in client.list_objects_v2(Bucket=source_bucket)["Contents"]
    }
    assert {item["key"]: item["sha256"] for item in manifest["files"]["items"]} == in_bucket
    assert {key.split("/")[0] for key in in_bucket} == {"certificates", "original_images", "images", "documents"}
    assert manifest["files"]["bucket_policy"]
    before = _probe(source)

    # A database that is not empty is refused, and left as it was.
    refused = _manage(source, "restore", str(folder), check=False)
    assert refused.returncode == 1 and "is not empty" in refused.stderr and "--force" in refused.stderr

    restored = _manage(target, "restore", str(folder))
    assert f"{len(in_bucket)} files" in restored.stdout

    # The source site is gone: nothing below can come from it.
    _empty_bucket(client, source_bucket)
    parts = urlsplit(source_url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{parts.path.lstrip("/")}" WITH (FORCE)')

    after = _probe(target)

    # The same pages, answering the same way with the same titles and words.
    assert len(before["pages"]) > 10 and after["pages"] == before["pages"]
    assert all(status == 200 for status, _title, _text in after["pages"].values())
    # The same certificate verifies on its public page, and its holder downloads the same PDF.
    assert after["certificates"] == before["certificates"] and len(after["certificates"]) >= 1
    for certificate in after["certificates"]:
        assert certificate["verify"][0] == 200 and certificate["download"][:2] == [200, "%PDF-"]
        assert certificate["pdf_name"].startswith("certificates/")
    # The home page's picture is served from the target bucket, the same bytes; no rendition was redone.
    assert after["picture"]["src"].startswith(f"{s3_server.url}/{target_bucket}/images/")
    assert after["picture"]["fetched"] == before["picture"]["fetched"] and after["picture"]["fetched"][0] == 200
    assert after["renditions"] == before["renditions"] == 2  # the page's picture and its og:image
    assert after["document"] == before["document"] and after["document"]["fetched"][0] == 200
    # The same orders, counted and totalled per currency, all in finance's listing.
    assert after["orders"] == before["orders"]
    # backup_site.ORDERS (GBP 3 for 80.00, EUR 1 for 10.00) and the demo's two gifts through
    # Sam's fundraising page (GBP 35.00).
    assert after["orders"]["totals"] == {"GBP": [5, 11500], "EUR": [1, 1000]}
    assert len(after["orders"]["listed"]) == 6

    # Restoring again is refused (the target now holds data) unless told to replace it.
    again = _manage(target, "restore", str(folder), check=False)
    assert again.returncode == 1 and "is not empty" in again.stderr
    assert "Restored" in _manage(target, "restore", "--force", str(folder)).stdout

    # A damaged backup is refused before anything is written.
    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    pdf = next((damaged / "media" / "certificates").iterdir())
    pdf.write_bytes(pdf.read_bytes()[:-10])
    refused = _manage(target, "restore", "--force", str(damaged), check=False)
    assert refused.returncode == 1 and "does not match its checksum" in refused.stderr
