"""Rate-limit counting (issue 13, items 9 and 10): atomic under simultaneous requests whatever
the cache, and keyed on the visitor's address as the trusted proxies tell it."""

import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import RequestFactory

from core.cache import LockingFileBasedCache
from core.models import RateCounter
from core.ratelimit import client_ip, count_attempt, give_back, rate_limit_exceeded


@pytest.mark.postgres
@pytest.mark.many_connections
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_attempts_on_postgresql_let_exactly_the_limit_through():
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.5")
    barrier = threading.Barrier(20)

    def attempt(_):
        barrier.wait()
        try:
            return rate_limit_exceeded(request, scope="burst", limit=5, window_seconds=600)
        finally:
            connection.close()  # each thread had its own connection

    with ThreadPoolExecutor(20) as pool:
        refused = list(pool.map(attempt, range(20)))
    assert refused.count(False) == 5 and refused.count(True) == 15
    assert RateCounter.objects.get().count == 20


@pytest.mark.django_db
def test_a_window_that_has_ended_starts_again_and_a_count_can_be_given_back():
    assert [count_attempt("k", window_seconds=60) for _ in range(3)] == [1, 2, 3]
    give_back("k")
    assert count_attempt("k", window_seconds=60) == 3
    RateCounter.objects.filter(key="k").update(expires_at="2000-01-01T00:00:00Z")
    assert count_attempt("k", window_seconds=60) == 1


def _add_after_barrier(location, key, barrier, results):
    cache = LockingFileBasedCache(location, {})
    barrier.wait()
    results.put(cache.add(key, "first", 60))


def _incr_many(location, key, barrier, times):
    cache = LockingFileBasedCache(location, {})
    barrier.wait()
    for _ in range(times):
        cache.incr(key)


def test_the_file_cache_adds_a_key_once_when_processes_race(tmp_path):
    context = multiprocessing.get_context("fork")
    for round_ in range(3):
        barrier, results = context.Barrier(10), context.Queue()
        workers = [
            context.Process(target=_add_after_barrier, args=(str(tmp_path), f"k{round_}", barrier, results))
            for _ in range(10)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert sorted(results.get(timeout=5) for _ in workers) == [False] * 9 + [True]


def test_the_file_cache_counts_every_increment_from_racing_processes_and_keeps_the_expiry(tmp_path):
    cache = LockingFileBasedCache(str(tmp_path), {})
    cache.set("n", 0, 100)
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(6)
    workers = [context.Process(target=_incr_many, args=(str(tmp_path), "n", barrier, 40)) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert cache.get("n") == 240
    with open(cache._key_to_file("n"), "rb") as f:
        import pickle

        expiry = pickle.load(f)  # noqa: S301 (our own test file)
    assert 80 < expiry - time.time() <= 100  # not reset to the default 300 seconds
    with pytest.raises(ValueError):
        cache.incr("missing")


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "127.0.0.1"),  # no trusted proxy: anyone can send the header
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own entry is on the left
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (2, "198.51.100.1", "127.0.0.1"),  # fewer entries than proxies: not through them
        (1, "not-an-address", "127.0.0.1"),
        (1, "", "127.0.0.1"),
        (1, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),  # an IPv6 visitor is their /64
        (1, "198.51.100.1:5555", "198.51.100.1"),
    ],
)
def test_the_client_address_is_read_through_the_trusted_proxies(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", **headers)
    assert client_ip(request) == expected


def test_allauth_reads_the_same_address_as_our_limits(settings):
    from allauth.account.adapter import get_adapter

    from config.settings import base

    assert base.ALLAUTH_TRUSTED_PROXY_COUNT == base.TRUSTED_PROXY_COUNT
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1")
    assert get_adapter().get_client_ip(request) == client_ip(request) == "198.51.100.1"
