#!/usr/bin/env python
"""Certificate PDFs: speed and size (issue #5), and what a bulk issue costs beyond rendering
(issue #15), on PostgreSQL, in one run:

- milliseconds per certificate PDF in a warm process (median of 50), and KB per PDF;
- the same for a one-line "Hello" PDF rendered the default way, `HTML(string=...).write_pdf()`,
  and the ratio certificate / hello (target at most 1.0);
- a bulk issue of 1,000 certificates, as staff start it from the admin: a cohort whose 1,000
  learners completed, `certificate_bulk_start` queues the job, and `manage.py task_worker`
  processes, started beforehand with the flags of `deploy/thrive-worker@.service` (as systemd
  keeps them running), issue the certificates (one worker runs the job) and render, store and
  email every PDF (the render tasks the job queues). Its wall time, from the job queued to
  the last task recorded as done, over the ideal: the same number of processes sharing
  the 1,000 renders with nothing else to do (warm, no database, no queue: `--render-only`),
  timed just before and just after the bulk run (the mean of the two), so that both meet the
  same cores and the same load from whatever else the machine is running. Target: at most 1.3
  with 2 workers. Printed for 2 and 4 workers (`--workers`). Workers run all the time, so
  their start-up (Django) is shown apart, and before the timed run each has rendered some
  certificates (small bulk issues, until every worker has: its first PDF loads WeasyPrint);
- the peak memory of a worker during the first run (target at most 150 MB).

Absolute times swing by half on a shared machine; the ratios are measured within the same run.
A PostgreSQL database of its own is created and dropped (`BENCH_PG_URL`, default
postgres://postgres@127.0.0.1:5432/thrive_bench_certificates_<pid>).

    .venv/bin/python bench/certificates.py [--count 1000] [--workers 2,4] [--repeat 1]
"""

import argparse
import gc
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from _common import ROOT, median_ms, postgres_database

PG_URL = os.environ.get("BENCH_PG_URL", f"postgres://postgres@127.0.0.1:5432/thrive_bench_certificates_{os.getpid()}")
TARGET_RATIO, TARGET_MB, TARGET_KB, TARGET_HELLO = 1.3, 150, 30, 1.0
RENDERS = 30  # warm renders timed before and after each bulk run
# What deploy/thrive-worker@.service runs.
WORKER_COMMAND = [sys.executable, str(ROOT / "manage.py"), "task_worker", "--queue-name", "default", "--no-reload"]


def setup(var_dir: Path, *, migrate: bool = True) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "THRIVE_VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "DATABASE_URL": PG_URL,
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "LOG_LEVEL": "ERROR",
    }
    env_for_workers = os.environ | env | {"BENCH_PG_URL": PG_URL}
    env_for_workers.pop("REDIS_URL", None)
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0)
    return env_for_workers


def sample_context() -> dict:
    """The values a certificate prints, for a sample certificate on the bench's template."""
    from certificates.models import Certificate, CertificateTemplate
    from certificates.rendering import certificate_context

    sample = Certificate(
        title="Foundations of survivor leadership",
        awarded_on=date(2027, 3, 3),
        hours=12,
        template=CertificateTemplate.objects.get(),
        name_printed="Amani Example",
        code="BENC-H000-0000-0000",
    )
    return certificate_context(sample)


def render_only(count: int) -> None:
    """`--render-only COUNT` (a process of the ideal): warm up, say "ready", wait for a line on
    stdin, render the sample certificate COUNT times, say "done"."""
    setup(Path(os.environ["THRIVE_VAR_DIR"]), migrate=False)
    from certificates.rendering import render_certificate

    context = sample_context()
    for _ in range(5):
        render_certificate(context)
    # As a task worker does (core.tasks.collect_after_worker_task): the long-lived heap frozen,
    # so Python's own collections do not walk Django and WeasyPrint at every turn. Without it
    # the ideal processes spent a third of their time collecting and were slower than workers.
    gc.collect()
    gc.freeze()
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(count):
        render_certificate(context)
    print("done", flush=True)


def parallel_renders(processes: int, count: int, env: dict) -> float:
    """Seconds for `processes` warm processes to render `count` certificates between them,
    with nothing else to do: the ideal a bulk issue with as many workers is compared against."""
    shares = [count // processes + (1 if n < count % processes else 0) for n in range(processes)]
    renderers = [
        subprocess.Popen(
            [sys.executable, __file__, "--render-only", str(share)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for share in shares
    ]
    try:
        for renderer in renderers:
            if renderer.stdout.readline().strip() != "ready":
                sys.exit("a render process did not start")
        start = time.perf_counter()
        for renderer in renderers:
            renderer.stdin.write("go\n")
            renderer.stdin.flush()
        for renderer in renderers:
            if renderer.stdout.readline().strip() != "done":
                sys.exit("a render process stopped")
        return time.perf_counter() - start
    finally:
        for renderer in renderers:
            renderer.stdin.close()
            renderer.wait(timeout=30)


def peak_memory_kb(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM, which only grows), in KB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


# The run -------------------------------------------------------------------------------------


def completed_cohort(count: int, run):
    """A course run whose `count` learners all completed: a bulk-issue source (training's hook)."""
    from django.utils import timezone

    from accounts.models import MemberProfile, User
    from training.models import Enrolment
    from training.tests.factories import make_cohort, make_course

    cohort = make_cohort(make_course(modules=0, hours=12, title=f"Foundations {run}"), capacity=count)
    users = User.objects.bulk_create(User(email=f"learner{run}-{n}@bench.example") for n in range(count))
    MemberProfile.objects.bulk_create(
        MemberProfile(user=user, display_name=f"Learner {run}-{n}") for n, user in enumerate(users)
    )
    now = timezone.now()
    Enrolment.objects.bulk_create(
        Enrolment(user=user, cohort=cohort, status=Enrolment.Status.COMPLETED, enrolled_at=now, completed_at=now)
        for user in users
    )
    return cohort


def start_workers(count: int, env: dict, var_dir: Path, run: int) -> tuple[list[subprocess.Popen], float]:
    """`count` task workers, returned once each has written its first heartbeat (start-up s)."""
    from taskworker.models import WorkerHeartbeat

    start = time.perf_counter()
    workers = []
    for n in range(count):
        with (var_dir / f"worker-{run}-{n}.log").open("w") as log:
            workers.append(subprocess.Popen(WORKER_COMMAND, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    pids = {worker.pid for worker in workers}
    while set(WorkerHeartbeat.objects.filter(pid__in=pids).values_list("pid", flat=True)) != pids:
        if any(worker.poll() is not None for worker in workers):
            sys.exit(f"a task worker stopped at start; see {var_dir}")
        time.sleep(0.05)
    return workers, time.perf_counter() - start


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def warm_up(workers: list[subprocess.Popen], run: int) -> int:
    """Small bulk issues until every worker has rendered certificates (the first PDF of a
    process loads WeasyPrint and the fonts, about a second): workers that run all the time have
    long done so. Returns how many bulk issues it took."""
    from django_tasks_db.models import DBTaskResult

    from certificates import delivery
    from taskworker.models import WorkerHeartbeat

    batch = getattr(delivery, "RENDER_BATCH", 1)  # 1: a commit before bulk renders were batched (to compare)

    ids = set(
        WorkerHeartbeat.objects.filter(pid__in=[worker.pid for worker in workers]).values_list("worker_id", flat=True)
    )
    renders = DBTaskResult.objects.filter(
        task_path__startswith="certificates.tasks.certificate_render", status="SUCCESSFUL"
    )
    for attempt in range(1, 11):
        bulk_issue(completed_cohort(batch * 2 * len(workers), f"{run}-warm-{attempt}"), workers, None, {})
        if ids <= {worker_ids[-1] for worker_ids in renders.values_list("worker_ids", flat=True)}:
            return attempt
    sys.exit("a worker rendered nothing in 10 warm-up bulk issues")


def bulk_issue(cohort, workers: list[subprocess.Popen], count: int | None, peaks: dict) -> tuple[float, float]:
    """Queue the bulk issue for `cohort` and wait until the job is done and every task queued
    since has finished: (wall s, s until the job had issued the last certificate)."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from certificates.delivery import certificate_bulk_start
    from certificates.models import BulkIssueJob, Certificate

    started_at = timezone.now()
    start = time.perf_counter()
    job = certificate_bulk_start(source_key=f"training.cohort:{cohort.pk}", source_label=str(cohort.name), actor=None)
    tasks = DBTaskResult.objects.filter(enqueued_at__gte=started_at)
    deadline = start + 900
    while True:
        for worker in workers:
            peaks[worker.pid] = max(peaks.get(worker.pid, 0), peak_memory_kb(worker.pid))
        if tasks.filter(status="FAILED").exists():
            sys.exit("a task failed: " + str(tasks.filter(status="FAILED").values_list("traceback", flat=True)[0]))
        done = BulkIssueJob.objects.filter(pk=job.pk, status=BulkIssueJob.Status.DONE).exists()
        # Once the job is done every render task exists (each is queued with its certificates).
        if done and not tasks.exclude(status="SUCCESSFUL").exists():
            break
        if time.perf_counter() > deadline or any(worker.poll() is not None for worker in workers):
            sys.exit(f"bulk issue unfinished after {time.perf_counter() - start:.0f} s")
        time.sleep(0.05)
    wall = time.perf_counter() - start
    job.refresh_from_db()
    assert job.status == BulkIssueJob.Status.DONE and job.done == job.total, (job.status, job.done, job.total)
    finished = Certificate.objects.filter(issued_at__gte=started_at, pdf_rendered_at__isnull=False)
    assert count is None or finished.filter(emailed_at__isnull=False).count() == count
    return wall, (job.finished_at - started_at).total_seconds()


def measure_bulk(count: int, worker_counts: list[int], repeat: int, env: dict, var_dir: Path, render) -> dict:
    """{workers: [run figures]}; peak memory from the first run of the first worker count."""
    results: dict[int, list[dict]] = {n: [] for n in worker_counts}
    run = 0
    for _ in range(repeat):
        for n in worker_counts:
            run += 1
            cohort = completed_cohort(count, run)
            ideal_before = parallel_renders(n, count, env)
            workers, startup = start_workers(n, env, var_dir, run)
            peaks: dict[int, int] = {}
            try:
                warm_up(workers, run)
                render_ms = median_ms(render, RENDERS, warm=3)
                wall, issuing = bulk_issue(cohort, workers, count, peaks)
            finally:
                stop_workers(workers)
            ideal_after = parallel_renders(n, count, env)
            ideal = (ideal_before + ideal_after) / 2
            results[n].append(
                {
                    "startup": startup,
                    "render_ms": render_ms,
                    "ideal_drift": abs(ideal_after - ideal_before) / ideal,
                    "ideal": ideal,
                    "wall": wall,
                    "issuing": issuing,
                    "ratio": wall / ideal,
                    "peak_mb": max(peaks.values()) / 1024,
                }
            )
            print(
                f"  run {run}: {n} workers, wall {wall:.1f} s, ideal {ideal_before:.1f} s before and "
                f"{ideal_after:.1f} s after, ratio {wall / ideal:.2f}",
                flush=True,
            )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", default="2,4", help="worker counts, comma-separated (the first is judged)")
    parser.add_argument("--repeat", type=int, default=1, help="bulk runs per worker count (medians printed)")
    parser.add_argument("--render-only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render_only is not None:
        render_only(args.render_only)
        return 0
    worker_counts = [int(n) for n in args.workers.split(",")]
    var_dir = Path(tempfile.mkdtemp(prefix="thrive-bench-certificates-"))
    postgres_database(PG_URL, create=True)
    try:
        env = setup(var_dir)
        from weasyprint import HTML

        from certificates import rendering
        from certificates.models import CertificateTemplate

        CertificateTemplate.objects.create(name="Bench", is_default=True)
        context = sample_context()
        certificate_pdf = rendering.render_certificate(context)
        certificate_ms = median_ms(lambda: rendering.render_certificate(context), 50, warm=5)
        hello_pdf = HTML(string="<p>Hello</p>").write_pdf()
        hello_ms = median_ms(lambda: HTML(string="<p>Hello</p>").write_pdf(), 50, warm=5)

        print(f"Bulk issues of {args.count} certificates (progress):", flush=True)
        results = measure_bulk(
            args.count, worker_counts, args.repeat, env, var_dir, lambda: rendering.render_certificate(context)
        )
        sizes = [p.stat().st_size for p in (var_dir / "media" / "certificates").glob("*.pdf")]
    finally:
        from django.db import connections

        connections.close_all()
        postgres_database(PG_URL, create=False)

    ratio = certificate_ms / hello_ms
    kb = len(certificate_pdf) / 1024
    print(
        f"\ncertificate PDF, warm process: {certificate_ms:.1f} ms, {kb:.1f} KB "
        f"(stored PDFs: median {statistics.median(sizes) / 1024:.1f} KB; target <= {TARGET_KB} KB)"
    )
    print(f"'Hello' PDF, default way:      {hello_ms:.1f} ms, {len(hello_pdf) / 1024:.1f} KB")
    print(f"ratio certificate / hello:     {ratio:.2f} (target <= {TARGET_HELLO})")

    print(
        f"\nBulk issue of {args.count} certificates, PostgreSQL, task workers already running; "
        f"medians of {args.repeat} run(s) each"
    )
    print(
        f"  {'workers':>7} {'start-up s':>10} {'render ms':>9} {'ideal s':>8} {'drift':>6} {'wall s':>7} "
        f"{'issuing s':>9} {'ratio':>6}  {'ratios of the runs'}"
    )
    for n, runs in results.items():

        def med(key, runs=runs):
            return statistics.median(run[key] for run in runs)

        print(
            f"  {n:>7} {med('startup'):>10.1f} {med('render_ms'):>9.1f} {med('ideal'):>8.1f} "
            f"{med('ideal_drift'):>6.0%} {med('wall'):>7.1f} {med('issuing'):>9.1f} {med('ratio'):>6.2f}  "
            + " ".join(f"{run['ratio']:.2f}" for run in runs)
        )
    judged = worker_counts[0]
    bulk_ratio = statistics.median(run["ratio"] for run in results[judged])
    peak_mb = results[judged][0]["peak_mb"]
    print(
        f"  ideal = as many processes as workers rendering the {args.count} PDFs warm with nothing else to do, "
        "timed before and after the run (drift: how far apart); wall = job queued -> last task done; "
        "issuing = job queued -> the job's last certificate issued (alongside rendering); render ms: one warm "
        "render in this process just before the run"
    )
    met = "met" if bulk_ratio <= TARGET_RATIO else "NOT met"
    print(f"  target: ratio at most {TARGET_RATIO} with {judged} workers: {met}")
    print(f"peak memory of a worker:       {peak_mb:.0f} MB (target <= {TARGET_MB} MB)")
    ok = ratio <= TARGET_HELLO and kb <= TARGET_KB and bulk_ratio <= TARGET_RATIO and peak_mb <= TARGET_MB
    print(f"every certificate of the {len(worker_counts) * args.repeat} timed runs rendered, stored and emailed")
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
