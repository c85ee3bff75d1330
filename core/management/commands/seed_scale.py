"""Add a large network on top of the demo content, fast, so anyone can reproduce the scale
figures (bench/scale.py):

    manage.py seed_scale --members 100000 --events 5000 --registrations 50000 --donations 200000

Each app adds its part through the `thrive_seed_scale` hook (core/hooks.py): accounts the
members, chapters and applications; payments the donations, monthly gifts and Gift Aid;
training courses, cohorts, enrolments and attendance; events the event pages, tickets,
registrations and their orders. Rows go in by bulk INSERTs, pages straight into the tree
(core.seeding), all in one transaction: a failed run leaves nothing behind.

A network already seeded is refused, unless `--add` asks for another one beside it (new
addresses, slugs and references: nothing is changed or duplicated).
"""

import secrets
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from wagtail import hooks

from core.demo import DEMO_STAFF_EMAIL
from core.hooks import SEED_SCALE_HOOK
from core.seeding import SCALE_EMAIL_DOMAIN, ScaleRequest, Timings


class Command(BaseCommand):
    help = "Add a large network (members, events, registrations, donations) on top of the demo content."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=100_000)
        parser.add_argument("--events", type=int, default=5_000)
        parser.add_argument("--registrations", type=int, default=50_000)
        parser.add_argument("--donations", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=15, help="random seed: the same seed gives the same network")
        parser.add_argument("--add", action="store_true", help="add another network even though one was seeded before")

    def handle(self, *args, **options):
        if not settings.ALLOW_DEMO_CONTENT:
            raise CommandError("Seeded content is disabled in these settings (ALLOW_DEMO_CONTENT is False).")
        if not get_user_model().objects.filter(email=DEMO_STAFF_EMAIL).exists():
            raise CommandError("The demo content is not here: run `manage.py seed_demo` first, then seed_scale.")
        sizes = {name: options[name] for name in ("members", "events", "registrations", "donations")}
        if any(value < 0 for value in sizes.values()):
            raise CommandError("Sizes must be 0 or more.")
        earlier = get_user_model().objects.filter(email__endswith=f"@{SCALE_EMAIL_DOMAIN}").count()
        if earlier and not options["add"]:
            raise CommandError(
                f"A seeded network is already here ({earlier:,} accounts at {SCALE_EMAIL_DOMAIN}). "
                "Nothing was added. Use --add to add another one beside it, or start from an empty database."
            )
        tag = secrets.token_hex(3)
        scale = ScaleRequest(**sizes, tag=tag, seed=options["seed"], draw_tag=tag if earlier else "")
        timings = Timings(write=self.stdout.write)
        self.stdout.write(f"Seeding run {scale.tag}: " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()))
        start = time.perf_counter()
        with transaction.atomic():
            for add_scale_content in hooks.get_hooks(SEED_SCALE_HOOK):
                add_scale_content(scale=scale, timings=timings)
        if connection.vendor == "postgresql":
            # As autovacuum would, later: statistics for the planner, and the rows just written
            # moved out of the trigram indexes' pending lists (while they sat there the planner
            # chose to scan 100,000 members for a name: 60 ms instead of 1.5 ms).
            # VACUUM cannot run inside a transaction (a caller's, such as a test's): then ANALYZE.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with timings.table(command), connection.cursor() as cursor:
                cursor.execute(command)
        total_rows = sum(rows for _label, rows, _seconds in timings.rows)
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {total_rows:,} rows in {time.perf_counter() - start:.0f} s (run {scale.tag}).")
        )
