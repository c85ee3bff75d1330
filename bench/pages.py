#!/usr/bin/env python
"""Requests per second for anonymous page views, against a bare Django view.

Starts the site under gunicorn with 2 sync workers on a fresh database with the demo
content, loads each URL with wrk, and prints requests/s and the ratio to the bare view
that answers "ok" through the same middleware. Target (issue #2): ratio >= 0.5.

    .venv/bin/python bench/pages.py [--duration 10] [--connections 16]

The cache is the one the settings pick: a file cache in var/ (as `make run`), or Redis
when REDIS_URL is set (as production).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from _common import ROOT, free_port, wait_until_up

TARGET_RATIO = 0.5
URLS = [("bare Django view", "/_bench/ok"), ("home page", "/"), ("standard page", "/about/")]


def wrk(url: str, duration: int, connections: int) -> float:
    result = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if not match:
        sys.exit(f"could not read wrk output:\n{result.stdout}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", result.stdout)
    if non_2xx:
        sys.exit(f"{url} answered errors under load ({non_2xx.group(1)} non-2xx responses)")
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench needs wrk: apt-get install wrk")

    var_dir = Path(tempfile.mkdtemp(prefix="thrive-bench-"))
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "THRIVE_VAR_DIR": str(var_dir),
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{var_dir / 'bench.sqlite3'}"),
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(manage + ["migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(manage + ["seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(base + "/_bench/ok", server, "gunicorn")
        for _label, path in URLS:  # warm both workers and the page cache
            for _ in range(20):
                urllib.request.urlopen(base + path, timeout=5).read()
        results = {label: wrk(base + path, args.duration, args.connections) for label, path in URLS}
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(var_dir, ignore_errors=True)

    cache = "redis" if os.environ.get("REDIS_URL") else "file cache in var/"
    floor = results["bare Django view"]
    print(f"gunicorn, 2 sync workers; wrk -t2 -c{args.connections} -d{args.duration}s; page cache: {cache}")
    print(f"{'url':<20} {'requests/s':>12} {'ratio to bare':>14}")
    worst = None
    for label, _path in URLS:
        ratio = results[label] / floor
        print(f"{label:<20} {results[label]:>12.0f} {ratio:>14.2f}")
        if label != "bare Django view":
            worst = ratio if worst is None else min(worst, ratio)
    verdict = "meets" if worst >= TARGET_RATIO else "BELOW"
    print(f"lowest page ratio {worst:.2f} {verdict} the target of {TARGET_RATIO}")
    return 0 if worst >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
