"""Issue 13, item 3: a hung Stripe does not freeze the site.

A real server (gunicorn, 2 workers x 4 threads as in production, the file cache shared by both)
with its own localstripe, paused with SIGSTOP while 20 checkouts are open at once: public pages
still answer in normal time (a cap on Stripe calls in flight keeps threads free), each checkout
says "payments are unavailable" within the short timeout, then the circuit breaker (shared by
both workers through the cache) answers at once without calling Stripe; after SIGCONT and the
cool-down, checkouts work again."""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from conftest import (
    ROOT,
    _free_port,
    _missing_service,
    _start_localstripe,
    fresh_postgres_database_url,
    wait_until_healthy,
)

pytestmark = pytest.mark.postgres

OPEN_AT_ONCE = 20
READ_TIMEOUT = 3  # seconds (production: 10); shortened so the test is quick
COOLDOWN = 5  # seconds (production: 30)
PUBLIC = ["/events/", "/", "/about/"]
CARD_FORM = "data-setup-secret="
UNAVAILABLE = "Payments are unavailable right now"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        _missing_service("needs PostgreSQL (DATABASE_URL)")
    return fresh_postgres_database_url(url, "_stripe_hang")


def _get(url: str) -> tuple[int, float, str]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (our local server)
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    return status, time.monotonic() - started, body


@pytest.fixture
def site(tmp_path):
    """(base url, localstripe process, checkout paths): a server and its own localstripe."""
    started = _start_localstripe(tmp_path / "localstripe.log")
    if started is None:
        _missing_service("needs localstripe: pip install -r requirements.txt")
    stripe, stripe_url = started
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.e2e",
        "DATABASE_URL": _database_url(),
        "THRIVE_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "stripe-hang-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STRIPE_API_BASE": stripe_url,
        "STRIPE_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT),
        "STRIPE_BREAKER_COOLDOWN_SECONDS": str(COOLDOWN),
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    server = None
    try:
        for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
            subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
        make_orders = (
            "from payments.services import DonationChoice, order_create\n"
            "from payments.views import checkout_url\n"
            "for i in range(40):\n"
            "    order = order_create(email=f'd{i}@example.org', donation=DonationChoice(amount_minor=1500))\n"
            "    print(checkout_url(order))\n"
        )
        checkouts = subprocess.run(
            [*manage, "shell", "--no-imports", "-c", make_orders],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout.split()
        port = _free_port()
        log = (tmp_path / "server.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2", "--threads", "4"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        wait_until_healthy(base, server, tmp_path / "server.log")
        yield base, stripe, checkouts
    finally:
        os.kill(stripe.pid, signal.SIGCONT)
        for process in (server, stripe):
            if process is not None:
                process.terminate()
                process.wait(timeout=20)


def test_a_paused_stripe_with_20_checkouts_open_leaves_public_pages_fast_and_the_breaker_answers_at_once(site):
    base, stripe, checkouts = site
    status, _, body = _get(base + checkouts[0])
    assert status == 200 and CARD_FORM in body  # Stripe answers: the card form
    for path in PUBLIC * 2:  # cached, as they are for visitors
        assert _get(base + path)[0] == 200, path
    warm = [threading.Thread(target=_get, args=(base + path,)) for path in checkouts[34:40]]  # both workers
    for thread in warm:
        thread.start()
    for thread in warm:
        thread.join()

    os.kill(stripe.pid, signal.SIGSTOP)
    answers: dict[str, tuple[int, float, str]] = {}
    burst = [
        threading.Thread(target=lambda path=path: answers.__setitem__(path, _get(base + path)))
        for path in checkouts[1 : 1 + OPEN_AT_ONCE]
    ]
    for thread in burst:
        thread.start()
    public: list[tuple[str, float]] = []
    until = time.monotonic() + READ_TIMEOUT + 1
    while time.monotonic() < until:
        for path in PUBLIC:
            status, seconds, _ = _get(base + path)
            assert status == 200, path
            public.append((path, seconds))
    for thread in burst:
        thread.join(timeout=60)

    slowest_public = max(seconds for _, seconds in public)
    slowest_checkout = max(seconds for _, seconds, _ in answers.values())
    ordered = sorted(seconds for _, seconds in public)
    print(
        f"\n{len(public)} public pages while Stripe was paused: median {ordered[len(ordered) // 2]:.3f} s, "
        f"slowest {slowest_public:.3f} s; first ones: " + ", ".join(f"{s:.3f}" for _, s in public[:6])
    )
    print(f"{OPEN_AT_ONCE} checkouts at once: slowest answered in {slowest_checkout:.2f} s")
    assert slowest_public < 1.0, public
    assert len(answers) == OPEN_AT_ONCE
    for status, _, body in answers.values():
        assert status == 503 and UNAVAILABLE in body
    assert slowest_checkout < READ_TIMEOUT + 2  # the short timeout, not the old 20 s

    # The breaker is open (shared by both workers): checkouts are answered without calling
    # Stripe. One may still wait for a timeout if the burst's failures fell short of 3.
    after = [_get(base + path) for path in checkouts[21:31]]
    print("checkouts one after another, breaker open: " + ", ".join(f"{s:.2f}" for _, s, _ in after) + " s")
    assert all(status == 503 and UNAVAILABLE in body for status, _, body in after)
    assert all(seconds < 0.5 for _, seconds, _ in after[1:])

    os.kill(stripe.pid, signal.SIGCONT)
    assert _get(base + checkouts[31])[0] == 503  # still cooling down: Stripe is not asked yet
    time.sleep(COOLDOWN + 0.5)
    for path in (checkouts[32], checkouts[1], checkouts[33]):
        status, seconds, body = _get(base + path)
        assert status == 200 and CARD_FORM in body, (path, status)
        assert seconds < 2.0
