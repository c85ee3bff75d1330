"""The crash acceptance test of issue 18: a real `manage.py task_worker` sending a
2,000-recipient newsletter through Django's SMTP backend to a real SMTP server is killed
with SIGKILL when about half have been sent, a new worker is started, and the SMTP server
has received exactly one copy for each recipient (PostgreSQL; like the task worker's fault
tests in taskworker/tests/test_worker_faults.py)."""

import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from newsletters.consent import SIGN_UP_VERSION
from newsletters.models import Delivery, Mailing, MailingList, NewsletterIndexPage, NewsletterPage, Subscription
from newsletters.services import sending
from taskworker.management.commands.task_worker import APPLICATION_NAME
from taskworker.tests.harness import admin_session, wait_for, worker_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RECIPIENTS = 2000
HALF = RECIPIENTS // 2 + sending.BATCH_SIZE // 2


class Worker:
    """One `manage.py task_worker` on the test database, sending to `smtp_port`."""

    count = 0

    def __init__(self, var_dir, smtp_port: int):
        Worker.count += 1
        self.log = var_dir / f"worker-{Worker.count}.log"
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "newsletters.tests.worker_settings",
            "DATABASE_URL": worker_database_url(),
            "THRIVE_TEST_SMTP_PORT": str(smtp_port),
            "THRIVE_VAR_DIR": str(var_dir),
            "MEDIA_ROOT": str(var_dir / "media"),
            "SECRET_KEY": settings.SECRET_KEY,  # the unsubscribe links are signed with it
            "SITE_URL": settings.SITE_URL,
        }
        env.pop("REDIS_URL", None)
        command = [sys.executable, "manage.py", "task_worker", "--queue-name", "default", "--no-reload"]
        command += ["--no-startup-delay", "--interval", "0.1", "--heartbeat", "1", "--lease", "3"]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text()


def _subscribers(mailing_list: MailingList, count: int) -> None:
    Subscription.objects.bulk_create(
        Subscription(
            mailing_list=mailing_list,
            email=f"reader{n:04}@example.org",
            status=Subscription.Status.CONFIRMED,
            method=Subscription.Method.SIGN_UP_FORM,
            consent_wording="Send me the newsletters I have ticked.",
            consent_version=SIGN_UP_VERSION,
        )
        for n in range(count)
    )


def _mailing(root, recipients: int = RECIPIENTS) -> Mailing:
    supporters = MailingList.objects.create(name="Supporters", slug="supporters")
    _subscribers(supporters, recipients)
    archive = root.add_child(instance=NewsletterIndexPage(title="Newsletters", slug="newsletters"))
    issue = archive.add_child(
        instance=NewsletterPage(title="Spring news", slug="spring", intro="What we did.", mailing_list=supporters)
    )
    return Mailing.objects.create(newsletter=issue, mailing_list=supporters, send_at=timezone.now())


def _sent() -> int:
    return Delivery.objects.filter(status=Delivery.Status.SENT).count()


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_worker_killed_halfway_through_a_2000_recipient_send_leaves_everyone_with_exactly_one_copy(
    tmp_path, wagtail_tree, smtp_server
):
    smtp_server.reset()
    mailing = _mailing(wagtail_tree)
    assert sending.mailing_start(mailing_id=mailing.pk) == RECIPIENTS  # its first batch is in the queue

    first = Worker(tmp_path, smtp_server.port)
    try:
        # About half, and in the middle of a batch (1,000 would be the end of the twentieth).
        wait_for(lambda: _sent() >= HALF, timeout=120, every=0.005, what="half the copies sent")
        first.kill()
    finally:
        first.stop()
    sent_at_kill, received_at_kill = _sent(), smtp_server.count()
    claimed_at_kill = Delivery.objects.filter(status=Delivery.Status.SENDING).count()
    assert sent_at_kill < RECIPIENTS, "the worker finished before it could be killed"
    # At most the message under way when it died separates the two: a copy is recorded as
    # sent just before its final "." is written.
    assert 0 <= sent_at_kill - received_at_kill <= 1
    assert claimed_at_kill > 0  # killed mid-batch: rows left claimed, for the next worker to take back

    _restart_and_finish(tmp_path, smtp_server, mailing)
    _assert_exactly_one_copy_each(smtp_server, mailing, RECIPIENTS)


def _restart_and_finish(tmp_path, smtp_server, mailing: Mailing) -> None:
    second = Worker(tmp_path, smtp_server.port)
    try:
        wait_for(
            lambda: Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT,
            timeout=180,
            every=0.2,
            what=f"the second worker to finish (log: {second.log})",
        )
    finally:
        second.stop()


def _assert_exactly_one_copy_each(smtp_server, mailing: Mailing, recipients: int) -> None:
    copies = smtp_server.copies_per_recipient()
    assert len(copies) == recipients
    assert {address for address, count in copies.items() if count != 1} == set()
    assert smtp_server.count() == recipients
    assert set(Delivery.objects.filter(mailing=mailing).values_list("status", flat=True)) == {Delivery.Status.SENT}


# The worker's statement that marks a copy SENT (newsletters.services.delivering), waiting for a lock.
MARKING_SENT_BLOCKED = (
    "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND datname = current_database() "
    "AND wait_event_type = 'Lock' AND query LIKE '%%SET status = ''sent''%%'"
)


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_worker_killed_with_a_message_sent_but_for_its_final_dot_delivers_nothing_and_the_next_sends_it_once(
    tmp_path, wagtail_tree, smtp_server
):
    """The split phase, made certain: the subscriptions table is locked so that the worker,
    having sent a message's content, waits to mark it SENT; killed there, the server has had
    everything but the final "." and delivers nothing; the next worker sends it once."""
    smtp_server.reset()
    mailing = _mailing(wagtail_tree, recipients=200)
    sending.mailing_start(mailing_id=mailing.pk)
    session, watcher = admin_session(), admin_session()  # (pg_stat_activity is read outside the lock's transaction)
    first = Worker(tmp_path, smtp_server.port)
    try:
        wait_for(lambda: _sent() >= sending.BATCH_SIZE // 2, timeout=120, every=0.005, what="a first copies sent")
        with session.transaction():
            session.execute("LOCK TABLE newsletters_subscription IN ACCESS EXCLUSIVE MODE")
            wait_for(
                lambda: watcher.execute(MARKING_SENT_BLOCKED, [APPLICATION_NAME]).fetchone(),
                what=f"the worker waiting to mark a copy sent (log: {first.log})",
            )
            in_flight = Delivery.objects.filter(status=Delivery.Status.SENDING).order_by("pk").first()
            sent_at_kill = _sent()
            first.kill()
    finally:
        first.stop()
        session.close()
        watcher.close()
    assert smtp_server.count() == sent_at_kill  # the message under way was not delivered
    assert in_flight.subscription.email not in smtp_server.copies_per_recipient()
    assert Delivery.objects.get(pk=in_flight.pk).status == Delivery.Status.SENDING

    _restart_and_finish(tmp_path, smtp_server, mailing)
    _assert_exactly_one_copy_each(smtp_server, mailing, 200)
    assert smtp_server.copies_per_recipient()[in_flight.subscription.email] == 1
