"""Counting attempts per visitor without keeping their address.

The client address is turned into a keyed hash (with SECRET_KEY) and kept only in the
cache, for the length of the window: long enough to slow abuse, short enough that it is
not a record of who visited.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache


def client_fingerprint(request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def rate_limit_exceeded(request, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt for this visitor in `scope`; True once more than `limit` were made."""
    key = f"ratelimit:{scope}:{client_fingerprint(request)}"
    if cache.add(key, 1, timeout=window_seconds):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return False
    return count > limit
