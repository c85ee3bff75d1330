"""Staff sign-in rules: two-factor before the admin, and throttled password guessing."""

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import gettext_noop

from accounts.roles import is_staff_member
from accounts.signin_limits import note_failed_sign_in
from core.ratelimit import client_account_key, client_key, count_attempt, give_back

ADMIN_PREFIX = "/admin/"
OPEN_ADMIN_PATHS = ("/admin/login/", "/admin/logout/", "/admin/password_reset/", "/admin/jsi18n/")


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_used_second_factor(request) -> bool:
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
    """Wagtail's own /admin/login/ form: after a few failed attempts for one account from one
    visitor (ADMIN_LOGIN_FAILURE_LIMIT), or from one visitor in all (ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT),
    refuse that visitor for a while; the account's owner from another address still gets in.
    Each attempt is counted (atomically, core.ratelimit) before the password is checked, so
    simultaneous attempts cannot slip past the limit; a successful sign-in gives its count back.
    Failures also count towards the staff notice of accounts.signin_limits."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or request.path != "/admin/login/":
            return self.get_response(request)
        account = request.POST.get("username", "").strip().lower()
        window = settings.ADMIN_LOGIN_FAILURE_WINDOW_SECONDS
        limits = [
            (client_account_key(request, "adminlogin", account), settings.ADMIN_LOGIN_FAILURE_LIMIT),
            (client_key(request, "adminlogin"), settings.ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT),
        ]
        for key, limit in limits:
            if count_attempt(key, window_seconds=window) > limit:
                return render(request, "accounts/too_many_attempts.html", status=429)
        response = self.get_response(request)
        if response.status_code == 200:  # the form came back: the sign-in failed
            note_failed_sign_in(account, where=gettext_noop("the admin sign-in page (/admin/login/)"))
        else:
            for key, _limit in limits:
                give_back(key)
        return response
