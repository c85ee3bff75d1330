"""Issue 13, item 3, in one process: the gateway's timeout, cap on calls in flight and circuit
breaker against the session's localstripe paused with SIGSTOP (a real hang, not a mock)."""

import os
import signal
import threading
import time
from contextlib import contextmanager

import pytest

from payments import gateway
from payments.tests.helpers import donation_order

pytestmark = pytest.mark.django_db


@contextmanager
def _paused(localstripe):
    os.kill(localstripe.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(localstripe.process.pid, signal.SIGCONT)


def _timed(func, *args) -> tuple[str, float]:
    started = time.monotonic()
    try:
        func(*args)
        outcome = "ok"
    except gateway.PaymentsUnavailable:
        outcome = "unavailable"
    return outcome, time.monotonic() - started


@pytest.fixture
def quick(settings):
    settings.STRIPE_READ_TIMEOUT_SECONDS = 1
    settings.STRIPE_CONNECT_TIMEOUT_SECONDS = 1
    settings.STRIPE_BREAKER_FAILURES = 3
    settings.STRIPE_BREAKER_COOLDOWN_SECONDS = 2
    return settings


def test_the_breaker_opens_after_three_timeouts_tries_once_after_the_cool_down_and_closes_when_stripe_answers(
    localstripe, quick
):
    setup = gateway.setup_intent_create(reference="ORDERREF", idempotency_key="k-1")
    with _paused(localstripe):
        for _ in range(3):  # each waits for the short read timeout, not the old 20 s
            outcome, seconds = _timed(gateway.setup_intent_retrieve, setup.id)
            assert outcome == "unavailable" and 0.9 < seconds < 3
        assert gateway.breaker_is_open()
        outcome, seconds = _timed(gateway.setup_intent_retrieve, setup.id)
        assert outcome == "unavailable" and seconds < 0.2  # open: Stripe is not asked
        time.sleep(2.1)
        outcome, seconds = _timed(gateway.setup_intent_retrieve, setup.id)  # the one trial: still hung
        assert outcome == "unavailable" and 0.9 < seconds < 3
        outcome, seconds = _timed(gateway.setup_intent_retrieve, setup.id)
        assert outcome == "unavailable" and seconds < 0.2  # open again for another cool-down
    outcome, seconds = _timed(gateway.setup_intent_retrieve, setup.id)
    assert outcome == "unavailable" and seconds < 0.2  # Stripe is back, but the cool-down is not over
    time.sleep(2.1)
    assert _timed(gateway.setup_intent_retrieve, setup.id)[0] == "ok"  # the trial succeeds: closed
    assert not gateway.breaker_is_open()
    assert _timed(gateway.setup_intent_retrieve, setup.id)[0] == "ok"


def test_a_success_between_failures_starts_the_count_again(localstripe, quick):
    setup = gateway.setup_intent_create(reference="ORDERREF", idempotency_key="k-2")
    for _ in range(3):
        with _paused(localstripe):
            for _ in range(2):
                assert _timed(gateway.setup_intent_retrieve, setup.id)[0] == "unavailable"
        assert _timed(gateway.setup_intent_retrieve, setup.id)[0] == "ok"
    assert not gateway.breaker_is_open()


def test_stripe_calls_in_flight_are_capped_per_process_and_the_next_is_told_at_once(localstripe, quick):
    quick.STRIPE_BREAKER_FAILURES = 100  # this test is about the cap only
    quick.STRIPE_READ_TIMEOUT_SECONDS = 2
    order = donation_order()
    setup = gateway.setup_intent_create(reference=order.reference, idempotency_key="k-3")
    outcomes: list[str] = []
    with _paused(localstripe):
        hung = [
            threading.Thread(target=lambda: outcomes.append(_timed(gateway.setup_intent_retrieve, setup.id)[0]))
            for _ in range(quick.STRIPE_MAX_CONCURRENT_CALLS)
        ]
        for thread in hung:
            thread.start()
        time.sleep(0.3)  # both are waiting for Stripe now
        outcome, seconds = _timed(gateway.setup_intent_retrieve, setup.id)
        assert outcome == "unavailable" and seconds < 0.2
        for thread in hung:
            thread.join()
    assert outcomes == ["unavailable"] * quick.STRIPE_MAX_CONCURRENT_CALLS
    assert _timed(gateway.setup_intent_retrieve, setup.id)[0] == "ok"  # the slots were given back
