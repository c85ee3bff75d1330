"""/readyz (issue 15 item 6): 200 only when the database, the cache and the file storage answer
and the task queue moves; otherwise 503 naming what failed. Each failure is a real one: a
private redis-server and moto S3 server stopped, a database refusing connections, tasks left
waiting in the real database queue."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from conftest import _moto_executable, _start_moto
from core.tests.redis_server import redis_server_fixture  # noqa: F401 (the redis_server fixture)
from taskworker.tests.harness import wait_for

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _queued(*, enqueued_ago: timedelta, run_after=None) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="core.tests.tasks_for_tests.note_ran",
        queue_name="default",
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - enqueued_ago)
    return task


def test_ready_answers_200_naming_every_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "storage": "ok", "tasks": "ok"}


def test_ready_sets_no_cookie_is_never_cached_and_is_not_rate_limited(client):
    for _ in range(30):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert not response.cookies
        assert "no-store" in response["Cache-Control"]
        assert "X-Page-Cache" not in response
    assert not Session.objects.exists()


def test_a_task_waiting_longer_than_the_limit_makes_the_host_unready(client, settings):
    settings.TASKS = DATABASE_QUEUE
    settings.READY_MAX_TASK_AGE_SECONDS = 600
    _queued(enqueued_ago=timedelta(seconds=30))
    assert client.get("/readyz").status_code == 200
    stuck = _queued(enqueued_ago=timedelta(seconds=900))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
        "tasks": "backlog",
    }
    # Once a worker has taken it, the queue is moving again.
    DBTaskResult.objects.filter(pk=stuck.pk).update(status="RUNNING")
    assert client.get("/readyz").status_code == 200


def test_a_task_due_later_counts_from_when_it_falls_due(client, settings):
    settings.TASKS = DATABASE_QUEUE
    settings.READY_MAX_TASK_AGE_SECONDS = 600
    # Queued an hour ago for tomorrow: not waiting yet.
    _queued(enqueued_ago=timedelta(hours=1), run_after=timezone.now() + timedelta(days=1))
    # Queued an hour ago for a minute ago: waiting for one minute.
    _queued(enqueued_ago=timedelta(hours=1), run_after=timezone.now() - timedelta(minutes=1))
    assert client.get("/readyz").status_code == 200
    _queued(enqueued_ago=timedelta(hours=1), run_after=timezone.now() - timedelta(minutes=11))
    assert client.get("/readyz").json()["tasks"] == "backlog"


def test_the_queue_is_not_checked_when_tasks_do_not_go_through_the_database(client):
    # The test settings run tasks at once (ImmediateBackend): rows left in the table mean nothing.
    _queued(enqueued_ago=timedelta(days=1))
    assert client.get("/readyz").json()["tasks"] == "ok"


def test_redis_stopped_makes_the_host_unready_and_started_again_ready(client, settings, redis_server):
    """The cache as production configures it (it forgives an outage, so pages still answer):
    only /readyz says Redis is away."""
    settings.CACHES = settings.CACHES | {
        "default": {
            "BACKEND": "core.cache.ForgivingRedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "thrive",
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }
    try:
        assert client.get("/readyz").status_code == 200
        redis_server.stop()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "database": "ok",
            "cache": "unavailable",
            "storage": "ok",
            "tasks": "ok",
        }
        assert client.get("/healthz").status_code == 200  # the process itself is fine
        redis_server.start()
        wait_for(lambda: client.get("/readyz").status_code == 200, timeout=10, what="ready again")
    finally:
        caches["default"].close()


def test_storage_unreachable_makes_the_host_unready(client, s3_server, settings, tmp_path):
    """A moto server of this test's own, stopped: exists() on it fails within the probe's timeouts."""
    if _moto_executable() is None:
        pytest.skip("moto_server missing (the s3_server fixture says so first)")
    started = _start_moto(tmp_path / "moto.log")
    assert started is not None
    process, url = started
    for name, value in s3_server.storage_settings().items():
        setattr(settings, name, value)
    settings.AWS_S3_ENDPOINT_URL = url
    settings.STORAGES = settings.STORAGES | {"default": {"BACKEND": "core.storage.MediaStorage"}}
    try:
        # An empty moto has no bucket: HEAD answers 404 (or 403), which is an answer. Make the bucket.
        import boto3  # loaded only by the tests that use S3

        boto3.client(
            "s3",
            endpoint_url=url,
            aws_access_key_id=s3_server.access_key,
            aws_secret_access_key=s3_server.secret_key,
            region_name=s3_server.region,
        ).create_bucket(Bucket=s3_server.bucket, CreateBucketConfiguration={"LocationConstraint": s3_server.region})
        assert client.get("/readyz").json()["storage"] == "ok"
        process.kill()
        process.wait(timeout=10)
        started_at = timezone.now()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["storage"] == "unavailable"
        assert timezone.now() - started_at < timedelta(seconds=5)
    finally:
        if process.poll() is None:
            process.kill()
