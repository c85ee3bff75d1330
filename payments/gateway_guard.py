"""A hung Stripe must not hang the site: the guards around every Stripe call.

Never imports `stripe` (`payments/gateway.py` is the only module that does): `stripe_call_guarded`
takes the call to make as a function, and the exceptions it counts are our own
(`gateway_types`), which the gateway raises from Stripe's.

Three guards around every call:
- short timeouts (STRIPE_CONNECT_TIMEOUT_SECONDS, STRIPE_READ_TIMEOUT_SECONDS), set on the
  gateway's client;
- a cap on Stripe calls in flight per process (STRIPE_MAX_CONCURRENT_CALLS, below the
  request threads per process): a request finding every slot taken waits at most
  STRIPE_CALL_SLOT_WAIT_SECONDS, then is told "payments are unavailable", so some threads
  always stay free for the rest of the site;
- a circuit breaker shared by every process through the cache: STRIPE_BREAKER_FAILURES
  failures (no answer, timeout, 5xx, 429) within STRIPE_BREAKER_WINDOW_SECONDS, with no
  success between, open it; while open every call is answered "unavailable" at once;
  after STRIPE_BREAKER_COOLDOWN_SECONDS one call (one in all processes) tries Stripe again:
  a success closes it, a failure opens it for another cool-down.
"""

import contextvars
import functools
import logging
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

from payments.gateway_types import CardDeclined, PaymentGatewayError, PaymentsUnavailable

logger = logging.getLogger("payments.gateway")


_BREAKER_OPEN_UNTIL = "payments:stripe-breaker:open-until"
_BREAKER_FAILURES = "payments:stripe-breaker:failures"
_BREAKER_PROBE = "payments:stripe-breaker:probe"


@functools.cache
def _call_slots(size: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(max(1, size))


_slot_wait: contextvars.ContextVar[float | None] = contextvars.ContextVar("stripe_slot_wait", default=None)


@contextmanager
def calls_wait_for_a_slot(seconds: float):
    """Within this block a Stripe call waits up to `seconds` for a free slot instead of being
    refused at once: for Stripe's own webhooks, which arrive several at a time and are better
    handled now than retried by Stripe minutes later (the breaker still refuses them at once)."""
    token = _slot_wait.set(seconds)
    try:
        yield
    finally:
        _slot_wait.reset(token)


def _cache_quietly(operation, default=None):
    """The breaker is advice: when the cache itself fails, Stripe is called as if it were closed."""
    try:
        return operation()
    except Exception:  # noqa: BLE001 (any cache backend error)
        logger.warning("stripe breaker: the cache did not answer")
        return default


def _breaker_admit(what: str) -> tuple[bool, bool]:
    """Raise PaymentsUnavailable while the breaker is open. Otherwise (trial, had_failures):
    trial is True for the one call let through after a cool-down; had_failures says whether
    failures are being counted (a success then clears them)."""
    state = _cache_quietly(lambda: cache.get_many([_BREAKER_OPEN_UNTIL, _BREAKER_FAILURES]), {})
    open_until = state.get(_BREAKER_OPEN_UNTIL)
    if open_until is None:
        return False, bool(state.get(_BREAKER_FAILURES))
    if time.time() < open_until:
        raise PaymentsUnavailable(f"{what}: breaker open")
    trial_seconds = settings.STRIPE_CONNECT_TIMEOUT_SECONDS + settings.STRIPE_READ_TIMEOUT_SECONDS + 5
    if _cache_quietly(lambda: cache.add(_BREAKER_PROBE, 1, timeout=trial_seconds), True):
        return True, True
    raise PaymentsUnavailable(f"{what}: breaker open, another request is trying Stripe")


def _breaker_open(failures: int) -> None:
    cooldown = settings.STRIPE_BREAKER_COOLDOWN_SECONDS
    cache.set(_BREAKER_OPEN_UNTIL, time.time() + cooldown, timeout=cooldown + 86400)
    cache.delete_many([_BREAKER_FAILURES, _BREAKER_PROBE])
    logger.warning("stripe breaker: open for %s s after %s failures", cooldown, failures)


def _breaker_failure(trial: bool) -> None:
    if trial:
        _cache_quietly(lambda: _breaker_open(1))
        return
    window = settings.STRIPE_BREAKER_WINDOW_SECONDS

    def count() -> int:
        cache.add(_BREAKER_FAILURES, 0, timeout=window)
        try:
            return cache.incr(_BREAKER_FAILURES)
        except ValueError:  # expired between add and incr
            cache.add(_BREAKER_FAILURES, 1, timeout=window)
            return 1

    failures = _cache_quietly(count, 0)
    if failures >= settings.STRIPE_BREAKER_FAILURES:
        _cache_quietly(lambda: _breaker_open(failures))


def _breaker_success(trial: bool, had_failures: bool) -> None:
    if trial:
        _cache_quietly(lambda: cache.delete_many([_BREAKER_OPEN_UNTIL, _BREAKER_FAILURES, _BREAKER_PROBE]))
        logger.warning("stripe breaker: closed, Stripe answered again")
    elif had_failures:
        _cache_quietly(lambda: cache.delete(_BREAKER_FAILURES))


def breaker_is_open() -> bool:
    """Whether payments are being refused at once because Stripe failed repeatedly."""
    open_until = _cache_quietly(lambda: cache.get(_BREAKER_OPEN_UNTIL))
    return open_until is not None


def stripe_call_guarded[T](what: str, attempt: Callable[[], T]) -> T:
    """`attempt()` (one Stripe call, raising only our exceptions) through the breaker and the
    cap on calls in flight. Raises PaymentsUnavailable without calling when the breaker is open
    or every slot stays busy; counts PaymentsUnavailable from the call as a failure, any answer
    (a result, a declined card, a refusal) as a success."""
    trial, had_failures = _breaker_admit(what)
    slots = _call_slots(settings.STRIPE_MAX_CONCURRENT_CALLS)
    wait = _slot_wait.get()
    if wait is None:
        wait = settings.STRIPE_CALL_SLOT_WAIT_SECONDS
    if not (slots.acquire(timeout=wait) if wait > 0 else slots.acquire(blocking=False)):
        if trial:
            _cache_quietly(lambda: cache.delete(_BREAKER_PROBE))
        logger.warning("stripe %s: every Stripe call slot of this process is busy", what)
        raise PaymentsUnavailable(f"{what}: busy")
    try:
        result = attempt()
    except PaymentsUnavailable:
        _breaker_failure(trial)
        raise
    except (CardDeclined, PaymentGatewayError):
        _breaker_success(trial, had_failures)  # Stripe answered
        raise
    finally:
        slots.release()
    _breaker_success(trial, had_failures)
    return result
