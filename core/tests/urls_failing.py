from django.urls import path

from config import urls as site_urls


def broken(request):
    raise RuntimeError("deliberate failure for the 500 page test")


# The site's own patterns follow (not `include`d: i18n_patterns must stay at the root).
urlpatterns = [path("broken/", broken), *site_urls.urlpatterns]
handler500 = site_urls.handler500
