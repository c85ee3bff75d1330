"""Response headers that hold across the whole site, and input no page can use refused at the door."""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.template import loader

from core.text import CONTROL_CHARACTERS_BUT_LINE_BREAKS


class SiteContentSecurityPolicyMiddleware(ContentSecurityPolicyMiddleware):
    """Django's CSP middleware, with the admin's looser style policy under the admin prefixes.

    The public site gets `SECURE_CSP` (no inline script or style). The Wagtail admin's own
    scripts set inline styles, so paths under `ADMIN_PATH_PREFIXES` get `ADMIN_CSP`.
    A view may still set its own policy with `csp_override`.
    """

    def process_response(self, request, response):
        if not hasattr(response, "_csp_config") and request.path.startswith(settings.ADMIN_PATH_PREFIXES):
            response._csp_config = settings.ADMIN_CSP
        return super().process_response(request, response)


# Signing out anywhere (the site's account page, allauth's sign-out page, Wagtail's menu,
# the door page) tells the browser to forget what this site kept on the device: the offline
# door's list and queue (issue 21), its service worker and cached pages. "cookies" is left
# out: the session is already ended, and the CSRF cookie is needed by the next sign-in form.
SIGN_OUT_CLEARS = '"cache", "storage"'


def mark_signed_out(sender, request=None, user=None, **kwargs) -> None:
    """django.contrib.auth's user_logged_out: the answer to this request clears the device."""
    if request is not None:
        request.signed_out = True


class SignOutClearsDeviceMiddleware:
    """Adds `Clear-Site-Data` to the answer of the request that signed someone out.

    Browsers honour it on secure origins (HTTPS, and localhost in development). Scans an
    offline door has not sent would be lost, so static/js/sign-out.js asks first on every
    sign-out form of the site and the admin.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "signed_out", False):
            response["Clear-Site-Data"] = SIGN_OUT_CLEARS
        return response


class NoStoreForSignedInMiddleware:
    """Tell browsers and proxies not to keep pages shown to a signed-in person.

    A shared or seized device must not hold copies of pages with personal data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response


class RefuseUnstorableInputMiddleware:
    """Answer 400 with a plain page when the address or a submitted form holds a character
    no page can use, before any view, cache or session sees it.

    PostgreSQL refuses a NUL character in text: one in a query parameter, a form field or
    the path that reaches a query was a 500 (`/search/?q=%00`, `/verify/?code=%00`, the
    alumni and course filters, Wagtail's page and redirect lookups). Django's form fields
    refuse NUL, but views that read `request.GET` or `request.POST` directly, and the ones
    that look up the path, do not. So this refuses:

    - in the path, the query string's names and values: NUL and every other control
      character but tabs and line breaks (none is part of a real address or a search);
    - in form data (urlencoded or multipart): NUL only. Line breaks and tabs are ordinary
      in text areas; other control characters are stored as typed and cleaned where they
      are written out (exports: core.csv_export; line-based formats: core.text).

    A cookie holding a NUL or control character (only a hand-made one can) is dropped, not
    refused, so a broken cookie cannot lock a browser out of the site."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_control(request.path_info) or any(
            _has_control(key) or any(_has_control(value) for value in values) for key, values in request.GET.lists()
        ):
            return _bad_input()
        if self._is_form(request) and any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.POST.lists()
        ):
            return _bad_input()
        for name in [name for name, value in request.COOKIES.items() if _has_control(name) or _has_control(value)]:
            del request.COOKIES[name]
        return self.get_response(request)

    def _is_form(self, request) -> bool:
        return request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and request.content_type in self.FORM_TYPES


def _has_control(text: str) -> bool:
    """NUL or another control character; tabs and line breaks are let through."""
    return CONTROL_CHARACTERS_BUT_LINE_BREAKS.search(text) is not None


def _bad_input() -> HttpResponseBadRequest:
    response = HttpResponseBadRequest(loader.get_template("400.html").render())
    response["Cache-Control"] = "no-store"
    return response
