"""Password guessing is limited per visitor *and* account, so no one can lock a person out.

Five wrong passwords for one account from one address refuse that address for that account
for a while (allauth's `login_failed` limit, and /admin/login/'s throttle in
accounts.middleware); the owner signing in from their own device, another address, is not
refused. Each address is also limited across all accounts (allauth's per-address rate, and
ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT), so one address cannot spray guesses either.

Failed passwords for one account are also counted from every address: when they reach
SIGN_IN_FAILURE_NOTIFY_AT within SIGN_IN_FAILURE_WINDOW_SECONDS, staff get one email (the
account's id and a link, no address typed, no password, no client address) per account and
window. Counts are keyed hashes in core.RateCounter.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_noop

from accounts.adapter import AccountAdapter
from accounts.tasks import sign_in_failures_notify
from core.ratelimit import account_key, client_ip, count_attempt

logger = logging.getLogger(__name__)


def note_failed_sign_in(email: str, *, where: str) -> int:
    """Count one wrong password for the account of `email` (from any address); at
    SIGN_IN_FAILURE_NOTIFY_AT in the window, queue the staff email. Returns the count.
    `where` names the sign-in page in English, marked with gettext_noop (the email translates it)."""
    email = (email or "").strip().lower()
    if not email:
        return 0
    failures = count_attempt(
        account_key("signin-failed", email), window_seconds=settings.SIGN_IN_FAILURE_WINDOW_SECONDS
    )
    if failures == settings.SIGN_IN_FAILURE_NOTIFY_AT:  # exactly once per window: the count is atomic
        user_id = get_user_model().objects.filter(email__iexact=email).values_list("pk", flat=True).first()
        if user_id is not None:
            logger.warning("repeated failed sign-ins: user %s, %s failures (%s)", user_id, failures, where)
            # At once, not on commit: the count above is outside any transaction (core.ratelimit).
            sign_in_failures_notify.enqueue(user_id=user_id, failures=failures, where=where)
    return failures


class SignInLimitsAdapter(AccountAdapter):
    """accounts.adapter.AccountAdapter, with allauth's failed-login limit keyed on the address
    and the account together instead of the account alone."""

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth hashes this key; "per key" then means per account from this address.
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{client_ip(request)}"

    def authentication_failed(self, request, **credentials) -> None:
        super().authentication_failed(request, **credentials)
        note_failed_sign_in(credentials.get("email", ""), where=gettext_noop("the site's sign-in page"))
