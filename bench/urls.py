"""The site's URLs plus a bare Django view, the floor pages are compared against."""

from django.http import HttpResponse
from django.urls import include, path


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("_bench/ok", ok), path("", include("config.urls"))]
