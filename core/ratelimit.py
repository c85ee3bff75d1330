"""Counting attempts per visitor (or per account) without keeping their address.

The client address is turned into a keyed hash (with SECRET_KEY) and kept only in the
cache, for the length of the window: long enough to slow abuse, short enough that it is
not a record of who visited.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache


def keyed_hash(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def client_fingerprint(request) -> str:
    return keyed_hash(request.META.get("REMOTE_ADDR", ""))


def client_key(request, scope: str) -> str:
    return f"ratelimit:{scope}:{client_fingerprint(request)}"


def attempts(key: str) -> int:
    """How many attempts `key` has in its current window (without counting one)."""
    return cache.get(key) or 0


def count_attempt(key: str, *, window_seconds: int) -> int:
    """Count one attempt under `key`; returns the count in the current window."""
    if cache.add(key, 1, timeout=window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return 1


def rate_limit_exceeded(request, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt for this visitor in `scope`; True once more than `limit` were made."""
    return count_attempt(client_key(request, scope), window_seconds=window_seconds) > limit
