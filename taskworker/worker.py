"""The task worker `manage.py task_worker` runs: django-tasks-db's database worker, made to
survive the database going away and to find tasks lost with a worker killed outright.

- Connection loss and outages: django-tasks-db 0.13's `Worker.run` re-raises any database
  error from its polling query, so one reset connection ended the process. Here every poll,
  claim and heartbeat catches `OperationalError`/`InterfaceError`, closes the broken
  connection and tries again after a back-off (1 s doubling to 30 s), logging once per outage.
  A task that fails because the database went away under it, or whose result could not be
  written, is handed back to the queue once the database answers, and runs again (at most
  MAX_ATTEMPTS times in all) instead of being recorded as failed.
- Lost tasks: a worker killed with SIGKILL (or by the out-of-memory killer) leaves its task
  RUNNING for ever. Each worker writes a heartbeat (`WorkerHeartbeat`) every few seconds from
  its own thread; every worker looks, at start and then every few seconds, for RUNNING tasks
  whose worker's heartbeat is older than the lease, or whose worker's process is gone from this
  host, and queues them again (every task here is safe to run twice). A task that has now been
  lost with `MAX_ATTEMPTS` workers is marked failed instead, so a task that kills its worker
  cannot kill them one after another for ever.
- Throughput (a bulk issue is 1,000 tasks of a few tens of milliseconds each): on PostgreSQL a
  task is claimed in one statement (claim_in_one_statement), and claims and results go through
  a connection of their own whose commits do not wait for the disk (bookkeeping_alias); a
  connection that has just answered is not health-checked again (_connections_recycle).
  Before, the book-keeping cost each task six round trips and two flushes of the write-ahead
  log (2 ms each on an idle disk, much more on a busy one).
"""

import contextlib
import copy
import logging
import os
import socket
import threading
import time
from datetime import timedelta

import psycopg
from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError, connections, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from taskworker.models import WorkerHeartbeat

logger = logging.getLogger("taskworker")

DATABASE_GONE = (OperationalError, InterfaceError)
# Notified by PostgreSQL when a task becomes ready (the trigger of migration 0002).
READY_CHANNEL = "taskworker_ready"
BACKOFF_FIRST = 1.0
BACKOFF_MOST = 30.0
MAX_ATTEMPTS = 3
# A RUNNING task claimed by a worker that never wrote a heartbeat (django-tasks-db's own
# `db_worker`) is taken as lost only after this long.
WITHOUT_HEARTBEAT = timedelta(hours=1)


class WorkerLost(Exception):
    """Recorded as the error of a task that was lost with MAX_ATTEMPTS workers."""


def _close_connections() -> None:
    """Drop this thread's database connections (broken ones included) so the next query opens
    a fresh one."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # noqa: BLE001 (a broken connection may fail to close; it is dropped anyway)
            connection.connection = None


# A connection that answered a query this recently is not health-checked before the next one.
RECENTLY_USED = 5.0


class _LastAnswer:
    """An execute wrapper noting when each connection last answered a query (monotonic)."""

    def __init__(self):
        self.at: dict[str, float] = {}

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        self.at[context["connection"].alias] = time.monotonic()
        return result


def _connections_recycle(last_answer: _LastAnswer) -> None:
    """Django's `close_old_connections()` before each claim (a connection past CONN_MAX_AGE,
    or left broken or inside a transaction by a task, is dropped), except that a connection
    that answered less than RECENTLY_USED seconds ago (the last task's result, the task's own
    queries) is not health-checked again: with CONN_HEALTH_CHECKS every recycle costs a
    `SELECT 1` round trip before the next query, about one per task. Should such a connection
    be lost in between, the claim or the task fails, which the loop survives like any outage
    (the task runs again)."""
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        try:
            connection.close_if_unusable_or_obsolete()
        except DATABASE_GONE:
            connection.connection = None
            continue
        if (
            connection.connection is not None
            and now - last_answer.at.get(connection.alias, -RECENTLY_USED) < RECENTLY_USED
        ):
            connection.health_check_done = True


def _process_gone(heartbeat: WorkerHeartbeat) -> bool:
    """True when the heartbeat's process ran on this host and no longer exists."""
    if heartbeat.hostname != socket.gethostname():
        return False
    try:
        os.kill(heartbeat.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def lost_tasks_requeue(
    *, backend_name: str, lease: timedelta, own_worker_id: str = "", own_idle: bool = False, now=None
) -> list[str]:
    """Queue again each RUNNING task of this backend whose worker is gone: its heartbeat is
    older than `lease`, its process is gone from this host, or (for a worker that never wrote
    a heartbeat) it started more than WITHOUT_HEARTBEAT ago. With `own_idle` (the caller,
    worker `own_worker_id`, is between tasks), its own RUNNING tasks too: their results were
    lost (a database crash after a commit that did not wait for the disk). A task lost
    MAX_ATTEMPTS times is marked failed instead. Safe beside other workers doing the same (each
    row is changed under its lock, only if still RUNNING for the same workers). Returns the ids
    queued again."""
    now = now or timezone.now()
    running = list(
        DBTaskResult.objects.running()
        .filter(backend_name=backend_name)
        .values_list("id", "worker_ids", "started_at", "task_path")
    )
    if not running:
        return []
    last_workers = {worker_ids[-1] for _id, worker_ids, _started, _path in running if worker_ids}
    heartbeats = {beat.worker_id: beat for beat in WorkerHeartbeat.objects.filter(worker_id__in=last_workers)}
    requeued = []
    for task_id, worker_ids, started_at, task_path in running:
        worker_id = worker_ids[-1] if worker_ids else ""
        beat = heartbeats.get(worker_id)
        if worker_id and worker_id == own_worker_id:
            lost = own_idle
        elif beat is None:
            lost = started_at is None or started_at < now - WITHOUT_HEARTBEAT
        else:
            lost = beat.seen_at < now - lease or _process_gone(beat)
        if not lost:
            continue
        with transaction.atomic():
            row = (
                # skip_locked: another worker recovering this row is left to it (core.locking.for_update waits)
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(id=task_id, status=TaskResultStatus.RUNNING)
                .first()
            )
            if row is None or row.worker_ids != worker_ids:
                continue
            if len(worker_ids) >= MAX_ATTEMPTS:
                row.set_failed(WorkerLost(f"lost with {len(worker_ids)} workers"))
                logger.error(
                    "task %s (%s) lost with worker %s; failed after %d attempts",
                    task_id,
                    task_path,
                    worker_id,
                    len(worker_ids),
                )
                continue
            row.status = TaskResultStatus.READY
            row.save(update_fields=["status"])
        logger.warning("task %s (%s) lost with worker %s; queued again", task_id, task_path, worker_id)
        requeued.append(str(task_id))
    return requeued


BOOKKEEPING = "taskworker_bookkeeping"


def bookkeeping_alias(using: str) -> str:
    """On PostgreSQL, a second connection to the same database for the worker's own
    book-keeping, a task's claim and its result, whose commits do not wait for the disk
    (`synchronous_commit=off`): each flush of the write-ahead log costs about 2 ms on an idle
    disk and ten times that on a busy one, twice per task. Elsewhere `using` itself.

    What it risks: nothing while PostgreSQL runs (the change is visible to everyone at once,
    and any later commit that waits for the disk, such as the task's own writes on the default
    connection, flushes it too). If the server itself crashes, the last fraction of a second of
    such commits may be lost: a claim lost is a task ready again, a result lost is a task
    RUNNING under a worker that has moved on, which that worker queues again
    (lost_tasks_requeue, own_idle); either way the task runs again, which every task here
    allows. The tasks' own writes keep full durability."""
    if connections[using].vendor != "postgresql":
        return using
    if BOOKKEEPING not in connections.settings:
        bookkeeping = copy.deepcopy(connections.settings[using])
        options = bookkeeping.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
        connections.settings[BOOKKEEPING] = bookkeeping
    return BOOKKEEPING


def claim_in_one_statement(tasks, worker_id: str, using: str) -> DBTaskResult | None:
    """PostgreSQL: the first of `tasks` (a queryset of ready tasks, in the queue's order) that
    no other worker holds, claimed for `worker_id` (RUNNING, started now, the worker's id
    appended, as `DBTaskResult.claim` does) and read back, in one autocommitted statement on
    connection `using`: `UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING *`.
    Upstream's claim takes four round trips (BEGIN, SELECT ... FOR UPDATE SKIP LOCKED, UPDATE,
    COMMIT), paid by every task."""
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = DBTaskResult._meta
    column = {name: quote(meta.get_field(name).column) for name in ("id", "status", "started_at", "worker_ids")}
    select, params = tasks.values("pk")[:1].query.sql_with_params()
    # Names from the model, the SELECT compiled by the ORM, every value a parameter.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {column['status']} = %s, {column['started_at']} = %s, "  # noqa: S608
        f"{column['worker_ids']} = {column['worker_ids']} || jsonb_build_array(%s::text) "
        f"WHERE {column['id']} = ({select} FOR UPDATE SKIP LOCKED) RETURNING *"
    )
    claimed = DBTaskResult.objects.using(using).raw(sql, [TaskResultStatus.RUNNING, timezone.now(), worker_id, *params])
    return next(iter(claimed), None)


class Heartbeat(threading.Thread):
    """Writes the worker's heartbeat every `every` seconds until stopped; survives the
    database going away (tries again at the next beat)."""

    def __init__(self, worker_id: str, every: float):
        super().__init__(name="task-worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.stopped = threading.Event()

    def beat(self) -> bool:
        try:
            WorkerHeartbeat.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={"seen_at": timezone.now(), "pid": os.getpid(), "hostname": socket.gethostname()[:255]},
            )
            return True
        except DATABASE_GONE:
            _close_connections()
            return False

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                self.beat()
        finally:
            _close_connections()


class ResilientWorker(Worker):
    """django-tasks-db's Worker with the loop rewritten to survive the database going away,
    a heartbeat, and the recovery of tasks lost with other workers (module docstring)."""

    def __init__(self, *, heartbeat: float, lease: float, **kwargs):
        super().__init__(**kwargs)
        self.bookkeeping = bookkeeping_alias(DBTaskResult.objects.db)
        self.heartbeat_every = heartbeat
        self.lease = timedelta(seconds=lease)
        self.recover_every = max(1.0, min(lease / 2, 30.0))
        self.backoff = 0.0
        self.unfinished: set[str] = set()  # tasks whose result could not be written
        self.listening_on = None  # the book-keeping connection's psycopg connection, once LISTENing

    def database_gone(self, error: Exception) -> None:
        """Log (once per outage), drop the broken connection, wait before trying again."""
        self.backoff = min(BACKOFF_MOST, self.backoff * 2) if self.backoff else BACKOFF_FIRST
        if self.backoff == BACKOFF_FIRST:
            logger.warning("database unavailable (%s); the worker keeps trying", type(error).__name__)
        _close_connections()
        if self.running:
            time.sleep(self.backoff)

    def wait_for_work(self) -> None:
        """After a poll that found nothing: wait `interval` seconds, or on PostgreSQL until a
        task is queued (READY_CHANNEL, notified by the trigger of migration 0002 when the
        queueing transaction commits), whichever comes first. Before, a task queued on an idle
        queue waited for the next poll: half the interval on average, and every worker that
        had found the queue empty slept on while a bulk issue queued its first renders."""
        if self.bookkeeping == DBTaskResult.objects.db:  # not PostgreSQL
            time.sleep(self.interval)
            return
        connection = connections[self.bookkeeping]
        try:
            connection.ensure_connection()
            listening = connection.connection
            if self.listening_on is not listening:
                with connection.cursor() as cursor:
                    cursor.execute(f"LISTEN {READY_CHANNEL}")
                self.listening_on = listening
                return  # a task queued before the LISTEN notified nobody: poll again at once
            for _notify in listening.notifies(timeout=self.interval, stop_after=1):
                pass
        except (psycopg.Error, *DATABASE_GONE):
            # The poll that follows finds the database gone too, and backs off.
            _close_connections()
            self.listening_on = None

    def database_back(self) -> None:
        if self.backoff:
            logger.warning("database available again")
        self.backoff = 0.0

    def claim_next(self) -> DBTaskResult | None:
        """The next ready task, locked and claimed for this worker (upstream's poll); on
        PostgreSQL in one statement, through the book-keeping connection (so are the task's
        result and, should it fail, its error: the row read here writes through it)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        if self.bookkeeping != tasks.db:
            return claim_in_one_statement(tasks, self.worker_id, self.bookkeeping)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Upstream's run_task, except that a task that failed because the database went away
        under it (OperationalError, InterfaceError) is handed back to the queue to run again
        once the database answers (every task is safe to run twice), until it has been tried
        MAX_ATTEMPTS times; then it is recorded as failed as before."""
        attempts = len(db_task_result.worker_ids)
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except DATABASE_GONE as error:
            if attempts >= MAX_ATTEMPTS:
                self.record_failure(db_task_result, error)
            else:
                logger.warning(
                    "task %s lost the database (%s); it will run again", db_task_result.id, type(error).__name__
                )
                self.unfinished.add(str(db_task_result.id))
                _close_connections()
        except BaseException as error:
            self.record_failure(db_task_result, error)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def record_failure(self, db_task_result: DBTaskResult, error: BaseException) -> None:
        """Upstream's failure path: the error recorded on the task, task_finished sent."""
        db_task_result.set_failed(error)
        try:
            sender = type(db_task_result.task.get_backend())
            task_result = db_task_result.task_result
        except (ImportError, SuspiciousOperation):
            logger.exception("Task id=%s failed unexpectedly", db_task_result.id)
        else:
            task_finished.send(sender=sender, task_result=task_result)

    def housekeeping(self) -> None:
        """Hand back tasks this worker could not finish writing, and queue again tasks lost
        with other workers."""
        for task_id in list(self.unfinished):
            DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY
            )
            self.unfinished.discard(task_id)
        lost_tasks_requeue(
            backend_name=self.backend_name, lease=self.lease, own_worker_id=self.worker_id, own_idle=True
        )
        # Heartbeats of workers killed long ago (their tasks were queued again within a lease).
        WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()

    def run(self) -> None:
        logger.info("Starting task worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        heartbeat = Heartbeat(self.worker_id, self.heartbeat_every)
        while self.running and not heartbeat.beat():
            self.database_gone(OperationalError("no heartbeat"))
        heartbeat.start()
        next_housekeeping = 0.0
        last_answer = _LastAnswer()
        for alias in {self.bookkeeping, DBTaskResult.objects.db}:
            connections[alias].execute_wrappers.append(last_answer)
        try:
            while self.running:
                task_result = None
                try:
                    _connections_recycle(last_answer)
                    if self.unfinished or time.monotonic() >= next_housekeeping:
                        self.housekeeping()
                        next_housekeeping = time.monotonic() + self.recover_every
                    task_result = self.claim_next()
                except DATABASE_GONE as error:
                    if isinstance(error, OperationalError) and is_locked_database_exception(error):
                        time.sleep(self.interval)
                    else:
                        self.database_gone(error)
                    continue
                self.database_back()
                if task_result is not None:
                    try:
                        self.run_task(task_result)
                    except DATABASE_GONE as error:
                        # The task ran (or failed) but its result could not be written.
                        self.unfinished.add(str(task_result.id))
                        self.database_gone(error)
                        continue
                elif self.batch:
                    logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    logger.info("Ran the maximum of %d tasks - exiting gracefully.", self._run_tasks)
                    return
                if self.running and task_result is None:
                    self.wait_for_work()
        finally:
            heartbeat.stopped.set()
            with contextlib.suppress(DATABASE_GONE):
                for task_id in self.unfinished:
                    DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
                        status=TaskResultStatus.READY
                    )
                WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
