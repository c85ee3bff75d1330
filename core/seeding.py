"""What `manage.py seed_scale` and the apps answering its hook share: the size asked for, a
timer that reports each table, bulk inserts, and live Wagtail pages written in bulk.

Seeding a large network row by row (`save()`, `add_child()`) takes hours: each page costs
about 40 ms of queries and signals. Here rows go in with one INSERT per batch, and pages get
the tree paths treebeard would have given them, so `manage.py fixtree` finds nothing to fix.
Pages made this way are live and public, as if published, but have no revisions and are not
in the search index (site search does not find them; nothing else reads either).
"""

import random
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone
from wagtail.models import Page

BATCH = 5000
PAGE_BATCH = 1000
# Every address seed_scale makes ends with this, so a second run can tell the network is there.
SCALE_EMAIL_DOMAIN = "scale.thrive.example"


@dataclass(frozen=True)
class ScaleRequest:
    """How big a network to add, and the run's tag (in every address, slug and reference the
    run makes, so a second run with --add never collides with the first)."""

    members: int
    events: int
    registrations: int
    donations: int
    tag: str
    seed: int = 15
    # What the draws depend on besides the seed: nothing for the first network, so the same seed
    # gives the same network (tests and benchmarks see the same shape every run); the run's tag
    # for a network added beside one (--add), so its random codes do not repeat the first's.
    draw_tag: str = ""

    def email(self, kind: str, n: int) -> str:
        return f"{kind}{n}.{self.tag}@{SCALE_EMAIL_DOMAIN}"

    @property
    def email_suffix(self) -> str:
        return f".{self.tag}@{SCALE_EMAIL_DOMAIN}"

    def random(self, salt: str) -> random.Random:
        """A generator of its own per app, so one app's draws do not shift another's."""
        return random.Random(f"{self.seed}:{self.draw_tag}:{salt}")


@dataclass
class Timings:
    """Time and rows per table, printed as each finishes and kept for the summary."""

    write: object = print
    rows: list[tuple[str, int, float]] = field(default_factory=list)

    @contextmanager
    def table(self, label: str) -> Iterator[list[int]]:
        """`with timings.table("events_registration") as count: ... count[0] += n`."""
        count = [0]
        start = time.perf_counter()
        yield count
        seconds = time.perf_counter() - start
        self.rows.append((label, count[0], seconds))
        self.write(f"  {label:<36} {count[0]:>9,} rows {seconds:>7.1f} s")


def bulk_insert(model: type[models.Model], objects: Iterable[models.Model], *, batch: int = BATCH) -> list:
    """Insert `objects` and return them with their keys set. On PostgreSQL the keys are drawn
    from the table's sequence in one query and the rows streamed with COPY (bulk_create's
    one-INSERT-per-batch spends most of its time building and parsing a statement with tens
    of thousands of parameters: about 0.3 ms a row, against a few microseconds here).
    Elsewhere (SQLite) it falls back to bulk_create."""
    objects = list(objects)
    if not objects:
        return objects
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objects, batch_size=min(batch, 500))
    meta = model._meta
    fields = list(meta.local_concrete_fields)
    missing = [obj for obj in objects if obj.pk is None]
    with connection.cursor() as cursor:
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(missing)],
            )
            for obj, (key,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = key
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


@contextmanager
def explicit_times(model: type[models.Model], *names: str) -> Iterator[None]:
    """Let bulk inserts keep the times set on the objects for these `auto_now` /
    `auto_now_add` fields (a network's history is spread over years, not this second)."""
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def pages_bulk_add(parent: Page, pages: list[Page], *, published_at: datetime | None = None) -> list[Page]:
    """Add `pages` (unsaved instances of one Page subclass that inherits from Page directly)
    as the last children of `parent`: live, public, in treebeard's paths. Returns them saved.
    Two INSERTs per batch (the page rows, then the subclass rows) and one UPDATE of the
    parent's child count."""
    if not pages:
        return pages
    model = type(pages[0])
    if model._meta.get_parent_list() != [Page]:
        raise TypeError(f"{model.__name__} must inherit from Page directly")
    parent = Page.objects.get(pk=parent.pk)  # the tree columns as they are now
    last_child = parent.get_last_child()
    first_step = (int(last_child.path[-Page.steplen :], 36) if last_child else 0) + 1
    content_type = ContentType.objects.get_for_model(model)
    now = published_at or timezone.now()
    for n, page in enumerate(pages):
        page.path = Page._get_path(parent.path, parent.depth + 1, first_step + n)
        page.depth = parent.depth + 1
        page.numchild = 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.content_type = content_type
        page.draft_title = page.title
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.first_published_at or now
        page.last_published_at = page.last_published_at or now
        page.locale_id = parent.locale_id
        page.translation_key = uuid.uuid4()
    page_fields = [f for f in Page._meta.local_concrete_fields if not f.primary_key]
    own_fields = model._meta.local_concrete_fields  # the parent link included: it is the key
    returning = Page._meta.db_returning_fields
    for start in range(0, len(pages), PAGE_BATCH):
        chunk = pages[start : start + PAGE_BATCH]
        # Django refuses bulk_create for multi-table inheritance, so each table is written
        # with the queryset's own INSERT: first the pages (keys returned), then the subclass.
        keys = Page._base_manager.all()._insert(chunk, fields=page_fields, returning_fields=returning)
        for page, (key,) in zip(chunk, keys, strict=True):
            page.pk = page.id = key
            setattr(page, model._meta.pk.attname, key)
        model._base_manager.all()._insert(chunk, fields=own_fields)
    Page.objects.filter(pk=parent.pk).update(numchild=models.F("numchild") + len(pages))
    return pages


def spread_times(rng: random.Random, start: datetime, end: datetime, count: int, *, recent_bias: float = 1.0):
    """`count` moments between `start` and `end`, sorted; `recent_bias` > 1 crowds them
    towards `end` (a network that grows)."""
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=span * rng.random() ** (1 / recent_bias)) for _ in range(count))
