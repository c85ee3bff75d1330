"""The words a person agrees to when they subscribe, and their versions.

A subscription stores the wording exactly as it was shown (in the language it was shown in)
and the version below, so the consent record still says what was agreed after the words
change. Changing a sentence here means a new version: bump it in the same commit.
"""

from django.utils.translation import gettext_lazy as _

from newsletters.models import Subscription

SIGN_UP_VERSION = "signup-2026-12"
SIGN_UP_WORDING = _(
    "Send me the newsletters I have ticked. I can unsubscribe at any time with the link in every "
    "newsletter. You will not share my address or track whether I open or click."
)

KEEP_POSTED_VERSION = "keep-posted-2026-12"
KEEP_POSTED_WORDING = _(
    "Keep me posted: send me the network’s newsletter. I can unsubscribe at any time with the link in every newsletter."
)

ACCOUNT_VERSION = "account-2026-12"
ACCOUNT_WORDING = _(
    "Send me the newsletters I have ticked. I can change this here or unsubscribe with the link in every newsletter."
)

_BY_METHOD = {
    Subscription.Method.SIGN_UP_FORM: (SIGN_UP_WORDING, SIGN_UP_VERSION),
    Subscription.Method.DONATION: (KEEP_POSTED_WORDING, KEEP_POSTED_VERSION),
    Subscription.Method.BOOKING: (KEEP_POSTED_WORDING, KEEP_POSTED_VERSION),
    Subscription.Method.ACCOUNT: (ACCOUNT_WORDING, ACCOUNT_VERSION),
}


def consent_for(method: str) -> tuple[str, str]:
    """(the wording shown for `method`, in the active language, and its version)."""
    wording, version = _BY_METHOD[Subscription.Method(method)]
    return str(wording), version
