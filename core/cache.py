"""The cache backends: a file cache for one machine, and Redis that forgives an outage.

A file cache whose add() and incr() are atomic across threads and processes.

Django's FileBasedCache checks and then writes, so two processes can both "add" the same
key, and incr() is a get and a set (which also resets the entry's expiry to the default).
allauth's rate limits take a lock with cache.add(), and the booking form's repeat guard is a
cache.add(): without Redis they must hold under simultaneous requests too. Here both run
under an exclusive lock (flock) on one of a fixed set of lock files, chosen by the key.
"""

import logging
import os
import pickle
import threading
import time
import zlib
from contextlib import contextmanager
from hashlib import md5

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.core.files import locks
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

LOCK_STRIPES = 64
# What an unreachable, restarting or hung Redis raises (BusyLoadingError, a Redis still loading its
# data after a restart, is a ConnectionError).
REDIS_FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)

logger = logging.getLogger(__name__)


class LockingFileBasedCache(FileBasedCache):
    @contextmanager
    def _key_lock(self, key, version):
        fname = self._key_to_file(key, version)
        stripe = int(md5(fname.encode(), usedforsecurity=False).hexdigest(), 16) % LOCK_STRIPES
        lock_dir = os.path.join(self._dir, "locks")
        os.makedirs(lock_dir, mode=0o700, exist_ok=True)
        with open(os.path.join(lock_dir, f"{stripe}.lock"), "a+b") as lock_file:
            locks.lock(lock_file, locks.LOCK_EX)
            try:
                yield fname
            finally:
                locks.unlock(lock_file)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._key_lock(key, version):
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self._key_lock(key, version) as fname:
            try:
                with open(fname, "rb") as f:
                    expiry = pickle.load(f)  # noqa: S301 (our own cache files)
                    value = pickle.loads(zlib.decompress(f.read()))  # noqa: S301 (our own cache files)
            except (FileNotFoundError, EOFError):
                raise ValueError(f"Key '{key}' not found") from None
            if expiry is not None and expiry < time.time():
                self._delete(fname)
                raise ValueError(f"Key '{key}' not found")
            new_value = value + delta
            # Keep the entry's expiry (None: never expires).
            self.set(key, new_value, None if expiry is None else max(expiry - time.time(), 0.001), version)
            return new_value


class _Outage:
    """Whether a Redis server is being left alone after a failure; shared by the cache objects of
    every thread of the process (Django makes one per thread)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0


class ForgivingRedisCache(RedisCache):
    """Django's RedisCache that never lets a Redis outage fail a page.

    Django's RedisCache raises on a refused or timed-out connection, so with Redis stopped every
    page answered 500 (the page cache is read before any view). Here an unreachable Redis is a
    cache that holds nothing: reads miss (`get` answers its default, `get_many` nothing), writes
    are dropped, `add` answers True (the guards built on it, allauth's rate-limit lock and the
    booking form's repeat guard, let the request through rather than refusing everyone) and
    `incr` raises ValueError as for a missing key. Pages get slower, never wrong: what the page
    cache stored before the outage is checked against the database's record of publishes once
    Redis is back (core.page_cache).

    After a failure this process leaves Redis alone for RETRY_SECONDS, so a Redis that hangs
    costs one request its socket timeout (OPTIONS socket_timeout), not every request. A command
    that finds its pooled connection closed (Redis restarted) is sent once more on a new one. The
    first answer after an outage counts a reconnection (`reconnections()`) and runs the
    `on_reconnect` callbacks before the answer is used.
    """

    RETRY_SECONDS = 1.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._options = {"retry": Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)), **self._options}
        with _outages_lock:
            self._outage = _outages.setdefault(str(server), _Outage())

    def _call(self, operation, on_failure):
        outage = self._outage
        if outage.down_since is not None and time.monotonic() < outage.retry_at:
            return on_failure()
        try:
            result = operation()
        except REDIS_FAILURES as error:
            self._failed(error)
            return on_failure()
        if outage.down_since is not None:
            self._recovered()
        return result

    def _failed(self, error) -> None:
        global _failures
        outage = self._outage
        with outage.lock:
            _failures += 1
            outage.retry_at = time.monotonic() + self.RETRY_SECONDS
            if outage.down_since is None:
                outage.down_since = time.monotonic()
                logger.warning("cache unavailable (%s); pages are served without it", type(error).__name__)

    def _recovered(self) -> None:
        global _reconnections
        outage = self._outage
        with outage.lock:
            if outage.down_since is None:
                return
            seconds = time.monotonic() - outage.down_since
            outage.down_since = None
            _reconnections += 1
        logger.warning("cache available again after %.1f s", seconds)
        for callback in list(_on_reconnect):
            try:
                callback()
            except Exception:  # a callback's own failure must not fail the page  # noqa: BLE001
                logger.exception("cache reconnection callback failed")

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: super(ForgivingRedisCache, self).add(key, value, timeout, version), lambda: True)

    def get(self, key, default=None, version=None):
        return self._call(lambda: super(ForgivingRedisCache, self).get(key, default, version), lambda: default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call(lambda: super(ForgivingRedisCache, self).set(key, value, timeout, version), lambda: None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: super(ForgivingRedisCache, self).touch(key, timeout, version), lambda: False)

    def delete(self, key, version=None):
        return self._call(lambda: super(ForgivingRedisCache, self).delete(key, version), lambda: False)

    def get_many(self, keys, version=None):
        return self._call(lambda: super(ForgivingRedisCache, self).get_many(keys, version), dict)

    def has_key(self, key, version=None):
        return self._call(lambda: super(ForgivingRedisCache, self).has_key(key, version), lambda: False)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)")

        return self._call(lambda: super(ForgivingRedisCache, self).incr(key, delta, version), missing)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: super(ForgivingRedisCache, self).set_many(data, timeout, version), lambda: list(data))

    def delete_many(self, keys, version=None):
        self._call(lambda: super(ForgivingRedisCache, self).delete_many(keys, version), lambda: None)

    def clear(self):
        return self._call(lambda: super(ForgivingRedisCache, self).clear(), lambda: False)


def reconnections() -> int:
    """How many times a forgiving cache in this process has found Redis again after an outage."""
    return _reconnections


def failures() -> int:
    """How many cache operations have failed in this process (a forgiving cache's)."""
    return _failures


def on_reconnect(callback) -> None:
    """Run `callback()` whenever a forgiving cache of this process finds Redis again, before the
    answer that found it is used."""
    if callback not in _on_reconnect:
        _on_reconnect.append(callback)


_failures = 0
_reconnections = 0
_on_reconnect: list = []
_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()
