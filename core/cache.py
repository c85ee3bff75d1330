"""A file cache whose add() and incr() are atomic across threads and processes.

Django's FileBasedCache checks and then writes, so two processes can both "add" the same
key, and incr() is a get and a set (which also resets the entry's expiry to the default).
allauth's rate limits take a lock with cache.add(), and the booking form's repeat guard is a
cache.add(): without Redis they must hold under simultaneous requests too. Here both run
under an exclusive lock (flock) on one of a fixed set of lock files, chosen by the key.
"""

import os
import pickle
import time
import zlib
from contextlib import contextmanager
from hashlib import md5

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks

LOCK_STRIPES = 64


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
