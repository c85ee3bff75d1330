"""Task workers side by side (issue 15, item 3), on PostgreSQL with real `manage.py
task_worker` processes: three workers drain 1,000 tasks and each task runs exactly once (the
task counts its own runs in a table of its own); a worker killed with SIGKILL in the middle of
a task, and a worker frozen (SIGSTOP, as a hung host) in the middle of one, each leave that
task to be run again by another worker, to completion, once.

How a lost task is found (taskworker.worker.lost_tasks_requeue): every worker writes a
heartbeat row every `--heartbeat` seconds; every `--lease`/2 seconds each worker queues again
the RUNNING tasks of a worker whose heartbeat is older than `--lease` (a worker on any host),
or whose process is gone from this host (at once). The killed worker is found by its process;
the frozen one, whose process still exists, only by its lease. test_worker_faults.py covers
workers killed in the middle of a bulk certificate issue and of a render."""

import os
import signal
import time
from collections import Counter

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from taskworker.models import WorkerHeartbeat
from taskworker.tests.harness import WorkerProcess, admin_session, wait_for
from taskworker.tests.tasks_for_tests import RUNS_TABLE, count_run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASKS = 1000
HEARTBEAT, LEASE = 1, 10  # seconds; a healthy worker under load is never 10 s late
KILLED, FROZEN = TASKS - 2, TASKS - 1  # the two held tasks, queued last


def _runs(session) -> dict[int, tuple[int, int, int, int]]:
    """{value: (started, finished, pid that started it last, pid that finished it)}"""
    rows = session.execute(f"SELECT value, started, finished, started_pid, finished_pid FROM {RUNS_TABLE}")  # noqa: S608
    return {value: rest for value, *rest in rows.fetchall()}


def _holder(session, value: int) -> int | None:
    """The pid of the worker running held task `value`, once it has started."""
    row = session.execute(f"SELECT started_pid FROM {RUNS_TABLE} WHERE value = %s", [value]).fetchone()  # noqa: S608
    return row[0] if row else None


def _task_rows(results) -> dict[int, DBTaskResult]:
    rows = DBTaskResult.objects.filter(id__in=[result.id for result in results])
    return {row.args_kwargs["kwargs"]["value"]: row for row in rows}


@override_settings(TASKS=DATABASE_QUEUE)
def test_three_workers_run_each_of_1000_tasks_once_and_a_killed_or_frozen_workers_task_runs_again(tmp_path):
    session = admin_session()
    session.execute(
        f"CREATE TABLE {RUNS_TABLE} (value integer PRIMARY KEY, started integer NOT NULL, "
        "finished integer NOT NULL, started_pid integer, finished_pid integer)"
    )
    options = ("--heartbeat", str(HEARTBEAT), "--lease", str(LEASE))
    workers = [WorkerProcess(tmp_path, *options) for _ in range(3)]
    try:
        pids = {worker.process.pid for worker in workers}
        wait_for(
            lambda: set(WorkerHeartbeat.objects.values_list("pid", flat=True)) >= pids,
            what="three workers' first heartbeats",
            timeout=90,
        )
        # 1. All 1,000 become visible at once (one commit), to three workers already polling.
        started = time.monotonic()
        with transaction.atomic():
            results = [count_run.enqueue(value=n) for n in range(TASKS - 2)]
            results += [count_run.enqueue(value=n, hold=True) for n in (KILLED, FROZEN)]
        # The two held tasks, queued last, keep two of the workers once the rest is done.
        killed_pid = wait_for(lambda: _holder(session, KILLED), what="the first held task", timeout=90)
        frozen_pid = wait_for(lambda: _holder(session, FROZEN), what="the second held task", timeout=30)
        drained = time.monotonic() - started
        by_pid = {worker.process.pid: worker for worker in workers}
        assert {killed_pid, frozen_pid} < pids and killed_pid != frozen_pid
        (survivor,) = [worker for worker in workers if worker.process.pid not in (killed_pid, frozen_pid)]

        # 2. One is killed outright, the other frozen (its process stays: only the lease tells).
        by_pid[killed_pid].kill()
        os.kill(frozen_pid, signal.SIGSTOP)
        frozen_at = time.monotonic()
        rows = _task_rows(results)
        killed_row, frozen_row = rows[KILLED], rows[FROZEN]
        wait_for(
            lambda: DBTaskResult.objects.get(id=killed_row.id).status == "SUCCESSFUL",
            what="the killed worker's task to run again",
            timeout=60,
        )
        wait_for(
            lambda: len(DBTaskResult.objects.get(id=frozen_row.id).worker_ids) == 2,
            what="the frozen worker's task to be claimed again",
            timeout=60,
        )
        requeued_after = time.monotonic() - frozen_at
        wait_for(
            lambda: DBTaskResult.objects.get(id=frozen_row.id).status == "SUCCESSFUL",
            what="the frozen worker's task to finish",
            timeout=30,
        )
        by_pid[frozen_pid].kill()  # the frozen host is never let back

        # 3. Each task ran to completion exactly once; only the two held ones started twice.
        runs = _runs(session)
        assert len(runs) == TASKS
        assert [value for value, (_s, finished, *_pids) in runs.items() if finished != 1] == []
        twice = sorted(value for value, (started, *_rest) in runs.items() if started != 1)
        assert twice == [KILLED, FROZEN]
        rows = _task_rows(results)
        assert Counter(row.status for row in rows.values()) == {"SUCCESSFUL": TASKS}
        assert all(rows[value].return_value == value for value in rows)
        assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
        assert sorted(value for value, row in rows.items() if len(row.worker_ids) != 1) == [KILLED, FROZEN]
        for value in (KILLED, FROZEN):
            first, second = rows[value].worker_ids
            assert first != second
            assert runs[value][3] == survivor.process.pid  # finished by the survivor
        # Side by side: every one of the three workers ran its share of the 998 others.
        shares = Counter(run[3] for value, run in runs.items() if value < KILLED)
        assert set(shares) == pids, shares
        # The frozen worker's process existed throughout: its task waited for the lease.
        assert requeued_after >= LEASE - 2 * HEARTBEAT, requeued_after
        assert "queued again" in survivor.output()
        print(
            f"1,000 tasks drained by three workers in {drained:.1f} s; shares {sorted(shares.values())}; "
            f"frozen worker's task claimed again after {requeued_after:.1f} s"
        )
    finally:
        for worker in workers:
            if worker.alive:
                os.kill(worker.process.pid, signal.SIGCONT)
            worker.stop()
        session.execute(f"DROP TABLE IF EXISTS {RUNS_TABLE}")
        session.close()


@override_settings(TASKS=DATABASE_QUEUE)
def test_an_idle_worker_starts_a_task_when_it_is_queued_not_at_its_next_poll(tmp_path):
    """PostgreSQL notifies the workers when a task is queued (migration 0002's trigger), so a
    worker waiting out a 30 s poll interval starts the task at once."""
    from core.tests.tasks_for_tests import note_ran

    worker = WorkerProcess(tmp_path, "--interval", "30")
    try:
        wait_for(lambda: WorkerHeartbeat.objects.filter(pid=worker.process.pid).exists(), what="the worker", timeout=90)
        time.sleep(3)  # it has polled, found nothing, and waits: its next poll is 27 s away
        queued = time.monotonic()
        result = note_ran.enqueue(value=1)
        wait_for(
            lambda: DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL",
            what="the task to run before the next poll",
            timeout=15,
        )
        print(f"started and finished {time.monotonic() - queued:.2f} s after it was queued")
    finally:
        worker.stop()
