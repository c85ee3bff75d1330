"""One page of a staff listing in the admin, searched, at a cost that does not grow with the
table: the page's rows plus one (to know whether there is a next page), never a COUNT(*) of
everything (over 200,000 donations that count alone took longer than the page). Listings say
"Page 3" with Previous and Next rather than "page 3 of 4,000".

    page = listing_page(request, search(queryset, request, ["reference__iexact", "email__icontains"]))
    {% include "includes/admin_search.html" %}  ...rows of page.rows...  {% include "includes/admin_pagination.html" %}
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

# As Wagtail's own model listings (ModelViewSet.list_per_page). Each row shown costs about
# 0.2 ms to render (dates, labels, links): at 50 a page a full listing took 1.5 times the
# page with a handful of rows, at 20 about 1.2 times.
PER_PAGE = 20
PAGE_PARAM = "p"  # as Wagtail's own listings
SEARCH_PARAM = "q"
SEARCH_MAX = 100
LAST_PAGE = 2000  # deep offsets cost a scan; searching finds what is that far back


@dataclass(frozen=True)
class ListingPage:
    rows: list
    number: int
    has_previous: bool
    has_next: bool
    previous_url: str
    next_url: str
    search: str
    kept: list[tuple[str, str]]  # the other filters, for the search form to keep

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __bool__(self):
        return bool(self.rows)


def search_text(request) -> str:
    return request.GET.get(SEARCH_PARAM, "").strip()[:SEARCH_MAX]


def search(queryset: QuerySet, request, lookups: list[str]) -> QuerySet:
    """The rows where any of `lookups` ("email__icontains", "reference__iexact") matches
    the search box's text; every row when it is empty."""
    text = search_text(request)
    if not text:
        return queryset
    matches = Q()
    for lookup in lookups:
        matches |= Q(**{lookup: text})
    return queryset.filter(matches)


def listing_page(request, queryset: QuerySet, *, per_page: int = PER_PAGE) -> ListingPage:
    """The page the request asks for (`?p=`, first when missing or nonsense) of `queryset`,
    which must be ordered (a unique last key keeps pages from overlapping)."""
    try:
        number = min(max(int(request.GET.get(PAGE_PARAM, "1")), 1), LAST_PAGE)
    except ValueError:
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    has_next = len(rows) > per_page and number < LAST_PAGE
    return ListingPage(
        rows=rows[:per_page],
        number=number,
        has_previous=number > 1,
        has_next=has_next,
        previous_url=_page_url(request, number - 1) if number > 1 else "",
        next_url=_page_url(request, number + 1) if has_next else "",
        search=search_text(request),
        kept=[(k, v) for k, values in request.GET.lists() if k not in (PAGE_PARAM, SEARCH_PARAM) for v in values],
    )


def _page_url(request, number: int) -> str:
    params = request.GET.copy()
    params[PAGE_PARAM] = str(number)
    return "?" + params.urlencode()
