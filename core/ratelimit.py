"""Counting attempts per visitor (or per account) without keeping their address.

The client address is turned into a keyed hash (with SECRET_KEY). Counts live in the
database (core.RateCounter), one row per key and window, counted by a single atomic
INSERT ... ON CONFLICT DO UPDATE ... RETURNING: simultaneous requests in any number of
threads, processes or hosts are each counted once, whichever cache backend the settings
chose. A row whose window has ended is reset by the next attempt and deleted as new
attempts come in, so the counts are not a record of who visited.

Behind a proxy the connecting address is the proxy's: with TRUSTED_PROXY_COUNT = n (n > 0)
the visitor's address is the one n entries from the right of X-Forwarded-For (each trusted
proxy appends the address it saw). With 0 (the default) the header is ignored, since any
client can send one.

Call these outside a transaction (views, middleware): inside one, the count's row stays
locked until the transaction ends, and a rollback forgets the attempt.
"""

import hashlib
import hmac
import ipaddress
import random
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

KEY_MAX_LENGTH = 200
# Share of attempts that also delete the rows whose window has ended.
CLEANUP_CHANCE = 0.02


def keyed_hash(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def _valid_address(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        # One household or phone gets a whole /64: count it as one visitor (as allauth does).
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)


def client_ip(request) -> str:
    """The visitor's address, as far as the trusted proxies (TRUSTED_PROXY_COUNT) tell it."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            address = _valid_address(forwarded[-hops])
            if address:
                return address
    return _valid_address(remote) or remote


def client_fingerprint(request) -> str:
    return keyed_hash(client_ip(request))


def client_key(request, scope: str) -> str:
    return f"ratelimit:{scope}:{client_fingerprint(request)}"


def account_key(scope: str, account: str) -> str:
    """A key for one account (an email address or an id), whoever is trying."""
    return f"ratelimit:{scope}:{keyed_hash(account.strip().lower())}"


def client_account_key(request, scope: str, account: str) -> str:
    """A key for one visitor trying one account."""
    return f"ratelimit:{scope}:{keyed_hash(client_ip(request) + ' ' + account.strip().lower())}"


def _stored_key(key: str) -> str:
    return key if len(key) <= KEY_MAX_LENGTH else "ratelimit:long:" + hashlib.sha256(key.encode()).hexdigest()


def _table() -> str:
    from core.models import RateCounter  # models: kept free of them (cms.models imports this via core.guard)

    return connection.ops.quote_name(RateCounter._meta.db_table)


def _now_value(now=None):
    return connection.ops.adapt_datetimefield_value(now or timezone.now())


def attempts(key: str) -> int:
    """How many attempts `key` has in its current window (without counting one)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count FROM {_table()} WHERE key = %s AND expires_at > %s",  # noqa: S608 (our table name)
            [_stored_key(key), _now_value()],
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def count_attempt(key: str, *, window_seconds: int) -> int:
    """Count one attempt under `key`, atomically; returns the count in the current window
    (1 for the first attempt of a new window)."""
    now = timezone.now()
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, count, expires_at) VALUES (%s, 1, %s) "  # noqa: S608 (our table name)
            f"ON CONFLICT (key) DO UPDATE SET "
            f"count = CASE WHEN {table}.expires_at <= %s THEN 1 ELSE {table}.count + 1 END, "
            f"expires_at = CASE WHEN {table}.expires_at <= %s THEN excluded.expires_at ELSE {table}.expires_at END "
            f"RETURNING count",
            [_stored_key(key), _now_value(now + timedelta(seconds=window_seconds)), _now_value(now), _now_value(now)],
        )
        count = cursor.fetchone()[0]
        if random.random() < CLEANUP_CHANCE:  # noqa: S311 (not security: when to tidy up)
            cursor.execute(f"DELETE FROM {table} WHERE expires_at <= %s", [_now_value(now)])  # noqa: S608
    return count


def give_back(key: str) -> None:
    """Take back one counted attempt (a sign-in that succeeded after all)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET count = count - 1 WHERE key = %s AND count > 0",  # noqa: S608 (our table name)
            [_stored_key(key)],
        )


def consume(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt under `key`; True while it is within `limit` for the window."""
    return count_attempt(key, window_seconds=window_seconds) <= limit


def rate_limit_exceeded(request, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt for this visitor in `scope`; True once more than `limit` were made."""
    return not consume(client_key(request, scope), limit=limit, window_seconds=window_seconds)
