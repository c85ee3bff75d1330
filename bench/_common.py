"""Helpers every benchmark shares: free ports, waiting for a server, median timings and a
PostgreSQL database of its own. Importing this puts the repository root on sys.path, so a
benchmark run as `python bench/<name>.py` can import `config` and the apps."""

import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, what: str) -> None:
    """Return once `url` answers; exit if `process` stops first or 60 s pass."""
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 (our local servers)
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"{what} did not start")
            time.sleep(0.2)


def median_ms(action, runs: int, warm: int = 3) -> float:
    """The median time of `runs` calls of `action`, in ms, after `warm` untimed calls."""
    for _ in range(warm):
        action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def postgres_database(url: str, *, create: bool) -> None:
    """Drop the database `url` names (forcing its connections closed), then create it
    afresh when `create`."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
