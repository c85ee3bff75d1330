import logging
import sys
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.static import serve as static_serve

from core.readiness import readiness

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """200 when the database answers a query, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unavailable")
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
def readyz(request):
    """200 when this host can serve visitors: the database, the cache and the file storage
    answer, and the task queue is moving (core/readiness.py). Otherwise 503 naming the checks
    that failed, e.g. {"status": "unavailable", "cache": "unavailable", ...}. For load
    balancers: no session or cookie is touched, nothing is cached, no rate limit applies."""
    checks = readiness()
    ready = all(answer == "ok" for answer in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)


DATABASE_AWAY_RETRY_SECONDS = 30


def server_error(request):
    """handler500. When the error is the database being away (a connection refused, reset or
    closed: OperationalError, InterfaceError), answer 503 with the plain "try again shortly"
    page (templates/503.html, which needs no database) and a Retry-After; anything else is
    Django's 500 page. Django calls this while handling the exception, so it is the one in
    sys.exc_info(); it covers errors raised by middleware as well as views."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(DATABASE_AWAY_RETRY_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return defaults.server_error(request)


def local_rendition(request, path: str):
    """A public image rendition from MEDIA_ROOT/images/ (no bucket: `make run`, one host).
    django.views.static.serve refuses paths leaving that folder and answers 404 for what is
    not there; MEDIA_ROOT is read per request (tests point it elsewhere)."""
    return static_serve(request, path, document_root=Path(settings.MEDIA_ROOT) / "images")
