#!/usr/bin/env python
"""Does a page cost the same with a large network as with the demo content? (issue #15)

Prints, in one run, the SQL queries and the median server time of the public pages, the
member's own pages and the admin listings staff use every day, for two PostgreSQL databases:
the demo content (`seed_demo`) and a large network on top of it (`seed_scale`: 100,000
members, 5,000 events, 50,000 registrations, 200,000 donations), with the ratio large/demo.

Targets: the same number of queries at both sizes for every page; server time at the large
size at most 1.5 x the demo size; admin listings paginated (at most one page of rows shown)
and searchable (a search box whose query narrows the rows).

Pages are served in-process through Django's test client with the whole-page cache off, so
each request renders the page. Each size is served by a process of its own (`--serve`), and
their requests alternate one by one, so both sizes see the same load on a shared machine;
each figure is the median of `--runs` requests, after three untimed ones.
Signed-in pages are seen by a bench member who holds the same 18 tickets to the demo's events
and the same enrolments in the demo's courses at both sizes, and by the demo's staff logins.

The databases are made once and kept (making the large one takes several minutes):

    .venv/bin/python bench/scale.py [--runs 21] [--reseed]

`BENCH_SCALE_DEMO_URL` and `BENCH_SCALE_LARGE_URL` name them (default thrive_bench_scale_demo
and thrive_bench_scale_large on postgres://postgres@127.0.0.1:5432); `--reseed` makes both again.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from _common import ROOT, postgres_database

RATIO_TARGET = 1.5
DEMO_URL = os.environ.get("BENCH_SCALE_DEMO_URL", "postgres://postgres@127.0.0.1:5432/thrive_bench_scale_demo")
LARGE_URL = os.environ.get("BENCH_SCALE_LARGE_URL", "postgres://postgres@127.0.0.1:5432/thrive_bench_scale_large")
LARGE_SIZES = ["--members", "100000", "--events", "5000", "--registrations", "50000", "--donations", "200000"]
SCALE_DOMAIN = "scale.thrive.example"
BENCH_MEMBER = "bench-member@thrive.example"
TICKETS_PER_DEMO_EVENT = 3
WARM_REQUESTS = 3


def django_env(database_url: str, var_dir: Path) -> dict:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "THRIVE_VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "LOG_LEVEL": "ERROR",
        "PAGE_CACHE_SECONDS": "0",  # render every page: what a cache miss costs
    }


# Databases ---------------------------------------------------------------------------------


def seeded_state(url: str) -> str:
    """ "missing", "demo" (the demo content only) or "large" (a seeded network too)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            homes = conn.execute("SELECT count(*) FROM cms_homepage").fetchone()[0]
            scale = conn.execute(
                "SELECT count(*) FROM accounts_user WHERE email LIKE %s", [f"%@{SCALE_DOMAIN}"]
            ).fetchone()[0]
    except psycopg.Error:
        return "missing"
    if not homes:
        return "missing"
    return "large" if scale else "demo"


def build(url: str, *, large: bool) -> None:
    """Make the database afresh: migrate, the demo content, and for `large` the network."""
    name = urlsplit(url).path.lstrip("/")
    print(f"making {name} ({'demo content and a large network' if large else 'demo content'})...", flush=True)
    postgres_database(url, create=True)
    env = django_env(url, Path(tempfile.mkdtemp(prefix="thrive-bench-scale-seed-")))
    manage = [sys.executable, str(ROOT / "manage.py")]
    migrate(url)
    subprocess.run(manage + ["seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    if large:
        subprocess.run(manage + ["seed_scale", *LARGE_SIZES], cwd=ROOT, env=env, check=True)


def migrate(url: str) -> None:
    """Bring a kept database up to this checkout's migrations (new indexes, say)."""
    env = django_env(url, Path(tempfile.mkdtemp(prefix="thrive-bench-scale-seed-")))
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def prepare(reseed: bool) -> None:
    for url, large in ((DEMO_URL, False), (LARGE_URL, True)):
        state = seeded_state(url)
        if reseed or state != ("large" if large else "demo"):
            build(url, large=large)
        else:
            migrate(url)


# Measuring one database (run in its own process) -------------------------------------------


def bench_member():
    """The bench's member: the same tickets (three to each demo event) and the same
    enrolments (the first cohort of each demo course) at both sizes. Made once per database."""
    from django.utils import timezone

    from accounts.models import MemberProfile, User
    from cms.models import Chapter
    from core.codes import random_code
    from events.models import EventPage, Registration
    from training.models import Cohort, CoursePage, Enrolment, ModulePage, ModuleProgress, SessionAttendance

    user = User.objects.filter(email=BENCH_MEMBER).first()
    if user is not None:
        return user
    now = timezone.now()
    user = User.objects.create_user(email=BENCH_MEMBER, password=None)
    MemberProfile.objects.create(user=user, display_name="Bench", chapter=Chapter.objects.get(slug="uk"))
    for event in EventPage.objects.order_by("pk")[:6]:  # the demo's events: made before any seeded one
        ticket_type = event.ticket_types.first()
        past = event.ends_at < now
        for _ in range(TICKETS_PER_DEMO_EVENT):
            Registration.objects.create(
                event=event,
                ticket_type=ticket_type,
                user=user,
                email=user.email,
                code=random_code(12),
                status=Registration.Status.CHECKED_IN if past else Registration.Status.CONFIRMED,
                confirmed_at=now,
                checked_in_at=event.starts_at if past else None,
            )
    for course in CoursePage.objects.order_by("pk")[:3]:  # the demo's courses
        cohort = Cohort.objects.filter(course=course).order_by("pk").first()
        enrolment = Enrolment.objects.create(
            user=user, cohort=cohort, status=Enrolment.Status.ENROLLED, enrolled_at=now - timedelta(days=30)
        )
        module = ModulePage.objects.child_of(course).order_by("path").first()
        if module is not None:
            ModuleProgress.objects.create(enrolment=enrolment, module=module)
        for session in cohort.sessions.filter(ends_at__lt=now):
            SessionAttendance.objects.create(session=session, enrolment=enrolment, status="present")
    return user


def pages_to_measure() -> list[tuple[str, str, str]]:
    """(label, who, path). The event and the course are the busiest ones at each size; the
    admin pages are those of the event and the cohort with the most people. Each search asks
    for something found once, or not at all, at both sizes (the bench member, a demo title,
    the event's latest ticket)."""
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from events.models import EventPage
    from training.models import Cohort, CoursePage

    now = timezone.now()
    event = (
        EventPage.objects.live()
        .filter(ends_at__gte=now)
        .annotate(n=Count("registrations"))
        .order_by("-n", "pk")
        .first()
    )
    course = CoursePage.objects.live().annotate(n=Count("cohorts__enrolments")).order_by("-n", "pk").first()
    trainer = User.objects.get(email="trainer@thrive.example")
    cohort = (
        Cohort.objects.filter(trainers=trainer, sessions__ends_at__lt=now)
        .annotate(n=Count("enrolments", filter=Q(enrolments__status__in=["enrolled", "completed"]), distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    session = cohort.sessions.filter(ends_at__lt=now).order_by("starts_at").first()
    ticket = event.registrations.order_by("-pk").first().code  # a ticket of that event at either size
    return [
        ("home page", "anonymous", "/"),
        ("events index", "anonymous", "/events/"),
        ("event page (busiest to come)", "anonymous", event.url),
        ("courses index", "anonymous", "/courses/"),
        ("course page (busiest)", "anonymous", course.url),
        ("My account", "member", reverse("accounts:home")),
        ("My learning", "member", reverse("training:dashboard")),
        ("My bookings", "member", reverse("events:my_bookings")),
        ("admin: applications", "membership", reverse("membership_admin:applications")),
        ("admin: applications, searched", "membership", reverse("membership_admin:applications") + "?q=joy"),
        ("admin: members", "membership", reverse("membership_admin:members")),
        ("admin: members, searched", "membership", reverse("membership_admin:members") + "?q=bench"),
        ("admin: orders", "finance", reverse("payments_admin:orders")),
        ("admin: orders, searched", "finance", reverse("payments_admin:orders") + f"?q={BENCH_MEMBER}"),
        ("admin: payments", "finance", reverse("payments_admin:payments")),
        ("admin: donations", "finance", reverse("payments_admin:donations")),
        ("admin: donations, searched", "finance", reverse("payments_admin:donations") + f"?q={BENCH_MEMBER}"),
        ("admin: events", "events", reverse("events_admin:events")),
        ("admin: events, searched", "events", reverse("events_admin:events") + "?q=spring"),
        ("admin: an event's bookings", "events", reverse("events_admin:event", args=[event.pk])),
        (
            "admin: an event's bookings, searched",
            "events",
            reverse("events_admin:event", args=[event.pk]) + f"?q={ticket}",
        ),
        ("admin: door check-in", "events", reverse("events_admin:check_in", args=[event.pk])),
        (
            "admin: door check-in, searched",
            "events",
            reverse("events_admin:check_in", args=[event.pk]) + f"?q={ticket}",
        ),
        ("admin: cohorts", "trainer", reverse("training_admin:cohorts")),
        ("admin: cohorts, searched", "trainer", reverse("training_admin:cohorts") + "?q=telling"),
        ("admin: cohort", "trainer", reverse("training_admin:cohort", args=[cohort.pk])),
        (
            "admin: cohort attendance",
            "trainer",
            reverse("training_admin:attendance", args=[cohort.pk, session.pk]),
        ),
    ]


def listing_shape(html: str) -> tuple[int, bool]:
    """(table rows shown, whether there is a search box): for the admin listings."""
    tables = re.findall(r"<table class=\"listing\">.*?</table>", html, flags=re.S)
    rows = sum(body.count("<tr") for table in tables for body in re.findall(r"<tbody.*?</tbody>", table, flags=re.S))
    return rows, bool(re.search(r"<input[^>]+name=\"q\"", html))


def serve(database_url: str) -> None:
    """The measuring process of one database. Writes one JSON line describing each page
    (path, queries, rows, search box), then times one request of the page named on each line
    read from stdin and answers its milliseconds, until stdin closes."""
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything else printed goes to stderr, not into the answers
    os.environ.update(django_env(database_url, Path(tempfile.mkdtemp(prefix="thrive-bench-scale-"))))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    logins = {"member": bench_member()}
    for who in ("membership", "finance", "events", "trainer"):
        logins[who] = User.objects.get(email=f"{who}@thrive.example")
    clients = {"anonymous": Client()}
    for who, user in logins.items():
        clients[who] = Client()
        clients[who].force_login(user)
    pages, described = {}, {}
    for label, who, path in pages_to_measure():
        client = clients[who]
        for _ in range(WARM_REQUESTS):
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{label}: {path} answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        query_count = len(queries)  # now: the next request empties Django's query log
        rows, search = listing_shape(response.content.decode()) if label.startswith("admin") else (None, None)
        pages[label] = (client, path)
        described[label] = {"path": path, "queries": query_count, "rows": rows, "search": search}
    channel.write(json.dumps(described) + "\n")
    for line in sys.stdin:
        client, path = pages[line.strip()]
        start = time.perf_counter()
        client.get(path)
        channel.write(f"{(time.perf_counter() - start) * 1000}\n")


class Server:
    """A `serve` process of its own for one database."""

    def __init__(self, url: str):
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        line = self.process.stdout.readline()
        if not line:
            sys.exit(f"measuring {db_name(url)} failed:\n{self.process.stderr.read()}")
        self.pages = json.loads(line)

    def time(self, label: str) -> float:
        self.process.stdin.write(label + "\n")
        return float(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def measure_both(runs: int) -> tuple[dict, dict]:
    """Each page's queries, shape and median time at both sizes; the two databases' requests
    alternate one by one, so both see the same load on the shared machine."""
    demo, large = Server(DEMO_URL), Server(LARGE_URL)
    try:
        samples = {id(demo): {}, id(large): {}}
        for label in demo.pages:
            for n in range(runs):
                for server in (demo, large) if n % 2 == 0 else (large, demo):
                    samples[id(server)].setdefault(label, []).append(server.time(label))
    finally:
        demo.close()
        large.close()
    for server in (demo, large):
        for label, figures in server.pages.items():
            figures["ms"] = statistics.median(samples[id(server)][label])
    return demo.pages, large.pages


# Report ------------------------------------------------------------------------------------


def report(demo: dict, large: dict, runs: int) -> bool:
    print(
        f"test client, page cache off, median of {runs} requests per page and size, the sizes alternating; "
        f"PostgreSQL {db_name(DEMO_URL)} vs {db_name(LARGE_URL)}"
    )
    header = (
        f"{'page':<38} {'queries':>9} {'demo ms':>8} {'large ms':>9} {'ratio':>6}  {'rows':>9} {'search':>6}  verdict"
    )
    print(header)
    ok = True
    for label, small in demo.items():
        big = large[label]
        ratio = big["ms"] / small["ms"]
        same = small["queries"] == big["queries"]
        queries = f"{small['queries']}" if same else f"{small['queries']}->{big['queries']}"
        misses = []
        if not same:
            misses.append("queries grow")
        if ratio > RATIO_TARGET:
            misses.append(f"time x{ratio:.1f}")
        rows = search = ""
        if big["rows"] is not None:
            rows = f"{small['rows']}/{big['rows']}"
            search = "yes" if big["search"] else "no"
        ok &= not misses
        print(
            f"{label:<38} {queries:>9} {small['ms']:>8.1f} {big['ms']:>9.1f} {ratio:>6.2f}  {rows:>9} {search:>6}  "
            f"{'ok' if not misses else 'MISSES: ' + ', '.join(misses)}"
        )
    print(
        f"targets: the same queries at both sizes and a time ratio of at most {RATIO_TARGET}: "
        f"{'met' if ok else 'NOT met'} (rows: table rows shown, demo/large; search: a search box on the listing)"
    )
    return ok


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21, help="requests timed per page and size")
    parser.add_argument("--reseed", action="store_true", help="make both databases again")
    parser.add_argument("--serve", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    prepare(args.reseed)
    demo, large = measure_both(args.runs)
    return 0 if report(demo, large, args.runs) else 1


if __name__ == "__main__":
    sys.exit(main())
