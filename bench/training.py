#!/usr/bin/env python
"""Server time and SQL queries of the learning dashboard and a 20-module course page,
against a plain StandardPage served the same way (issue #4).

Everything runs in this process through Django's test client, as a signed-in learner
(signed-in pages are never served from the page cache), on a fresh SQLite database with
the demo content. Targets: at most 10 queries each, and at most 2x the StandardPage time.

    .venv/bin/python bench/training.py [--requests 200]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_QUERIES, TARGET_RATIO = 10, 2.0


def setup_django(var_dir: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "THRIVE_VAR_DIR": str(var_dir),
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{var_dir / 'bench.sqlite3'}"),
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "LOG_LEVEL": "ERROR",
        }
    )
    import django

    django.setup()


def build_content():
    from django.core.management import call_command

    from training.models import CoursePage, ModulePage
    from training.tests.factories import enrol, make_cohort, make_learner

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    index = CoursePage.objects.first().get_parent()
    course = index.add_child(instance=CoursePage(title="Twenty modules", slug="twenty-modules", summary="Bench"))
    for n in range(20):
        course.add_child(instance=ModulePage(title=f"Module {n + 1}", slug=f"module-{n + 1}"))
    learner = make_learner()
    enrol(learner, make_cohort(course, sessions=4))
    for other in CoursePage.objects.exclude(pk=course.pk)[:2]:
        enrol(learner, make_cohort(other, sessions=2))
    return learner, course


def measure(client, url: str, requests: int) -> tuple[float, int]:
    from django.db import connection

    for _ in range(10):
        assert client.get(url).status_code == 200, url
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, len(executed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    setup_django(Path(tempfile.mkdtemp(prefix="thrive-bench-training-")))
    from django.test import Client

    learner, course = build_content()
    client = Client()
    client.force_login(learner)
    results = {
        "standard page (/about/)": measure(client, "/about/", args.requests),
        "dashboard (/learning/)": measure(client, "/learning/", args.requests),
        "course page, 20 modules": measure(client, course.url, args.requests),
    }
    floor_ms = results["standard page (/about/)"][0]
    print(f"test client, signed-in learner, {args.requests} requests each, median server time")
    print(f"{'page':<26} {'median ms':>10} {'queries':>8} {'ratio':>7}")
    ok = True
    for label, (median_ms, queries) in results.items():
        ratio = median_ms / floor_ms
        print(f"{label:<26} {median_ms:>10.2f} {queries:>8} {ratio:>7.2f}")
        if label != "standard page (/about/)":
            ok &= queries <= TARGET_QUERIES and ratio <= TARGET_RATIO
    print(
        f"targets: at most {TARGET_QUERIES} queries and a ratio of at most {TARGET_RATIO}: {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
