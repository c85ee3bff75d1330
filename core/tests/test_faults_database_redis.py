"""Real faults under a real server (issue 15, "Bad input and faults"), on PostgreSQL:

- a PostgreSQL connection terminated while a request waits on it answers 503 with the site's
  "try again shortly" page, and the next requests are served (the dead connection is dropped);
- Redis stopped makes pages slower, never wrong: with a private redis-server as the cache (one
  that saves its data, so what it held comes back with it), pages answer 200 while it is down, a
  change published meanwhile is shown, and once Redis is back no page from before the publish
  is served, by the server that saw the outage or by one that never did.

The servers are gunicorn with config/gunicorn.py: on the test database for the first, on a
database of their own with the demo content for the Redis ones, where another process publishes
through the same database and cache, as staff on another host would.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.cache import caches

from bench._common import postgres_database
from bench.worker_kill import OUR_CONFIG, start_server
from core.cache import ForgivingRedisCache
from core.tests.redis_server import redis_server_fixture  # noqa: F401 (the redis_server fixture)
from taskworker.tests.harness import admin_session, wait_for, worker_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SECRET = "fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def _server_env(tmp_path: Path, **extra) -> dict:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.e2e",
        "DATABASE_URL": worker_database_url(),
        "THRIVE_VAR_DIR": str(tmp_path),
        "SECRET_KEY": SECRET,
        "STRIPE_API_BASE": "http://127.0.0.1:9",
        "GUNICORN_GRACEFUL_TIMEOUT": "2",
        "WEB_CONCURRENCY": "1",
        **extra,
    }
    if "REDIS_URL" not in extra:
        env.pop("REDIS_URL", None)
    return env


def _get(url: str, headers: dict | None = None) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (our local server)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (our local server)
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def _in_parallel(url: str, times: int) -> list[int]:
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda: statuses.append(_get(url)[0])) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.fixture
def server(tmp_path):
    """Start gunicorn (one worker of four threads) with extra environment; stopped after the test."""
    started = []

    def start(name: str = "server", **extra) -> str:
        process, url = start_server(OUR_CONFIG, _server_env(tmp_path, **extra), tmp_path / f"{name}.log", workers=1)
        started.append(process)
        return url

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)


# --- PostgreSQL connection killed mid-request --------------------------------------------------


def test_a_connection_terminated_mid_request_answers_503_and_the_next_request_works(server):
    """The request is held inside PostgreSQL (its session lookup waits for a lock this test
    holds) and its backend is terminated while it waits: a real connection loss mid-request."""
    url = server()
    assert _get(url + "/accounts/login/")[0] == 200
    session = admin_session()
    outcome = {}
    try:
        session.execute("BEGIN")
        session.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")

        def visit():
            # A session cookie makes the page read django_session, where it waits for the lock.
            outcome["answer"] = _get(url + "/accounts/login/", {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"})

        visitor = threading.Thread(target=visit)
        visitor.start()
        waiting = wait_for(
            lambda: session.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
                "AND pid <> pg_backend_pid()"
            ).fetchall(),
            timeout=30,
            what="the request to wait on the lock",
        )
        for (pid,) in waiting:
            session.execute("SELECT pg_terminate_backend(%s)", [pid])
        visitor.join(timeout=20)
    finally:
        session.execute("ROLLBACK")
        session.close()
    status, body, headers = outcome["answer"]
    assert status == 503
    assert "Please try again shortly" in body
    assert 'id="quick-exit"' in body
    assert headers["Retry-After"] == "30"
    assert "Traceback" not in body
    # The dead connection was dropped, not handed to the next request: every thread answers.
    for _ in range(3):
        assert _in_parallel(url + "/accounts/login/", 8) == [200] * 8
    assert _get(url + "/readyz")[0] == 200


# --- Redis stopped -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_database():
    """A database of its own with the demo content (migrated and seeded by `manage.py`, as a
    deployment is), shared by this module's Redis tests."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = f"{parts.path.lstrip('/')}_redis_faults{'_' + worker if worker else ''}"
    url = urlunsplit(parts._replace(path=f"/{name}"))
    postgres_database(url, create=True)
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings.e2e", "DATABASE_URL": url, "SECRET_KEY": SECRET}
    env.pop("REDIS_URL", None)
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=600
        )
    yield url
    postgres_database(url, create=False)


def _publish_intro(site_database: str, redis_url: str, text: str) -> None:
    """Publish a change to /about/ from another process (as staff on another host would)."""
    code = (
        "from cms.models import StandardPage\n"
        "page = StandardPage.objects.get(slug='about', locale__language_code='en-gb')\n"
        f"page.intro = {text!r}\n"
        "page.save_revision().publish()\n"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.e2e",
        "DATABASE_URL": site_database,
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET,
    }
    subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def _page_keys(redis) -> list[bytes]:
    return redis.client().keys("thrive:*pagecache:page:*")


def test_redis_stopped_pages_still_answer_and_no_stale_page_comes_back_after_a_publish(
    site_database, redis_server, server
):
    """Server A answers throughout the outage; server B answers nothing during it. A change is
    published from a third process while Redis is down. Redis comes back with everything it held
    (it saved its data), and both servers serve the published page, never the old one."""
    a = server("a", REDIS_URL=redis_server.url, DATABASE_URL=site_database)
    b = server("b", REDIS_URL=redis_server.url, DATABASE_URL=site_database)
    for url in (a, b):
        assert "Led by survivors, for survivors." in _get(url + "/about/")[1]
        status, _body, headers = _get(url + "/about/")
        assert (status, headers.get("X-Page-Cache")) == (200, "hit")
    assert _page_keys(redis_server)

    redis_server.stop()
    started = time.monotonic()
    for path in ("/", "/about/", "/events/", "/courses/", "/accounts/login/"):
        assert _get(a + path)[0] == 200, path
    assert time.monotonic() - started < 10
    _publish_intro(site_database, redis_server.url, "Published while the cache was away.")
    status, body, _headers = _get(a + "/about/")
    assert status == 200 and "Published while the cache was away." in body
    assert _get(a + "/readyz")[1].count('"cache": "unavailable"') == 1

    redis_server.start()
    # Redis saved its data when it stopped: the pages stored before the publish are back in it.
    assert _page_keys(redis_server)
    for url in (b, a):
        for _ in range(3):
            status, body, _headers = _get(url + "/about/")
            assert status == 200
            assert "Published while the cache was away." in body, url
            assert "Led by survivors, for survivors." not in body, url
    wait_for(lambda: _get(a + "/about/")[2].get("X-Page-Cache") == "hit", timeout=10, what="caching again")
    wait_for(lambda: _get(a + "/readyz")[0] == 200, timeout=10, what="readyz after Redis is back")


def test_a_hung_redis_costs_a_page_about_its_socket_timeout_then_is_left_alone(site_database, redis_server, server):
    """SIGSTOP: Redis accepts connections but never answers. The first page waits for the socket
    timeout (1 s) and Redis is then left alone for a second at a time; every page answers 200."""
    url = server(REDIS_URL=redis_server.url, DATABASE_URL=site_database)
    _get(url + "/about/")
    redis_server.process.send_signal(signal.SIGSTOP)
    try:
        timings = []
        for _ in range(10):
            started = time.monotonic()
            assert _get(url + "/about/")[0] == 200
            timings.append(time.monotonic() - started)
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
    assert max(timings) < 4, timings
    assert sum(timings) < 12, timings
    wait_for(lambda: _get(url + "/about/")[2].get("X-Page-Cache") == "hit", timeout=10, what="caching again")


def test_with_redis_stopped_the_cache_answers_as_an_empty_one_and_says_so_once(redis_server, settings, caplog):
    """What the rest of the site relies on: reads miss, writes are dropped, add() lets the caller
    through (allauth's rate-limit lock, the booking form's repeat guard), incr() is a missing key;
    one warning per outage, one when Redis is back."""
    settings.CACHES = settings.CACHES | {
        "default": {
            "BACKEND": "core.cache.ForgivingRedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "forgiving",
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }
    cache = caches["default"]
    try:
        cache.set("kept", "before", 60)
        redis_server.stop()
        with caplog.at_level("WARNING", logger="core.cache"):
            assert cache.get("kept", "missing") == "missing"
            assert cache.get_many(["kept", "other"]) == {}
            cache.set("kept", "during", 60)
            cache.delete("kept")
            assert cache.add("lock", 1, 10) is True
            with pytest.raises(ValueError):
                cache.incr("counter")
            assert [r.getMessage() for r in caplog.records].count(
                "cache unavailable (ConnectionError); pages are served without it"
            ) == 1
            redis_server.start()
            time.sleep(ForgivingRedisCache.RETRY_SECONDS)
            assert cache.get("kept") == "before"  # Redis saved it when it stopped
        assert any(r.getMessage().startswith("cache available again after") for r in caplog.records)
    finally:
        cache.close()
