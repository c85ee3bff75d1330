from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from wagtail.models import Page, Site

SEARCH_RESULTS_PER_PAGE = 10


def search(request):
    """Search live, public pages of this site with Wagtail search."""
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.none()
    site = Site.find_for_request(request)
    if query and site is not None:
        results = Page.objects.live().public().in_site(site).specific().search(query)
    paginator = Paginator(results, SEARCH_RESULTS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
    return render(request, "cms/search.html", {"query": query, "results": page})
