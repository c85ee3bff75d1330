"""The web server against real faults (issue 13, items 5 and 6), on PostgreSQL with real
gunicorn processes started with config/gunicorn.py: the server's database sessions
terminated (the next requests are answered, not 500), the database refusing connections
(dynamic pages answer 503 with the "try again shortly" page, /healthz 503, and all is well
once it is back), and one worker killed with SIGKILL under load (it costs only the requests
its threads were answering)."""

import os
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.worker_kill import OUR_CONFIG, load_and_kill, start_server
from taskworker.tests.harness import admin_session, server_session, worker_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DYNAMIC = "/accounts/login/"  # a form in the site's layout: sessions, CSRF, templates


def _server_env(tmp_path: Path, **extra) -> dict:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.e2e",
        "DATABASE_URL": worker_database_url(),
        "THRIVE_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "STRIPE_API_BASE": "http://127.0.0.1:9",
        "GUNICORN_GRACEFUL_TIMEOUT": "2",
        **extra,
    }
    env.pop("REDIS_URL", None)
    return env


def _get(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our local server)
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def _in_parallel(url: str, times: int) -> list[int]:
    statuses: list[int] = []

    def ask():
        statuses.append(_get(url)[0])

    threads = [threading.Thread(target=ask) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _own_pid() -> int:
    """The server process of this test's own Django connection (opened now if need be)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate_server_sessions(session, ours: int) -> int:
    """End every session on the test database but this test's own two."""
    return len(
        session.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid NOT IN (pg_backend_pid(), %s) AND backend_type = 'client backend'",
            [ours],
        ).fetchall()
    )


@pytest.fixture
def web_server(tmp_path):
    """gunicorn with config/gunicorn.py (one worker of four threads) on the test database."""
    server, url = start_server(
        OUR_CONFIG, _server_env(tmp_path, WEB_CONCURRENCY="1"), tmp_path / "server.log", workers=1
    )
    yield url
    server.terminate()
    server.wait(timeout=30)


def test_after_the_database_ends_the_servers_sessions_the_next_requests_are_answered(web_server):
    session = admin_session()
    try:
        for _ in range(3):  # every thread holds a connection of its own
            assert set(_in_parallel(web_server + DYNAMIC, 8)) == {200}
        assert _terminate_server_sessions(session, _own_pid()) >= 1
        assert [_get(web_server + "/healthz")[0] for _ in range(4)] == [200] * 4
        assert set(_in_parallel(web_server + DYNAMIC, 8)) == {200}
    finally:
        session.close()


def test_while_the_database_is_away_pages_answer_503_try_again_shortly_and_recover_after(web_server):
    session, server = admin_session(), server_session()
    name = session.execute("SELECT current_database()").fetchone()[0]
    try:
        assert _get(web_server + DYNAMIC)[0] == 200
        ours = _own_pid()
        server.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            _terminate_server_sessions(session, ours)
            status, body, headers = _get(web_server + DYNAMIC)
            assert status == 503
            assert "Please try again shortly" in body
            assert 'id="quick-exit"' in body  # the quick exit is there even now
            assert headers["Retry-After"] == "30"
            assert _get(web_server + "/healthz")[0] == 503
        finally:
            server.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        assert _get(web_server + DYNAMIC)[0] == 200
        assert _get(web_server + "/healthz")[0] == 200
    finally:
        session.close()
        server.close()


def test_a_web_worker_killed_under_load_costs_only_the_requests_its_threads_were_answering(tmp_path):
    """64 clients, two workers of four threads; one worker is killed with SIGKILL halfway.
    With gunicorn's defaults (1000 connections a worker) it dropped everything it had queued."""
    server, url = start_server(OUR_CONFIG, _server_env(tmp_path), tmp_path / "server.log")
    try:
        counts = load_and_kill(url, server.pid, clients=64, seconds=4.0)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert counts["ok"] > 50
    assert counts["failed"] <= 4, counts  # at most its four threads' requests
    assert counts["other"] == 0
