"""Response headers that hold across the whole site."""

from django.conf import settings
from django.middleware.csp import ContentSecurityPolicyMiddleware


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
