"""Logs as JSON lines with a request id (issue 15 item 6), read from the site's own handler
(config/settings LOGGING, with LOG_FORMAT=json as production has it) and from a real gunicorn."""

import contextlib
import json
import logging
import logging.config
import os
import re
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.tasks import task

from bench.worker_kill import OUR_CONFIG, start_server
from core.logging import request_id_var
from core.tests.log_capture import LogCapture
from taskworker.tests.harness import WorkerProcess, worker_database_url

ROOT = Path(__file__).resolve().parents[2]
logger = logging.getLogger(__name__)


@task
def log_a_line(*, what: str) -> None:
    logger.info("task line: %s", what)


@pytest.fixture
def json_logs():
    capture = LogCapture()
    capture.start()
    yield capture
    capture.stop()


@pytest.mark.django_db
def test_every_line_is_one_json_object_and_the_access_line_carries_the_load_balancers_request_id(client, json_logs):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="haproxy-7f3a9c")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "haproxy-7f3a9c"
    records = json_logs.records()
    (access,) = json_logs.access()
    assert access["message"].startswith("GET /accounts/login/ 200 ")
    assert {key: access[key] for key in ("level", "method", "path", "status", "request_id")} == {
        "level": "INFO",
        "method": "GET",
        "path": "/accounts/login/",
        "status": 200,
        "request_id": "haproxy-7f3a9c",
    }
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", access["time"])
    assert all({"time", "level", "logger", "message", "request_id"} <= record.keys() for record in records)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "offered", ["", "has space", 'quote"', "x" * 65, "line\nbreak", "<script>", "ünïcode"], ids=repr
)
def test_a_request_id_that_is_not_a_short_safe_token_is_replaced_by_our_own(client, json_logs, offered):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=offered)
    made = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert json_logs.access()[0]["request_id"] == made
    if offered:
        assert offered not in json_logs.text()


@pytest.mark.django_db
def test_every_request_gets_an_id_of_its_own(client, json_logs):
    ids = {client.get("/accounts/login/")["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5
    assert {record["request_id"] for record in json_logs.access()} == ids


@pytest.mark.django_db
def test_secrets_in_addresses_and_query_strings_never_reach_the_log(client, json_logs):
    token = secrets.token_urlsafe(32)
    client.get(f"/membership/welcome/{token}/?next=/account/&email=someone%40example.org")
    client.get(f"/events/ticket/{token}/")
    client.get(f"/no-such-place/{token}/deeper/")
    client.get("/accounts/password/reset/key/3-" + token + "/")
    text = json_logs.text()
    assert token not in text
    assert "next=" not in text and "someone" not in text
    paths = [record["path"] for record in json_logs.access()]
    assert paths[0] == "/membership/welcome/<str:token>/"
    assert paths[2] == "/no-such-place/[redacted]/deeper/"
    # Django's own "Not Found: <path>" warning is rewritten the same way.
    not_found = [record for record in json_logs.records() if record["logger"] == "django.request"]
    assert not_found and all(token not in record["message"] for record in not_found)


@pytest.mark.django_db
def test_health_checks_answered_200_log_at_debug_only(client, json_logs):
    client.get("/healthz")
    client.get("/readyz")
    assert {record["level"] for record in json_logs.access()} == {"DEBUG"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_task_queued_during_a_request_is_logged_with_the_request_id_and_its_own_lines_carry_the_task_id(
    json_logs, settings, tmp_path, monkeypatch
):
    """On the real database queue, run by a real `manage.py task_worker` process writing JSON lines."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    token = request_id_var.set("req-42")
    try:
        result = log_a_line.enqueue(what="hello")
    finally:
        request_id_var.reset(token)
    (queued,) = [record for record in json_logs.records() if record["message"].startswith(f"task {result.id} queued")]
    assert queued["request_id"] == "req-42"

    monkeypatch.setenv("LOG_FORMAT", "json")
    worker = WorkerProcess(tmp_path, "--batch")
    try:
        worker.process.wait(timeout=120)
    finally:
        worker.stop()
    records = [json.loads(line) for line in worker.output().splitlines() if line.strip()]
    (line,) = [record for record in records if record["message"] == "task line: hello"]
    assert line["task_id"] == str(result.id)
    # Once the task is over, the worker's lines no longer claim it.
    (done,) = [record for record in records if record["message"].startswith("No more tasks to run")]
    assert "task_id" not in done


def _settings_value(env_extra: dict, expression: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "thrive.example",
        "SITE_URL": "https://thrive.example",
        "STRIPE_SECRET_KEY": "sk_live_" + secrets.token_hex(24),
        "STRIPE_PUBLISHABLE_KEY": "pk_live_" + secrets.token_hex(24),
        "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
        "DATABASE_URL": "sqlite:///:memory:",
        **env_extra,
    }
    code = f"from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_writes_json_by_default_plain_when_asked_and_refuses_anything_else(tmp_path):
    expression = "settings.LOGGING['handlers']['console']['formatter']"
    assert _settings_value({"THRIVE_VAR_DIR": str(tmp_path)}, expression).stdout.strip() == "json"
    assert _settings_value({"LOG_FORMAT": "plain"}, expression).stdout.strip() == "plain"
    refused = _settings_value({"LOG_FORMAT": "xml"}, expression)
    assert refused.returncode != 0 and "LOG_FORMAT must be one of json, plain" in refused.stderr


def test_development_and_tests_write_plain_lines():
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "plain"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_gunicorn_host_writes_nothing_but_json_lines(tmp_path):
    """gunicorn with config/gunicorn.py and LOG_FORMAT=json: its own lines and the site's all
    parse as JSON; the access line has the request id the load balancer gave."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.e2e",
        "DATABASE_URL": worker_database_url(),
        "THRIVE_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "json-log-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "LOG_FORMAT": "json",
        "WEB_CONCURRENCY": "1",
    }
    env.pop("REDIS_URL", None)
    log_path = tmp_path / "server.log"
    server, url = start_server(OUR_CONFIG, env, log_path, workers=1)
    token = secrets.token_urlsafe(24)
    try:
        request = urllib.request.Request(url + "/accounts/login/", headers={"X-Request-ID": "lb-abc-123"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (our local server)
            assert response.headers["X-Request-ID"] == "lb-abc-123"
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(f"{url}/membership/welcome/{token}/?email=x%40example.org", timeout=20)  # noqa: S310
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line, gunicorn's own too
    assert any(record["logger"] == "gunicorn.error" for record in records)
    access = [record for record in records if record["logger"] == "core.access"]
    assert [record["request_id"] for record in access if record["path"] == "/accounts/login/"] == ["lb-abc-123"]
    assert token not in log_path.read_text() and "example.org" not in log_path.read_text()
