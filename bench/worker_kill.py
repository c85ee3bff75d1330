"""How many requests one gunicorn worker killed outright (SIGKILL) costs, under load.

    .venv/bin/python bench/worker_kill.py            # our config/gunicorn.py against the old flags

Starts gunicorn (e2e settings, the database of DATABASE_URL), keeps 64 clients asking
for the sign-in page with a new connection each time, kills one worker with SIGKILL
halfway through, and counts the requests that failed (connection reset or closed without an
answer). Run by taskworker/tests/test_web_faults.py as well."""

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench._common import free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
OUR_CONFIG = ["-c", str(ROOT / "config" / "gunicorn.py")]
# What serve_local ran before issue 13: gthread, 2 workers x 4 threads, 1000 connections each.
# A dynamic page (a form, the layout, a session): tens of milliseconds, so requests queue.
PATH = "/accounts/login/"
OLD_FLAGS = ["--workers", "2", "--threads", "4", "--graceful-timeout", "5"]


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def start_server(args: list[str], env: dict, log_path: Path, *, workers: int = 2) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url + "/healthz", server, f"gunicorn (see {log_path})")
    deadline = time.monotonic() + 30
    while len(worker_pids(server.pid)) < workers and time.monotonic() < deadline:
        time.sleep(0.1)
    return server, url


def load_and_kill(
    url: str, master: int, *, clients: int = 64, seconds: float = 4.0, path: str = PATH
) -> dict[str, int]:
    """CLIENTS clients ask for PATH for SECONDS; one worker is killed halfway."""
    counts = {"ok": 0, "failed": 0, "other": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        while time.monotonic() < stop:
            try:
                with urllib.request.urlopen(url + path, timeout=10) as response:  # noqa: S310
                    response.read()
                    outcome = "ok" if response.status == 200 else "other"
            except urllib.error.HTTPError:
                outcome = "other"
            except (ConnectionError, urllib.error.URLError, OSError, http.client.HTTPException):
                outcome = "failed"
            with lock:
                counts[outcome] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(seconds / 2)
    os.kill(worker_pids(master)[0], signal.SIGKILL)
    for thread in threads:
        thread.join()
    return counts


def measure(args: list[str], env: dict, log_path: Path, **load) -> dict[str, int]:
    server, url = start_server(args, env, log_path)
    try:
        return load_and_kill(url, server.pid, **load)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="worker-kill-"))
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.e2e",
        "THRIVE_VAR_DIR": str(tmp),
        "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
    }
    for name, args in (("old flags", OLD_FLAGS), ("config/gunicorn.py", OUR_CONFIG)):
        for trial in range(3):
            counts = measure(args, env, tmp / f"server-{trial}.log")
            print(
                f"{name:20} trial {trial + 1}: {counts['ok']} answered, {counts['failed']} failed, "
                f"{counts['other']} other"
            )


if __name__ == "__main__":
    main()
