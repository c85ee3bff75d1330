"""Many live event pages at once, for query-count tests and benchmarks.

Wagtail's `add_child` runs several queries and signals per page (about 40 ms each), so 1,000
events would take most of a minute. Here the tree rows are written in bulk instead: one
INSERT for the `wagtailcore_page` rows (paths computed as treebeard would), one for the
`EventPage` rows, one for their further dates and ticket types, and one UPDATE of the parent's
child count. The pages are live and public, exactly as if published, but have no revisions and
are not in the search index (neither is read by the index page or the feeds). The page
cache is purged, as a publish would.
"""

import uuid
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from core.page_cache import purge_all
from events.models import EventDate, EventIndexPage, EventPage, EventType, TicketType
from events.tests.factories import event_index

BATCH = 500


@transaction.atomic
def bulk_events(
    count: int,
    *,
    index: EventIndexPage | None = None,
    start=None,
    every: timedelta = timedelta(hours=6),
    extra_dates: int = 1,
    chapter=None,
    prefix: str = "Bulk event",
    **fields,
) -> list[int]:
    """Create `count` live events under the index, starting at `start` and `every` apart,
    each with `extra_dates` further weekly dates and one free ticket type. Types and
    online/in person alternate. Returns the new page ids."""
    index = index or event_index()
    index.refresh_from_db(fields=["path", "depth", "numchild", "url_path"])
    start = start or timezone.now() + timedelta(days=1)
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(EventPage)
    last_child = index.get_last_child()
    first_step = (int(last_child.path[-Page.steplen :], 36) if last_child else 0) + 1
    tag = uuid.uuid4().hex[:8]
    types = EventType.values
    pages = []
    for n in range(count):
        slug = f"{prefix.lower().replace(' ', '-')}-{tag}-{n}"
        starts_at = start + every * n
        pages.append(
            EventPage(
                title=f"{prefix} {n}",
                draft_title=f"{prefix} {n}",
                slug=slug,
                content_type=content_type,
                path=Page._get_path(index.path, index.depth + 1, first_step + n),
                depth=index.depth + 1,
                numchild=0,
                url_path=f"{index.url_path}{slug}/",
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
                locale_id=index.locale_id,
                translation_key=uuid.uuid4(),
                summary=f"Summary of {prefix.lower()} {n}",
                event_type=types[n % len(types)],
                chapter=chapter,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                online=n % 2 == 1,
                venue="" if n % 2 else f"Hall {n}, High Street",
                capacity=50,
                **fields,
            )
        )
    page_fields = [f for f in Page._meta.local_concrete_fields if not f.primary_key]
    event_fields = EventPage._meta.local_concrete_fields  # page_ptr included: it is the key
    for batch_start in range(0, count, BATCH):
        batch = pages[batch_start : batch_start + BATCH]
        # Django refuses bulk_create for multi-table inheritance, so each table is written
        # with the queryset's own INSERT: first the pages (ids returned), then the events.
        returning = Page._meta.db_returning_fields
        ids = Page._base_manager.all()._insert(batch, fields=page_fields, returning_fields=returning)
        for page, (page_id,) in zip(batch, ids, strict=True):
            page.pk = page.id = page.page_ptr_id = page_id
        EventPage._base_manager.all()._insert(batch, fields=event_fields)
    Page.objects.filter(pk=index.pk).update(numchild=index.numchild + count)
    EventDate.objects.bulk_create(
        EventDate(
            event_id=page.pk,
            starts_at=page.starts_at + timedelta(weeks=week),
            ends_at=page.ends_at + timedelta(weeks=week),
            sort_order=week,
        )
        for page in pages
        for week in range(1, extra_dates + 1)
    )
    TicketType.objects.bulk_create(TicketType(event_id=page.pk, name="Free place", quantity=50) for page in pages)
    purge_all()  # as publishing would
    return [page.pk for page in pages]
