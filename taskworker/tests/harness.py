"""Real task worker processes for the fault tests: `manage.py task_worker` on the test
database (PostgreSQL), with its email written to files, and a second PostgreSQL session to
hold locks, watch pg_stat_activity and terminate the worker's connections."""

import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

from taskworker.management.commands.task_worker import APPLICATION_NAME

ROOT = Path(settings.BASE_DIR)


def worker_database_url() -> str:
    """DATABASE_URL, pointing at the database pytest made (test_<name>)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def admin_session():
    """A psycopg session of our own on the test database (autocommit)."""
    import psycopg

    return psycopg.connect(worker_database_url(), autocommit=True)


def server_session():
    """A psycopg session on the server's `postgres` database (autocommit), for what cannot be
    done from inside the test database (ALTER DATABASE ... ALLOW_CONNECTIONS)."""
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def wait_for(predicate, *, timeout: float = 30.0, what: str = "condition", every: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


class WorkerProcess:
    """One `manage.py task_worker` process; its output in `log`."""

    count = 0

    def __init__(self, var_dir: Path, *options: str):
        WorkerProcess.count += 1
        self.log = var_dir / f"worker-{WorkerProcess.count}.log"
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "config.settings.e2e_worker",
            "DATABASE_URL": worker_database_url(),
            "THRIVE_VAR_DIR": str(var_dir),
            "MEDIA_ROOT": str(var_dir / "media"),
            "SECRET_KEY": "fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "STRIPE_API_BASE": "http://127.0.0.1:9",
            "SITE_URL": "http://thrive.test",
        }
        env.pop("REDIS_URL", None)
        command = [sys.executable, "manage.py", "task_worker", "--queue-name", "default", "--no-reload"]
        command += ["--no-startup-delay", "--interval", "0.1", "--heartbeat", "1", "--lease", "3", *options]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text()

    def kill(self) -> None:
        """SIGKILL, as the out-of-memory killer does; reaped at once (a zombie still has a pid)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def worker_sessions(session) -> list[tuple[int, str | None, str | None]]:
    """(pid, wait_event_type, state) of each task-worker session on the test database."""
    return session.execute(
        "SELECT pid, wait_event_type, state FROM pg_stat_activity "
        "WHERE application_name = %s AND datname = current_database()",
        [APPLICATION_NAME],
    ).fetchall()


def worker_waiting_on_a_lock(session) -> bool:
    return any(wait_type == "Lock" for _pid, wait_type, _state in worker_sessions(session))


def terminate_worker_sessions(session) -> int:
    rows = session.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = %s AND datname = current_database()",
        [APPLICATION_NAME],
    ).fetchall()
    return len(rows)


def sent_emails(var_dir: Path) -> list:
    """Every email the worker processes wrote (file-based backend: one file per connection,
    messages separated by a line of 79 dashes)."""
    messages = []
    for path in sorted((var_dir / "mail").glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(message_from_bytes(chunk.strip()))
    return messages
