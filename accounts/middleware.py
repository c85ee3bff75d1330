"""Staff sign-in rules: two-factor before the admin, and throttled password guessing."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect, render

from accounts.roles import is_staff_member
from core.ratelimit import attempts, client_key, count_attempt, keyed_hash

ADMIN_PREFIX = "/admin/"
OPEN_ADMIN_PATHS = ("/admin/login/", "/admin/logout/", "/admin/password_reset/", "/admin/jsi18n/")


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_used_second_factor(request) -> bool:
    from allauth.account.authentication import get_authentication_records

    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class StaffTwoFactorMiddleware:
    """Anyone in a staff role must set up TOTP, and must have used it in this session, before
    any admin page. Exempt: addresses in MFA_EXEMPT_EMAILS (development's demo staff only)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith(ADMIN_PREFIX)
            and not request.path.startswith(OPEN_ADMIN_PATHS)
            and is_staff_member(request.user)
            and request.user.email not in settings.MFA_EXEMPT_EMAILS
        ):
            query = urlencode({"next": request.get_full_path()})
            if not has_totp(request.user):
                return redirect(f"/accounts/2fa/totp/activate/?{query}")
            if not session_used_second_factor(request):
                return redirect(f"/accounts/2fa/reauthenticate/?{query}")
        return self.get_response(request)


class AdminLoginThrottleMiddleware:
    """Wagtail's own /admin/login/ form: after a few failed attempts from one visitor, or for
    one account, refuse further attempts for a while. Counted in the cache under keyed hashes,
    so client addresses are never stored and the counts expire with the window."""

    def __init__(self, get_response):
        self.get_response = get_response

    def _keys(self, request) -> list[str]:
        account = request.POST.get("username", "").strip().lower()
        return [client_key(request, "adminlogin"), f"ratelimit:adminlogin-account:{keyed_hash(account)}"]

    def __call__(self, request):
        if request.method != "POST" or request.path != "/admin/login/":
            return self.get_response(request)
        keys = self._keys(request)
        limit = settings.ADMIN_LOGIN_FAILURE_LIMIT
        if any(attempts(key) >= limit for key in keys):
            return render(request, "accounts/too_many_attempts.html", status=429)
        response = self.get_response(request)
        if response.status_code == 200:  # the form came back: the sign-in failed
            for key in keys:
                count_attempt(key, window_seconds=settings.ADMIN_LOGIN_FAILURE_WINDOW_SECONDS)
        return response
