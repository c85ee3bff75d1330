"""Signed links for subscriptions: confirming (expires) and unsubscribing (never expires: an
old newsletter's link must still work, RFC 8058). Signed with SECRET_KEY (django.core.signing),
so nothing is stored and a tampered link is refused."""

from django.core import signing
from django.urls import reverse

from core.links import absolute

CONFIRM_SALT = "newsletters.confirm"
UNSUBSCRIBE_SALT = "newsletters.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600  # a week to confirm


class BadLink(Exception):
    """The link was changed, is not ours, or (confirmation) is more than a week old."""


def confirm_token(subscription) -> str:
    return signing.dumps({"s": subscription.pk, "e": subscription.email}, salt=CONFIRM_SALT, compress=True)


def unsubscribe_token(subscription) -> str:
    return signing.dumps({"s": subscription.pk, "e": subscription.email}, salt=UNSUBSCRIBE_SALT, compress=True)


def _read(token: str, salt: str, max_age: int | None) -> tuple[int, str]:
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
        return int(value["s"]), str(value["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadLink from error


def read_confirm_token(token: str) -> tuple[int, str]:
    """(subscription id, email) of a valid confirmation link; BadLink otherwise."""
    return _read(token, CONFIRM_SALT, CONFIRM_MAX_AGE)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(subscription id, email) of a valid unsubscribe link; BadLink otherwise."""
    return _read(token, UNSUBSCRIBE_SALT, None)


def unsubscribe_url(subscription) -> str:
    """The absolute one-click unsubscribe URL (List-Unsubscribe; POST unsubscribes at once,
    GET shows a page with one button)."""
    return unsubscribe_url_for_token(unsubscribe_token(subscription))


def unsubscribe_url_for_token(token: str) -> str:
    return absolute(reverse("newsletters:unsubscribe", args=[token]))


def confirm_url(subscription) -> str:
    return absolute(reverse("newsletters:confirm", args=[confirm_token(subscription)]))
