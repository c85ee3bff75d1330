"""The task worker against real faults (issue 13, items 2 and 4), on PostgreSQL with real
`manage.py task_worker` processes: its database connections terminated by the server and the
database refusing connections for a while (it keeps running, then runs the next task), and a
worker killed with SIGKILL in the middle of a bulk issue and of a certificate's rendering (the
lost tasks are found and run again: every certificate rendered and emailed exactly once)."""

import time
from pathlib import Path

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from conftest import wait_until_healthy
from core.tests.tasks_for_tests import note_ran
from taskworker.management.commands.task_worker import APPLICATION_NAME
from taskworker.tests.harness import (
    WorkerProcess,
    admin_session,
    sent_emails,
    server_session,
    terminate_worker_sessions,
    wait_for,
    worker_sessions,
    worker_waiting_on_a_lock,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _status(result) -> str:
    return DBTaskResult.objects.get(id=result.id).status


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_worker_outlives_terminated_connections_and_a_database_outage_then_runs_the_next_task(tmp_path):
    worker = WorkerProcess(tmp_path)
    session = admin_session()
    name = session.execute("SELECT current_database()").fetchone()[0]
    try:
        first = note_ran.enqueue(value=1)
        wait_for(lambda: _status(first) == "SUCCESSFUL", what="the first task")
        # 1. The server ends the worker's sessions (a failover, an idle timeout, a restart).
        wait_for(lambda: len(worker_sessions(session)) >= 2, what="the worker's and its heartbeat's sessions")
        assert terminate_worker_sessions(session) >= 2
        time.sleep(1.0)  # ten polls on dead connections
        assert worker.alive, worker.output()
        second = note_ran.enqueue(value=2)
        wait_for(lambda: _status(second) == "SUCCESSFUL", what="a task queued after the reset")

        # 2. An outage: the database refuses every new connection for a few seconds.
        server = server_session()
        server.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            terminate_worker_sessions(session)
            third = note_ran.enqueue(value=3)  # this test's own session is still open
            time.sleep(3.0)
            assert worker.alive, worker.output()
            assert _status(third) == "READY"
        finally:
            server.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            server.close()
        wait_for(lambda: _status(third) == "SUCCESSFUL", what="a task queued during the outage")
        assert worker.alive
        assert "database unavailable" in worker.output()
    finally:
        worker.stop()
        session.close()


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_task_whose_database_session_is_ended_under_it_runs_again_instead_of_failing(tmp_path):
    from taskworker.tests.tasks_for_tests import sleep_in_database

    worker = WorkerProcess(tmp_path)
    session = admin_session()
    try:
        result = sleep_in_database.enqueue(seconds=1.5)
        sleeping = (
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND datname = current_database() "
            "AND state = 'active' AND query LIKE 'SELECT pg_sleep%%'"
        )
        pid = wait_for(lambda: session.execute(sleeping, [APPLICATION_NAME]).fetchone(), what="the task's query")[0]
        session.execute("SELECT pg_terminate_backend(%s)", [pid])
        wait_for(lambda: _status(result) in ("SUCCESSFUL", "FAILED"), what="the task to finish", timeout=60)
        row = DBTaskResult.objects.get(id=result.id)
        assert (row.status, row.return_value) == ("SUCCESSFUL", "slept"), row.traceback
        assert len(row.worker_ids) == 2  # the same worker, twice
        assert worker.alive and "lost the database" in worker.output()
    finally:
        worker.stop()
        session.close()


def _completed_cohort(learners: int):
    from training.models import Enrolment
    from training.tests.factories import enrol, make_cohort, make_course, make_learner

    cohort = make_cohort(make_course(modules=0, hours=3))
    for _ in range(learners):
        enrol(make_learner(), cohort, status=Enrolment.Status.COMPLETED)
    return cohort


@override_settings(TASKS=DATABASE_QUEUE)
def test_tasks_lost_with_a_killed_worker_run_again_and_every_certificate_is_rendered_and_emailed_once(
    tmp_path, wagtail_tree
):
    from django.db import transaction

    from certificates.models import BulkIssueJob, Certificate
    from certificates.selectors import bulk_sources
    from certificates.services import certificate_issue
    from certificates.tasks import certificate_bulk_issue

    cohort = _completed_cohort(3)
    key = f"training.cohort:{cohort.pk}"
    job = BulkIssueJob.objects.create(source_key=key, source_label="Test run")
    qualifying = list(bulk_sources()[key]["qualifying"]())
    emails = {kwargs["recipient"].email for kwargs in qualifying}
    # A bulk issue renders its certificates ten to a task: the three learners' are one task.
    renders = DBTaskResult.objects.filter(task_path="certificates.tasks.certificate_render_batch")
    session = admin_session()
    workers = []
    try:
        # 1. Killed in the middle of a bulk issue: this test is issuing the last learner's
        # certificate in a transaction it has not committed, so the worker waits there.
        bulk = certificate_bulk_issue.enqueue(job_id=job.pk)
        with pytest.raises(RuntimeError), transaction.atomic():
            certificate_issue(**qualifying[-1])
            workers.append(WorkerProcess(tmp_path))
            wait_for(lambda: worker_waiting_on_a_lock(session), what="the worker to reach the last learner")
            workers[-1].kill()
            raise RuntimeError  # gives the last learner's certificate back
        job.refresh_from_db()
        # "running 0/3", for ever on the old worker: the certificates a bulk issue writes in one
        # transaction (the first two learners' here) went back with the dead worker's.
        assert (job.status, job.done, job.total) == ("running", 0, 3)
        assert _status(bulk) == "RUNNING"
        assert not Certificate.objects.exists()

        # The next worker finds the lost bulk issue and runs it again (and, told to run one task
        # only, leaves the renders it queued to the next step).
        workers.append(WorkerProcess(tmp_path, "--max-tasks", "1"))
        wait_for(lambda: not workers[-1].alive, what="the worker to run the bulk issue again", timeout=90)
        job.refresh_from_db()
        assert (job.status, job.done, job.total) == ("done", 3, 3)  # the lost bulk issue was run again
        assert _status(bulk) == "SUCCESSFUL"
        assert Certificate.objects.count() == 3
        assert renders.filter(status="READY").count() == 1

        # 2. Killed in the middle of rendering a certificate: this test holds the certificates'
        # rows, so the worker's render waits before it can store the PDF (and before any email).
        with pytest.raises(RuntimeError), transaction.atomic():
            list(Certificate.objects.select_for_update())
            workers.append(WorkerProcess(tmp_path))
            wait_for(lambda: worker_waiting_on_a_lock(session), what="the worker to render a certificate")
            workers[-1].kill()
            raise RuntimeError
        # (The killed worker's UPDATE recording the PDF was still waiting in its server session,
        # inside the transaction that also claims the email: given the lock now, it runs, and the
        # transaction is rolled back with the dead client. Nothing of that render is recorded.)
        wait_for(lambda: not worker_sessions(session), what="the killed worker's sessions to end")
        assert renders.filter(status="RUNNING").count() == 1  # lost mid-render
        assert not Certificate.objects.filter(pdf_rendered_at__isnull=False).exists()
        assert not Certificate.objects.filter(emailed_at__isnull=False).exists()
        assert sent_emails(tmp_path) == []

        # 3. A worker started again finds the lost render and runs it: every certificate is
        # rendered and emailed exactly once.
        workers.append(WorkerProcess(tmp_path))
        wait_for(
            lambda: renders.filter(status="SUCCESSFUL").count() == 1,
            what="three certificates rendered",
            timeout=60,
        )
        assert Certificate.objects.count() == 3
        assert not Certificate.objects.filter(pdf_rendered_at__isnull=True).exists()
        assert DBTaskResult.objects.filter(status="RUNNING").count() == 0
        sent = sent_emails(tmp_path)
        assert sorted(message["To"] for message in sent) == sorted(emails)
        assert all(message.get_content_type() == "multipart/mixed" for message in sent)  # the PDF attached
        assert "queued again" in workers[1].output()  # the bulk issue
        assert "queued again" in workers[3].output()  # the render
    finally:
        for worker in workers:
            worker.stop()
        session.close()


def test_make_run_restarts_a_task_worker_that_dies(tmp_path):
    """`manage.py serve_local` (what `make run` starts) supervises the worker: killed with
    SIGKILL, it is started again, and the site stays up. Before, the whole site stopped."""
    import os
    import signal
    import subprocess
    import sys
    import urllib.request

    from bench.worker_kill import free_port, worker_pids
    from taskworker.tests.harness import ROOT, worker_database_url

    def workers(parent: int) -> list[int]:
        found = []
        for pid in worker_pids(parent):
            try:
                if b"task_worker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except FileNotFoundError:
                continue
        return found

    port = free_port()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.e2e_worker",
        "DATABASE_URL": worker_database_url(),
        "THRIVE_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "STRIPE_API_BASE": "http://192.0.2.1:9",  # not this machine: serve_local starts no localstripe
        "GUNICORN_GRACEFUL_TIMEOUT": "1",
    }
    env.pop("REDIS_URL", None)
    with (tmp_path / "serve_local.log").open("w") as log:
        site = subprocess.Popen(
            [sys.executable, "manage.py", "serve_local", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        first = wait_for(lambda: workers(site.pid), what="the task worker")[0]
        # The site is up before the kill (its gunicorn may still be booting on a loaded
        # machine: waited for up to 60 s, as every test that starts a server does).
        wait_until_healthy(f"http://127.0.0.1:{port}", site, tmp_path / "serve_local.log")
        os.kill(first, signal.SIGKILL)
        second = wait_for(lambda: [pid for pid in workers(site.pid) if pid != first], what="a new task worker")[0]
        assert site.poll() is None
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:  # noqa: S310
            assert response.status == 200
        assert "task worker exited" in (tmp_path / "serve_local.log").read_text()
        assert second != first
    finally:
        site.terminate()
        site.wait(timeout=30)
    assert site.returncode == 0
