#!/usr/bin/env python
"""Certificate PDFs: speed, size, 1,000 issued by 2 workers, worker memory (issue #5).

Prints, in one run:
- milliseconds per certificate PDF in a warm process (median of 50), and KB per PDF;
- the same for a one-line "Hello" PDF rendered the default way, `HTML(string=...).write_pdf()`,
  and the ratio certificate / hello (target at most 1.0);
- the wall time to issue 1,000 certificates: rows written by `certificate_issue`, then two
  `manage.py db_worker --batch` processes rendering and storing the PDFs (start-up included;
  target at most 20 s on 2 cores), and the peak memory of a worker (target at most 150 MB).

    .venv/bin/python bench/certificates.py [--count 1000]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, median_ms


def setup(var_dir: Path) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "THRIVE_VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{var_dir / 'bench.sqlite3'}"),
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "LOG_LEVEL": "ERROR",
    }
    os.environ.update(env)
    import django

    django.setup()
    return env


def watch_peak_memory(processes) -> int:
    """Wait for the processes, reading each one's peak resident memory (VmHWM, which only
    grows) from /proc while it runs. Returns the largest, in KB."""
    peaks = {p.pid: 0 for p in processes}
    while any(p.poll() is None for p in processes):
        for process in processes:
            try:
                status = Path(f"/proc/{process.pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[process.pid] = max(peaks[process.pid], int(line.split()[1]))
        time.sleep(0.05)
    return max(peaks.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="thrive-bench-certificates-"))
    env = os.environ | setup(var_dir)

    from django.core.management import call_command
    from weasyprint import HTML

    from certificates import rendering
    from certificates.models import Certificate, CertificateTemplate
    from certificates.rendering import certificate_context

    call_command("migrate", verbosity=0)
    CertificateTemplate.objects.create(name="Bench", is_default=True)
    sample = Certificate(
        title="Foundations of survivor leadership",
        awarded_on=__import__("datetime").date(2027, 3, 3),
        hours=12,
        template=CertificateTemplate.objects.get(),
        name_printed="Amani Example",
        code="BENC-H000-0000-0000",
    )
    context = certificate_context(sample)
    certificate_pdf = rendering.render_certificate(context)
    certificate_ms = median_ms(lambda: rendering.render_certificate(context), 50, warm=5)
    hello_pdf = HTML(string="<p>Hello</p>").write_pdf()
    hello_ms = median_ms(lambda: HTML(string="<p>Hello</p>").write_pdf(), 50, warm=5)

    from datetime import date
    from decimal import Decimal

    from django.db import transaction

    from accounts.models import MemberProfile, User
    from certificates.services import certificate_issue
    from core.models import AuditEvent

    start = time.perf_counter()
    users = User.objects.bulk_create(User(email=f"learner{n}@bench.example") for n in range(args.count))
    MemberProfile.objects.bulk_create(MemberProfile(user=u, display_name=f"Learner {n}") for n, u in enumerate(users))
    sources = AuditEvent.objects.bulk_create(
        AuditEvent(action="bench.completed", object_type="bench", object_id=str(n)) for n in range(args.count)
    )
    for user, source in zip(users, sources, strict=True):
        with transaction.atomic():
            certificate_issue(
                recipient=user, source=source, title="Foundations", awarded_on=date(2027, 3, 3), hours=Decimal(12)
            )
    issued = time.perf_counter() - start
    from django.db import connections

    connections.close_all()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                "--skip-checks",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    peak_kb = watch_peak_memory(workers)
    total = time.perf_counter() - start
    peak_mb = peak_kb / 1024
    rendered = Certificate.objects.filter(pdf_rendered_at__isnull=False).count()
    sizes = [p.stat().st_size for p in (var_dir / "media" / "certificates").glob("*.pdf")]

    ratio = certificate_ms / hello_ms
    kb = len(certificate_pdf) / 1024
    print(
        f"certificate PDF, warm process: {certificate_ms:.1f} ms, {kb:.1f} KB "
        f"(stored PDFs: median {statistics.median(sizes) / 1024:.1f} KB)"
    )
    print(f"'Hello' PDF, default way:      {hello_ms:.1f} ms, {len(hello_pdf) / 1024:.1f} KB")
    print(f"ratio certificate / hello:     {ratio:.2f} (target <= 1.0)")
    print(
        f"{args.count} certificates, 2 workers: {total:.1f} s wall ({issued:.1f} s issuing rows, "
        f"{total - issued:.1f} s rendering and storing); {rendered} rendered (target <= 20 s)"
    )
    print(f"peak memory of a worker:       {peak_mb:.0f} MB (target <= 150 MB)")
    ok = ratio <= 1.0 and kb <= 30 and total <= 20 and peak_mb <= 150 and rendered == args.count
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
