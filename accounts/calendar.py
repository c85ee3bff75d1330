"""A person's private calendar secret: the writes (make or replace it, turn it off) and the
reads (is there one, whose is this token, which feed addresses it opens).

One secret serves every personal feed: My learning (training) and My bookings (events).
The apps above accounts say which feeds they serve through the `CALENDAR_FEEDS_HOOK`
(core/hooks.py), so accounts imports neither. Only the token's SHA-256 is stored, so an
address can be shown only once, right after it is made; replacing the secret is the way to
see the addresses again (the old ones then answer 404).
"""

from django.db import transaction
from wagtail import hooks

from accounts.models import CalendarFeed, User
from accounts.tokens import new_token, token_hash
from core.hooks import CALENDAR_FEEDS_HOOK
from core.locking import for_update


def calendar_feed_replace(*, user: User) -> str:
    """Make the person's calendar secret, or replace it (the old addresses stop working).
    Returns the new token (shown once; only its hash is kept)."""
    with transaction.atomic():
        for_update(User.objects.filter(pk=user.pk)).get()  # two clicks at once make one secret
        CalendarFeed.objects.filter(user=user).delete()
        token, digest = new_token()
        CalendarFeed.objects.create(user=user, token_hash=digest)
    return token


def calendar_feed_revoke(*, user: User) -> None:
    """Turn the person's calendar addresses off (every feed answers 404 from now on)."""
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()


def calendar_feed_of(*, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_user(*, token: str) -> User | None:
    """The active person whose calendar secret this is, or None (no such secret, turned off,
    or the account is no longer active). Used by the feed views, which write nothing."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def calendar_feed_addresses(*, token: str, request) -> list[dict]:
    """The feeds this token opens, with absolute addresses, in the hook's order."""
    feeds = [provider(token) for provider in hooks.get_hooks(CALENDAR_FEEDS_HOOK)]
    return [{**feed, "url": request.build_absolute_uri(feed["path"])} for feed in feeds]
