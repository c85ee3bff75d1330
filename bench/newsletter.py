"""Newsletter sending speed and worker memory (issue 18).

    .venv/bin/python bench/newsletter.py                 # 10,000 recipients
    .venv/bin/python bench/newsletter.py --recipients 2000

On a PostgreSQL database of its own (BENCH_DATABASE_URL, default thrive_bench_newsletter on
127.0.0.1; dropped and made afresh), with a real SMTP server on this machine (aiosmtpd,
its own counting handler, in this process):

1. the floor: Django's `send_mass_mail` of one fixed message to every recipient over one
   connection, in a process of its own (as the worker is), timed inside that process;
2. ours: a newsletter issue to a list of that many confirmed subscribers, sent by ONE real
   `manage.py task_worker` (database queue, as in production): each message rendered for its
   recipient (its own signed unsubscribe link and headers), claimed, delivered and recorded.
   Timed from the first message the server accepts to the last (the worker's start-up and the
   mailing's start are left out), the worker's resident memory read every 50 ms.

Prints messages per second for both, the ratio (target: at least 0.5) and the worker's memory
after its first 100 messages and at its peak (target: the peak within 50 MB of the former).
"""

import argparse
import logging
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from _common import ROOT, postgres_database

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/thrive_bench_newsletter"
SETTINGS = "newsletters.tests.worker_settings"

BASELINE = """
import os, sys, time
import django
django.setup()
from django.core.mail import send_mass_mail
count = int(sys.argv[1])
body = "Spring news.\\n\\nWhat we did this season, and what comes next.\\n" * 20
messages = [("Spring news", body, "news@thrive.example", [f"reader{n:05}@example.org"]) for n in range(count)]
start = time.perf_counter()
sent = send_mass_mail(messages, fail_silently=False)
print(sent, time.perf_counter() - start)
"""


class CountingServer:
    """aiosmtpd on a free port of this machine that accepts every message and records only
    its recipients and when its "." was answered (the test server, core/tests/smtp_server.py,
    parses every message, which would make the server the slowest part of the measure)."""

    def __init__(self):
        from _common import free_port
        from aiosmtpd.controller import Controller

        self.lock = threading.Lock()
        self.received: list[tuple[float, tuple[str, ...]]] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, smtp, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self.lock:
            self.received.append((time.perf_counter(), tuple(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def reset(self) -> None:
        with self.lock:
            self.received = []

    def copies_per_recipient(self) -> Counter:
        with self.lock:
            return Counter(address.lower() for _at, rcpts in self.received for address in rcpts)

    def stamps(self) -> list[float]:
        with self.lock:
            return [at for at, _rcpts in self.received]

    def stop(self) -> None:
        self.controller.stop()


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    args = parser.parse_args()
    count = args.recipients

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command
    server = CountingServer()
    database = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    var_dir = ROOT / "var" / "bench-newsletter"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": database,
        "THRIVE_TEST_SMTP_PORT": str(server.port),
        "THRIVE_VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
    }
    env.pop("REDIS_URL", None)
    os.environ.update(env)

    print(f"database {database} (made afresh), SMTP server 127.0.0.1:{server.port}, {count:,} recipients")
    postgres_database(database, create=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)

    # 1. The floor: send_mass_mail, one fixed message, one connection, its own process.
    result = subprocess.run(
        [sys.executable, "-c", BASELINE, str(count)], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    sent, seconds = result.stdout.split()
    assert int(sent) == count == server.count(), (sent, server.count())
    floor = count / float(seconds)
    print(f"send_mass_mail (one fixed message, one connection): {floor:,.0f} messages/s")
    server.reset()

    # 2. Ours: one task worker sends the newsletter.
    import django

    django.setup()
    from django.utils import timezone
    from wagtail.models import Page

    from newsletters.consent import SIGN_UP_VERSION
    from newsletters.models import Mailing, MailingList, NewsletterIndexPage, NewsletterPage, Subscription
    from newsletters.services import sending

    supporters = MailingList.objects.create(name="Supporters", slug="supporters")
    Subscription.objects.bulk_create(
        [
            Subscription(
                mailing_list=supporters,
                email=f"reader{n:05}@example.org",
                status=Subscription.Status.CONFIRMED,
                method=Subscription.Method.SIGN_UP_FORM,
                consent_wording="Send me the newsletters I have ticked.",
                consent_version=SIGN_UP_VERSION,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    root = Page.get_first_root_node()
    archive = root.add_child(instance=NewsletterIndexPage(title="Newsletters", slug="bench-newsletters"))
    issue = archive.add_child(
        instance=NewsletterPage(
            title="Spring news",
            slug="spring",
            intro="What we did this season, and what comes next. " * 10,
            mailing_list=supporters,
        )
    )
    mailing = Mailing.objects.create(newsletter=issue, mailing_list=supporters, send_at=timezone.now())
    assert sending.mailing_start(mailing_id=mailing.pk) == count

    log = (var_dir / "worker.log").open("w")
    command = [sys.executable, "manage.py", "task_worker", "--queue-name", "default", "--no-reload"]
    command += ["--no-startup-delay", "--interval", "0.1"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    memory: list[tuple[int, float]] = []  # (messages received, worker RSS in MB)
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            value = rss_mb(worker.pid)
            if value is not None:
                memory.append((server.count(), value))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    deadline = time.monotonic() + max(600, count / 5)
    try:
        while server.count() < count:
            if worker.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the worker stopped or took too long at {server.count()} messages (log: {log.name})")
            time.sleep(0.1)
    finally:
        stop.set()
        sampler.join()
        worker.terminate()
        worker.wait(timeout=30)
        server.stop()

    stamps = server.stamps()
    copies = server.copies_per_recipient()
    assert len(copies) == count and set(copies.values()) == {1}, "a recipient missed or got two copies"
    ours = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    after_100 = next(value for received, value in memory if received >= 100)
    peak = max(value for _received, value in memory)
    ratio = ours / floor
    print(f"newsletter by one task worker (rendered per recipient, claimed, sent, recorded): {ours:,.0f} messages/s")
    print(f"ratio to send_mass_mail: {ratio:.2f} (target at least 0.5: {'met' if ratio >= 0.5 else 'NOT met'})")
    growth = peak - after_100
    print(
        f"worker memory: {after_100:.0f} MB after the first 100, peak {peak:.0f} MB, growth {growth:.1f} MB "
        f"(target within 50 MB: {'met' if growth <= 50 else 'NOT met'})"
    )
    postgres_database(database, create=False)


if __name__ == "__main__":
    main()
