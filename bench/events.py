#!/usr/bin/env python
"""Events (issue #6): page times, the calendar feed, and selling places under load.

Prints, in one run:
- the median server time of the event index (100 upcoming events) and of an event page,
  and their ratio to a plain StandardPage served the same way (target at most 2). Pages are
  served through Django's test client to an anonymous visitor with the whole-page cache
  off, so each request renders the page: what a cache miss costs;
- the milliseconds to build the 1,000-event feed with `events.ical`, and the ratio to
  building the same calendar with icalendar directly (target at most 1.5); the feed served
  again unchanged (from the cache; target at most 5 ms), and rebuilt after an event changes;
- seat reservations per second for one event on PostgreSQL with 8 concurrent client
  processes calling `events.services.registration_reserve` (target at least 100 per second with 0
  oversold; pretix documents 300 to 400 tickets per minute per event), and a second round
  with fewer places than clients want, which must sell exactly the places there are.

Pages and the feed use a fresh SQLite database with the demo content (as `make run`); the
reservations use a PostgreSQL database created for the run and dropped after it
(`BENCH_PG_URL`, default postgres://postgres@127.0.0.1:5432/thrive_bench_events).

    .venv/bin/python bench/events.py [--requests 200] [--feed-runs 15] [--per-client 150]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, median_ms, postgres_database

PAGE_RATIO, FEED_RATIO, CACHED_FEED_MS, RESERVATIONS_PER_S = 2.0, 1.5, 5.0, 100
FEED_EVENTS, INDEX_EVENTS, CLIENTS = 1000, 100, 8
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/thrive_bench_events")


def setup_django(var_dir: Path, database_url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "THRIVE_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "LOG_LEVEL": "ERROR",
            "PAGE_CACHE_SECONDS": "0",  # render every page; the feed keeps its own cache
        }
    )
    import django

    django.setup()


def count_queries(action) -> int:
    from django.db import connection

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        action()
    return len(executed)


# Pages -------------------------------------------------------------------------------------


def measure_pages(requests: int) -> dict:
    from django.test import Client
    from django.utils import timezone

    from events.models import EventPage
    from events.tests.bulk import bulk_events

    index = EventPage.objects.live().first().get_parent().specific
    upcoming = EventPage.objects.filter(ends_at__gte=timezone.now()).count()
    bulk_events(INDEX_EVENTS - upcoming, index=index, prefix="Upcoming bench event")
    event = EventPage.objects.get(slug="fundraising-supper")
    client = Client()
    results = {}
    for label, url in [
        ("standard page (/about/)", "/about/"),
        (f"event index, {INDEX_EVENTS} upcoming", index.url),
        ("event page", event.url),
    ]:

        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert "X-Page-Cache" not in response, "the page cache should be off"

        median = median_ms(get, requests, warm=10)
        results[label] = (median, count_queries(get))
    return results


# The feed ----------------------------------------------------------------------------------


def icalendar_directly(events, paths: dict, base_url: str) -> bytes:
    """The same calendar built with icalendar's own API and nothing of ours: the floor."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from icalendar import Calendar, Event, Timezone

    calendar = Calendar()
    for name, value in [
        ("prodid", "-//Thrive//Events//EN"),
        ("version", "2.0"),
        ("calscale", "GREGORIAN"),
        ("method", "PUBLISH"),
        ("x-wr-calname", "Thrive events"),
    ]:
        calendar.add(name, value)
    zones: dict[str, list] = {}
    for event in events:
        zones.setdefault(event.time_zone, []).extend(
            [event.starts_at.date()] + [d.starts_at.date() for d in event.extra_dates.all()]
        )
    for zone, days in sorted(zones.items()):
        year = timedelta(days=366)
        calendar.add_component(Timezone.from_tzid(zone, first_date=min(days) - year, last_date=max(days) + year))
    now = datetime.now(UTC)
    for event in events:
        zone = ZoneInfo(event.time_zone)
        component = Event()
        component.add("uid", f"event-{event.pk}@thrive")
        component.add("dtstamp", now)
        component.add("sequence", event.sequence)
        component.add("dtstart", event.starts_at.astimezone(zone))
        component.add("dtend", event.ends_at.astimezone(zone))
        extra = event.extra_dates.all()
        if extra:
            component.add("rdate", [d.starts_at.astimezone(zone) for d in extra])
        component.add("summary", event.title)
        component.add("description", event.summary)
        component.add("url", base_url + paths[event.pk])
        component.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
        component.add("location", "Online" if event.online else event.venue)
        calendar.add_component(component)
    return calendar.to_ical()


def measure_feed(runs: int) -> dict:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client, RequestFactory

    from events import ical
    from events.listing import feed_events
    from events.models import EventPage
    from events.tests.bulk import bulk_events

    index = EventPage.objects.live().first().get_parent().specific
    bulk_events(FEED_EVENTS - EventPage.objects.live().count(), index=index, prefix="Feed bench event")
    events = list(feed_events())
    assert len(events) == FEED_EVENTS, len(events)
    request = RequestFactory().get("/events/feed.ics")
    paths = {event.pk: event.get_url_parts(request)[2] for event in events}
    base = settings.SITE_URL

    def build_ours():
        return ical.events_calendar(events, name="Thrive events", base_url=base, path_of=lambda e: paths[e.pk])

    ours = median_ms(build_ours, runs)
    direct = median_ms(lambda: icalendar_directly(events, paths, base), runs)

    client = Client()

    def cold_feed():
        cache.delete("events-feed::")
        return client.get("/events/feed.ics")

    cold = median_ms(cold_feed, max(5, runs // 2))
    cold_queries = count_queries(cold_feed)
    client.get("/events/feed.ics")
    cached = median_ms(lambda: client.get("/events/feed.ics"), 200, warm=10)
    cached_queries = count_queries(lambda: client.get("/events/feed.ics"))

    changed = events[0].specific
    changed.title = "Renamed for the benchmark"
    changed.save_revision().publish()
    start = time.perf_counter()
    body = client.get("/events/feed.ics").content
    rebuilt = (time.perf_counter() - start) * 1000
    assert b"Renamed for the benchmark" in body, "the feed was not rebuilt after a publish"
    again = median_ms(lambda: client.get("/events/feed.ics"), 200, warm=2)
    return {
        "ours": ours,
        "direct": direct,
        "cold": cold,
        "cold_queries": cold_queries,
        "cached": cached,
        "cached_queries": cached_queries,
        "rebuilt": rebuilt,
        "cached_after_change": again,
        "bytes": len(body),
    }


# Reservations on PostgreSQL ------------------------------------------------------------------


def _reserving_client(number, per_client, event_id, barrier, results) -> None:
    """One client process: `per_client` reservations one after another, on its own connection."""
    from django.core.exceptions import ValidationError
    from django.db import connection

    from events import services
    from events.models import EventPage

    event = EventPage.objects.get(pk=event_id)
    ticket = event.ticket_types.first()
    sold = refused = 0
    errors = []
    barrier.wait()
    for n in range(per_client):
        try:
            services.registration_reserve(event=event, ticket_type=ticket, email=f"c{number}-{n}@bench.example")
            sold += 1
        except ValidationError:
            refused += 1
        except Exception as error:  # noqa: BLE001 - reported, and fails the run
            errors.append(repr(error))
    connection.close()
    results.put((sold, refused, errors))


def reservation_round(*, capacity: int, per_client: int) -> dict:
    """8 client processes (not threads: a thread waiting for the interpreter lock while its
    transaction holds the event's row lock would stall every other client), each reserving
    `per_client` places one after another, for one event."""
    import multiprocessing

    from django.db import connections

    from events.availability import places_taken
    from events.models import Registration
    from events.tests.factories import make_event

    event = make_event(capacity=capacity, title=f"Bench {capacity}")
    connections.close_all()  # each forked client opens its own connection
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(CLIENTS + 1), context.Queue()
    clients = [
        context.Process(target=_reserving_client, args=(n, per_client, event.pk, barrier, results))
        for n in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    barrier.wait()
    start = time.perf_counter()
    outcomes = [results.get() for _ in clients]
    seconds = time.perf_counter() - start
    for client in clients:
        client.join()
    taken = places_taken(event)
    sold = sum(o[0] for o in outcomes)
    return {
        "capacity": capacity,
        "wanted": CLIENTS * per_client,
        "sold": sold,
        "refused": sum(o[1] for o in outcomes),
        "errors": [e for o in outcomes for e in o[2]][:3],
        "taken": taken,
        "rows": Registration.objects.filter(event=event).count(),
        "oversold": max(0, taken - capacity),
        "seconds": seconds,
        "per_second": sold / seconds,
    }


def reservations_child(per_client: int) -> None:
    """Runs in its own process, on the PostgreSQL database the parent created."""
    setup_django(Path(tempfile.mkdtemp(prefix="thrive-bench-events-pg-")), PG_URL)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    plenty = reservation_round(capacity=CLIENTS * per_client, per_client=per_client)
    scarce = reservation_round(capacity=CLIENTS * per_client // 8, per_client=per_client // 4)
    print(json.dumps({"plenty": plenty, "scarce": scarce}))


def measure_reservations(per_client: int) -> dict:
    postgres_database(PG_URL, create=True)
    try:
        result = subprocess.run(
            [sys.executable, __file__, "--reservations-child", "--per-client", str(per_client)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            sys.exit(f"the PostgreSQL round failed:\n{result.stderr[-3000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        postgres_database(PG_URL, create=False)


# Report --------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(pages: dict, feed: dict, seats: dict, requests: int) -> bool:
    ok = True
    floor = pages["standard page (/about/)"][0]
    print(f"Pages: test client, anonymous, page cache off, {requests} requests each, median server time")
    print(f"  {'page':<32} {'median ms':>10} {'queries':>8} {'ratio':>7}")
    for label, (median, queries) in pages.items():
        ratio = median / floor
        print(f"  {label:<32} {median:>10.2f} {queries:>8} {ratio:>7.2f}")
        if not label.startswith("standard"):
            ok &= ratio <= PAGE_RATIO
    print(f"  target: ratio at most {PAGE_RATIO}: {verdict(ok)}")

    ratio = feed["ours"] / feed["direct"]
    feed_ok = ratio <= FEED_RATIO and feed["cached"] <= CACHED_FEED_MS and feed["cached_after_change"] <= CACHED_FEED_MS
    ok &= feed_ok
    print(f"\nFeed: {FEED_EVENTS} events ({feed['bytes'] / 1024:.0f} KB), median of repeated builds")
    print(f"  build with events.ical            {feed['ours']:>8.1f} ms")
    print(f"  same calendar, icalendar directly {feed['direct']:>8.1f} ms")
    print(f"  ratio                             {ratio:>8.2f}    (target at most {FEED_RATIO})")
    print(f"  /events/feed.ics, built (query + build + response) {feed['cold']:.1f} ms, {feed['cold_queries']} queries")
    print(
        f"  /events/feed.ics, served again unchanged {feed['cached']:.2f} ms, {feed['cached_queries']} queries"
        f"    (target at most {CACHED_FEED_MS} ms)"
    )
    print(
        f"  after publishing a change: rebuilt in {feed['rebuilt']:.1f} ms (new title present), "
        f"then served from the cache in {feed['cached_after_change']:.2f} ms"
    )
    print(f"  targets: {verdict(feed_ok)}")

    plenty, scarce = seats["plenty"], seats["scarce"]
    seats_ok = (
        plenty["per_second"] >= RESERVATIONS_PER_S
        and plenty["oversold"] == 0
        and plenty["sold"] == plenty["wanted"] == plenty["taken"]
        and scarce["taken"] == scarce["capacity"] == scarce["sold"]
        and scarce["oversold"] == 0
        and not plenty["errors"]
        and not scarce["errors"]
    )
    ok &= seats_ok
    print(f"\nReservations: PostgreSQL, one event, {CLIENTS} client processes calling registration_reserve at once")
    print(
        f"  {plenty['sold']} of {plenty['wanted']} places for {plenty['capacity']} in {plenty['seconds']:.2f} s: "
        f"{plenty['per_second']:.0f} reservations/s ({plenty['per_second'] * 60:,.0f} a minute), "
        f"oversold {plenty['oversold']}    (target at least {RESERVATIONS_PER_S}/s with 0 oversold; "
        "pretix: 300 to 400 a minute)"
    )
    print(
        f"  {scarce['wanted']} wanted, {scarce['capacity']} places: sold {scarce['sold']}, "
        f"refused {scarce['refused']}, places taken {scarce['taken']}, oversold {scarce['oversold']}"
    )
    for error in plenty["errors"] + scarce["errors"]:
        print(f"  error: {error}")
    print(f"  targets: {verdict(seats_ok)}")
    print(f"\nall targets {verdict(ok)}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--feed-runs", type=int, default=15)
    parser.add_argument("--per-client", type=int, default=150, help="reservations each of the 8 clients makes")
    parser.add_argument("--reservations-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reservations_child:
        reservations_child(args.per_client)
        return 0

    seats = measure_reservations(args.per_client)  # first: its own process and database
    var_dir = Path(tempfile.mkdtemp(prefix="thrive-bench-events-"))
    setup_django(var_dir, os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{var_dir / 'bench.sqlite3'}"))
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    pages = measure_pages(args.requests)
    feed = measure_feed(args.feed_runs)
    return 0 if report(pages, feed, seats, args.requests) else 1


if __name__ == "__main__":
    sys.exit(main())
