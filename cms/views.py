from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q
from django.shortcuts import render
from wagtail.models import Page, Site

from content_translation.routing import content_language, locale_id

SEARCH_RESULTS_PER_PAGE = 10


def search(request):
    """Search live, public pages of this site with Wagtail search."""
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.none()
    site = Site.find_for_request(request)
    if query and site is not None:
        # The site's English tree and, for a reader of another language, its translated tree;
        # results link to the page in the reader's language (search.html: localized_pageurl).
        wanted = locale_id(content_language())
        trees = Q()
        for root_path in (
            site.root_page.get_translations(inclusive=True)
            .filter(Q(pk=site.root_page_id) | Q(locale_id=wanted))
            .values_list("path", flat=True)
        ):
            trees |= Q(path__startswith=root_path)
        results = Page.objects.live().public().filter(trees).specific().search(query)
    paginator = Paginator(results, SEARCH_RESULTS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
    return render(request, "cms/search.html", {"query": query, "results": page})
