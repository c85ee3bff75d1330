"""The file storage failing during a request: a clear answer instead of a 500 page.

When object storage (core/storage.py) is unreachable or refuses a file, the upload has not
happened, and nothing points at it: Django saves a FileField's file (in the field's `pre_save`)
before the row is inserted or updated, and S3 stores an object whole or not at all, so a failed
upload leaves neither a row nor half a file. What is left to do is tell the person:

- in the Wagtail admin's multiple upload (an XMLHttpRequest posting `files[]`), the JSON answer
  its script shows next to the file (`{"success": false, "error_message": ...}`, status 200:
  the script shows only its generic "server error" for any other status);
- to any other script's request (the image chooser's upload in the page editor), JSON with the
  message and status 503 (Wagtail's modal then shows its generic "server error" notice);
- on any other form posted in the admin, a message at the top of the same form, shown after a
  redirect back to it (the file has to be chosen again anyway);
- anywhere else (a public page whose picture has to be resized first, an admin page read), the
  plain "try again shortly" page with status 503 and Retry-After.

This module imports neither boto3 nor botocore (the site without a bucket never loads them): a
botocore error can only be raised once botocore is loaded, so it is looked up in sys.modules.
"""

import logging
import sys

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template import loader
from django.utils.translation import gettext, gettext_noop

logger = logging.getLogger(__name__)

STORAGE_AWAY_RETRY_SECONDS = 60
# Marked for the catalogue; translated where it is shown (gettext), in that request's language.
UPLOAD_FAILED_MESSAGE = gettext_noop(
    "The file could not be stored: the file storage is not answering. Nothing was saved. "
    "Please try again in a few minutes; if it keeps happening, tell whoever runs the site."
)


class StorageUnavailable(Exception):
    """The file storage could not store or open a file (unreachable, timed out, or refused it).
    Raised by core.storage.MediaStorage, chained to the storage client's own error."""


def is_storage_failure(error: BaseException) -> bool:
    if isinstance(error, StorageUnavailable):
        return True
    botocore_errors = sys.modules.get("botocore.exceptions")
    boto3_errors = sys.modules.get("boto3.exceptions")
    known = []
    if botocore_errors is not None:
        known += [botocore_errors.BotoCoreError, botocore_errors.ClientError]
    if boto3_errors is not None:
        known.append(boto3_errors.Boto3Error)
    return bool(known) and isinstance(error, tuple(known))


def storage_failure_reason(error: BaseException) -> str:
    """What went wrong, for the log: error classes and the storage's error code, never a file
    name (an uploaded file's name may name a person)."""
    reasons = []
    while error is not None and len(reasons) < 4:
        response = getattr(error, "response", None)
        code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
        reasons.append(f"{type(error).__name__}({code})" if code else type(error).__name__)
        error = error.__cause__ or error.__context__
    return " <- ".join(reasons)


class StorageUnavailableMiddleware:
    """Turn a storage failure raised by a view into an answer the person can act on (see the
    module docstring). Other errors pass through untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_storage_failure(exception):
            return None
        logger.error(
            "file storage failed during %s %s: %s", request.method, request.path, storage_failure_reason(exception)
        )
        if request.method == "POST" and "files[]" in request.FILES:
            return JsonResponse({"success": False, "error_message": gettext(UPLOAD_FAILED_MESSAGE)})
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            # Another script's request (the image chooser's upload in the page editor): Wagtail's
            # modal shows its own "server error" notice for any failure status, and closes.
            response = JsonResponse({"success": False, "error_message": gettext(UPLOAD_FAILED_MESSAGE)}, status=503)
            response["Retry-After"] = str(STORAGE_AWAY_RETRY_SECONDS)
            return response
        if request.method == "POST" and request.path.startswith(settings.ADMIN_PATH_PREFIXES):
            messages.error(request, gettext(UPLOAD_FAILED_MESSAGE))
            return HttpResponseRedirect(request.get_full_path())
        response = HttpResponse(loader.get_template("503_storage.html").render(), status=503)
        response["Retry-After"] = str(STORAGE_AWAY_RETRY_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
