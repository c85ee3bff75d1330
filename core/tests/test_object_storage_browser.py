"""Real Chromium on a Thrive server whose files are in the bucket (moto's S3 server): the home
page's picture is loaded from the bucket, and the page's Content Security Policy lets it in."""

import os
import secrets
import socket
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from conftest import ROOT, wait_until_healthy
from core.tests.test_backup_restore import _public_images_policy

pytestmark = pytest.mark.browser


def _database_url(tmp_path) -> tuple[str, str | None]:
    """A new PostgreSQL database beside the test one (and the name to drop), or SQLite in tmp_path."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp_path / 'site.sqlite3'}", None
    parts = urlsplit(url)
    name = f"thrive_s3_browser_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{secrets.token_hex(3)}"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), name


@pytest.fixture
def bucket_site(s3_server, tmp_path):
    """The demo site with a home page picture, files in a bucket of its own, under gunicorn on a
    free port (core/tests/s3_site_settings.py)."""
    bucket = f"thrive-browser-{secrets.token_hex(4)}"
    client = s3_server.client()
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": s3_server.region})
    client.put_bucket_policy(Bucket=bucket, Policy=_public_images_policy(bucket))
    database_url, database_name = _database_url(tmp_path)
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "core.tests.s3_site_settings",
        "DATABASE_URL": database_url,
        "THRIVE_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "s3-browser-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_server.url,
        "AWS_ACCESS_KEY_ID": s3_server.access_key,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret_key,
        "AWS_S3_REGION_NAME": s3_server.region,
    }
    for name in ("REDIS_URL", "DEBUG", "AWS_S3_CUSTOM_DOMAIN"):
        env.pop(name, None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["seed_demo"],
        ["shell", "--no-imports", "-c", "from core.tests.backup_site import hero_picture; hero_picture()"],
    ):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--threads",
                "8",  # as the demo server: Chromium's spare connections must not hold the only worker
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, log_path)
        yield url, f"{s3_server.url}/{bucket}"
    finally:
        server.terminate()
        server.wait(timeout=10)
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)
        if database_name:
            parts = urlsplit(os.environ["DATABASE_URL"])
            with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')


def test_the_home_page_picture_loads_from_the_bucket_with_the_csp_allowing_it(bucket_site, browser_page):
    site, bucket_url = bucket_site
    pictures = []
    browser_page.on("response", lambda r: r.url.startswith(bucket_url) and pictures.append((r.url, r.status)))
    response = browser_page.goto(site + "/")
    assert response.status == 200
    browser_page.wait_for_load_state("networkidle")

    img_src = next(d for d in response.headers["content-security-policy"].split(";") if d.strip().startswith("img-src"))
    assert urlunsplit(urlsplit(bucket_url)._replace(path="")) in img_src.split()
    picture = browser_page.locator("img.hero__image")
    src = picture.get_attribute("src")
    assert src.startswith(f"{bucket_url}/images/") and "X-Amz-Signature" not in src  # a public rendition
    assert picture.evaluate("img => img.complete && img.naturalWidth") == 720
    assert pictures == [(src, 200)]
    assert browser_page.recorder.console_errors == []  # a picture the CSP refused would be reported here

    # The same page with the bucket left out of img-src: Chromium refuses the picture, and says so.
    # (So the checks above can fail: the policy is what lets the picture in.)
    def without_the_bucket(route):
        answer = route.fetch()
        policy = answer.headers["content-security-policy"].replace(
            urlunsplit(urlsplit(bucket_url)._replace(path="")), ""
        )
        route.fulfill(response=answer, headers=answer.headers | {"content-security-policy": policy})

    browser_page.route(site + "/", without_the_bucket)
    browser_page.goto(site + "/")
    browser_page.wait_for_load_state("networkidle")
    assert picture.evaluate("img => img.complete && img.naturalWidth") == 0
    assert any("Content Security Policy" in error for error in browser_page.recorder.console_errors)
