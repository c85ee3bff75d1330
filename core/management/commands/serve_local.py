"""Run the local site: the web server, the task worker and localstripe together, in the foreground.

Ctrl-C (or SIGTERM) stops them all. The task worker is restarted if it exits (after a pause
that doubles up to 30 s; `manage.py task_worker` itself already survives the database going
away). If the web server or localstripe exits, the others are stopped too, so a half-running
site is never left behind.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from wagtail import hooks

from core.demo import DEMO_STAFF_EMAIL, PASSWORD_FILE
from core.hooks import LOCAL_SERVICES_HOOK


def worker_command(python: str) -> list[str]:
    return [python, "manage.py", "task_worker", "--queue-name", "default", "--no-reload"]


class Command(BaseCommand):
    help = "Run the web server and the task worker together (what `make run` starts)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host, port, **options):
        python = sys.executable
        env = os.environ.copy()
        services = [started for start in hooks.get_hooks(LOCAL_SERVICES_HOOK) if (started := start())]
        processes = {
            "web": subprocess.Popen(
                [
                    python,
                    "-m",
                    "gunicorn",
                    "config.wsgi:application",
                    "-c",
                    str(settings.BASE_DIR / "config" / "gunicorn.py"),
                    "--bind",
                    f"{host}:{port}",
                    "--access-logfile",
                    "-",
                ],
                env=env | {"GUNICORN_GRACEFUL_TIMEOUT": env.get("GUNICORN_GRACEFUL_TIMEOUT", "5")},
            ),
            "worker": subprocess.Popen(worker_command(python), env=env),
        }
        processes |= {name: process for name, process, _note in services}
        base = f"http://{host}:{port}"
        password = PASSWORD_FILE.read_text().strip() if PASSWORD_FILE.exists() else "(run manage.py seed_demo)"
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Thrive is starting.",
                    f"  Site:   {base}/",
                    f"  Admin:  {base}/admin/",
                    f"  Demo staff login: {DEMO_STAFF_EMAIL} / {password}",
                    "  Same password: membership@thrive.example (membership team),",
                    "                 trainer@thrive.example (trainer), events@thrive.example (event staff),",
                    "                 finance@thrive.example (finance), editor@thrive.example (editor),",
                    "                 partner@thrive.example (partner), member@thrive.example (member),",
                    "                 us-organiser@thrive.example (US chapter organiser),",
                    "                 communications@thrive.example (newsletters)",
                    f"  Database: {settings.DATABASES['default']['NAME']}",
                    *[f"  {note}" for _name, _process, note in services],
                    "  Press Ctrl-C to stop the web server and the task worker.",
                    "",
                ]
            )
        )
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        worker_pause = 1.0
        worker_started = time.monotonic()
        try:
            while not stopping:
                if processes["worker"].poll() is not None:
                    # Supervise the task worker: start it again (tasks it was running are found
                    # and run again by the new one), pausing longer each time it keeps dying.
                    if time.monotonic() - worker_started > 60:
                        worker_pause = 1.0
                    self.stderr.write(
                        f"task worker exited ({processes['worker'].returncode}); restarting in {worker_pause:.0f} s."
                    )
                    time.sleep(worker_pause)
                    worker_pause = min(30.0, worker_pause * 2)
                    if stopping:
                        break
                    processes["worker"] = subprocess.Popen(worker_command(python), env=env)
                    worker_started = time.monotonic()
                exited = [name for name, proc in processes.items() if proc.poll() is not None]
                if exited:
                    self.stderr.write(f"{', '.join(exited)} stopped; stopping the rest.")
                    break
                time.sleep(0.5)
        finally:
            for proc in processes.values():
                if proc.poll() is None:
                    proc.terminate()
            deadline = time.monotonic() + 10
            for proc in processes.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.stdout.write("Stopped.")
